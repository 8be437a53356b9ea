"""One household as a caller may see it: where it is, its profile and poverty verdict,
and its members, each with only the registry fields the caller may see.

Like `sitthi.registry.access`, it decides nothing about the caller: they pass the fields
shown and the members they may see.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sitthi.engines.duckdb import dict_rows
from sitthi.registry.access import FIELD_COLUMNS

if TYPE_CHECKING:
    import duckdb

#: ``household_profiles`` columns, each under the registry field it tells about.
PROFILE_FIELDS = {
    "members": "household",
    "children_under_6": "age",
    "elderly": "age",
    "with_disability": "disability",
    "bedridden": "health",
    "formally_employed": "employment",
    "students": "education",
    "welfare_card_holders": "welfare_card",
    "income_per_person": "income",
}
AREA_FIELDS = ("province_code", "district_code", "subdistrict_code")


def _plain(value: Any) -> Any:
    """A value as JSON carries it (DuckDB's decimals and dates)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def household_members(
    con: duckdb.DuckDBPyConnection, household_id: str
) -> list[dict[str, Any]] | None:
    """The household's members with their areas (``person_id``, ``area``), eldest first;
    None when there is no such household."""
    home = dict_rows(
        con, "select household_id from households where household_id = $h", {"h": household_id}
    )
    if not home:
        return None
    found = dict_rows(
        con,
        """select m.person_id, f.province_code, f.district_code, f.subdistrict_code
           from person_households m join profiles f using (person_id)
           where m.household_id = $h order by f.age desc nulls last, m.person_id""",
        {"h": household_id},
    )
    return [{"person_id": r["person_id"], "area": {a: r[a] for a in AREA_FIELDS}} for r in found]


def household_record(
    con: duckdb.DuckDBPyConnection,
    household_id: str,
    *,
    shown: frozenset[str] | set[str],
    members: list[str],
) -> dict[str, Any]:
    """The household's shown fields, and ``members`` (person IDs, in their order) each
    with their shown registry fields."""
    params = {"h": household_id}
    home = dict_rows(con, "select * from households where household_id = $h", params)[0]
    profile = dict_rows(con, "select * from household_profiles where household_id = $h", params)
    out: dict[str, Any] = {
        "household_id": household_id,
        "size": int(home["members"]),
        "area": {a: home.get(a) for a in AREA_FIELDS if a in shown},
        "house_code": home.get("house_code") if "house_code" in shown else None,
        "profile": {
            column: _plain(profile[0].get(column))
            for column, field in PROFILE_FIELDS.items()
            if profile and field in shown
        },
        "poverty": None,
    }
    if "poverty" in shown:
        verdict = dict_rows(
            con,
            """select poor, failed as failed_indicators, failed_dimensions
               from household_poverty where household_id = $h""",
            params,
        )
        out["poverty"] = {k: _plain(v) for k, v in verdict[0].items()} if verdict else None
    out["members"] = _members(con, members, shown)
    return out


def _members(
    con: duckdb.DuckDBPyConnection, person_ids: list[str], shown: frozenset[str] | set[str]
) -> list[dict[str, Any]]:
    if not person_ids:
        return []
    ids = {"p": list(person_ids)}
    golden = {
        r["person_id"]: r
        for r in dict_rows(con, "select * from persons where person_id in $p", ids)
    }
    profiles = {
        r["person_id"]: r
        for r in dict_rows(con, "select * from profiles where person_id in $p", ids)
    }
    out = []
    for person_id in person_ids:
        merged = {**golden.get(person_id, {}), **profiles.get(person_id, {})}
        fields = {}
        for name in sorted(set(shown) & set(FIELD_COLUMNS)):
            present = {c: _plain(merged[c]) for c in FIELD_COLUMNS[name] if c in merged}
            if present:
                fields[name] = present
        out.append({"person_id": person_id, "fields": fields})
    return out
