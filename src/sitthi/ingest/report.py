"""The ingest report of a batch: what came in, what was kept out and why, how complete."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sitthi.engines.duckdb import rows
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
    "street": "street",
    "postcode": "postcode",
    "phone": "phone",
    "other_id": "other_id",
}


def _counts(con: duckdb.DuckDBPyConnection, sql: str, batch_id: str) -> dict[str, int]:
    return {str(k): int(v) for k, v in rows(con, sql, {"b": batch_id})}


# The batch's loaded rows: stored by it (as the newest version, or as an older one), or
# already in the store unchanged (listed in the temp table ``batch_unchanged``).
_BATCH_RECORDS = """(
    select * from source_records where batch_id = $b
    union all
    select * exclude (superseded_by) from source_records_history where batch_id = $b
    union all
    select s.* from source_records s join batch_unchanged u using (source, record_id))"""


def batch_report(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    batch_id: str,
    rows_read: int,
    counts: dict[str, int],
    dropped: list[str],
) -> dict[str, Any]:
    """Counts by reason, completeness per field, invalid IDs and repaired dates.

    Read from the store tables of the batch (inside its transaction), so it is the same
    however the batch was staged.
    """
    reasons = _counts(
        con,
        "select reason, count(*) from (select unnest(reasons) as reason from quarantine "
        "where batch_id = $b) group by reason order by count(*) desc, reason",
        batch_id,
    )
    loaded = f"from {_BATCH_RECORDS} r"
    issues = _counts(
        con,
        f"select issue, count(*) from (select unnest(issues) as issue {loaded}) "
        "group by issue order by count(*) desc, issue",
        batch_id,
    )
    n = max(counts["loaded"], 1)
    fields = [f for f in spec.fields if f in spec.allowed]
    filled = (
        rows(
            con,
            "select " + ", ".join(f"count({_FIELD_COLUMNS[f]})" for f in fields) + f" {loaded}",
            {"b": batch_id},
        )[0]
        if fields
        else ()
    )
    completeness = {f: round(int(v) / n, 4) for f, v in zip(fields, filled, strict=True)}
    ids = (
        _counts(
            con,
            f"select coalesce(national_id_reason, 'valid'), count(*) {loaded} group by all "
            "order by 2 desc",
            batch_id,
        )
        if "national_id" in fields
        else {}
    )
    era, partial, invalid = rows(
        con,
        f"select count(*) filter (birth_era_corrected), "
        f"count(*) filter (birth_precision <> 'day'), "
        f"count(*) filter (list_contains(list_transform(issues, lambda i: split_part(i, ':', 1)), "
        f"'birth_date')) {loaded}",
        {"b": batch_id},
    )[0]
    facts = _counts(
        con,
        """select indicator, count(*) from (
               select indicator from facts where batch_id = $b
               union all select indicator from facts_history where batch_id = $b
               union all
               select f.indicator from facts f join batch_unchanged using (source, record_id))
           group by all order by 1""",
        batch_id,
    )
    facts.update(
        {
            str(k): int(v)
            for k, v in rows(con, "select issue, sum(n) from fact_issues group by all order by 1")
        }
    )
    return {
        "source": spec.source,
        "rows": {"read": rows_read, **counts},
        "quarantine_reasons": reasons,
        "issues": issues,
        "completeness": completeness,
        "national_id": ids,
        "birth_date": {"era_corrected": int(era), "partial": int(partial), "invalid": int(invalid)},
        "facts": facts,
        "not_stored_by_dsa": dropped,
    }
