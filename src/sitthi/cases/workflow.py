"""Where a case stands, who may move it, and how late it is.

received → assessed → decided → paid | referred → closed; any open case may be closed
(a duplicate, withdrawn). Every change is a ``case_events`` row written in the same
transaction as its audit record, so no change goes unrecorded and no record names a
change that did not happen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from sitthi.errors import ValidationError
from sitthi.operations.audit import AUDIT_LOCK, Actor, AuditEntry, AuditUnavailable, append_in
from sitthi.operations.case_models import Case, CaseEvent
from sitthi.operations.models import User, utcnow
from sitthi.operations.roles import area_covers

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitthi.operations.store import OperationsStore

NEXT: dict[str, frozenset[str]] = {
    "received": frozenset({"assessed", "closed"}),
    "assessed": frozenset({"decided", "closed"}),
    "decided": frozenset({"paid", "referred", "closed"}),
    "paid": frozenset({"closed"}),
    "referred": frozenset({"closed"}),
    "closed": frozenset(),
}
#: Open: the SLA clock runs until the case is decided.
UNDECIDED = ("received", "assessed")
OPEN = ("received", "assessed", "decided", "paid", "referred")
STATUS_TH = {
    "received": "รับเรื่อง",
    "assessed": "ประเมินแล้ว",
    "decided": "พิจารณาแล้ว",
    "paid": "จ่ายเงินแล้ว",
    "referred": "ส่งต่อแล้ว",
    "closed": "ปิดเรื่อง",
}


class CaseError(ValidationError):
    """A change the workflow refuses (the message says why; nothing was changed)."""


class NoSuchCase(CaseError):
    pass


@dataclass(frozen=True)
class Desk:
    """What every change needs: the store, the audit anchor key, the actor and the
    command or route it is audited under."""

    store: OperationsStore
    actor: Actor
    route: str
    anchor_key: bytes | None = None

    @contextmanager
    def change(self, *, persons: Sequence[str | None], query: dict[str, Any]) -> Iterator[Session]:
        """A transaction that commits with its audit record, or not at all.

        Raises:
            AuditUnavailable: nothing was written (the store or the log failed).
        """
        try:
            with self.store.session(exclusive=AUDIT_LOCK) as session:
                yield session
                session.flush()
                append_in(
                    session,
                    AuditEntry.by(
                        self.actor,
                        action="change",
                        route=self.route,
                        persons=sorted({p for p in persons if p}),
                        fields=["cases"],
                        query=query,
                    ),
                    anchor_key=self.anchor_key,
                )
        except (AuditUnavailable, CaseError):
            raise
        except SQLAlchemyError as exc:
            raise AuditUnavailable(
                f"the change and its audit record were not written: {exc}"
            ) from exc


def get_case(session: Session, case_id: int, *, lock: bool = False) -> Case:
    found = session.get(Case, case_id, with_for_update=lock)
    if found is None:
        raise NoSuchCase(f"case {case_id}: no such case")
    return found


def move(session: Session, case: Case, to: str, actor: str, note: str | None = None) -> None:
    """Change ``case``'s status (checked) and record the event."""
    if to not in NEXT[case.status]:
        allowed = ", ".join(sorted(NEXT[case.status])) or "nothing: it is closed"
        raise CaseError(f"case {case.id} is {case.status}; it can move to {allowed}, not {to}")
    now = utcnow()
    session.add(
        CaseEvent(
            case_id=case.id, at=now, actor=actor, from_status=case.status, to_status=to, note=note
        )
    )
    case.status, case.status_at = to, now


def set_status(desk: Desk, case_id: int, to: str, note: str | None = None) -> Case:
    """Move one case (audited)."""
    with desk.store.snapshot() as s:
        pid = get_case(s, case_id).pid_hash
    with desk.change(persons=[pid], query={"case": case_id, "status": to}) as session:
        case = get_case(session, case_id, lock=True)
        move(session, case, to, desk.actor.name, note)
    return case


def pick_worker(session: Session, area_code: str) -> str | None:
    """The case worker of the area with the fewest open cases (by name on a tie), or None
    when no case worker's areas cover it."""
    workers = [
        u.name
        for u in session.scalars(
            select(User).where(User.role == "caseworker", User.disabled.is_(False))
        )
        if any(area_covers(a, area_code) for a in u.areas or ())
    ]
    if not workers:
        return None
    load = dict(
        session.execute(
            select(Case.assigned_to, func.count())
            .where(Case.assigned_to.in_(workers), Case.status.in_(OPEN))
            .group_by(Case.assigned_to)
        ).all()
    )
    return min(workers, key=lambda w: (load.get(w, 0), w))


def assign(desk: Desk, case_id: int, worker: str) -> Case:
    """Give a case to a case worker of its area."""
    with desk.change(persons=[], query={"case": case_id, "assign": worker}) as session:
        case = get_case(session, case_id, lock=True)
        user = session.scalar(select(User).where(User.name == worker))
        if user is None or user.role != "caseworker" or user.disabled:
            raise CaseError(f"{worker}: no such active case worker")
        if not any(area_covers(a, case.area_code) for a in user.areas or ()):
            raise CaseError(f"{worker} does not work in area {case.area_code} of case {case_id}")
        session.add(
            CaseEvent(
                case_id=case.id,
                actor=desk.actor.name,
                from_status=case.status,
                to_status=case.status,
                note=f"assigned to {worker}",
            )
        )
        case.assigned_to = worker
    return case


@dataclass(frozen=True)
class CaseFilter:
    """Which cases to list; empty fields do not filter."""

    areas: tuple[str, ...] = ()  # the caller's scope (DOPA codes)
    status: tuple[str, ...] = ()
    department: str | None = None
    office: str | None = None
    assigned_to: str | None = None
    overdue: bool = False
    person_id: str | None = None


def list_cases(
    store: OperationsStore, f: CaseFilter, *, now: dt.datetime | None = None, limit: int = 500
) -> list[Case]:
    """Cases matching ``f``, the most urgent first (overdue, then the nearest deadline)."""
    q = select(Case)
    if f.status:
        q = q.where(Case.status.in_(f.status))
    if f.department:
        q = q.where(Case.department == f.department)
    if f.office:
        q = q.where(Case.office == f.office)
    if f.assigned_to:
        q = q.where(Case.assigned_to == f.assigned_to)
    if f.person_id:
        q = q.where(Case.person_id == f.person_id)
    if f.overdue:
        q = q.where(Case.status.in_(UNDECIDED), Case.due_at < (now or utcnow()))
    if f.areas:
        q = q.where(Case.province_code.in_({a[:2] for a in f.areas}))
    with store.snapshot() as session:
        found = session.scalars(q.order_by(Case.due_at, Case.id)).all()
        inside = [
            c for c in found if not f.areas or any(area_covers(a, c.area_code) for a in f.areas)
        ]
        session.expunge_all()  # loaded, and kept so when the snapshot rolls back
    return inside[:limit]


def events(store: OperationsStore, case_id: int) -> list[CaseEvent]:
    with store.snapshot() as session:
        get_case(session, case_id)
        found = list(
            session.scalars(
                select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
            )
        )
        session.expunge_all()  # loaded, and kept so when the snapshot rolls back
        return found


def is_overdue(case: Case, now: dt.datetime | None = None) -> bool:
    return case.status in UNDECIDED and case.due_at < (now or utcnow())
