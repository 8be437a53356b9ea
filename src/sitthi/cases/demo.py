"""A few help requests for the demo (development only): persons of the new release ask
through the 1300 hotline, the schemes propose, and a second person confirms — so a reader
sees requests decided automatically, with their reasons, on the synthetic population."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitthi.cases.consider import Proposal, propose
from sitthi.cases.decisions import confirm
from sitthi.cases.intake import HelpRequest, receive
from sitthi.cases.schemes import load_schemes
from sitthi.cases.workflow import Desk
from sitthi.operations.audit import Actor, anchor_key_from
from sitthi.operations.roles import Role
from sitthi.releases.catalog import ReleaseCatalog

if TYPE_CHECKING:
    from sitthi.context import Context

#: Who asks for what: a condition over the release's profiles, and the help type.
ASKING = (
    ("f.age >= 65 and f.welfare_card", "elderly_hardship"),
    ("f.age between 30 and 55 and f.annual_income > 200000", "emergency_cash"),
    ("f.age < 15 and pv.poor", "child_support"),
    ("f.disability_card_valid and f.age between 20 and 59", "disability_hardship"),
)


@dataclass(frozen=True)
class DemoCase:
    help_type: str
    name: str
    proposal: Proposal
    status: str


def demo_cases(ctx: Context) -> list[DemoCase]:
    """Receive, propose and confirm a request per `ASKING` row (one person each)."""
    catalog = ReleaseCatalog(ctx.releases_dir)
    try:
        found, cur = catalog.cursor(None)
        asks, names = [], []
        for condition, help_type in ASKING:
            row = cur.execute(
                f"""select g.first_name, g.last_name, g.birth_date, f.subdistrict_code
                    from persons g join profiles f using (person_id)
                    left join person_poverty pv using (person_id)
                    where {condition} and f.alive and f.subdistrict_code is not null
                      and g.first_name is not null and g.birth_precision = 'day'
                    order by g.person_id limit 1"""
            ).fetchall()  # all of it: DuckDB refuses the next query while a result is open
            if not row:
                continue
            first, last, born, sub = row[0]
            names.append(f"{first} {last}")
            asks.append(
                HelpRequest(
                    first_name=first,
                    last_name=last,
                    birth_date=born,
                    help_type=help_type,
                    area_code=sub,
                    urgency="high",
                )
            )
        key = anchor_key_from(ctx.settings.pseudonym_secret())
        desk = Desk(
            ctx.operations, Actor("demo-hotline", "user", Role.CASEWORKER), "sitthi demo", key
        )
        got = receive(
            desk,
            (found.number, cur),
            asks,
            channel="hotline",
            secret=ctx.settings.pseudonym_secret(),
        )
        schemes = load_schemes()
        made = {
            p.case_id: p for p in propose(desk, cur, schemes, case_ids=[g.case_id for g in got])
        }
    finally:
        catalog.close()
    checker = Desk(
        ctx.operations, Actor("demo-caseworker", "user", Role.CASEWORKER), "sitthi demo", key
    )
    out = []
    for g, ask, name in zip(got, asks, names, strict=True):
        if g.case_id not in made:
            continue
        done = confirm(checker, g.case_id, schemes)
        out.append(DemoCase(ask.help_type, name, made[g.case_id], done.status))
    return out
