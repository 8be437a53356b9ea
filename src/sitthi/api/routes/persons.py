"""One person: looked up by national ID (in the body, never the URL), read by person ID,
sensitive fields revealed for a stated purpose. Every answer is audited before it leaves."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from sitthi.api.auth import Principal, guarded, require, state
from sitthi.api.permissions import Permission
from sitthi.api.policy import view_for
from sitthi.api.problems import Problem
from sitthi.api.routes.registry import ReleaseQuery, release_cards, release_cursor
from sitthi.ingest.pseudonym import pseudonym
from sitthi.operations.dsa import REGISTRY_FIELDS
from sitthi.registry.access import (
    PersonRecord,
    member_pids,
    person_record,
    pids_for_persons,
    search_persons,
)
from sitthi.thai.national_id import normalize_national_id, parse_national_id

router = APIRouter(prefix="/api/v1/persons", tags=["persons"])

PersonId = Annotated[str, Path(pattern=r"^P[0-9]{6,12}$", description="A person ID (P…).")]
Purpose = Annotated[
    str | None,
    Field(
        None,
        min_length=5,
        max_length=300,
        description="Why the record is needed (case workers must say; it is audited).",
    ),
]


class LookupRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    national_id: str = Field(min_length=13, max_length=20, description="13 digits (dashes ok).")
    purpose: Purpose = None

    @field_validator("national_id")
    @classmethod
    def _checksum(cls, value: str) -> str:
        # The message never repeats the value: it is someone's national ID.
        if not parse_national_id(value).valid:
            raise ValueError("not a valid national ID (13 digits with a correct check digit)")
        return value


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    birth_date: dt.date | None = None
    purpose: str = Field(min_length=5, max_length=300)


class RevealRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fields: list[str] = Field(min_length=1, max_length=20)
    purpose: str = Field(min_length=5, max_length=300)


def _answer(
    request: Request,
    caller: Principal,
    release: int | None,
    person_id: str | None,
    *,
    pid_hash: str | None,
    purpose: str | None,
    reveal: list[str] | None = None,
) -> JSONResponse:
    """Read, check scope, audit, answer: the one path every person answer takes."""
    s = state(request)
    view = view_for(caller, s.ctx.operations, dt.date.today())
    if caller.role.value == "caseworker" and not purpose:
        raise Problem(
            422,
            "purpose-required",
            "ต้องระบุวัตถุประสงค์ของการเข้าถึงข้อมูล",
            "a case worker must state the purpose",
            parameter="purpose",
        )
    found, cards = release_cards(request, release)
    if person_id is None and pid_hash is not None:
        person_id = cards.person_for_pid(pid_hash)
    card = cards.card(person_id) if person_id else None
    if card is None:
        s.record(
            caller,
            request,
            action="read",
            release=found.number,
            purpose=purpose,
            status=404,
            persons=[pid_hash] if pid_hash else [],
        )
        raise Problem(404, "no-person", "ไม่พบบุคคลนี้ในทะเบียน", "no such person in this release")
    if not view.covers(caller, card.area, card.in_population):
        s.audit_refusal(caller, request, 403, "outside the caller's areas")
        raise Problem(
            403, "outside-area", "บุคคลนี้อยู่นอกพื้นที่ของท่าน", "this person is outside your areas"
        )
    masked = view.masked - set(reveal or ())
    household = cards.household(card.household_id) if card.household_id else None
    record = person_record(card, household, allowed=view.allowed, masked=masked)
    pids = member_pids(household)
    # the ID asked about, even if the person holds another too
    persons = [pid_hash or card.pid_hash or card.person_id]
    persons += [pids.get(p) or p for p in record.returned[1:]]
    s.record(
        caller,
        request,
        action="reveal" if reveal else "read",
        persons=persons,
        fields=reveal or record.shown,
        release=found.number,
        # an agency's purpose is its agreement's, whatever it says
        purpose=view.dsa.purpose if view.dsa else purpose,
    )
    return _json({"release": found.number, "as_of": found.as_of, **_public(record)})


def _public(record: PersonRecord) -> dict[str, Any]:
    # The card's values are JSON already: no deep copy (asdict) and no re-encoding
    # (FastAPI's jsonable_encoder), which cost a lookup more than reading the card.
    out = {f.name: getattr(record, f.name) for f in fields(record)}
    return {k: v for k, v in out.items() if v is not None}


def _json(answer: dict[str, Any]) -> JSONResponse:
    return JSONResponse(answer)


@router.post("/lookup", **guarded(Permission.READ_PERSON))
def lookup(
    request: Request,
    body: LookupRequest,
    caller: Annotated[Principal, Depends(require(Permission.READ_PERSON))],
    release: ReleaseQuery = None,
) -> JSONResponse:
    """The person holding a national ID (sent in the body, matched through its HMAC)."""
    canonical = normalize_national_id(body.national_id)
    assert canonical is not None  # the model checked it
    pid_hash = pseudonym(state(request).ctx.settings.pseudonym_secret(), canonical)
    return _answer(request, caller, release, None, pid_hash=pid_hash, purpose=body.purpose)


@router.post("/search", **guarded(Permission.SEARCH_PERSONS))
def search(
    request: Request,
    body: SearchRequest,
    caller: Annotated[Principal, Depends(require(Permission.SEARCH_PERSONS))],
    release: ReleaseQuery = None,
) -> dict[str, Any]:
    """Persons of the caller's areas by name and birth date, with match scores (0–1.2)."""
    s = state(request)
    view_for(caller, s.ctx.operations, dt.date.today())  # refuses a caller with no areas
    found, cur = release_cursor(request, release)
    candidates = search_persons(
        cur,
        first_name=body.first_name,
        last_name=body.last_name,
        birth_date=body.birth_date,
        areas=caller.areas,
    )
    pids = pids_for_persons(cur, [c["person_id"] for c in candidates])
    s.record(
        caller,
        request,
        action="read",
        persons=pids,
        fields=["first_name", "last_name", "birth_date", "province_code"],
        release=found.number,
        purpose=body.purpose,
        query={"search": "name and birth date", "with_birth_date": body.birth_date is not None},
    )
    return {"release": found.number, "as_of": found.as_of, "candidates": candidates}


@router.get("/{person_id}", **guarded(Permission.READ_PERSON))
def read(
    request: Request,
    person_id: PersonId,
    caller: Annotated[Principal, Depends(require(Permission.READ_PERSON))],
    release: ReleaseQuery = None,
    purpose: Annotated[str | None, Query(min_length=5, max_length=300)] = None,
) -> JSONResponse:
    """One person by person ID: the fields the caller may see, masked ones named."""
    return _answer(request, caller, release, person_id, pid_hash=None, purpose=purpose)


@router.post("/{person_id}/reveal", **guarded(Permission.REVEAL))
def reveal(
    request: Request,
    person_id: PersonId,
    body: RevealRequest,
    caller: Annotated[Principal, Depends(require(Permission.REVEAL))],
    release: ReleaseQuery = None,
) -> JSONResponse:
    """Unmask sensitive fields of one person for a stated purpose (audited as a reveal)."""
    unknown = sorted(set(body.fields) - set(REGISTRY_FIELDS))
    if unknown:
        raise Problem(
            422,
            "unknown-field",
            f"ไม่รู้จักข้อมูล {', '.join(unknown)}",
            f"unknown registry fields: {', '.join(unknown)}",
            parameter="fields",
        )
    return _answer(
        request,
        caller,
        release,
        person_id,
        pid_hash=None,
        purpose=body.purpose,
        reveal=body.fields,
    )
