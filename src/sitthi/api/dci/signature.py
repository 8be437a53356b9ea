"""DCI envelope signatures: Ed25519 over the canonical header and message.

The DCI ``signature`` field is a string in the shape the standard gives (borrowed from
HTTP message signatures)::

    Signature: namespace="dci", kidId="{sender_id}|{key_id}|ed25519", algorithm="ed25519",
      created="1760000000", expires="1760000300", headers="(created) (expires) digest",
      signature="{base64 of the Ed25519 signature}"

The standard names the parts but not what is signed; Sitthi signs the UTF-8 bytes of the
*signing string*, three lines joined by ``\\n``::

    (created): 1760000000
    (expires): 1760000300
    digest: BLAKE-512={base64 of BLAKE2b-512(canonical JSON of {"header", "message"})}

(the same signing string as the Beckn protocol whose header DCI took; the canonical JSON
is `canonical.canonical_bytes`). A signature verifies only with a key registered for the
``sender_id`` of its ``kidId``, which must be the envelope's ``header.sender_id``; it must
be current (``created`` not in the future, ``expires`` not past, a short lifetime).

Sitthi signs its own answers the same way with its access-token signing key (the current
one of `sitthi.api.signing.KeySet`): ``kidId="sitthi|{kid}|ed25519"``, the public key in
``/.well-known/jwks.json`` under that ``kid``. Reusing that key is safe because the two
signed forms cannot be taken for each other: a JWT's signing input is two base64url
segments joined by a dot, a DCI signing string starts ``(created):`` and holds newlines.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sitthi.api.dci.canonical import NotCanonical, canonical_bytes

ALGORITHM = "ed25519"
NAMESPACE = "dci"
SIGNED_HEADERS = "(created) (expires) digest"
#: A signature lives at most this long: a stolen envelope cannot be replayed for long
#: (and within that time its message_id is refused as a duplicate).
MAX_LIFETIME_SECONDS = 3600
#: Clocks differ: ``created`` may be this far in the future, ``expires`` this far past.
CLOCK_SKEW_SECONDS = 60
#: Sitthi's own answers are valid for this long.
ANSWER_LIFETIME_SECONDS = 600

_PARAM = re.compile(r'\s*([A-Za-z]+)\s*=\s*"([^"]*)"\s*(?:,|$)')
_PREFIX = re.compile(r"^\s*Signature\s*:?\s*", re.IGNORECASE)


class SignatureError(ValueError):
    """The envelope's signature is missing, malformed, unknown or wrong.

    ``code`` is the DCI error code (``err.signature.missing``, ``err.signature.invalid``,
    ``err.sender_id.invalid``); the message never repeats the envelope's content.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ParsedSignature:
    sender_id: str
    key_id: str
    created: int
    expires: int
    signature: bytes


def digest(header: Mapping[str, Any], message: Any) -> str:
    """``BLAKE-512=…``: the digest line's value for this header and message."""
    try:
        body = canonical_bytes({"header": header, "message": message})
    except NotCanonical as exc:
        raise SignatureError("err.signature.invalid", f"cannot canonicalise: {exc}") from None
    raw = hashlib.blake2b(body, digest_size=64).digest()
    return "BLAKE-512=" + base64.b64encode(raw).decode("ascii")


def signing_string(created: int, expires: int, header: Mapping[str, Any], message: Any) -> bytes:
    """The bytes an Ed25519 key signs for this envelope."""
    lines = (f"(created): {created}", f"(expires): {expires}", f"digest: {digest(header, message)}")
    return "\n".join(lines).encode("utf-8")


def sign(
    header: Mapping[str, Any],
    message: Any,
    *,
    private_key: Ed25519PrivateKey,
    sender_id: str,
    key_id: str,
    now: float | None = None,
    lifetime: int = ANSWER_LIFETIME_SECONDS,
) -> str:
    """The DCI ``signature`` string for ``header`` and ``message``.

    Example:
        >>> key = Ed25519PrivateKey.generate()
        >>> text = sign({"sender_id": "dep"}, {}, private_key=key, sender_id="dep", key_id="k1")
        >>> text.startswith('Signature: namespace="dci", kidId="dep|k1|ed25519"')
        True
    """
    created = int(now if now is not None else time.time())
    expires = created + lifetime
    raw = private_key.sign(signing_string(created, expires, header, message))
    params = {
        "namespace": NAMESPACE,
        "kidId": f"{sender_id}|{key_id}|{ALGORITHM}",
        "algorithm": ALGORITHM,
        "created": str(created),
        "expires": str(expires),
        "headers": SIGNED_HEADERS,
        "signature": base64.b64encode(raw).decode("ascii"),
    }
    return "Signature: " + ", ".join(f'{k}="{v}"' for k, v in params.items())


def parse(text: object) -> ParsedSignature:
    """The parts of a signature string; `SignatureError` when it is not one."""
    if text is None or text == "":
        raise SignatureError("err.signature.missing", "the envelope has no signature")
    if not isinstance(text, str) or len(text) > 2000:
        raise SignatureError("err.signature.invalid", "the signature is not a signature string")
    rest = _PREFIX.sub("", text, count=1)
    params: dict[str, str] = {}
    position = 0
    while position < len(rest):
        match = _PARAM.match(rest, position)
        if match is None:
            raise SignatureError("err.signature.invalid", "the signature string is malformed")
        params[match.group(1)] = match.group(2)
        position = match.end()
    # The standard's two examples spell it kidId and keyId.
    kid = params.get("kidId") or params.get("keyId")
    if not kid or kid.count("|") != 2:
        raise SignatureError(
            "err.signature.invalid", "kidId must be {sender_id}|{key_id}|{algorithm}"
        )
    sender_id, key_id, algorithm = kid.split("|")
    if algorithm.lower() != ALGORITHM or params.get("algorithm", ALGORITHM).lower() != ALGORITHM:
        raise SignatureError("err.signature.invalid", "only ed25519 signatures are accepted")
    if params.get("headers", SIGNED_HEADERS) != SIGNED_HEADERS:
        raise SignatureError("err.signature.invalid", f'headers must be "{SIGNED_HEADERS}"')
    try:
        created, expires = int(params["created"]), int(params["expires"])
        raw = base64.b64decode(params["signature"], validate=True)
    except (KeyError, ValueError, binascii.Error):
        raise SignatureError(
            "err.signature.invalid", "created, expires and signature (base64) are required"
        ) from None
    if len(raw) != 64:
        raise SignatureError("err.signature.invalid", "an Ed25519 signature is 64 bytes")
    return ParsedSignature(sender_id, key_id, created, expires, raw)


def verify(
    text: object,
    header: Mapping[str, Any],
    message: Any,
    *,
    keys_of: Callable[[str], Mapping[str, Ed25519PublicKey] | None],
    now: float | None = None,
) -> ParsedSignature:
    """Check the envelope's signature; the parsed signature, or `SignatureError`.

    Args:
        text: the envelope's ``signature`` value.
        header, message: the envelope's parts as received (parsed JSON, not a model).
        keys_of: the current public keys of a sender (key id → key); None when the
            sender is unknown or disabled.
    """
    parsed = parse(text)
    if parsed.sender_id != header.get("sender_id"):
        raise SignatureError(
            "err.signature.invalid", "the signature's kidId names another sender than header"
        )
    moment = time.time() if now is None else now
    if parsed.created > moment + CLOCK_SKEW_SECONDS:
        raise SignatureError("err.signature.invalid", "the signature was created in the future")
    if parsed.expires + CLOCK_SKEW_SECONDS < moment:
        raise SignatureError("err.signature.invalid", "the signature has expired")
    if not 0 < parsed.expires - parsed.created <= MAX_LIFETIME_SECONDS:
        raise SignatureError(
            "err.signature.invalid",
            f"a signature must expire after it is created, within {MAX_LIFETIME_SECONDS} s",
        )
    keys = keys_of(parsed.sender_id)
    if keys is None:
        raise SignatureError("err.sender_id.invalid", "the sender is not registered")
    key = keys.get(parsed.key_id)
    if key is None:
        raise SignatureError("err.signature.invalid", "the signing key is not registered")
    try:
        key.verify(
            parsed.signature, signing_string(parsed.created, parsed.expires, header, message)
        )
    except InvalidSignature:
        raise SignatureError(
            "err.signature.invalid", "the signature does not match the envelope"
        ) from None
    return parsed


def public_key_text(key: Ed25519PublicKey) -> str:
    """A public key as stored: its 32 raw bytes, URL-safe base64 without padding."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def public_key_from_text(text: str) -> Ed25519PublicKey:
    """The inverse of `public_key_text`; `ValueError` for anything but 32 bytes."""
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return Ed25519PublicKey.from_public_bytes(raw)


def read_public_key(data: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM file, or from 32 raw bytes in (URL-safe) base64.

    Raises:
        ValueError: anything else (an RSA key, a private key, garbage), named.
    """
    text = data.strip()
    if text.startswith(b"-----BEGIN"):
        if b"PRIVATE KEY" in text:
            raise ValueError("this is a private key: register the public key only")
        try:
            key = serialization.load_pem_public_key(text)
        except ValueError as exc:
            raise ValueError(f"not a readable PEM public key ({exc})") from None
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError(f"not an Ed25519 key but {type(key).__name__}")
        return key
    try:
        decoded = text.decode("ascii")
        raw = base64.urlsafe_b64decode(
            decoded.replace("+", "-").replace("/", "_") + "=" * (-len(decoded) % 4)
        )
    except (UnicodeDecodeError, ValueError, binascii.Error):
        raise ValueError("not a PEM public key nor 32 bytes in base64") from None
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 public key is 32 bytes, not {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def key_fingerprint(key: Ed25519PublicKey) -> str:
    """A short default key id: the first 16 hex digits of SHA-256 of the raw key."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]
