"""Users and API clients: made, listed, disabled, and checked against their secret.

A secret is ``secrets.token_urlsafe(32)`` (256 bits), shown once to whoever made the
account and stored only as an argon2id hash. Every change is written to the audit log
in the same transaction: no audit record, no change.

Example:
    >>> from sitthi.operations.store import OperationsStore
    >>> store = OperationsStore.open("sqlite://")
    >>> user, password = add_user(store, "somsri", Role.ANALYST)
    >>> verify_user(store, "somsri", password) is not None, verify_user(store, "somsri", "x")
    (True, None)
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from sitthi.errors import ValidationError
from sitthi.operations.audit import AUDIT_LOCK, SYSTEM, Actor, AuditEntry, append_in
from sitthi.operations.dsa import DsaError, fingerprint, parse_dsa, read_dsa
from sitthi.operations.models import ApiClient, Dsa, User
from sitthi.operations.roles import Role, check_role_scope, parse_role, validate_areas
from sitthi.operations.store import OperationsStoreError, reason

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitthi.operations.dsa import DataSharingAgreement
    from sitthi.operations.store import OperationsStore

#: argon2id with the library's parameters (RFC 9106's second recommendation: 64 MiB,
#: 3 passes); `check_needs_rehash` upgrades older hashes when their owner next signs in.
HASHER = PasswordHasher()
MAX_NAME = 100
_CLIENT_ID_PREFIX = "sitthi-"
#: Thirteen digits in a row: what the audit takes for a national ID (`new_client_id`).
_DIGIT_RUN = re.compile(r"[0-9]{13}")


class AccountError(ValidationError):
    """An account cannot be made or changed as asked (duplicate, unknown, bad field)."""


def new_secret() -> str:
    """A fresh password or client secret: 32 random bytes, URL-safe base64 (43 chars)."""
    return secrets.token_urlsafe(32)


def _account_name(name: str, what: str) -> str:
    clean = unicodedata.normalize("NFC", name).strip()
    if not clean:
        raise AccountError(f"a {what} needs a name")
    if len(clean) > MAX_NAME:
        raise AccountError(f"{what} name {clean[:20]!r}…: at most {MAX_NAME} characters")
    if any(unicodedata.category(c).startswith("C") for c in clean):
        raise AccountError(f"{what} name {clean!r}: no control or invisible characters")
    return clean


def _role(role: Role | str) -> Role:
    return role if isinstance(role, Role) else parse_role(role)


def add_user(
    store: OperationsStore,
    name: str,
    role: Role | str,
    areas: Iterable[str] = (),
    *,
    actor: Actor = SYSTEM,
) -> tuple[User, str]:
    """Make a user; return it and its password (shown once, never stored in clear).

    Args:
        name: the sign-in name, unique (Thai is fine).
        role: any role but ``agency``, which acts only as an API client under a DSA.
        areas: DOPA codes; a caseworker needs at least one.
        actor: who makes the account, for the audit log.

    Raises:
        AccountError: the name is taken or malformed. ValidationError: an unknown role
            or area code (named).
    """
    name = _account_name(name, "user")
    role = _role(role)
    codes = validate_areas(areas)
    check_role_scope(role, codes, has_dsa=False, who=f"user {name}")
    password = new_secret()
    user = User(name=name, role=role.value, password_hash=HASHER.hash(password), areas=codes)
    with _changing(store) as session:
        if session.scalar(select(User.id).where(User.name == name)) is not None:
            raise AccountError(f"user {name!r} already exists")
        session.add(user)
        session.flush()
        _audit(session, actor, "admin user add", {"user": name, "role": role.value})
    return user, password


def add_client(
    store: OperationsStore,
    name: str,
    role: Role | str,
    *,
    dsa_path: str | Path | None = None,
    areas: Iterable[str] = (),
    actor: Actor = SYSTEM,
) -> tuple[ApiClient, str]:
    """Make an API client; return it and its secret (shown once, never stored in clear).

    Args:
        name: what the client is (``ระบบทะเบียนคนพิการ พก.``); need not be unique.
        role: an ``agency`` client needs a DSA; a ``caseworker`` client needs areas.
        dsa_path: the agreement it acts under (a YAML file), registered in the store.
            The same id with different text is refused: an amended agreement gets an id
            of its own, so the audit log always names the text that allowed a read.
        areas: DOPA codes, each inside the DSA's areas when there is one.

    Raises:
        AccountError, DsaError, ValidationError: one line naming the problem.
    """
    name = _account_name(name, "client")
    role = _role(role)
    codes = validate_areas(areas)
    agreement, text = read_dsa(dsa_path) if dsa_path is not None else (None, None)
    check_role_scope(role, codes, has_dsa=agreement is not None, who=f"client {name}")
    if agreement is not None:
        outside = [c for c in codes if not agreement.allows_area(c)]
        if outside:
            raise AccountError(
                f"client {name}: area {outside[0]} lies outside DSA {agreement.id}'s areas "
                f"({', '.join(agreement.areas)})"
            )
    secret = new_secret()
    client = ApiClient(
        client_id=new_client_id(),
        name=name,
        role=role.value,
        secret_hash=HASHER.hash(secret),
        dsa_id=agreement.id if agreement else None,
        areas=codes,
    )
    with _changing(store) as session:
        if agreement is not None and text is not None:
            _register_dsa(session, agreement, text, str(dsa_path))
        session.add(client)
        session.flush()
        query = {"client_id": client.client_id, "name": name, "role": role.value}
        _audit(session, actor, "admin client add", query, dsa_id=client.dsa_id)
    return client, secret


def _register_dsa(session: Session, agreement: DataSharingAgreement, text: str, where: str) -> None:
    sha = fingerprint(text)
    known = session.get(Dsa, agreement.id)
    if known is None:
        session.add(
            Dsa(
                id=agreement.id,
                name=agreement.name,
                yaml=text,
                sha256=sha,
                valid_from=agreement.valid_from,
                valid_to=agreement.valid_to,
            )
        )
        session.flush()
    elif known.sha256 != sha:
        raise DsaError(
            f"{where}: id: DSA {agreement.id} is already loaded with other text; "
            "give the amended agreement an id of its own"
        )


def get_dsa(store: OperationsStore, dsa_id: str) -> DataSharingAgreement | None:
    """The registered agreement ``dsa_id``, parsed from its stored text."""
    with store.session() as session:
        row = session.get(Dsa, dsa_id)
    return parse_dsa(row.yaml, f"DSA {dsa_id} (stored)") if row is not None else None


def list_users(store: OperationsStore) -> list[User]:
    """Every user, by name."""
    with store.session() as session:
        return list(session.scalars(select(User).order_by(User.name)))


def list_clients(store: OperationsStore) -> list[ApiClient]:
    """Every API client, oldest first."""
    with store.session() as session:
        return list(session.scalars(select(ApiClient).order_by(ApiClient.id)))


def disable_user(store: OperationsStore, name: str, *, actor: Actor = SYSTEM) -> User:
    """Refuse every later sign-in of user ``name`` (the account stays, for the audit)."""
    name = unicodedata.normalize("NFC", name).strip()
    with _changing(store) as session:
        user = session.scalar(select(User).where(User.name == name))
        if user is None:
            raise AccountError(f"no user {name!r}")
        user.disabled = True
        _audit(session, actor, "admin user disable", {"user": name})
    return user


def disable_client(store: OperationsStore, client_id: str, *, actor: Actor = SYSTEM) -> ApiClient:
    """Refuse every later token request of client ``client_id``."""
    with _changing(store) as session:
        client = session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))
        if client is None:
            raise AccountError(f"no client {client_id!r}")
        client.disabled = True
        _audit(session, actor, "admin client disable", {"client_id": client_id})
    return client


def verify_user(store: OperationsStore, name: str, password: str) -> User | None:
    """The user ``name`` if ``password`` is theirs and the account is enabled, else None.

    The answer takes as long for an unknown name as for a wrong password (a hash is
    verified either way), so timing does not tell which names exist.
    """
    name = unicodedata.normalize("NFC", name).strip()
    with store.session() as session:
        user = session.scalar(select(User).where(User.name == name))
    stored = user.password_hash if user is not None else _dummy_hash()
    if not _matches(stored, password) or user is None or user.disabled:
        return None
    if HASHER.check_needs_rehash(stored):
        user.password_hash = _rehash(store, User, user.id, "password_hash", password)
    return user


def verify_client(store: OperationsStore, client_id: str, secret: str) -> ApiClient | None:
    """The client ``client_id`` if ``secret`` is its own and it is enabled, else None
    (as `verify_user`: a hash is verified even for an unknown id)."""
    with store.session() as session:
        client = session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))
    stored = client.secret_hash if client is not None else _dummy_hash()
    if not _matches(stored, secret) or client is None or client.disabled:
        return None
    if HASHER.check_needs_rehash(stored):
        client.secret_hash = _rehash(store, ApiClient, client.id, "secret_hash", secret)
    return client


def _rehash(
    store: OperationsStore, model: type[User | ApiClient], row_id: int, column: str, secret: str
) -> str:
    """Store a hash of ``secret`` made with today's parameters, in a writing transaction of
    its own (a read that turned into a write could meet another writer half way)."""
    new_hash = HASHER.hash(secret)
    with store.session(exclusive="accounts") as session:
        session.execute(update(model).where(model.id == row_id).values({column: new_hash}))
    return new_hash


def _matches(stored: str, secret: str) -> bool:
    try:
        return HASHER.verify(stored, secret)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY: dict[PasswordHasher, str] = {}


def _dummy_hash() -> str:
    """A hash of nothing anyone knows, made with the current parameters (so verifying it
    costs what verifying a real one does)."""
    if HASHER not in _DUMMY:
        _DUMMY[HASHER] = HASHER.hash(new_secret())
    return _DUMMY[HASHER]


def new_client_id() -> str:
    """``sitthi-`` and 16 hex digits, never 13 decimal digits in a row: the audit refuses any
    entry holding what could be a national ID, and a client's ID is in the records of
    its changes (about one random ID in a thousand would be refused)."""
    while True:
        found = _CLIENT_ID_PREFIX + secrets.token_hex(8)
        if not _DIGIT_RUN.search(found):
            return found


@contextmanager
def _changing(store: OperationsStore) -> Iterator[Session]:
    """A session holding the audit chain's lock (every change is audited, so two changes
    never interleave: checking that a name is free and taking it cannot race)."""
    try:
        with store.session(exclusive=AUDIT_LOCK) as session:
            yield session
    except SQLAlchemyError as exc:
        raise OperationsStoreError(f"{store.url}: the change was not made: {reason(exc)}") from exc


def _audit(
    session: Session,
    actor: Actor,
    command: str,
    query: dict[str, Any],
    *,
    dsa_id: str | None = None,
) -> None:
    append_in(
        session,
        AuditEntry.by(actor, action="change", route=command, query=query, dsa_id=dsa_id),
    )
