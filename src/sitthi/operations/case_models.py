"""Tables of help requests (M-Smart cases) and their aid decisions, on the store's `Base`.

A case holds what the requester said (``claimant``: names, birth date, phone; never a
national ID, only its pseudonym), which registry person it was tied to and how sure the
match is, where it was routed, and where it stands. Every change of status is a
``case_events`` row written with its audit record. An aid decision is proposed (by the
rules or by a worker) and confirmed by a second person (maker–checker); confirmed grants
are the aid history the next proposals read, whatever department paid them.

Created by migration ``0003``; imported by the migrations' ``env.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from sitthi.operations.models import HEX_DIGEST, Base, UtcDateTime, utcnow

STATUSES = ("received", "assessed", "decided", "paid", "referred", "closed")
MATCHES = ("national_id", "linkage", "unmatched", "confirmed")
OUTCOMES = ("grant", "refer", "refuse")
DECISION_STATES = ("proposed", "approved", "returned")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} in ({', '.join(repr(v) for v in values)})"


class Case(Base):
    """One help request."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    received_by: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(20))
    # Where an imported or partner-sent request came from, under that system's own ID:
    # the same file imported twice adds nothing.
    source_system: Mapped[str | None] = mapped_column(String(50))
    external_id: Mapped[str | None] = mapped_column(String(100))
    help_type: Mapped[str] = mapped_column(String(40))
    urgency: Mapped[str] = mapped_column(String(10))
    area_code: Mapped[str] = mapped_column(String(6))
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    claimant: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    pid_hash: Mapped[str | None] = mapped_column(String(HEX_DIGEST), index=True)
    person_id: Mapped[str | None] = mapped_column(String(20), index=True)
    household_id: Mapped[str | None] = mapped_column(String(40))
    match: Mapped[str] = mapped_column(String(20))
    match_confidence: Mapped[float | None] = mapped_column(Float)
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    release: Mapped[int | None] = mapped_column(Integer)
    department: Mapped[str] = mapped_column(String(20), index=True)
    office: Mapped[str] = mapped_column(String(300))
    assigned_to: Mapped[str | None] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    status_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    duplicate_of: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("cases.id", ondelete="RESTRICT")
    )

    __table_args__ = (
        UniqueConstraint("source_system", "external_id"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(_in("match", MATCHES), name="match"),
    )

    def __repr__(self) -> str:  # claimant details stay out of logs and tracebacks
        return f"Case(id={self.id}, help_type={self.help_type!r}, status={self.status!r})"


class CaseEvent(Base):
    """A change of a case's status (or assignment, or person), by whom and why."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("cases.id", ondelete="RESTRICT"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)


class AidDecision(Base):
    """A decision on a case: grant an amount under a scheme, refer, or refuse; proposed by
    one and confirmed (or returned) by another."""

    __tablename__ = "aid_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("cases.id", ondelete="RESTRICT"), index=True
    )
    outcome: Mapped[str] = mapped_column(String(10))
    scheme: Mapped[str | None] = mapped_column(String(60))
    department: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int | None] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The aid history is kept by person and household as the registry knew them.
    person_id: Mapped[str | None] = mapped_column(String(20))
    household_id: Mapped[str | None] = mapped_column(String(40))
    need: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(10), index=True)
    proposed_by: Mapped[str] = mapped_column(String(200))
    proposed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    checked_by: Mapped[str | None] = mapped_column(String(200))
    checked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    paid_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint(_in("outcome", OUTCOMES), name="outcome"),
        CheckConstraint(_in("state", DECISION_STATES), name="state"),
        CheckConstraint("amount is null or amount >= 0", name="amount"),
        Index("ix_aid_decisions_person_id", "person_id"),
        Index("ix_aid_decisions_household_id", "household_id"),
    )


class CaseReject(Base):
    """A row of an imported file that could not become a case, with every reason."""

    __tablename__ = "case_rejects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file: Mapped[str] = mapped_column(String(500))
    spec: Mapped[str] = mapped_column(String(100))
    row: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[dict[str, str]]] = mapped_column(JSON)  # field, reason
    # The row as read, its national ID replaced by the ID's pseudonym.
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    imported_by: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
