"""Receive help requests from any channel: the API, the dashboard form, the 1300 hotline's
operators, and files imported from other systems (`sitthi.cases.imports`).

Each request is checked (`HelpRequest`), tied to a person of the newest release
(`sitthi.cases.matching`), routed (`sitthi.cases.catalog`), given to the case worker of its
area with the fewest open cases, clocked (its SLA by urgency), and compared with the open
requests of the same person and need: the same need through a second channel is kept,
marked ``duplicate_of`` the first, and is not paid twice. All of a batch is written with
one audit record, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select

from sitthi.cases.catalog import Catalog, load_catalog
from sitthi.cases.matching import Match, Query, match_requests
from sitthi.cases.workflow import OPEN, Desk, pick_worker
from sitthi.errors import SitthiError
from sitthi.operations.case_models import Case, CaseEvent
from sitthi.operations.models import utcnow
from sitthi.operations.roles import validate_area
from sitthi.thai.national_id import normalize_national_id, parse_national_id

if TYPE_CHECKING:
    import duckdb

#: The same person's same need within this many days is one request.
DUPLICATE_DAYS = 30


class HelpRequest(BaseModel):
    """One request as any channel sends it. A national ID, or a first and last name."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    national_id: str | None = Field(None, max_length=20, description="13 digits (dashes ok).")
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    birth_date: dt.date | None = None
    phone: str | None = Field(None, max_length=20, pattern=r"^[0-9+\- ]{6,20}$")
    help_type: str = Field(max_length=40)
    urgency: str = Field("normal", max_length=10)
    area_code: str = Field(
        max_length=12, description="DOPA subdistrict, district or province code."
    )
    description: str | None = Field(None, max_length=4000)
    external_id: str | None = Field(
        None, max_length=100, description="The sending system's own ID."
    )
    received_at: dt.datetime | None = Field(
        None, description="When the sending system received it."
    )

    @field_validator("national_id")
    @classmethod
    def _valid_id(cls, value: str | None) -> str | None:
        if not value:
            return None
        # The message never repeats the value: it is someone's national ID.
        if not parse_national_id(value).valid:
            raise ValueError("not a valid national ID (13 digits with a correct check digit)")
        return normalize_national_id(value)

    @field_validator("area_code")
    @classmethod
    def _area(cls, value: str) -> str:
        return _as_value_error(validate_area, value)

    @field_validator("help_type")
    @classmethod
    def _help_type(cls, value: str) -> str:
        catalog = load_catalog()
        return _as_value_error(catalog.check, "help type", value, catalog.help_types)

    @field_validator("urgency")
    @classmethod
    def _urgency(cls, value: str) -> str:
        catalog = load_catalog()
        return _as_value_error(catalog.check, "urgency", value, catalog.urgencies)

    @field_validator("received_at")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone(dt.timedelta(hours=7)))  # Thai time
        return value

    @model_validator(mode="after")
    def _someone(self) -> HelpRequest:
        if not self.national_id and not (self.first_name and self.last_name):
            raise ValueError("a request needs the national ID, or a first and a last name")
        return self


def _as_value_error(check: Callable[..., str], *args: Any) -> str:
    """``check(*args)``, its error a ValueError (what pydantic reports per field)."""
    try:
        return check(*args)
    except SitthiError as exc:
        raise ValueError(str(exc)) from None


@dataclass(frozen=True)
class Received:
    """What became of one request: its case (new, or the one already received under the
    same external ID) and how it was tied."""

    case_id: int
    new: bool
    match: str
    person_id: str | None
    department: str
    office: str
    assigned_to: str | None
    duplicate_of: int | None


def receive(
    desk: Desk,
    release: tuple[int, duckdb.DuckDBPyConnection],
    requests: Sequence[HelpRequest],
    *,
    channel: str,
    secret: bytes,
    source_system: str | None = None,
    catalog: Catalog | None = None,
) -> list[Received]:
    """Receive ``requests`` through ``channel`` (matched against ``release``: its number
    and a cursor over it); one `Received` per request, in order."""
    from sitthi.ingest.pseudonym import pseudonym

    catalog = catalog or load_catalog()
    catalog.check("channel", channel, catalog.channels)
    number, cur = release
    pids = [pseudonym(secret, r.national_id) if r.national_id else None for r in requests]
    matches = match_requests(
        cur,
        [
            Query(p, r.first_name, r.last_name, r.birth_date, r.area_code[:2])
            for p, r in zip(pids, requests, strict=True)
        ],
    )
    now = utcnow()
    persons = [m.person_id for m in matches]
    with desk.change(
        persons=pids,
        query={
            "channel": channel,
            "source_system": source_system,
            "requests": len(requests),
            "persons_without_id": sorted(
                {p for p, h in zip(persons, pids, strict=True) if p and not h}
            ),
        },
    ) as session:
        known = _already(session, source_system, [r.external_id for r in requests])
        open_cases = _open_cases(session, matches, requests, now)
        out = []
        for r, pid, m in zip(requests, pids, matches, strict=True):
            if r.external_id and r.external_id in known:
                c = known[r.external_id]
                out.append(
                    Received(
                        c.id,
                        False,
                        c.match,
                        c.person_id,
                        c.department,
                        c.office,
                        c.assigned_to,
                        c.duplicate_of,
                    )
                )
                continue
            case = _new_case(
                session, catalog, r, pid, m, now, channel, source_system, number, desk.actor.name
            )
            key = _need_key(case)
            if key is not None:
                case.duplicate_of = open_cases.setdefault(key, case.id)
                if case.duplicate_of == case.id:
                    case.duplicate_of = None
            out.append(
                Received(
                    case.id,
                    True,
                    case.match,
                    case.person_id,
                    case.department,
                    case.office,
                    case.assigned_to,
                    case.duplicate_of,
                )
            )
    return out


def _new_case(
    session: Any,
    catalog: Catalog,
    r: HelpRequest,
    pid: str | None,
    m: Match,
    now: dt.datetime,
    channel: str,
    source_system: str | None,
    release: int,
    actor: str,
) -> Case:
    route = catalog.route(r.help_type, r.area_code)
    received_at = (r.received_at or now).astimezone(dt.UTC)
    case = Case(
        received_at=received_at,
        received_by=actor,
        channel=channel,
        source_system=source_system,
        external_id=r.external_id,
        help_type=r.help_type,
        urgency=r.urgency,
        area_code=r.area_code,
        province_code=r.area_code[:2],
        description=r.description,
        claimant={
            k: v
            for k, v in {
                "first_name": r.first_name,
                "last_name": r.last_name,
                "birth_date": r.birth_date.isoformat() if r.birth_date else None,
                "phone": r.phone,
            }.items()
            if v
        },
        pid_hash=pid,
        person_id=m.person_id,
        household_id=m.household_id,
        match=m.method,
        match_confidence=m.confidence,
        candidates=m.candidates,
        release=release,
        department=route.department,
        office=route.office,
        assigned_to=pick_worker(session, r.area_code),
        status="received",
        status_at=now,
        due_at=catalog.due(r.urgency, received_at),
    )
    session.add(case)
    session.flush()  # its id, for the event and for duplicates later in the batch
    session.add(
        CaseEvent(
            case_id=case.id,
            at=now,
            actor=actor,
            from_status=None,
            to_status="received",
            note=channel,
        )
    )
    return case


def _already(session: Any, source_system: str | None, ids: list[str | None]) -> dict[str, Case]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    found = session.scalars(
        select(Case).where(
            Case.source_system.is_(source_system)
            if source_system is None
            else Case.source_system == source_system,
            Case.external_id.in_(wanted),
        )
    )
    return {c.external_id: c for c in found}


def _need_key(case: Case) -> tuple[str, str] | None:
    """Who and what: the person (or, unmatched, the ID's pseudonym) and the help type."""
    who = case.person_id or case.pid_hash
    return (who, case.help_type) if who else None


def _open_cases(
    session: Any, matches: list[Match], requests: Sequence[HelpRequest], now: dt.datetime
) -> dict[tuple[str, str], int]:
    """The oldest open case per (person, help type) received in the last
    `DUPLICATE_DAYS`, for the persons of this batch."""
    persons = sorted({m.person_id for m in matches if m.person_id})
    if not persons:
        return {}
    since = now - dt.timedelta(days=DUPLICATE_DAYS)
    found = session.execute(
        select(Case.person_id, Case.help_type, Case.id)
        .where(
            Case.person_id.in_(persons),
            Case.status.in_(OPEN),
            Case.duplicate_of.is_(None),
            Case.received_at >= since,
        )
        .order_by(Case.id)
    ).all()
    out: dict[tuple[str, str], int] = {}
    for person, help_type, case_id in found:
        out.setdefault((person, help_type), case_id)
    return out
