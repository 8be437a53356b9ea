"""One household and its members, as the caller may see them (a case worker's areas, an
agency's agreement), audited with every member shown before it is answered."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel

from sitthi.api.auth import Principal, guarded, require, state
from sitthi.api.permissions import Permission
from sitthi.api.policy import view_for
from sitthi.api.problems import Problem
from sitthi.api.routes.registry import ReleaseQuery, release_cursor
from sitthi.api.state import audited_persons
from sitthi.registry.access import in_population, pids_for_persons
from sitthi.registry.households import household_members, household_record

router = APIRouter(prefix="/api/v1/households", tags=["persons"])

HouseholdId = Annotated[str, Path(pattern=r"^HH[0-9a-f]{16}$", description="A household ID (HH…).")]


class Member(BaseModel):
    person_id: str
    fields: dict[str, dict[str, Any]]  # registry field -> column -> value


class Household(BaseModel):
    release: int
    as_of: str
    household_id: str
    size: int  # members registered, whether shown or not
    area: dict[str, str | None]
    house_code: str | None
    profile: dict[str, Any]  # the household's counts and income, as far as shown
    poverty: dict[str, Any] | None  # the จปฐ. verdict (poverty field)
    members: list[Member]  # the members the caller may see, eldest first
    masked: list[str]  # fields withheld from every member until revealed person by person


@router.get("/{household_id}", response_model=Household, **guarded(Permission.READ_PERSON))
def household(
    request: Request,
    household_id: HouseholdId,
    caller: Annotated[Principal, Depends(require(Permission.READ_PERSON))],
    release: ReleaseQuery = None,
    purpose: Annotated[str | None, Query(min_length=5, max_length=300)] = None,
) -> Household:
    """A household: its area, profile, poverty verdict and members, each member with the
    fields the caller may see; refused outside the caller's areas or agreement."""
    s = state(request)
    view = view_for(caller, s.ctx.operations, dt.date.today())
    if view.dsa is None and not purpose:
        raise Problem(
            422,
            "purpose-required",
            "ต้องระบุวัตถุประสงค์ของการเข้าถึงข้อมูล",
            "a case worker must state the purpose",
            parameter="purpose",
        )
    found, cur = release_cursor(request, release)
    members = household_members(cur, household_id)
    if members is None:
        s.record(caller, request, action="read", release=found.number, purpose=purpose, status=404)
        raise Problem(404, "no-household", "ไม่พบครัวเรือนนี้", "no such household in this release")
    shown = view.allowed - view.masked
    seen = [
        m["person_id"]
        for m in members
        if view.covers(caller, m["area"], functools.partial(in_population, cur, m["person_id"]))
    ]
    if "household" not in shown or not seen:
        s.audit_refusal(caller, request, 403, "household outside the caller's areas or fields")
        raise Problem(
            403,
            "outside-area",
            "ครัวเรือนนี้อยู่นอกพื้นที่หรือข้อตกลงของท่าน",
            "this household is outside your areas or agreement",
        )
    record = household_record(cur, household_id, shown=shown, members=seen)
    named, without_id = audited_persons(pids_for_persons(cur, seen))
    returned = {"household", *(f for m in record["members"] for f in m["fields"])}
    if record["poverty"] is not None:
        returned.add("poverty")
    s.record(
        caller,
        request,
        action="read",
        persons=named,
        fields=sorted(returned),
        release=found.number,
        purpose=view.dsa.purpose if view.dsa else purpose,
        query={
            "household": household_id,
            **({"persons_without_id": without_id} if without_id else {}),
        },
    )
    return Household(
        release=found.number,
        as_of=found.as_of,
        masked=sorted(view.allowed & view.masked),
        **record,
    )
