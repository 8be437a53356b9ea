"""Tables of the operational store (SQLAlchemy 2 typed ORM).

The schema itself is created by the Alembic migrations in ``migrations/versions``;
these classes must agree with them (a test compares the two).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: Constraint names Alembic can refer to in later migrations (SQLite's batch mode needs
#: named constraints to alter a table).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: A SHA-256 digest in hex: passwords' and chains' hashes, DSA fingerprints, pseudonyms.
HEX_DIGEST = 64


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A moment in UTC, aware in Python on every engine.

    PostgreSQL keeps ``timestamptz``; SQLite has no time zones and would hand back a
    naive value, which compared with an aware one raises, so UTC is attached on reading.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime has no time zone; pass an aware one (UTC)")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """A person who signs in with a password (argon2 hash only)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)

    def __repr__(self) -> str:  # the hash stays out of logs and tracebacks
        return f"User(name={self.name!r}, role={self.role!r}, disabled={self.disabled})"


class Dsa(Base):
    """A Data Sharing Agreement as loaded: its YAML text and fingerprint, kept verbatim so
    the audit log's ``dsa_id`` always names the exact text that allowed a read."""

    __tablename__ = "dsas"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    yaml: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(HEX_DIGEST))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    loaded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class ApiClient(Base):
    """A system that authenticates with OAuth 2 client credentials (argon2 hash only)."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    role: Mapped[str] = mapped_column(String(20))
    secret_hash: Mapped[str] = mapped_column(String(200))
    dsa_id: Mapped[str | None] = mapped_column(
        String(100), ForeignKey("dsas.id", ondelete="RESTRICT"), index=True
    )
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)

    def __repr__(self) -> str:
        return (
            f"ApiClient(client_id={self.client_id!r}, name={self.name!r}, role={self.role!r}, "
            f"dsa_id={self.dsa_id!r}, disabled={self.disabled})"
        )


class AuditRecord(Base):
    """One link of the audit chain: ``hash = SHA-256(prev_hash ‖ entry)``.

    ``entry`` is the canonical JSON that was hashed (it holds ``seq`` too, so a record
    cannot be moved without breaking its hash). The other columns repeat parts of it
    for queries; verification trusts only ``entry``, ``prev_hash`` and ``hash``.
    No foreign keys: the log must outlive any account or agreement it mentions.
    """

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(200), index=True)
    actor_kind: Mapped[str] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(20))
    dsa_id: Mapped[str | None] = mapped_column(String(100))
    entry: Mapped[str] = mapped_column(Text)
    # Unique: two writers that read the same head could never both link to it (a fork).
    prev_hash: Mapped[str] = mapped_column(String(HEX_DIGEST), unique=True)
    hash: Mapped[str] = mapped_column(String(HEX_DIGEST), unique=True)

    __table_args__ = (
        CheckConstraint("actor_kind in ('user', 'client', 'system')", name="actor_kind"),
    )


class AuditAnchor(Base):
    """A signed statement that the chain reached ``seq`` with ``hash`` at ``at``.

    Anchors survive the records they name (no foreign key): if the log is cut short,
    the newest anchor still says how far it went.
    """

    __tablename__ = "audit_anchors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    hash: Mapped[str] = mapped_column(String(HEX_DIGEST))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(HEX_DIGEST))


class NoticeDelivery(Base):
    """Where a notice of a missed right stands on one channel (SMS, letter, LINE, visit)."""

    __tablename__ = "notice_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("notice_id", "channel"),)


class ReviewDecision(Base):
    """A person's decision on a candidate pair of records: the same person, or not."""

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    left_source: Mapped[str] = mapped_column(String(50))
    left_record_id: Mapped[str] = mapped_column(String(200))
    right_source: Mapped[str] = mapped_column(String(50))
    right_record_id: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(10))
    decided_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("decision in ('accept', 'reject')", name="decision"),
        Index(
            "ix_review_decisions_pair",
            "left_source",
            "left_record_id",
            "right_source",
            "right_record_id",
        ),
    )
