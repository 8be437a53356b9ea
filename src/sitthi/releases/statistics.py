"""Area statistics of a release: persons per area for each indicator, small cells and
their complements suppressed (`sitthi.disclosure.suppress`) before anything is stored.

One table per indicator (the indicators overlap: an elderly person with a disability
counts in both, so they are not categories of one table). Each indicator's private
pattern is kept beside the release and passed to the next one, so that two releases
differenced reveal nothing either hides.

Indicators about money (``entitled:``, ``gap:``, ``paid:``) also give each cell the baht a
month at stake, summed like the counts (subdistricts into districts, provinces, the
country) and missing wherever the count is suppressed: the amounts' table has the
same margins as the counts', so the same pattern protects it (docs/DISCLOSURE.md).
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
#: Indicators whose cells carry an amount (baht a month), by their name's prefix.
MONEY = ("entitled:", "gap:", "paid:")


def indicators(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Name → SQL counting persons per subdistrict, for every indicator of the release
    (with ``amount``, the baht a month they sum to, for the `MONEY` indicators)."""
    out = {
        name: f"""select subdistrict_code, count(*) as persons from profiles
                  where alive and subdistrict_code is not null and coalesce(({cond}), false)
                  group by 1"""
        for name, cond in PROFILE_INDICATORS.items()
    }
    for (programme,) in rows(con, "select programme from rights_programmes order by 1"):
        out[f"entitled:{programme}"] = f"""
            select f.subdistrict_code, count(distinct e.person_id) as persons,
                   coalesce(sum(e.amount), 0)::double as amount
            from entitlements e join profiles f using (person_id)
            where e.programme = '{_word(programme)}' and f.subdistrict_code is not null
            group by 1"""
    # Paid: on the programme's payment (or enrolment) lists in the months the rights
    # engine counts as receiving (`sitthi.rights.engine.RECEIVING_MONTHS`).
    for (programme,) in rows(con, "select distinct programme from receiving order by 1"):
        out[f"paid:{programme}"] = f"""
            select f.subdistrict_code, count(distinct r.person_id) as persons,
                   coalesce(sum(r.amount), 0)::double as amount
            from receiving r join profiles f using (person_id)
            where r.programme = '{_word(programme)}' and f.subdistrict_code is not null
            group by 1"""
    for programme, gap in rows(con, "select distinct programme, gap from gaps order by 1, 2"):
        out[f"gap:{programme}:{gap}"] = f"""
            select f.subdistrict_code, count(distinct g.person_id) as persons,
                   coalesce(sum(g.amount), 0)::double as amount
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

    import numpy as np
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
        counts = cells[["subdistrict_code", "indicator", "persons"]].copy()
        try:
            published = suppress(counts, k=k, category_columns=("indicator",), previous=pattern)
        except UnsafeTable:
            withheld.append(name)
            if before is not None and before.exists():
                shutil.copyfile(before, work / before.name)
            continue
        published.pattern.save(work / PATTERN.format(_file(name)))
        table = published.table
        table = table[table["indicator"].notna()]  # the margin over one category repeats it
        table = table[["level", "area_code", "indicator", "value", "suppressed"]]
        # every part with a float amount (NaN: none), so that concat keeps one dtype
        tables.append(
            _with_amounts(table, cells) if "amount" in cells else table.assign(amount=np.nan)
        )
    columns = ["level", "area_code", "indicator", "value", "suppressed", "amount"]
    frame = (
        pd.concat(tables, ignore_index=True).reindex(columns=columns)
        if tables
        else pd.DataFrame(columns=columns)
    )
    con.register("area_statistics_frame", frame)
    con.execute(
        """create table area_statistics as
           select level::varchar as level, area_code::varchar as area_code,
                  indicator::varchar as indicator, value::bigint as persons,
                  suppressed::boolean as suppressed,
                  -- pandas holds a missing amount as NaN: published as null
                  case when suppressed::boolean or isnan(amount::double) then null
                       else amount::double end as amount
           from area_statistics_frame"""
    )
    con.unregister("area_statistics_frame")
    return len(frame), withheld


def _with_amounts(table: Any, cells: Any) -> Any:
    """The published cells with the amounts of the subdistricts they sum, none where the
    count is suppressed (a cell whose count is hidden hides its money too)."""
    import pandas as pd

    from sitthi.disclosure.table import NATIONAL_CODE

    codes = cells["subdistrict_code"].astype(str)
    levels = [
        cells.groupby(codes.str[:digits])["amount"].sum().rename_axis("area_code").reset_index()
        for digits in (2, 4, 6)
    ]
    for level, part in zip(("province", "district", "subdistrict"), levels, strict=True):
        part["level"] = level
    national = pd.DataFrame(
        {"area_code": [NATIONAL_CODE], "amount": [cells["amount"].sum()], "level": ["national"]}
    )
    amounts = pd.concat([national, *levels], ignore_index=True)
    out = table.merge(amounts, on=["level", "area_code"], how="left")
    # an area the table holds with no subdistrict counted: nobody, so no money
    out["amount"] = out["amount"].fillna(0.0).astype("float64")
    out.loc[out["suppressed"].astype(bool), "amount"] = float("nan")
    return out


def _file(name: str) -> str:
    return name.replace(":", "--")
