"""The poverty index by area: what `sitthi report poverty` prints and the demo summarises."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from sitthi.engines.duckdb import dict_rows
from sitthi.thai.areas import area_name

if TYPE_CHECKING:
    import duckdb

Level = Literal["province", "district", "subdistrict"]


def poverty_by_area(
    con: duckdb.DuckDBPyConnection, level: Level = "province", within: str | None = None
) -> list[dict[str, Any]]:
    """Surveyed and poor households, poor persons, target poor and outreach per area.

    ``within`` restricts to one parent area (a province code for districts, …).
    """
    column = f"{level}_code"
    rows = dict_rows(
        con,
        f"""
        with h as (
            select {column} as code, count(*) as households,
                   count(*) filter (poor) as poor_households
            from household_poverty
            where $within is null or starts_with({column}, $within)
            group by 1),
        p as (
            select {column} as code, count(*) filter (poor) as poor_persons,
                   count(*) filter (target_poor) as target_poor,
                   count(*) filter (outreach) as outreach
            from person_poverty
            where $within is null or starts_with({column}, $within)
            group by 1)
        select code, h.households, h.poor_households,
               coalesce(p.poor_persons, 0) as poor_persons,
               coalesce(p.target_poor, 0) as target_poor, coalesce(p.outreach, 0) as outreach
        from h left join p using (code)
        where code is not null
        order by poor_households desc, code
        """,
        {"within": within},
    )
    for row in rows:
        row["name"] = area_name(row["code"]) or row["code"]
    return rows


def poverty_by_dimension(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Poor households failing each dimension and each indicator."""
    return dict_rows(
        con,
        """
        select indicator, count(*) as households
        from (select unnest(failed) as indicator from household_poverty where poor)
        group by 1 order by 1
        """,
    )
