"""The poverty index by area: what `sitthi report poverty` prints and the demo summarises."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from sitthi.engines.duckdb import dict_rows, one, quote_literal, table_exists
from sitthi.errors import ValidationError
from sitthi.poverty.index import load_indicators
from sitthi.thai.areas import area_name

if TYPE_CHECKING:
    import duckdb

Level = Literal["province", "district", "subdistrict"]
#: Digits of a DOPA area code at each level.
CODE_DIGITS: dict[str, int] = {"province": 2, "district": 4, "subdistrict": 6}


def require_poverty(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse a store whose rights run has not built the poverty index yet."""
    if not table_exists(con, "household_poverty"):
        raise ValidationError("the store has no poverty index yet: run `sitthi rights` first")


def check_area(con: duckdb.DuckDBPyConnection, level: Level, within: str) -> None:
    """Refuse ``within`` when it is finer than ``level`` or no surveyed household is in it
    (a survey is loaded): an empty table would read as "no poverty here"."""
    if len(within) > CODE_DIGITS[level]:
        raise ValidationError(
            f"--within {within} is smaller than a {level}: give a shorter code, or a finer "
            "--level (a province is 2 digits, a district 4, a subdistrict 6)"
        )
    surveyed = one(
        con,
        """select count(*) filter (starts_with(subdistrict_code, $w)) > 0 or count(*) = 0
           from household_poverty""",
        {"w": within},
    )
    if not surveyed:
        raise ValidationError(
            f"--within {within}: no surveyed household in this area "
            "(give a DOPA area code: 30 for นครราชสีมา, 3001 for one of its districts)"
        )


def poverty_by_area(
    con: duckdb.DuckDBPyConnection, level: Level = "province", within: str | None = None
) -> list[dict[str, Any]]:
    """Surveyed and poor households, poor households failing each dimension
    (``dimension_health`` …), poor persons, target poor and outreach per area.

    ``within`` restricts to one parent area (a province code for districts, …).
    """
    column = f"{level}_code"
    dimensions = ", ".join(
        f"count(*) filter (list_contains(failed_dimensions, {quote_literal(d)})) as dimension_{d}"
        for d in load_indicators().dimensions
    )
    rows = dict_rows(
        con,
        f"""
        with h as (
            select {column} as code, count(*) as households,
                   count(*) filter (poor) as poor_households,
                   {dimensions}
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
        select h.*, coalesce(p.poor_persons, 0) as poor_persons,
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


def poverty_by_indicator(
    con: duckdb.DuckDBPyConnection, level: Level = "province", within: str | None = None
) -> list[dict[str, Any]]:
    """Per indicator (in ``within``, or everywhere): its dimension, its Thai wording, the
    households that fail it, and their share of the households surveyed."""
    indicators = load_indicators()
    rows = dict_rows(
        con,
        f"""
        with scope as (
            select * from household_poverty
            where $within is null or starts_with({level}_code, $within)),
        failing as (
            select indicator, count(*) as households
            from (select unnest(failed) as indicator from scope) group by 1)
        select i.indicator, coalesce(f.households, 0) as households,
               coalesce(f.households, 0) / greatest((select count(*) from scope), 1) as share
        from (select unnest($names) as indicator) i left join failing f using (indicator)
        order by i.indicator
        """,
        {"within": within, "names": list(indicators.indicators)},
    )
    for row in rows:
        indicator = indicators.indicators[row["indicator"]]
        row["dimension"] = indicator.dimension
        row["th"] = indicator.th
    return rows
