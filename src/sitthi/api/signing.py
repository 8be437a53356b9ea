"""The keys that sign API access tokens (Ed25519, EdDSA JWTs), published as a JWKS.

Keys are PEM files in one folder, named by their key id; the newest signs, every key in
the folder verifies, so rotating is adding a key and, once the longest token lifetime has
passed, removing the old one. Development makes a key on first use and marks it
``development-`` in its name; production refuses such a key, as it refuses the
development pseudonym key: it sits in a demo folder anyone may have copied.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sitthi.errors import ConfigError

ALGORITHM = "EdDSA"
ISSUER = "sitthi"
AUDIENCE = "sitthi-api"
DEVELOPMENT = "development-"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: Ed25519PrivateKey
    created: float  # the file's mtime: the newest key signs

    @property
    def development(self) -> bool:
        return self.kid.startswith(DEVELOPMENT)

    def jwk(self) -> dict[str, str]:
        raw = self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": x,
            "kid": self.kid,
            "use": "sig",
            "alg": ALGORITHM,
        }


def new_key(folder: Path, *, development: bool = False) -> SigningKey:
    """Write a new key into ``folder`` (owner-only); it signs from now on."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    kid = f"{DEVELOPMENT if development else ''}{stamp}-{secrets.token_hex(4)}"
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path = folder / f"{kid}.pem"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return SigningKey(kid, private, path.stat().st_mtime)


class KeySet:
    """The signing keys of one folder."""

    def __init__(self, keys: list[SigningKey]) -> None:
        if not keys:
            raise ConfigError("no token signing key")
        self.keys = sorted(keys, key=lambda k: (k.created, k.kid))
        self.by_kid = {k.kid: k for k in self.keys}

    @classmethod
    def load(cls, folder: Path, *, production: bool) -> KeySet:
        """The keys in ``folder``; development makes one when there is none."""
        keys = [_read(p) for p in sorted(folder.glob("*.pem"))] if folder.is_dir() else []
        if production:
            dev = [k.kid for k in keys if k.development]
            if dev:
                raise ConfigError(
                    f"{folder}: development signing keys are refused in production "
                    f"({', '.join(dev)}): remove them and make one with "
                    "`sitthi keys signing new`"
                )
            if not keys:
                raise ConfigError(
                    f"{folder}: no token signing key; make one with `sitthi keys signing new`"
                )
        elif not keys:
            keys = [new_key(folder, development=True)]
        return cls(keys)

    @property
    def current(self) -> SigningKey:
        return self.keys[-1]

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [k.jwk() for k in self.keys]}

    def sign(self, claims: dict[str, Any], minutes: int) -> tuple[str, int]:
        """A token for ``claims`` valid for ``minutes``, and its lifetime in seconds."""
        now = dt.datetime.now(dt.UTC)
        body = {
            **claims,
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "nbf": now,
            "exp": now + dt.timedelta(minutes=minutes),
            "jti": secrets.token_hex(12),
        }
        key = self.current
        token = jwt.encode(body, key.private, algorithm=ALGORITHM, headers={"kid": key.kid})
        return token, minutes * 60

    def verify(self, token: str) -> dict[str, Any]:
        """The claims of a valid token from one of these keys; `jwt.InvalidTokenError` else."""
        kid = jwt.get_unverified_header(token).get("kid")
        key = self.by_kid.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise jwt.InvalidTokenError("unknown signing key")
        public: Ed25519PublicKey = key.private.public_key()
        claims: dict[str, Any] = jwt.decode(
            token,
            public,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )
        return claims


def _read(path: Path) -> SigningKey:
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(f"{path}: not a readable Ed25519 private key ({exc})") from exc
    if not isinstance(private, Ed25519PrivateKey):
        raise ConfigError(f"{path}: not an Ed25519 key")
    return SigningKey(path.stem, private, path.stat().st_mtime)
