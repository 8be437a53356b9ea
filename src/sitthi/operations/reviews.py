"""Reviewers' decisions on pairs of records, made through the API: kept in the operational
store (``review_decisions``) with the audit record of the decision, in one transaction, and
read by `sitthi link`, which applies them from its next run on
(`sitthi.linkage.decisions`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sqlalchemy import select, tuple_

from sitthi.operations.audit import AUDIT_LOCK, AuditEntry, AuditUnavailable, append_in
from sitthi.operations.models import ReviewDecision

if TYPE_CHECKING:
    from sitthi.operations.store import OperationsStore

Decision = Literal["same", "different"]
#: The words of the table's check constraint (accept: one person; reject: two).
STORED: dict[str, str] = {"same": "accept", "different": "reject"}
DECIDED: dict[str, Decision] = {"accept": "same", "reject": "different"}


@dataclass(frozen=True)
class Decided:
    """One decision on a pair: its two records (source, record ID) and who decided what."""

    left: tuple[str, str]
    right: tuple[str, str]
    decision: Decision
    decided_by: str
    decided_at: dt.datetime
    note: str | None = None


def record_decision(
    store: OperationsStore,
    decided: Decided,
    *,
    audit: AuditEntry,
    anchor_key: bytes | None = None,
) -> None:
    """Keep ``decided`` and its audit record together, or neither.

    Raises:
        AuditUnavailable: nothing was written (the log or the store failed).
    """
    try:
        with store.session(exclusive=AUDIT_LOCK) as session:
            session.add(
                ReviewDecision(
                    left_source=decided.left[0],
                    left_record_id=decided.left[1],
                    right_source=decided.right[0],
                    right_record_id=decided.right[1],
                    decision=STORED[decided.decision],
                    decided_by=decided.decided_by,
                    note=decided.note,
                    decided_at=decided.decided_at,
                )
            )
            session.flush()
            append_in(session, audit, anchor_key=anchor_key)
    except AuditUnavailable:
        raise
    except Exception as exc:
        raise AuditUnavailable(
            f"the decision and its audit record were not written: {exc}"
        ) from exc


def latest_decisions(
    store: OperationsStore, pairs: list[tuple[tuple[str, str], tuple[str, str]]]
) -> dict[tuple[tuple[str, str], tuple[str, str]], Decided]:
    """The newest decision on each pair of records (either way round), by the pair as
    given; pairs nobody decided are absent."""
    if not pairs:
        return {}
    records = {r for pair in pairs for r in pair}
    wanted = {frozenset(p): p for p in pairs}
    out = {}
    with store.snapshot() as session:
        found = session.scalars(
            select(ReviewDecision)
            .where(tuple_(ReviewDecision.left_source, ReviewDecision.left_record_id).in_(records))
            .order_by(ReviewDecision.id)
        ).all()
        for d in found:  # oldest first: a later decision replaces an earlier one
            left, right = (d.left_source, d.left_record_id), (d.right_source, d.right_record_id)
            key = wanted.get(frozenset((left, right)))
            if key is not None:
                out[key] = Decided(
                    left, right, DECIDED[d.decision], d.decided_by, d.decided_at, d.note
                )
    return out


def decisions(store: OperationsStore) -> list[Decided]:
    """Every decision, oldest first."""
    with store.snapshot() as session:
        found = session.scalars(select(ReviewDecision).order_by(ReviewDecision.id)).all()
        return [
            Decided(
                left=(d.left_source, d.left_record_id),
                right=(d.right_source, d.right_record_id),
                decision=DECIDED[d.decision],
                decided_by=d.decided_by,
                decided_at=d.decided_at,
                note=d.note,
            )
            for d in found
        ]
