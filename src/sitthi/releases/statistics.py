"""Area statistics of a release: persons per area for each indicator, small cells and
their complements suppressed (`sitthi.disclosure.suppress`) before anything is stored.

One table per indicator (the indicators overlap: an elderly person with a disability
counts in both, so they are not categories of one table). Each indicator's private
pattern is kept beside the release and passed to the next one, so that two releases
differenced reveal nothing either hides.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitthi.engines.duckdb import rows

if TYPE_CHECKING:
    import duckdb

#: Indicators over living persons' profiles: name → condition.
PROFILE_INDICATORS = {
    "population": "true",
    "elderly": "age >= 60",
    "children": "age < 18",
    "disabled": "disability",
    "welfare_card_holders": "welfare_card",
    "bedridden": "bedridden",
}
PATTERN = "pattern-{}.parquet"


def indicators(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Name → SQL counting persons per subdistrict, for every indicator of the release."""
    out = {
        name: f"""select subdistrict_code, count(*) as persons from profiles
                  where alive and subdistrict_code is not null and coalesce(({cond}), false)
                  group by 1"""
        for name, cond in PROFILE_INDICATORS.items()
    }
    for (programme,) in rows(con, "select programme from rights_programmes order by 1"):
        out[f"entitled:{programme}"] = f"""
            select f.subdistrict_code, count(distinct e.person_id) as persons
            from entitlements e join profiles f using (person_id)
            where e.programme = '{_word(programme)}' and f.subdistrict_code is not null
            group by 1"""
    for programme, gap in rows(con, "select distinct programme, gap from gaps order by 1, 2"):
        out[f"gap:{programme}:{gap}"] = f"""
            select f.subdistrict_code, count(distinct g.person_id) as persons
            from gaps g join profiles f using (person_id)
            where g.programme = '{_word(programme)}' and g.gap = '{_word(gap)}'
              and f.subdistrict_code is not null
            group by 1"""
    for flag in ("poor", "target_poor", "outreach"):
        out[flag] = f"""select subdistrict_code, count(*) as persons from person_poverty
                        where {flag} and subdistrict_code is not null group by 1"""
    return out


def _word(text: str) -> str:
    # Programme ids and gap names are identifiers checked when programmes load; refuse
    # anything else rather than quote it into SQL.
    if not text.replace("_", "").isalnum():
        raise ValueError(f"not an identifier: {text!r}")
    return text


def build_statistics(
    con: duckdb.DuckDBPyConnection, *, k: int, work: Path, previous: Path | None
) -> tuple[int, list[str]]:
    """Write ``area_statistics`` into the release (``con``'s main database) and each
    indicator's pattern into ``work``; ``previous`` is the last release with statistics.

    Returns the cells written and the indicators withheld: one whose table cannot be made
    safe against the previous release is not published at all (the release still is), and
    the previous pattern is carried forward, so the next release is checked against what
    was last published.
    """
    import shutil

    import pandas as pd  # type: ignore[import-untyped]

    from sitthi.disclosure.audit import UnsafeTable
    from sitthi.disclosure.publish import Pattern, suppress

    tables: list[Any] = []
    withheld: list[str] = []
    for name, sql in indicators(con).items():
        cells = con.execute(sql).df()
        if cells.empty:
            continue
        cells["indicator"] = name
        before = previous / PATTERN.format(_file(name)) if previous else None
        pattern = Pattern.load(before) if before is not None and before.exists() else None
        try:
            published = suppress(cells, k=k, category_columns=("indicator",), previous=pattern)
        except UnsafeTable:
            withheld.append(name)
            if before is not None and before.exists():
                shutil.copyfile(before, work / before.name)
            continue
        published.pattern.save(work / PATTERN.format(_file(name)))
        table = published.table
        table = table[table["indicator"].notna()]  # the margin over one category repeats it
        tables.append(table[["level", "area_code", "indicator", "value", "suppressed"]])
    frame = (
        pd.concat(tables, ignore_index=True)
        if tables
        else pd.DataFrame(columns=["level", "area_code", "indicator", "value", "suppressed"])
    )
    con.register("area_statistics_frame", frame)
    con.execute(
        """create table area_statistics as
           select level::varchar as level, area_code::varchar as area_code,
                  indicator::varchar as indicator, value::bigint as persons,
                  suppressed::boolean as suppressed
           from area_statistics_frame"""
    )
    con.unregister("area_statistics_frame")
    return len(frame), withheld


def _file(name: str) -> str:
    return name.replace(":", "--")
