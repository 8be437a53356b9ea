"""The data quality report's measures on the linked world, checked against its truth."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sitthi.quality.measures import completeness, conflicts, duplicates, overlap


def _truth(world: Path) -> pd.DataFrame:
    return pd.read_csv(world / "truth" / "linkage_truth.csv", dtype=str)


def test_completeness_follows_the_planted_missing_ids(rights_store) -> None:  # type: ignore[no-untyped-def]
    con, _ = rights_store
    share = {r["source"]: r["pid_hash"] for r in completeness(con)}
    assert share["dopa"] == 1.0
    # M-Smart: 35 % of help requests come without an ID (noise.yaml); the test world has
    # a few dozen requests, so four standard deviations either side.
    assert 0.45 < share["msmart"] < 0.85
    # A field an agency does not collect is not in its list, not missing.
    absent = {r["source"]: r["not_in_list"] for r in completeness(con)}
    assert "phone" in absent["dopa"]
    assert "house_code" not in absent["dopa"]
    assert "phone" not in absent["msmart"]


def test_duplicates_count_persons_an_agency_lists_twice(rights_store, world: Path) -> None:  # type: ignore[no-untyped-def]
    con, _ = rights_store
    truth = _truth(world)
    codes = truth["planted"].fillna("")
    planted = truth[codes.str.contains(r"(?:^|;)duplicate(?:;|$)")]
    found = {r["source"]: r["persons"] for r in duplicates(con)}
    # The civil registry's only duplicates are persons registered under two IDs.
    registered_twice = truth[codes.str.contains("duplicate_registration")]
    expected_dopa = registered_twice.loc[registered_twice["source"] == "dopa", "person_id"]
    assert abs(found.get("dopa", 0) - expected_dopa.nunique()) <= 1
    for source in ("cdd", "moe"):
        expected = planted.loc[planted["source"] == source, "person_id"].nunique()
        assert expected > 0
        assert abs(found[source] - expected) <= max(2, 0.1 * expected), source
    # A payment list's months are not duplicates: LAO's are the persons paid twice.
    errors = pd.read_csv(world / "truth" / "welfare_errors.csv", dtype=str)
    twice = errors.loc[errors["error_type"] == "paid_twice", "person_id"].nunique()
    assert abs(found["lao"] - twice) <= max(2, 0.1 * twice)


def test_conflicts_name_the_dead_still_listed_and_the_unregistered_disabled(
    rights_store, world: Path
) -> None:  # type: ignore[no-untyped-def]
    con, _ = rights_store
    rows = {(r["field"], r["other_source"]): r["persons"] for r in conflicts(con)}
    persons = pd.read_parquet(world / "truth" / "persons.parquet")
    truth = _truth(world)
    dead = set(persons.loc[persons["death_date"].notna(), "person_id"])
    in_nhso = set(truth.loc[truth["source"] == "nhso", "person_id"])
    expected = len(dead & in_nhso)
    assert expected > 0
    assert abs(rows[("dead_still_listed", "nhso")] - expected) <= max(2, 0.05 * expected)
    errors = pd.read_csv(world / "truth" / "welfare_errors.csv", dtype=str)
    # A payment list is judged by the month paid for: only payments after a death count.
    lao = errors[errors["programme"] != "state_welfare_card"]
    after = lao.loc[lao["error_type"] == "paid_after_death", "person_id"].nunique()
    assert after > 0
    assert abs(rows[("dead_still_listed", "lao")] - after) <= max(2, 0.05 * after)
    no_card = errors[errors["detail"] == "no disability card"]["person_id"].nunique()
    assert rows.get(("disability", "lao"), 0) == no_card
    assert any(field == "birth_date" for field, _ in rows)


def test_overlap_diagonal_is_each_agencys_persons(rights_store) -> None:  # type: ignore[no-untyped-def]
    con, _ = rights_store
    cells = {(r["source_a"], r["source_b"]): r["persons"] for r in overlap(con)}
    persons = dict(
        con.execute(
            "select source, count(distinct person_id) from person_records group by 1"
        ).fetchall()
    )
    for source, n in persons.items():
        assert cells[(source, source)] == n
    assert cells[("dep", "dopa")] <= persons["dep"]
