"""Reading a release's area statistics: pages of cells, and one cell across releases.

Only what `sitthi.releases.statistics` published is read (suppressed cells have neither
count nor amount); a release published before amounts existed answers ``amount`` null.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sitthi.disclosure.table import NATIONAL_CODE
from sitthi.engines.duckdb import dict_rows, one

if TYPE_CHECKING:
    import duckdb

    from sitthi.releases.catalog import ReleaseCatalog

CELL = ("level", "area_code", "indicator", "persons", "suppressed", "amount")


def _amount(con: duckdb.DuckDBPyConnection) -> str:
    has = one(
        con,
        "select count(*) from duckdb_columns() where table_name = 'area_statistics' "
        "and column_name = 'amount' and database_name = current_database()",
    )
    return "amount" if has else "null::double as amount"


def has_statistics(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        one(
            con,
            "select count(*) from duckdb_tables() where table_name = 'area_statistics' "
            "and database_name = current_database()",
        )
    )


def cells(
    con: duckdb.DuckDBPyConnection,
    *,
    level: str,
    within: str | None = None,
    indicator: str | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], bool]:
    """A page of cells of ``level`` (inside ``within``, of one ``indicator``), in area and
    indicator order, and whether more follow."""
    sql = f"select level, area_code, indicator, persons, suppressed, {_amount(con)} "
    sql += "from area_statistics where level = $level"
    params: dict[str, Any] = {"level": level, "limit": limit + 1, "offset": offset}
    if within:
        sql += " and starts_with(area_code, $within)"
        params["within"] = within
    if indicator:
        sql += " and indicator = $indicator"
        params["indicator"] = indicator
    found = dict_rows(
        con, sql + " order by area_code, indicator limit $limit offset $offset", params
    )
    return found[:limit], len(found) > limit


def area_level(area: str) -> tuple[str, str]:
    """The level and code of ``national`` or a 2-, 4- or 6-digit DOPA code."""
    if area == "national":
        return "national", NATIONAL_CODE
    return {2: "province", 4: "district", 6: "subdistrict"}[len(area)], area


def trend(catalog: ReleaseCatalog, *, indicator: str, area: str) -> list[dict[str, Any]]:
    """The indicator's cell for ``area`` in every published release, oldest first:
    ``status`` published, suppressed (no count, no amount) or absent (the release has no
    such cell: no statistics, the indicator withheld or not yet known, nobody counted)."""
    level, code = area_level(area)
    points = []
    for number in catalog.numbers():
        release, con = catalog.cursor(number)
        try:
            found = (
                dict_rows(
                    con,
                    f"select persons, suppressed, {_amount(con)} from area_statistics "
                    "where level = $level and area_code = $code and indicator = $indicator",
                    {"level": level, "code": code, "indicator": indicator},
                )
                if has_statistics(con)
                else []
            )
        finally:
            con.close()
        cell = found[0] if found else {"persons": None, "suppressed": None, "amount": None}
        status = "absent" if not found else "suppressed" if cell["suppressed"] else "published"
        points.append(
            {
                "release": number,
                "as_of": release.as_of,
                "persons": cell["persons"],
                "amount": cell["amount"],
                "status": status,
            }
        )
    return points
