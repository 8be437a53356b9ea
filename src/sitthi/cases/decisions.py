"""Maker–checker: a proposed decision takes effect only when a second person confirms it.

A worker may also propose a decision of their own (an amount under a scheme, a referral,
a refusal); the amount is checked against the scheme's caps when proposed and again when
confirmed. The confirmer must not be the proposer. Confirming moves the case to
``decided``; a confirmed grant is then aid history for every later proposal, whichever
department paid it; paying it moves the case to ``paid``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from sitthi.cases.schemes import Scheme
from sitthi.cases.workflow import CaseError, Desk, get_case, move
from sitthi.operations.case_models import OUTCOMES, AidDecision
from sitthi.operations.models import utcnow


@dataclass(frozen=True)
class Confirmed:
    decision_id: int
    case_id: int
    outcome: str
    amount: int | None
    status: str


def _pending(session: object, case_id: int) -> AidDecision:
    found = session.scalars(  # type: ignore[attr-defined]
        select(AidDecision)
        .where(AidDecision.case_id == case_id, AidDecision.state == "proposed")
        .order_by(AidDecision.id.desc())
    ).first()
    if found is None:
        raise CaseError(f"case {case_id} has no proposed decision to confirm")
    assert isinstance(found, AidDecision)
    return found


def _check_cap(schemes: dict[str, Scheme], scheme: str | None, amount: int | None) -> None:
    if scheme is None:
        return
    if scheme not in schemes:
        raise CaseError(f"unknown scheme {scheme!r}; expected one of {', '.join(sorted(schemes))}")
    cap = schemes[scheme].caps.per_payment
    if amount is None or amount <= 0:
        raise CaseError(f"a grant under {scheme} needs an amount above 0 baht")
    if amount > cap:
        raise CaseError(
            f"{amount:,} baht is above the cap of {scheme}: {cap:,} baht a payment "
            f"({schemes[scheme].caps.cite})"
        )


def propose_by_hand(
    desk: Desk,
    case_id: int,
    schemes: dict[str, Scheme],
    *,
    outcome: str,
    scheme: str | None = None,
    amount: int | None = None,
    reason: str,
) -> int:
    """A worker's own proposal (replacing a pending one); returns its ID."""
    if outcome not in OUTCOMES:
        raise CaseError(f"unknown outcome {outcome!r}; expected one of {', '.join(OUTCOMES)}")
    if outcome == "grant":
        _check_cap(schemes, scheme, amount)
    elif amount is not None or scheme is not None:
        raise CaseError(f"a decision to {outcome} has no scheme or amount")
    with desk.store.snapshot() as s:
        pid = get_case(s, case_id).pid_hash
    with desk.change(
        persons=[pid], query={"case": case_id, "propose": outcome, "amount": amount}
    ) as session:
        case = get_case(session, case_id, lock=True)
        if case.status not in ("received", "assessed"):
            raise CaseError(f"case {case_id} is {case.status}: it is decided already")
        for old in session.scalars(
            select(AidDecision).where(
                AidDecision.case_id == case_id, AidDecision.state == "proposed"
            )
        ):
            old.state, old.checked_by, old.checked_at = "returned", desk.actor.name, utcnow()
        decision = AidDecision(
            case_id=case_id,
            outcome=outcome,
            scheme=scheme,
            department=schemes[scheme].department if scheme else case.department,
            amount=amount,
            reasons=[reason],
            person_id=case.person_id,
            household_id=case.household_id,
            need=case.help_type,
            state="proposed",
            proposed_by=desk.actor.name,
        )
        session.add(decision)
        if case.status == "received":
            move(session, case, "assessed", desk.actor.name, note=f"proposed: {outcome}")
        session.flush()
        return decision.id


def confirm(
    desk: Desk,
    case_id: int,
    schemes: dict[str, Scheme],
    *,
    approve: bool = True,
    note: str | None = None,
) -> Confirmed:
    """Confirm (or return) a case's proposed decision, as a person other than its proposer."""
    with desk.store.snapshot() as s:
        pid = get_case(s, case_id).pid_hash
    with desk.change(persons=[pid], query={"case": case_id, "confirm": approve}) as session:
        case = get_case(session, case_id, lock=True)
        decision = _pending(session, case_id)
        if decision.proposed_by == desk.actor.name:
            raise CaseError(
                f"case {case_id}: {desk.actor.name} proposed this decision; "
                "a second person must confirm it"
            )
        if decision.outcome == "grant" and approve:
            _check_cap(schemes, decision.scheme, decision.amount)
        decision.checked_by, decision.checked_at = desk.actor.name, utcnow()
        if not approve:
            decision.state = "returned"
            return Confirmed(decision.id, case_id, decision.outcome, decision.amount, case.status)
        decision.state = "approved"
        move(session, case, "decided", desk.actor.name, note=note or decision.outcome)
        if decision.outcome == "refer":
            move(session, case, "referred", desk.actor.name, note=case.office)
        elif decision.outcome == "refuse":
            move(session, case, "closed", desk.actor.name, note="refused")
        return Confirmed(decision.id, case_id, decision.outcome, decision.amount, case.status)


def mark_paid(desk: Desk, case_id: int) -> Confirmed:
    """Record that a confirmed grant was paid."""
    with desk.store.snapshot() as s:
        pid = get_case(s, case_id).pid_hash
    with desk.change(persons=[pid], query={"case": case_id, "paid": True}) as session:
        case = get_case(session, case_id, lock=True)
        decision = session.scalars(
            select(AidDecision).where(
                AidDecision.case_id == case_id,
                AidDecision.state == "approved",
                AidDecision.outcome == "grant",
            )
        ).first()
        if decision is None:
            raise CaseError(f"case {case_id} has no confirmed grant to pay")
        decision.paid_at = utcnow()
        move(session, case, "paid", desk.actor.name, note=f"{decision.amount:,} บาท")
        return Confirmed(decision.id, case_id, "grant", decision.amount, case.status)
