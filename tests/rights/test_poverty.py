"""The poverty index against the synthetic truth's household indicators."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sitthi.engines.duckdb import rows
from sitthi.poverty.index import build_poverty, load_indicators


def test_poor_households_match_the_truth(rights_store, world: Path) -> None:  # type: ignore[no-untyped-def]
    con, _ = rights_store
    surveyed = build_poverty(con, load_indicators())
    assert surveyed > 0
    columns = ", ".join(f"ind_{i:02d}" for i in range(1, 18))
    ((compared, agree, poor),) = rows(
        con,
        f"""
        with truth as (
            select house_code, list_has_any([{columns}], [0.0]) as poor
            from read_parquet($path))
        select count(*), count(*) filter (t.poor = h.poor), count(*) filter (h.poor)
        from household_poverty h
        join households hh using (household_id)
        join truth t on t.house_code = hh.house_code
        """,
        {"path": str(world / "truth" / "households.parquet")},
    )
    assert compared >= 0.95 * surveyed
    assert agree / compared >= 0.99
    assert poor > 0
    # Target poor are poor and hold the welfare card; the outreach list is the other poor.
    assert rows(
        con,
        "select count(*) from person_poverty where target_poor and outreach "
        "or (poor and not target_poor and not outreach)",
    ) == [(0,)]


def test_counts_by_dimension_and_indicator_match_the_truth(rights_store, world: Path) -> None:  # type: ignore[no-untyped-def]
    from sitthi.poverty.report import poverty_by_area, poverty_by_indicator

    con, _ = rights_store
    build_poverty(con, load_indicators())
    truth = pd.read_parquet(world / "truth" / "households.parquet")
    links = pd.read_csv(world / "truth" / "linkage_truth.csv", dtype=str)
    persons = pd.read_parquet(world / "truth" / "persons.parquet")
    in_survey = set(links.loc[links["source"] == "cdd", "person_id"])
    visited = set(persons.loc[persons["person_id"].isin(in_survey), "household_id"])
    surveyed = truth[truth["household_id"].isin(visited)]
    by_indicator = {r["indicator"]: r for r in poverty_by_indicator(con)}
    assert len(by_indicator) == 17
    for i in range(1, 18):
        expected = int((surveyed[f"ind_{i:02d}"] == 0).sum())
        found = by_indicator[f"bmn_{i:02d}"]["households"]
        assert abs(found - expected) <= max(2, 0.02 * expected), i
    # Within one province, and by dimension: a poor household fails at least one.
    province = poverty_by_area(con)[0]
    dimensions = [v for k, v in province.items() if k.startswith("dimension_")]
    assert len(dimensions) == 5
    assert max(dimensions) <= province["poor_households"] <= sum(dimensions)
    inside = poverty_by_indicator(con, "province", province["code"])
    assert sum(r["households"] for r in inside) >= province["poor_households"]
