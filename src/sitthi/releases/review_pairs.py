"""The review queue as a release holds it (``review_pairs``): the pairs of records the
model was unsure of, for the reviewers of the areas both records lie in.

A pair is in a caller's reach only when both records say they live there and both
persons they belong to live there too: a reviewer sees no one outside their areas. Each
field's evidence shows both values and the match weight; values of fields the caller
does not see unmasked (a case worker's phone and address) are withheld, the weight kept.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sitthi.engines.duckdb import dict_rows, one

if TYPE_CHECKING:
    import duckdb

#: Evidence columns (`sitthi.linkage.prepare.MATCH_COLUMNS`) → the registry field they
#: show; a column not named here (another agency's identifier) is never shown.
EVIDENCE_FIELDS = {
    **{
        f"{p}_name_{f}": f"{p}_name" for p in ("first", "last") for f in ("norm", "key", "phonetic")
    },
    "sex": "sex",
    "birth_date": "birth_date",
    "birth_precision": "birth_date",
    "birth_year": "birth_date",
    "birth_month": "birth_date",
    "birth_day": "birth_date",
    "house_code": "house_code",
    "subdistrict_code": "subdistrict_code",
    "district_code": "district_code",
    "province_code": "province_code",
    "phone": "phone",
    "house_no": "address",
    "street": "address",
    "street_key": "address",
    "postcode": "address",
}
SIDES = ("l", "r")
AREA = ("province_code", "district_code", "subdistrict_code")


def _in(columns: list[str], param: str) -> str:
    return "(" + " or ".join(f"{c} in ${param}" for c in columns) + ")"


def _reach(areas: tuple[str, ...], area: str | None) -> tuple[str, dict[str, Any]]:
    """SQL true for a pair both of whose records, and both persons, lie in ``areas`` (and
    both records in ``area``, when given)."""
    where, params = [], {}
    if areas:
        params["reach"] = list(areas)
        for side in SIDES:
            where.append(_in([f"q.{c}_{side}" for c in AREA], "reach"))
            where.append(_in([f"f{side}.{c}" for c in AREA], "reach"))
    if area:
        params["area"] = [area]
        where += [_in([f"q.{c}_{side}" for c in AREA], "area") for side in SIDES]
    return " and ".join(where) or "true", params


_FROM = """from review_pairs q
    left join profiles fl on fl.person_id = q.person_id_l
    left join profiles fr on fr.person_id = q.person_id_r"""


def shown_evidence(evidence: dict[str, Any], shown: frozenset[str]) -> dict[str, Any]:
    """Each comparison's level and weight, with the values of shown fields only; the
    names of the fields withheld in ``masked``."""
    out = {}
    for name, comparison in evidence.items():
        kept, masked = {}, []
        for key, value in comparison.items():
            if key in ("level", "weight") or EVIDENCE_FIELDS.get(key) in shown:
                kept[key] = value
            else:
                masked.append(key)
        out[name] = {**kept, "masked": sorted(masked)} if masked else kept
    return out


def pairs(
    con: duckdb.DuckDBPyConnection,
    *,
    areas: tuple[str, ...],
    area: str | None = None,
    shown: frozenset[str],
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[dict[str, Any]]]:
    """How many pairs lie in reach, and a page of them, most uncertain first."""
    where, params = _reach(areas, area)
    total = int(one(con, f"select count(*) {_FROM} where {where}", params))
    found = dict_rows(
        con,
        f"""select q.* {_FROM} where {where}
            order by abs(coalesce(q.match_probability, 0.5) - 0.5), q.pair_id
            limit $limit offset $offset""",
        {**params, "limit": limit, "offset": offset},
    )
    return total, [_public(r, shown) for r in found]


def pair(
    con: duckdb.DuckDBPyConnection, pair_id: str, *, areas: tuple[str, ...]
) -> tuple[dict[str, Any] | None, bool]:
    """The pair (its raw row, records included) and whether it lies in ``areas``."""
    found = dict_rows(con, "select * from review_pairs where pair_id = $p", {"p": pair_id})
    if not found:
        return None, False
    where, params = _reach(areas, None)
    inside = one(
        con, f"select count(*) {_FROM} where q.pair_id = $p and {where}", {**params, "p": pair_id}
    )
    return found[0], bool(inside)


def _public(row: dict[str, Any], shown: frozenset[str]) -> dict[str, Any]:
    """A pair as a reviewer sees it: never the record keys (a civil registry's is a
    pseudonym), each side's agency, person and area."""
    return {
        "pair_id": row["pair_id"],
        "reason": row["reason"],
        "match_probability": row["match_probability"],
        "match_weight": row["match_weight"],
        **{
            side: {
                "source": row[f"source_{s}"],
                "person_id": row[f"person_id_{s}"],
                "area": {c: row[f"{c}_{s}"] for c in AREA},
            }
            for side, s in (("left", "l"), ("right", "r"))
        },
        "evidence": shown_evidence(json.loads(row["evidence"] or "{}"), shown),
        # for finding the pair's decisions; never part of an answer
        "records": ((row["source_l"], row["record_id_l"]), (row["source_r"], row["record_id_r"])),
    }
