"""The poverty index against the synthetic truth's household indicators."""

from __future__ import annotations

from pathlib import Path

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
