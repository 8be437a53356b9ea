"""The ingest report of a batch: what came in, what was kept out and why, how complete."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sitthi.engines.duckdb import one, rows
from sitthi.ingest.readers import RawBatch
from sitthi.ingest.spec import SourceSpec

if TYPE_CHECKING:
    import duckdb

# Canonical columns of `staged` that each spec field fills.
_FIELD_COLUMNS = {
    "national_id": "pid_hash",
    "title": "title",
    "first_name": "first_name",
    "last_name": "last_name",
    "full_name": "first_name",
    "sex": "sex",
    "birth_date": "birth_date",
    "house_code": "house_code",
    "house_no": "house_no",
    "moo": "moo",
    "subdistrict": "subdistrict_code",
    "district": "district_code",
    "province": "province_code",
    "address": "subdistrict_code",
    "phone": "phone",
}


def _counts(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, int]:
    return {str(k): int(v) for k, v in rows(con, sql)}


def batch_report(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    raw: RawBatch,
    counts: dict[str, int],
    dropped: list[str],
) -> dict[str, Any]:
    """Counts by reason, completeness per field, invalid IDs and repaired dates."""
    reasons = _counts(
        con,
        "select reason, count(*) from (select unnest(reasons) as reason from staged) "
        "group by reason order by count(*) desc",
    )
    for r in raw.rejects:
        reasons[r.reason] = reasons.get(r.reason, 0) + 1
    loaded = "from staged where len(reasons) = 0"
    issues = _counts(
        con,
        f"select issue, count(*) from (select unnest(issues) as issue {loaded}) "
        "group by issue order by count(*) desc",
    )
    n = max(counts["loaded"], 1)
    fields = [f for f in spec.fields if f in spec.allowed]
    completeness = {
        f: round(one(con, f"select count({_FIELD_COLUMNS[f]}) {loaded}") / n, 4) for f in fields
    }
    ids = (
        _counts(
            con,
            f"select coalesce(national_id_reason, 'valid'), count(*) {loaded} group by all",
        )
        if "national_id" in fields
        else {}
    )
    birth = {
        "era_corrected": int(one(con, f"select count(*) {loaded} and birth_era_corrected")),
        "partial": int(one(con, f"select count(*) {loaded} and birth_precision <> 'day'")),
        "invalid": int(one(con, f"select count(*) {loaded} and birth_reason is not null")),
    }
    facts = _counts(
        con,
        "select f.indicator || coalesce(':' || f.reason, ''), count(*) from staged_facts f "
        "join staged s using (_line) where len(s.reasons) = 0 group by all order by 1",
    )
    return {
        "source": spec.source,
        "rows": {"read": raw.rows_read, **counts},
        "quarantine_reasons": reasons,
        "issues": issues,
        "completeness": completeness,
        "national_id": ids,
        "birth_date": birth,
        "facts": facts,
        "not_stored_by_dsa": dropped,
    }
