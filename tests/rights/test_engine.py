"""Entitlements and gaps on the linked synthetic world, against the planted welfare errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitthi.engines.duckdb import rows
from sitthi.rights.programme import load_programmes


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


def test_evaluation_explains_every_miss(rights_store, world: Path) -> None:  # type: ignore[no-untyped-def]
    from sitthi.rights.evaluate import evaluate_gaps

    con, _ = rights_store
    results = evaluate_gaps(con, world / "truth" / "welfare_errors.csv")
    assert results
    for r in results:
        assert r.planted - r.correct == sum(r.missed.values())
        assert r.found - r.correct == sum(r.extra.values())
        assert set(r.missed) <= {"not_in_store", "linkage", "unknown_data", "rule"}
        assert set(r.extra) <= {"linkage", "unknown_data", "rule"}
    twice = next(r for r in results if r.programme == "old_age_allowance" and r.gap == "paid_twice")
    assert twice.recall >= 0.95
