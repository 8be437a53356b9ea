"""From linked records to rights: golden records, profiles, entitlements, gaps, notices,
the poverty index, and TPMAP's four questions answered. One service for the CLI and demo."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from sitthi.engines.duckdb import dict_rows, error_reason, one, run
from sitthi.errors import RuleError, SitthiError
from sitthi.poverty.index import build_poverty, load_indicators
from sitthi.registry.golden import GoldenResult, build_golden
from sitthi.registry.profile import build_household_profiles, build_profiles
from sitthi.registry.rules import load_rules
from sitthi.rights.engine import RightsResult, compute_rights
from sitthi.rights.notifications import build_notifications
from sitthi.rights.programme import Programme, load_programmes

STEPS = 6


@dataclass
class RightsReport:
    """What a rights run found, and the answers to TPMAP's four questions."""

    as_of: dt.date
    persons: int
    golden: GoldenResult
    rights: RightsResult
    notifications: int
    surveyed_households: int
    answers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    seconds: float = 0.0


def run_rights(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    *,
    programme_dirs: tuple[Path, ...] = (),
    rules: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> RightsReport:
    """Build the registry and rights as of ``as_of`` from the last `sitthi link`."""
    clock = time.perf_counter()

    def step(name: str) -> None:
        if progress:
            progress(name)

    if not one(
        con,
        "select count(*) from duckdb_tables() where table_name = 'person_records' "
        "and database_name = current_database()",
    ) or not one(con, "select count(*) from person_records"):
        raise SitthiError("the store has no linked persons: run `sitthi link` first")
    programmes = load_programmes(*programme_dirs)
    # All or nothing: a run that fails half-way must not leave profiles of one day beside
    # the gaps of another.
    run(con, "begin transaction")
    try:
        report = _build(con, as_of, programmes, rules, step)
    except BaseException:
        run(con, "rollback")
        raise
    run(con, "commit")
    report.seconds = round(time.perf_counter() - clock, 2)
    return report


def _build(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    programmes: dict[str, Programme],
    rules: Path | None,
    step: Callable[[str], None],
) -> RightsReport:
    step("golden records")
    golden = build_golden(con, load_rules(rules))
    step("profiles")
    persons = build_profiles(con, as_of)
    build_household_profiles(con)
    step("rights")
    try:
        rights = compute_rights(con, programmes, as_of)
    except (duckdb.ConversionException, duckdb.OutOfRangeException) as exc:
        # A rule that passed its check on sample profiles can still fail on a real one.
        raise RuleError(
            f"a programme's rule fails on the store's profiles: {error_reason(exc)}"
        ) from exc
    _record_programmes(con, programmes)
    _record_run(con, as_of, programmes)
    step("notifications")
    notices = build_notifications(con, programmes)
    step("poverty index")
    surveyed = build_poverty(con, load_indicators())
    step("answers")
    return RightsReport(
        as_of=as_of,
        persons=persons,
        golden=golden,
        rights=rights,
        notifications=notices,
        surveyed_households=surveyed,
        answers=tpmap_answers(con, programmes),
    )


def tpmap_answers(
    con: duckdb.DuckDBPyConnection, programmes: dict[str, Programme]
) -> dict[str, list[dict[str, Any]]]:
    """TPMAP's four questions, answered from the tables a rights run wrote.

    1. *Who should receive welfare?* entitled persons and baht per month, per programme;
       and the poor by the survey index who hold no welfare card (the outreach list).
    2. *What do recipients look like?* per programme: recipients, their age, the share
       who are poor by the index.
    3. *Are recipients appropriate?* payment gaps (not eligible, paid twice, paid after
       death) and their baht: per month for the first two, the total to recover for the
       last (none for a card still active after a death: ``baht`` is null).
    4. *Should targeting change?* who is missed (eligible, not receiving) and what
       reaching them costs per month.

    ``unverified`` counts the gaps that rest on facts no loaded source knows.
    """
    run(con, "create or replace temp table programme_names (programme varchar, name_th varchar)")
    con.executemany(
        "insert into programme_names values (?, ?)",
        [(p.id, p.name_th) for p in programmes.values()],
    )
    who = dict_rows(
        con,
        """select n.programme, n.name_th, count(e.person_id) as entitled,
                  coalesce(sum(e.amount), 0) as baht_per_month
           from programme_names n left join entitlements e using (programme)
           group by all order by n.programme""",
    )
    outreach = dict_rows(
        con,
        """select count(*) filter (poor) as poor, count(*) filter (target_poor) as target_poor,
                  count(*) filter (outreach) as outreach from person_poverty""",
    )
    recipients = dict_rows(
        con,
        """select n.programme, n.name_th, count(pa.person_id) as recipients,
                  round(avg(pr.age), 1) as mean_age,
                  round(100.0 * avg((pp.poor)::int), 1) as percent_poor,
                  count(pp.person_id) as surveyed
           from programme_names n
           left join receiving pa using (programme)
           left join profiles pr using (person_id)
           left join person_poverty pp using (person_id)
           group by all order by n.programme""",
    )
    appropriate = dict_rows(
        con,
        """select n.programme, n.name_th, g.gap, count(*) as persons,
                  count(*) filter (g.unknown is not null) as unverified,
                  sum(g.amount) as baht
           from gaps g join programme_names n using (programme)
           where g.gap <> 'eligible_not_receiving'
           group by all order by n.programme, g.gap""",
    )
    targeting = dict_rows(
        con,
        """select n.programme, n.name_th, count(*) as missed,
                  count(*) filter (g.unknown is not null) as unverified,
                  coalesce(sum(g.amount), 0) as baht_per_month
           from gaps g join programme_names n using (programme)
           where g.gap = 'eligible_not_receiving'
           group by all order by n.programme""",
    )
    return {
        "who_should_receive": who,
        "outreach": outreach,
        "recipients": recipients,
        "appropriate": appropriate,
        "targeting": targeting,
    }


def _record_programmes(con: duckdb.DuckDBPyConnection, programmes: dict[str, Programme]) -> None:
    """Keep the programmes this run judged by (a user's ``--programmes`` too), so a later
    `sitthi profile` names them and their conditions as the run did."""
    run(
        con,
        "create or replace table rights_programmes (programme varchar, definition varchar)",
    )
    con.executemany(
        "insert into rights_programmes values (?, ?)",
        [(p.id, p.model_dump_json()) for p in programmes.values()],
    )


def _record_run(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, programmes: dict[str, Programme]
) -> None:
    """One row per rights run: the day judged and the programme versions, for a release's
    lineage ("what did we know when we paid")."""
    run(
        con,
        """create table if not exists rights_runs (
               run_id varchar primary key, as_of date, finished_at timestamp,
               programmes varchar)""",
    )
    # A programme has no version number of its own: the hash of its rules is one.
    versions = {
        p.id: hashlib.sha256(p.model_dump_json().encode()).hexdigest()[:12]
        for p in programmes.values()
    }
    run(
        con,
        "insert into rights_runs values ($id, $as_of, now()::timestamp, $programmes)",
        {
            "id": f"rights-{dt.datetime.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}",
            "as_of": as_of,
            "programmes": json.dumps(versions),
        },
    )


def run_programmes(con: duckdb.DuckDBPyConnection) -> dict[str, Programme]:
    """The programmes of the store's last rights run (the packaged ones for a store whose
    run predates this record)."""
    if not one(
        con,
        "select count(*) from duckdb_tables() where table_name = 'rights_programmes' "
        "and database_name = current_database()",
    ):
        return load_programmes()
    found = con.execute("select definition from rights_programmes order by programme").fetchall()
    programmes = (Programme.model_validate_json(d) for (d,) in found)
    return {p.id: p for p in programmes}
