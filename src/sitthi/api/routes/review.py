"""The review queue for case workers: the uncertain pairs of their areas side by side,
and their decisions, kept with the audit record in the operational store and applied by
the next `sitthi link`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from sitthi.api.auth import Principal, guarded, require, state
from sitthi.api.permissions import Permission
from sitthi.api.policy import view_for
from sitthi.api.problems import Problem
from sitthi.api.routes.registry import release_cursor
from sitthi.api.state import audited_persons
from sitthi.operations.audit import AuditUnavailable
from sitthi.operations.models import utcnow
from sitthi.operations.reviews import Decided, latest_decisions, record_decision
from sitthi.operations.roles import area_covers
from sitthi.registry.access import pids_for_persons
from sitthi.releases.review_pairs import pair, pairs

router = APIRouter(prefix="/api/v1/review", tags=["review"])

PairId = Annotated[str, Path(pattern=r"^[0-9a-f]{10}$", description="A pair, as listed.")]


class Side(BaseModel):
    source: str
    person_id: str | None
    area: dict[str, str | None]


class Decision(BaseModel):
    decision: Literal["same", "different"]
    decided_by: str
    decided_at: dt.datetime


class Pair(BaseModel):
    pair_id: str
    reason: str
    match_probability: float | None
    match_weight: float | None
    left: Side
    right: Side
    #: per comparison: level, weight, each column's two values; ``masked`` names the
    #: columns whose values the caller does not see
    evidence: dict[str, dict[str, Any]]
    #: the newest decision on the pair (applied by the next link run), if any
    decided: Decision | None = None


class Queue(BaseModel):
    release: int
    as_of: str
    total: int
    offset: int
    limit: int
    next_offset: int | None
    pairs: list[Pair]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["same", "different"]
    note: str | None = Field(None, max_length=1000)


class DecisionOut(BaseModel):
    pair_id: str
    decision: Literal["same", "different"]
    decided_by: str
    decided_at: dt.datetime
    release: int
    applies: str  # when the decision takes effect


def _reach(caller: Principal, area: str | None, request: Request) -> tuple[str, ...]:
    """The caller's areas; an ``area`` outside them is refused (audited)."""
    reach = caller.areas
    if area and not any(area_covers(a, area) or area_covers(area, a) for a in reach):
        state(request).audit_refusal(caller, request, 403, "area outside the caller's areas")
        raise Problem(
            403,
            "outside-area",
            "พื้นที่นี้อยู่นอกพื้นที่ของท่าน",
            "this area is outside your areas",
            parameter="area",
        )
    return reach


@router.get("", response_model=Queue, **guarded(Permission.REVIEW_LINKS))
def queue(
    request: Request,
    caller: Annotated[Principal, Depends(require(Permission.REVIEW_LINKS))],
    area: Annotated[
        str | None,
        Query(pattern=r"^[0-9]{2}([0-9]{2}){0,2}$", description="Inside this area of yours."),
    ] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200, description="Pairs per page.")] = 50,
) -> Queue:
    """The newest release's uncertain pairs whose records and persons lie in the caller's
    areas (inside ``area``, if given), most uncertain first; audited with both persons of
    every pair shown."""
    s = state(request)
    view = view_for(caller, s.ctx.operations, dt.date.today())  # refuses a caller without areas
    reach = _reach(caller, area, request)
    found, cur = release_cursor(request, None)
    # a release published before the queue was has none
    total: int = 0
    shown: list[dict[str, Any]] = []
    if "review_pairs" in found.manifest.get("tables", {}):
        total, shown = pairs(
            cur,
            areas=reach,
            area=area,
            shown=view.allowed - view.masked,
            offset=offset,
            limit=limit,
        )
    made = latest_decisions(s.ctx.operations, [p["records"] for p in shown])
    persons = sorted({p[side]["person_id"] for p in shown for side in ("left", "right")} - {None})
    named, without_id = audited_persons(pids_for_persons(cur, persons))
    query: dict[str, Any] = {"area": area, "offset": offset, "limit": limit}
    if without_id:
        query["persons_without_id"] = without_id
    s.record(
        caller,
        request,
        action="read",
        persons=named,
        fields=["links"],
        release=found.number,
        purpose="ตรวจสอบคู่ระเบียนที่ระบบไม่แน่ใจว่าเป็นบุคคลเดียวกัน",
        query={k: v for k, v in query.items() if v is not None},
    )
    return Queue(
        release=found.number,
        as_of=found.as_of,
        total=total,
        offset=offset,
        limit=limit,
        next_offset=offset + limit if offset + limit < total else None,
        pairs=[_with_decision(p, made) for p in shown],
    )


def _with_decision(row: dict[str, Any], made: dict[Any, Decided]) -> Pair:
    records = row.pop("records")
    found = made.get(records)
    decided = (
        Decision(decision=found.decision, decided_by=found.decided_by, decided_at=found.decided_at)
        if found
        else None
    )
    return Pair(**row, decided=decided)


@router.post(
    "/{pair_id}/decision",
    status_code=201,
    response_model=DecisionOut,
    **guarded(Permission.REVIEW_LINKS),
)
def decide(
    request: Request,
    pair_id: PairId,
    body: DecisionIn,
    caller: Annotated[Principal, Depends(require(Permission.REVIEW_LINKS))],
) -> DecisionOut:
    """Decide a pair of the caller's areas: the same person, or two. Written with its audit
    record in one transaction; the next `sitthi link` applies it, and every run after."""
    s = state(request)
    view_for(caller, s.ctx.operations, dt.date.today())
    found, cur = release_cursor(request, None)
    row, inside = (
        pair(cur, pair_id, areas=caller.areas)
        if "review_pairs" in found.manifest.get("tables", {})
        else (None, False)
    )
    if row is None:
        raise Problem(404, "no-pair", "ไม่พบคู่ระเบียนนี้ในคิวตรวจสอบ", "no such pair in the review queue")
    if not inside:
        s.audit_refusal(caller, request, 403, "pair outside the caller's areas")
        raise Problem(
            403,
            "outside-area",
            "คู่ระเบียนนี้อยู่นอกพื้นที่ของท่าน",
            "this pair is outside your areas",
        )
    persons = [p for p in (row["person_id_l"], row["person_id_r"]) if p]
    named, without_id = audited_persons(pids_for_persons(cur, persons))
    decided = Decided(
        left=(row["source_l"], row["record_id_l"]),
        right=(row["source_r"], row["record_id_r"]),
        decision=body.decision,
        decided_by=caller.subject,
        decided_at=utcnow(),
        note=body.note,
    )
    query: dict[str, Any] = {"pair_id": pair_id, "decision": body.decision}
    if without_id:
        query["persons_without_id"] = without_id
    entry = s.entry(
        caller,
        request,
        action="change",
        query=query,
        persons=named,
        fields=["links"],
        release=found.number,
        status=201,
    )
    try:
        record_decision(s.ctx.operations, decided, audit=entry, anchor_key=s.anchor_key)
    except AuditUnavailable:
        raise Problem(
            503,
            "audit-unavailable",
            "บันทึกการตัดสินใจและการเข้าถึงไม่ได้ โปรดลองใหม่ภายหลัง",
            "the decision and its audit record could not be written; try again later",
            headers={"Retry-After": "30"},
        ) from None
    return DecisionOut(
        pair_id=pair_id,
        decision=body.decision,
        decided_by=caller.subject,
        decided_at=decided.decided_at,
        release=found.number,
        applies="the next `sitthi link` run",
    )
