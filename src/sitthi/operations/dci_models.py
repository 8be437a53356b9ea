"""Tables of the DCI social-registry API (SQLAlchemy 2 typed ORM, on the store's `Base`).

A *sender* is a partner system as the DCI envelope names it (``header.sender_id``): it
belongs to one API client (its OAuth 2 identity), holds one or more Ed25519 public keys
(several at once, so a partner can rotate without a gap), and may be called back only at
the URIs registered for it (never at one taken from a request). A *transaction* is one
received envelope: its message id (a replay is refused), its status, and for an
asynchronous search where the answer went; never the query or the records themselves.

Created by migration ``0002``; imported by the migrations' ``env.py`` so that Alembic's
metadata knows these tables as it knows the others.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from sitthi.operations.models import Base, UtcDateTime, utcnow

#: An Ed25519 public key: 32 bytes in URL-safe base64 without padding (a JWK's ``x``).
PUBLIC_KEY_CHARS = 43
#: How a transaction stands (the DCI ``RequestStatus``): received, pending, done, refused.
TRANSACTION_STATUSES = ("rcvd", "pdng", "succ", "rjct")


class DciSender(Base):
    """A partner system allowed to send DCI envelopes, as the API client it belongs to."""

    __tablename__ = "dci_senders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(200), unique=True)
    client_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("api_clients.client_id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    #: Exact URIs the answers of asynchronous searches may be posted to (SSRF: no other).
    callback_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)

    def __repr__(self) -> str:
        return (
            f"DciSender(sender_id={self.sender_id!r}, client_id={self.client_id!r}, "
            f"disabled={self.disabled})"
        )


class DciSenderKey(Base):
    """One Ed25519 public key of a sender; ``key_id`` is the middle of the signature's
    ``kidId`` (``{sender_id}|{key_id}|ed25519``). A revoked key verifies nothing."""

    __tablename__ = "dci_sender_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("dci_senders.sender_id", ondelete="RESTRICT"), index=True
    )
    key_id: Mapped[str] = mapped_column(String(100))
    public_key: Mapped[str] = mapped_column(String(PUBLIC_KEY_CHARS))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (UniqueConstraint("sender_id", "key_id"),)


class DciTransaction(Base):
    """One envelope received from a sender (sync or async) and what became of it.

    ``items`` holds, per search request, its ``reference_id``, status, reason code and
    how many records were answered: enough to answer a status query, never a value that
    was searched for nor a record that was found (those are person data; the audit log
    holds who was read).
    """

    __tablename__ = "dci_transactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    correlation_id: Mapped[str] = mapped_column(String(99), unique=True)
    sender_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("dci_senders.sender_id", ondelete="RESTRICT")
    )
    message_id: Mapped[str] = mapped_column(String(200))
    transaction_id: Mapped[str] = mapped_column(String(99))
    action: Mapped[str] = mapped_column(String(20))
    mode: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(4), index=True)
    status_reason_code: Mapped[str | None] = mapped_column(String(100))
    total_count: Mapped[int] = mapped_column(Integer, default=0)
    completed_count: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    callback_uri: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        # A message id is used once per sender: the same signed envelope sent again is a
        # replay, refused with rjct.message_id.duplicate.
        UniqueConstraint("sender_id", "message_id"),
        CheckConstraint("status in ('rcvd', 'pdng', 'succ', 'rjct')", name="status"),
        CheckConstraint("mode in ('sync', 'async')", name="mode"),
    )
