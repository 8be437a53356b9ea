"""DCI senders and their keys, and the transactions they send: the operational-store side.

A sender is registered by an administrator (``sitthi dci sender add``) for one API
client; its keys are added and revoked the same way, each change audited in the same
transaction as the accounts are (no audit record, no change). The API reads the current
keys of a sender to verify a signature, and records every envelope it receives as a
transaction (whose unique message id refuses a replay).

Example:
    >>> from sitthi.operations.store import OperationsStore
    >>> from sitthi.operations.accounts import add_client
    >>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    >>> store = OperationsStore.open("sqlite://")
    >>> client, _ = add_client(store, "DEP", "analyst")
    >>> key = Ed25519PrivateKey.generate().public_key()
    >>> sender = add_sender(store, "dep.go.th", client_id=client.client_id, public_key=key,
    ...                     callback_uris=["https://dep.go.th/dci/on-search"])
    >>> sorted(current_keys(store, "dep.go.th")) == [key_fingerprint(key)]
    True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from sitthi.api.dci.signature import (
    key_fingerprint,
    public_key_from_text,
    public_key_text,
)
from sitthi.errors import ValidationError
from sitthi.operations.audit import AUDIT_LOCK, SYSTEM, Actor, AuditEntry, append_in
from sitthi.operations.dci_models import DciSender, DciSenderKey, DciTransaction
from sitthi.operations.models import ApiClient, utcnow
from sitthi.operations.store import OperationsStoreError, reason

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from sqlalchemy.orm import Session

    from sitthi.operations.store import OperationsStore

_SENDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}")
_KEY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
MAX_CALLBACKS = 10


class SenderError(ValidationError):
    """A sender, key or callback cannot be registered or changed as asked."""


class DuplicateMessage(Exception):
    """This sender has sent this message id before."""


def _sender_id(value: str) -> str:
    clean = unicodedata.normalize("NFC", value).strip()
    if not _SENDER_ID.fullmatch(clean) or "|" in clean:
        raise SenderError(
            f"sender id {clean[:40]!r}: letters, digits and . _ : @ / - (at most 200), no '|'"
        )
    return clean


def _key_id(value: str) -> str:
    if not _KEY_ID.fullmatch(value):
        raise SenderError(f"key id {value[:40]!r}: letters, digits, '.', '_' or '-' (≤ 100)")
    return value


def check_callback_uri(uri: str, *, production: bool) -> str:
    """A callback URI as registered: absolute http(s), no credentials nor fragment; https
    only in production (the answer carries person data)."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        raise SenderError(f"callback {uri[:80]!r}: not a URI") from None
    allowed = ("https",) if production else ("https", "http")
    if parts.scheme not in allowed or not parts.hostname:
        raise SenderError(
            f"callback {uri[:80]!r}: an absolute {' or '.join(allowed)} URI is required"
        )
    if parts.username or parts.password or parts.fragment:
        raise SenderError(f"callback {uri[:80]!r}: no user, password or #fragment")
    if len(uri) > 2000:
        raise SenderError("callback: at most 2000 characters")
    return uri


def add_sender(
    store: OperationsStore,
    sender_id: str,
    *,
    client_id: str,
    public_key: Ed25519PublicKey,
    key_id: str | None = None,
    name: str | None = None,
    callback_uris: Iterable[str] = (),
    production: bool = False,
    actor: Actor = SYSTEM,
) -> DciSender:
    """Register ``sender_id`` for API client ``client_id`` with its first public key.

    Raises:
        SenderError: the sender exists, the client does not, or a key or URI is bad.
    """
    sender_id = _sender_id(sender_id)
    key_id = _key_id(key_id or key_fingerprint(public_key))
    uris = [check_callback_uri(u, production=production) for u in callback_uris]
    if len(uris) > MAX_CALLBACKS:
        raise SenderError(f"at most {MAX_CALLBACKS} callback URIs")
    with _changing(store) as session:
        if session.scalar(select(ApiClient.id).where(ApiClient.client_id == client_id)) is None:
            raise SenderError(f"no API client {client_id!r}")
        if session.scalar(select(DciSender.id).where(DciSender.sender_id == sender_id)):
            raise SenderError(f"sender {sender_id!r} is already registered")
        sender = DciSender(
            sender_id=sender_id,
            client_id=client_id,
            name=(name or sender_id)[:200],
            callback_uris=sorted(set(uris)),
        )
        session.add(sender)
        session.flush()
        session.add(
            DciSenderKey(sender_id=sender_id, key_id=key_id, public_key=public_key_text(public_key))
        )
        _audit(
            session,
            actor,
            "dci sender add",
            {"sender_id": sender_id, "client_id": client_id, "key_id": key_id},
        )
    return sender


def add_key(
    store: OperationsStore,
    sender_id: str,
    public_key: Ed25519PublicKey,
    *,
    key_id: str | None = None,
    actor: Actor = SYSTEM,
) -> str:
    """Add a public key to a sender (rotation: add the new, then revoke the old); its id."""
    key_id = _key_id(key_id or key_fingerprint(public_key))
    with _changing(store) as session:
        _get(session, sender_id)
        taken = session.scalar(
            select(DciSenderKey.id).where(
                DciSenderKey.sender_id == sender_id, DciSenderKey.key_id == key_id
            )
        )
        if taken is not None:
            raise SenderError(f"sender {sender_id!r} already has a key {key_id!r}")
        session.add(
            DciSenderKey(sender_id=sender_id, key_id=key_id, public_key=public_key_text(public_key))
        )
        _audit(session, actor, "dci key add", {"sender_id": sender_id, "key_id": key_id})
    return key_id


def revoke_key(
    store: OperationsStore, sender_id: str, key_id: str, *, actor: Actor = SYSTEM
) -> None:
    """Stop a key verifying anything (it stays, so the audit log's mentions of it resolve)."""
    with _changing(store) as session:
        key = session.scalar(
            select(DciSenderKey).where(
                DciSenderKey.sender_id == sender_id, DciSenderKey.key_id == key_id
            )
        )
        if key is None or key.revoked_at is not None:
            raise SenderError(f"sender {sender_id!r} has no current key {key_id!r}")
        key.revoked_at = utcnow()
        _audit(session, actor, "dci key revoke", {"sender_id": sender_id, "key_id": key_id})


def set_callbacks(
    store: OperationsStore,
    sender_id: str,
    *,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    production: bool = False,
    actor: Actor = SYSTEM,
) -> list[str]:
    """Change the URIs a sender may be called back at; the new list."""
    added = [check_callback_uri(u, production=production) for u in add]
    removed = set(remove)
    with _changing(store) as session:
        sender = _get(session, sender_id)
        unknown = sorted(removed - set(sender.callback_uris))
        if unknown:
            raise SenderError(f"sender {sender_id!r} has no callback {unknown[0]!r}")
        uris = sorted((set(sender.callback_uris) - removed) | set(added))
        if len(uris) > MAX_CALLBACKS:
            raise SenderError(f"at most {MAX_CALLBACKS} callback URIs")
        sender.callback_uris = uris
        _audit(
            session,
            actor,
            "dci callback change",
            {"sender_id": sender_id, "added": sorted(set(added)), "removed": sorted(removed)},
        )
    return uris


def disable_sender(store: OperationsStore, sender_id: str, *, actor: Actor = SYSTEM) -> None:
    """Refuse every later envelope of ``sender_id``."""
    with _changing(store) as session:
        _get(session, sender_id).disabled = True
        _audit(session, actor, "dci sender disable", {"sender_id": sender_id})


def list_senders(store: OperationsStore) -> list[tuple[DciSender, list[DciSenderKey]]]:
    """Every sender with its keys (revoked ones too), by sender id."""
    with store.session() as session:
        senders = list(session.scalars(select(DciSender).order_by(DciSender.sender_id)))
        keys = list(session.scalars(select(DciSenderKey).order_by(DciSenderKey.id)))
    return [(s, [k for k in keys if k.sender_id == s.sender_id]) for s in senders]


def get_sender(store: OperationsStore, sender_id: str) -> DciSender | None:
    """The enabled sender ``sender_id``, or None."""
    with store.session() as session:
        found = session.scalar(select(DciSender).where(DciSender.sender_id == sender_id))
    return found if found is not None and not found.disabled else None


def current_keys(store: OperationsStore, sender_id: str) -> dict[str, Ed25519PublicKey] | None:
    """The keys that verify ``sender_id``'s signatures now; None for a sender that is not
    registered or is disabled."""
    if get_sender(store, sender_id) is None:
        return None
    with store.session() as session:
        rows = session.scalars(
            select(DciSenderKey).where(
                DciSenderKey.sender_id == sender_id, DciSenderKey.revoked_at.is_(None)
            )
        ).all()
    return {k.key_id: public_key_from_text(k.public_key) for k in rows}


# ------------------------------------------------------------------ transactions


def begin_transaction(
    store: OperationsStore,
    *,
    sender_id: str,
    message_id: str,
    transaction_id: str,
    correlation_id: str,
    mode: str,
    total_count: int,
    callback_uri: str | None = None,
) -> None:
    """Record a received envelope (status ``rcvd``); `DuplicateMessage` for a replay."""
    row = DciTransaction(
        correlation_id=correlation_id,
        sender_id=sender_id,
        message_id=message_id,
        transaction_id=transaction_id,
        action="search",
        mode=mode,
        status="rcvd" if mode == "sync" else "pdng",
        total_count=total_count,
        items=[],
        callback_uri=callback_uri,
    )
    try:
        with store.session() as session:
            session.add(row)
    except IntegrityError:
        raise DuplicateMessage(message_id) from None


def finish_transaction(
    store: OperationsStore,
    correlation_id: str,
    *,
    status: str,
    items: list[dict[str, Any]],
    reason_code: str | None = None,
) -> None:
    """Record how a transaction ended (per request: status, reason, records answered)."""
    with store.session() as session:
        row = session.scalar(
            select(DciTransaction).where(DciTransaction.correlation_id == correlation_id)
        )
        if row is None:
            return
        row.status = status
        row.status_reason_code = reason_code
        row.items = items
        row.completed_count = len(items)
        row.updated_at = utcnow()


def record_delivery(
    store: OperationsStore, correlation_id: str, *, delivered: bool, error: str | None
) -> None:
    """Count a callback attempt and its result (an error's kind, never the answer)."""
    with store.session() as session:
        row = session.scalar(
            select(DciTransaction).where(DciTransaction.correlation_id == correlation_id)
        )
        if row is None:
            return
        row.attempts += 1
        row.last_error = None if delivered else (error or "not delivered")[:500]
        if delivered:
            row.delivered_at = utcnow()
        row.updated_at = utcnow()


def find_transaction(
    store: OperationsStore,
    sender_id: str,
    *,
    transaction_id: str | None,
    correlation_id: str | None,
) -> DciTransaction | None:
    """The sender's own transaction by its id or Sitthi's correlation id (the newest)."""
    where = [DciTransaction.sender_id == sender_id]
    if correlation_id is not None:
        where.append(DciTransaction.correlation_id == correlation_id)
    if transaction_id is not None:
        where.append(DciTransaction.transaction_id == transaction_id)
    with store.session() as session:
        return session.scalar(
            select(DciTransaction).where(*where).order_by(DciTransaction.id.desc()).limit(1)
        )


# ------------------------------------------------------------------------ helpers


def _get(session: Session, sender_id: str) -> DciSender:
    sender = session.scalar(select(DciSender).where(DciSender.sender_id == sender_id))
    if sender is None:
        raise SenderError(f"no sender {sender_id!r}")
    return sender


@contextmanager
def _changing(store: OperationsStore) -> Iterator[Session]:
    # Under the audit chain's lock, as accounts are changed: the change and its audit
    # record commit together, and checking that a name is free cannot race.
    try:
        with store.session(exclusive=AUDIT_LOCK) as session:
            yield session
    except SQLAlchemyError as exc:
        raise OperationsStoreError(f"{store.url}: the change was not made: {reason(exc)}") from exc


def _audit(session: Session, actor: Actor, command: str, query: dict[str, Any]) -> None:
    append_in(session, AuditEntry.by(actor, action="change", route=command, query=query))
