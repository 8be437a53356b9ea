"""Entitlements and gaps on the linked synthetic world, against the planted welfare errors."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from sitthi.engines.duckdb import connect, rows
from sitthi.linkage.service import LinkReport
from sitthi.registry.golden import build_golden
from sitthi.registry.profile import build_profiles
from sitthi.registry.rules import load_rules
from sitthi.rights.engine import compute_rights
from sitthi.rights.programme import load_programmes


@pytest.fixture(scope="module")
def rights_store(
    world: Path, linked: tuple[Path, LinkReport], tmp_path_factory: pytest.TempPathFactory
):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("rights") / "store.duckdb"
    shutil.copy(linked[0], path)
    con = connect(path)
    as_of = dt.date.fromisoformat(
        json.loads((world / "manifest.json").read_text(encoding="utf-8"))["as_of"]
    )
    build_golden(con, load_rules())
    build_profiles(con, as_of)
    result = compute_rights(con, load_programmes(), as_of)
    con.execute(
        """create table truth_gaps as
           select distinct p.person_id, t.programme, t.error_type as gap
           from read_csv(?, all_varchar = true) t
           join identities i on i.national_id = t.national_id
           join person_records p on p.source = 'dopa' and p.record_id = i.pid_hash""",
        [str(world / "truth" / "welfare_errors.csv")],
    ).fetchall()
    return con, result


@pytest.mark.parametrize("gap", ["paid_twice", "paid_after_death"])
def test_payment_gaps_match_the_planted_errors(rights_store, gap: str) -> None:  # type: ignore[no-untyped-def]
    con, _ = rights_store
    ((found, true, hit),) = rows(
        con,
        """select (select count(*) from gaps where gap = $g),
                  (select count(*) from truth_gaps where gap = $g),
                  (select count(*) from gaps g join truth_gaps t using (person_id, programme, gap)
                   where g.gap = $g)""",
        {"g": gap},
    )
    assert true > 0
    assert hit / found >= 0.95
    assert hit / true >= 0.95


def test_every_planted_exclusion_is_found(rights_store) -> None:  # type: ignore[no-untyped-def]
    con, result = rights_store
    ((true, hit),) = rows(
        con,
        """select count(*), count(g.person_id) from truth_gaps t
           left join gaps g using (person_id, programme, gap)
           where t.gap = 'eligible_not_receiving'""",
    )
    assert hit / true >= 0.95
    assert result.entitled["old_age_allowance"] > 0


def test_inclusion_gaps_name_the_failed_condition(rights_store) -> None:  # type: ignore[no-untyped-def]
    con, _ = rights_store
    details = rows(con, "select distinct detail from gaps where gap = 'receiving_not_eligible'")
    assert details
    names = {n for (d,) in details for n in d.split(",")}
    conditions = {c for p in load_programmes().values() for c in p.eligibility}
    assert names <= conditions
