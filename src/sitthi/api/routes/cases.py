"""Help requests through the API: partner systems and case workers send them; case workers
of the request's area read, propose and confirm decisions. Every change is written with its
audit record; every read of a case is audited before it is answered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from sitthi.api.auth import Principal, guarded, require, state
from sitthi.api.permissions import Permission
from sitthi.api.problems import Problem, documented
from sitthi.api.routes.registry import release_cursor
from sitthi.api.state import route_of
from sitthi.cases.intake import HelpRequest, receive
from sitthi.cases.workflow import (
    CaseError,
    CaseFilter,
    Desk,
    NoSuchCase,
    events,
    is_overdue,
    list_cases,
)
from sitthi.operations.audit import Actor, AuditUnavailable
from sitthi.operations.case_models import AidDecision, Case
from sitthi.operations.roles import area_covers

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])

CaseId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A case number.")]


class CaseIn(HelpRequest):
    channel: Literal["api", "form", "hotline", "walk_in"] = "api"


class Received(BaseModel):
    case_id: int
    new: bool
    status: str
    department: str
    office: str
    match: str | None = None  # case workers only: how the request was tied
    person_id: str | None = None
    duplicate_of: int | None = None


class ProposalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["grant", "refer", "refuse"]
    scheme: str | None = Field(None, max_length=60)
    amount: int | None = Field(None, ge=0, le=1_000_000)
    reason: str = Field(min_length=3, max_length=1000)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approve: bool = True
    note: str | None = Field(None, max_length=1000)


def _desk(request: Request, caller: Principal) -> Desk:
    s = state(request)
    kind: Literal["user", "client"] = "user" if caller.kind == "user" else "client"
    return Desk(
        s.ctx.operations, Actor(caller.subject, kind, caller.role), route_of(request), s.anchor_key
    )


@contextmanager
def _refusals() -> Iterator[None]:
    """The workflow's refusals as problems; nothing was changed by any of them."""
    try:
        yield
    except NoSuchCase:
        raise Problem(404, "no-case", "ไม่พบคำร้องนี้", "no such case") from None
    except CaseError as exc:
        raise Problem(409, "case-refused", "ดำเนินการกับคำร้องนี้ไม่ได้", str(exc)) from None
    except AuditUnavailable:
        raise Problem(
            503,
            "audit-unavailable",
            "บันทึกการเปลี่ยนแปลงและการเข้าถึงไม่ได้ โปรดลองใหม่ภายหลัง",
            "the change and its audit record could not be written; try again later",
            headers={"Retry-After": "30"},
        ) from None


def _inside(caller: Principal, area: str) -> bool:
    return any(area_covers(a, area) for a in caller.areas)


@router.post(
    "",
    status_code=201,
    response_model=Received,
    **guarded(Permission.RECEIVE_CASES, documented(409)),
)
def create(
    request: Request,
    body: CaseIn,
    caller: Annotated[Principal, Depends(require(Permission.RECEIVE_CASES))],
) -> Received:
    """Receive a help request: tied to a person of the newest release, routed, assigned."""
    s = state(request)
    if caller.role.value == "caseworker" and not _inside(caller, body.area_code):
        s.audit_refusal(caller, request, 403, "request outside the caller's areas")
        raise Problem(
            403,
            "outside-area",
            "พื้นที่นี้อยู่นอกพื้นที่ของท่าน",
            "this area is outside your areas",
            parameter="area_code",
        )
    channel = body.channel if caller.kind == "user" else "api"
    found, cur = release_cursor(request, None)
    fields = body.model_dump(exclude={"channel"})
    with _refusals():
        [got] = receive(
            _desk(request, caller),
            (found.number, cur),
            [HelpRequest.model_validate(fields)],
            channel=channel,
            secret=s.ctx.settings.pseudonym_secret(),
            source_system=caller.subject if caller.kind == "client" else None,
        )
    shown: dict[str, Any] = {}
    if caller.role.value == "caseworker":
        shown = {"match": got.match, "person_id": got.person_id, "duplicate_of": got.duplicate_of}
    return Received(
        case_id=got.case_id,
        new=got.new,
        status="received",
        department=got.department,
        office=got.office,
        **shown,
    )


def _summary(c: Case) -> dict[str, Any]:
    return {
        "case_id": c.id,
        "received_at": c.received_at,
        "channel": c.channel,
        "help_type": c.help_type,
        "urgency": c.urgency,
        "area_code": c.area_code,
        "department": c.department,
        "office": c.office,
        "assigned_to": c.assigned_to,
        "status": c.status,
        "due_at": c.due_at,
        "overdue": is_overdue(c),
        "match": c.match,
        "person_id": c.person_id,
        "duplicate_of": c.duplicate_of,
    }


@router.get("", **guarded(Permission.READ_CASES, documented(409)))
def inbox(
    request: Request,
    caller: Annotated[Principal, Depends(require(Permission.READ_CASES))],
    status: Annotated[list[str] | None, Query(max_length=6)] = None,
    department: Annotated[str | None, Query(max_length=20)] = None,
    office: Annotated[str | None, Query(max_length=300)] = None,
    overdue: bool = False,
    mine: bool = False,
) -> dict[str, Any]:
    """The cases of the caller's areas (an office's inbox), the most urgent first."""
    s = state(request)
    found = list_cases(
        s.ctx.operations,
        CaseFilter(
            areas=caller.areas,
            status=tuple(status or ()),
            department=department,
            office=office,
            overdue=overdue,
            assigned_to=caller.subject if mine else None,
        ),
    )
    s.record(
        caller,
        request,
        action="read",
        persons=[c.pid_hash for c in found if c.pid_hash],
        fields=["cases"],
        query={"cases": len(found)},
    )
    return {"total": len(found), "cases": [_summary(c) for c in found]}


@router.get("/{case_id}", **guarded(Permission.READ_CASES, documented(409)))
def read(
    request: Request,
    case_id: CaseId,
    caller: Annotated[Principal, Depends(require(Permission.READ_CASES))],
) -> dict[str, Any]:
    """One case: the request, its person, its history and its decisions."""
    s = state(request)
    with _refusals(), s.ctx.operations.snapshot() as session:
        case = session.get(Case, case_id)
        if case is None:
            raise NoSuchCase(str(case_id))
        decisions = [
            {
                "decision_id": d.id,
                "outcome": d.outcome,
                "scheme": d.scheme,
                "department": d.department,
                "amount": d.amount,
                "reasons": d.reasons,
                "state": d.state,
                "proposed_by": d.proposed_by,
                "proposed_at": d.proposed_at,
                "checked_by": d.checked_by,
                "checked_at": d.checked_at,
                "paid_at": d.paid_at,
            }
            for d in session.query(AidDecision).filter_by(case_id=case_id).order_by(AidDecision.id)
        ]
        body = {
            **_summary(case),
            "description": case.description,
            "claimant": case.claimant,
            "match_confidence": case.match_confidence,
            "candidates": case.candidates,
        }
        area, pid = case.area_code, case.pid_hash
    _refuse_outside(request, caller, area)
    history = [
        {"at": e.at, "actor": e.actor, "from": e.from_status, "to": e.to_status, "note": e.note}
        for e in events(s.ctx.operations, case_id)
    ]
    s.record(
        caller,
        request,
        action="read",
        persons=[pid] if pid else [],
        fields=["cases"],
        query={"case": case_id},
    )
    return {**body, "events": history, "decisions": decisions}


def _refuse_outside(request: Request, caller: Principal, area: str) -> None:
    """403 (audited) for a case outside the caller's areas."""
    if not _inside(caller, area):
        state(request).audit_refusal(caller, request, 403, "case outside the caller's areas")
        raise Problem(
            403, "outside-area", "คำร้องนี้อยู่นอกพื้นที่ของท่าน", "this case is outside your areas"
        )


def _area_of(request: Request, caller: Principal, case_id: int) -> None:
    s = state(request)
    with _refusals(), s.ctx.operations.snapshot() as session:
        case = session.get(Case, case_id)
        if case is None:
            raise NoSuchCase(str(case_id))
        area = case.area_code
    _refuse_outside(request, caller, area)


@router.post(
    "/{case_id}/proposal", status_code=201, **guarded(Permission.DECIDE_CASES, documented(409))
)
def propose(
    request: Request,
    case_id: CaseId,
    caller: Annotated[Principal, Depends(require(Permission.DECIDE_CASES))],
    body: ProposalIn | None = None,
) -> dict[str, Any]:
    """Propose a decision: the schemes' own (no body), or the caller's (outcome, scheme,
    amount, reason). Either waits for a second person."""
    from sitthi.cases.consider import propose as by_rules
    from sitthi.cases.decisions import propose_by_hand
    from sitthi.cases.schemes import load_schemes

    _area_of(request, caller, case_id)
    schemes = load_schemes()
    desk = _desk(request, caller)
    with _refusals():
        if body is None:
            _, cur = release_cursor(request, None)
            made = by_rules(desk, cur, schemes, case_ids=[case_id], today=dt.date.today())
            if not made:
                raise CaseError(
                    f"case {case_id} is decided, or waits for its proposal to be confirmed"
                )
            p = made[0]
            return {
                "case_id": case_id,
                "outcome": p.outcome,
                "scheme": p.scheme,
                "amount": p.amount,
                "reasons": p.reasons,
                "proposed_by": "system:rules",
            }
        decision = propose_by_hand(
            desk,
            case_id,
            schemes,
            outcome=body.outcome,
            scheme=body.scheme,
            amount=body.amount,
            reason=body.reason,
        )
    return {
        "case_id": case_id,
        "decision_id": decision,
        "outcome": body.outcome,
        "scheme": body.scheme,
        "amount": body.amount,
        "reasons": [body.reason],
        "proposed_by": caller.subject,
    }


@router.post("/{case_id}/decision", **guarded(Permission.DECIDE_CASES, documented(409)))
def decide(
    request: Request,
    case_id: CaseId,
    body: DecisionIn,
    caller: Annotated[Principal, Depends(require(Permission.DECIDE_CASES))],
) -> dict[str, Any]:
    """Confirm (or return) the proposed decision, as a person other than its proposer."""
    from sitthi.cases.decisions import confirm
    from sitthi.cases.schemes import load_schemes

    _area_of(request, caller, case_id)
    with _refusals():
        done = confirm(
            _desk(request, caller), case_id, load_schemes(), approve=body.approve, note=body.note
        )
    return {
        "case_id": case_id,
        "decision_id": done.decision_id,
        "outcome": done.outcome,
        "amount": done.amount,
        "status": done.status,
        "confirmed": body.approve,
    }
