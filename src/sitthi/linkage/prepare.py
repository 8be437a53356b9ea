"""The records to link: the latest version of every source record, keyed by a small integer.

A source loaded every month has one row per record per batch in ``source_records``; the
registry follows the newest. ``rid`` (a BIGINT made from ``(source, record_id)``) is what
every linkage table joins on, because joining on two strings costs far more at scale.
The raw national ID is not here: ID repair reads it from ``identities`` for the few records
that need it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitthi.engines.duckdb import one, rows, run
from sitthi.ingest.store import latest_records_sql

if TYPE_CHECKING:
    import duckdb

#: Names in the three forms every comparison reads: normalised, similarity key, phonetic.
NAME_COLUMNS = tuple(
    f"{part}_name_{form}" for part in ("first", "last") for form in ("norm", "key", "phonetic")
)
#: The birth date in the parts a partial date has (month and day NULL when unknown).
BIRTH_PARTS = ("birth_year", "birth_month", "birth_day")
#: The columns the probabilistic stage sees: evidence only. The national ID is there as its
#: pseudonym (``id_hash``, valid IDs only): an agreeing ID is strong evidence, but not proof.
MATCH_COLUMNS = (
    "id_hash",
    *NAME_COLUMNS,
    "sex",
    "birth_date",
    "birth_precision",
    *BIRTH_PARTS,
    "house_code",
    "subdistrict_code",
    "district_code",
    "province_code",
    "phone",
    "house_no",
    "street",
    "street_key",
    "postcode",
    "other_id",
)


def prepare_records(con: duckdb.DuckDBPyConnection) -> int:
    """Create the temporary table ``link_input``; returns its number of records."""
    latest = latest_records_sql(con)
    # A 63-bit hash of the record's key makes the integer key without sorting 66 million
    # strings; in the rare store where two keys collide, a sort numbers them instead.
    for rid in (
        "hash(s.source, s.record_id) >> 1",
        "row_number() over (order by s.source, s.record_id)",
    ):
        _create(con, latest, rid)
        if not one(con, "select count(*) - count(distinct rid) from link_input"):
            break
    return int(one(con, "select count(*) from link_input"))


def _create(con: duckdb.DuckDBPyConnection, latest: str, rid: str) -> None:
    run(
        con,
        f"""
        create or replace temp table link_input as
        select ({rid})::bigint as rid, {record_columns_sql(con)}
        from ({latest}) s
        """,
    )


def record_columns_sql(con: duckdb.DuckDBPyConnection) -> str:
    """The select list of a linkage record over ``source_records s``."""
    # A store from before these columns (opened read-only, so not upgraded) has none.
    present = {
        r[0]
        for r in rows(
            con,
            "select column_name from duckdb_columns() where table_name = 'source_records' "
            "and database_name = current_database() and schema_name = 'main'",
        )
    }
    newer = ", ".join(
        f"s.{c}" if c in present else f"cast(null as varchar) as {c}"
        for c in ("street", "street_key", "postcode", "other_id")
    )
    return f"""
        s.source, s.record_id, s.pid_hash,
        s.national_id_valid as id_valid,
        case when s.national_id_valid then s.pid_hash end as id_hash,
        s.national_id_reason as id_reason,
        -- A registry keyed by the ID (the civil registry) holds the ID by definition.
        s.pid_hash is not null and s.record_id = s.pid_hash as id_keyed,
        s.first_name_norm, s.first_name_key, s.first_name_phonetic,
        s.last_name_norm, s.last_name_key, s.last_name_phonetic,
        s.sex, s.birth_date, s.birth_precision,
        year(s.birth_date) as birth_year,
        case when s.birth_precision in ('month', 'day') then month(s.birth_date) end
            as birth_month,
        case when s.birth_precision = 'day' then day(s.birth_date) end as birth_day,
        s.house_code, s.house_no, s.moo, s.subdistrict_code, s.district_code,
        s.province_code, s.phone, s.row_hash, {newer}"""
