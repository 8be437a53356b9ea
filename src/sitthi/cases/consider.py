"""Proposed decisions: for each undecided request, what the aid schemes say, and why.

For a request tied to a person, every scheme answering its help type is judged on the
person's profile (as of the release) and the aid history the operational store holds —
confirmed grants of any department. The first scheme (the request's own department's
first) whose conditions all hold, whose caps leave room and whose excluded schemes did not
aid the household for the same need lately, proposes its amount. A request nobody could
tie to a person, or with no cash scheme for its need, is referred; one that fails every
scheme is refused, each failed condition named in Thai. A duplicate request is refused as
one. Every proposal waits for a second person (`sitthi.cases.decisions`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from sqlalchemy import or_, select

from sitthi.cases.catalog import load_catalog
from sitthi.cases.schemes import AID_COLUMNS, Scheme
from sitthi.cases.workflow import UNDECIDED, Desk, move
from sitthi.operations.case_models import AidDecision, Case
from sitthi.registry.profile import PROFILE_COLUMNS
from sitthi.rights.expressions import compile_expression

if TYPE_CHECKING:
    import duckdb
    from sqlalchemy.orm import Session

RULES = "system:rules"


def fiscal_year_start(day: dt.date) -> dt.date:
    """The Thai government's fiscal year begins on 1 October."""
    return dt.date(day.year if day.month >= 10 else day.year - 1, 10, 1)


@dataclass(frozen=True)
class Proposal:
    case_id: int
    outcome: str  # grant, refer, refuse
    scheme: str | None
    amount: int | None
    reasons: list[str]


@dataclass(frozen=True)
class _Grant:
    scheme: str
    person_id: str | None
    household_id: str | None
    need: str
    amount: int
    on: dt.date


def _grants(session: Session, cases: list[Case]) -> list[_Grant]:
    """The confirmed grants to the persons and households of ``cases`` (not every grant
    ever made: the per-case checks scan only these)."""
    persons = sorted({c.person_id for c in cases if c.person_id})
    households = sorted({c.household_id for c in cases if c.household_id})
    found = session.execute(
        select(AidDecision).where(
            AidDecision.state == "approved",
            AidDecision.outcome == "grant",
            or_(AidDecision.person_id.in_(persons), AidDecision.household_id.in_(households)),
        )
    ).scalars()
    return [
        _Grant(
            d.scheme or "",
            d.person_id,
            d.household_id,
            d.need,
            d.amount or 0,
            (d.checked_at or d.proposed_at).date(),
        )
        for d in found
    ]


def _history(grants: list[_Grant], scheme: Scheme, case: Case, since: dt.date) -> dict[str, Any]:
    """The aid columns of one request under one scheme."""
    by = case.household_id if scheme.caps.per == "household" else case.person_id
    mine = [
        g
        for g in grants
        if g.scheme == scheme.id
        and (g.household_id if scheme.caps.per == "household" else g.person_id) == by
    ]
    this_year = [g for g in mine if g.on >= since]
    return {
        "times_this_year": len(this_year),
        "baht_this_year": sum(g.amount for g in this_year),
        "household_aid_this_year": sum(
            g.amount
            for g in grants
            if g.household_id == case.household_id and case.household_id and g.on >= since
        ),
        "times_ever": len(mine),
    }


def _aid_columns(
    grants: list[_Grant], scheme: Scheme, case: Case, since: dt.date
) -> dict[str, Any]:
    """The `AID_COLUMNS` a scheme's rules read (``poor`` comes from the release)."""
    used = _history(grants, scheme, case, since)
    return {c: used[c] for c in AID_COLUMNS if c != "poor"}


def _judge(
    con: duckdb.DuckDBPyConnection, scheme: Scheme, rows: list[dict[str, Any]]
) -> dict[int, tuple[list[str], float | None]]:
    """Per case: the conditions it fails (their names) and the rule's amount."""
    names = list(scheme.eligibility)
    checked = scheme.checked()
    table = pa.Table.from_pylist(rows)
    con.register("sitthi_aid_q", table)
    try:
        conditions = ", ".join(
            f"coalesce(({compile_expression(checked[n])}), false) as c_{n}" for n in names
        )
        profile_cols = ", ".join(f"p.{c}" for c in PROFILE_COLUMNS if c != "person_id")
        sql = f"""
            with j as (select q.*, {profile_cols}, pv.poor
                       from sitthi_aid_q q join profiles p using (person_id)
                       left join person_poverty pv using (person_id))
            select case_id, {conditions},
                   ({compile_expression(checked["amount"])}) as amount
            from j"""
        out = {}
        for row in con.execute(sql).fetchall():
            failed = [n for n, ok in zip(names, row[1:-1], strict=True) if not ok]
            out[int(row[0])] = (failed, None if row[-1] is None else float(row[-1]))
        return out
    finally:
        con.unregister("sitthi_aid_q")


def propose(
    desk: Desk,
    release: duckdb.DuckDBPyConnection,
    schemes: dict[str, Scheme],
    *,
    case_ids: Sequence[int] | None = None,
    today: dt.date | None = None,
) -> list[Proposal]:
    """Propose a decision for each undecided case without a pending proposal (or those of
    ``case_ids``); the cases move to ``assessed``. One transaction, one audit record."""
    today = today or dt.date.today()
    since = fiscal_year_start(today)
    catalog = load_catalog()
    with desk.store.snapshot() as s:
        q = select(Case).where(Case.status.in_(UNDECIDED))
        if case_ids is not None:
            q = q.where(Case.id.in_(list(case_ids)))
        pending = set(s.scalars(select(AidDecision.case_id).where(AidDecision.state == "proposed")))
        cases = [c for c in s.scalars(q.order_by(Case.id)) if c.id not in pending]
        grants = _grants(s, cases)
        s.expunge_all()
    proposals: dict[int, Proposal] = {}
    judged: dict[str, dict[int, tuple[list[str], float | None]]] = {}
    for scheme in schemes.values():
        rows = [
            {"case_id": c.id, "person_id": c.person_id, **_aid_columns(grants, scheme, c, since)}
            for c in cases
            if c.person_id and not c.duplicate_of and c.help_type in scheme.help_types
        ]
        if rows:
            judged[scheme.id] = _judge(release, scheme, rows)
    for c in cases:
        proposals[c.id] = _decide(c, schemes, judged, grants, since, today, catalog)
    if not proposals:
        return []
    by_id = {c.id: c for c in cases}
    with desk.change(
        persons=[c.pid_hash for c in cases], query={"proposed": len(proposals)}
    ) as session:
        for case_id, p in proposals.items():
            case = session.get(Case, case_id, with_for_update=True)
            assert case is not None
            session.add(
                AidDecision(
                    case_id=case_id,
                    outcome=p.outcome,
                    scheme=p.scheme,
                    department=schemes[p.scheme].department
                    if p.scheme
                    else by_id[case_id].department,
                    amount=p.amount,
                    reasons=p.reasons,
                    person_id=case.person_id,
                    household_id=case.household_id,
                    need=case.help_type,
                    state="proposed",
                    proposed_by=RULES,
                )
            )
            if case.status == "received":
                move(session, case, "assessed", RULES, note=p.outcome)
    return list(proposals.values())


def _decide(
    c: Case,
    schemes: dict[str, Scheme],
    judged: dict[str, dict[int, tuple[list[str], float | None]]],
    grants: list[_Grant],
    since: dt.date,
    today: dt.date,
    catalog: Any,
) -> Proposal:
    if c.duplicate_of:
        return Proposal(
            c.id,
            "refuse",
            None,
            None,
            [f"คำร้องซ้ำกับคำร้องเลขที่ {c.duplicate_of} (ความต้องการเดียวกันของบุคคลเดียวกัน)"],
        )
    if not c.person_id:
        return Proposal(
            c.id, "refer", None, None, ["ยังระบุตัวบุคคลในทะเบียนไม่ได้ ให้เจ้าหน้าที่ยืนยันตัวบุคคลก่อนพิจารณา"]
        )
    answering = sorted(
        (s for s in schemes.values() if c.help_type in s.help_types),
        key=lambda s: (s.department != c.department, s.id),
    )
    if not answering:
        help_th = catalog.help_types[c.help_type].th
        return Proposal(c.id, "refer", None, None, [f"ไม่มีเงินสงเคราะห์สำหรับ{help_th} ส่งต่อ{c.office}"])
    reasons: list[str] = []
    for s in answering:
        failed, amount = judged.get(s.id, {}).get(c.id, ([], None))
        if c.id not in judged.get(s.id, {}):
            reasons.append(f"{s.name_th}: ไม่พบข้อมูลของบุคคลนี้ในทะเบียน")
            continue
        if failed:
            conditions = "; ".join(s.eligibility[n].th for n in failed)
            reasons.append(f"{s.name_th}: ไม่เข้าเงื่อนไข — {conditions}")
            continue
        blocked = _blocked(s, c, grants, since, today, schemes)
        if blocked:
            reasons.append(f"{s.name_th}: {blocked}")
            continue
        used = _history(grants, s, c, since)
        pay = min(int(amount or 0), s.caps.per_payment)
        if s.caps.baht_per_year is not None:
            pay = min(pay, s.caps.baht_per_year - used["baht_this_year"])
        if pay <= 0:
            reasons.append(f"{s.name_th}: ได้รับครบวงเงินของปีงบประมาณแล้ว ({s.caps.cite})")
            continue
        why = [
            f"{s.name_th} {pay:,} บาท",
            *(s.eligibility[n].th for n in s.eligibility),
            f"ตาม{s.legal_source[0]}",
        ]
        return Proposal(c.id, "grant", s.id, pay, why)
    return Proposal(c.id, "refuse", None, None, reasons)


def _blocked(
    s: Scheme,
    c: Case,
    grants: list[_Grant],
    since: dt.date,
    today: dt.date,
    schemes: dict[str, Scheme],
) -> str | None:
    """Why the caps or the exclusions forbid a payment now, or None."""
    used = _history(grants, s, c, since)
    unit = "ครัวเรือน" if s.caps.per == "household" else "บุคคล"
    if s.caps.times_ever is not None and used["times_ever"] >= s.caps.times_ever:
        return f"{unit}นี้เคยได้รับแล้ว {used['times_ever']} ครั้ง ({s.caps.cite})"
    if s.caps.times_per_year is not None and used["times_this_year"] >= s.caps.times_per_year:
        return f"ได้รับครบ {s.caps.times_per_year} ครั้งในปีงบประมาณนี้แล้ว ({s.caps.cite})"
    if s.excludes and c.household_id:
        window = today - dt.timedelta(days=s.excludes.days)
        for g in grants:
            if (
                g.scheme in s.excludes.schemes
                and g.household_id == c.household_id
                and g.on >= window
            ):
                other = schemes.get(g.scheme)
                name = other.name_th if other else g.scheme
                dept = load_catalog().departments[other.department].short_th if other else ""
                return (
                    f"ครัวเรือนนี้ได้รับ{name} ({dept}) {g.amount:,} บาท เมื่อ {g.on.isoformat()} "
                    f"ภายใน {s.excludes.days} วัน จึงไม่ช่วยเหลือซ้ำ ({s.excludes.cite})"
                )
    return None
