"""The analytics store's tables for ingested data (DuckDB file by default).

The raw national ID lives only in ``identities``; every other table carries ``pid_hash``,
the keyed pseudonym (with the key version recorded in ``batches``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitthi.engines.duckdb import one, run

if TYPE_CHECKING:
    import duckdb

SCHEMA = """
create table if not exists batches (
    batch_id varchar primary key,
    source varchar not null,
    spec_version integer not null,
    dsa_id varchar not null,
    dsa_version integer not null,
    file_name varchar not null,
    file_sha256 varchar not null,
    extract_date date not null,
    key_version integer not null,
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_quarantined bigint not null,
    started_at timestamp not null,
    finished_at timestamp not null,
    seconds double not null,
    raw_columns varchar[] not null,
    report varchar not null
);
create table if not exists identities (
    pid_hash varchar not null,
    national_id varchar not null,
    key_version integer not null
);
create table if not exists source_records (
    source varchar not null,
    record_id varchar not null,
    batch_id varchar not null,
    line bigint not null,
    pid_hash varchar,
    national_id_valid boolean not null,
    national_id_reason varchar,
    national_id_category varchar,
    title varchar,
    first_name varchar,
    last_name varchar,
    first_name_norm varchar,
    first_name_key varchar,
    first_name_phonetic varchar,
    last_name_norm varchar,
    last_name_key varchar,
    last_name_phonetic varchar,
    sex varchar,
    birth_date date,
    birth_precision varchar,
    birth_era_corrected boolean not null,
    house_code varchar,
    house_no varchar,
    moo varchar,
    subdistrict_code varchar,
    district_code varchar,
    province_code varchar,
    phone varchar,
    issues varchar[] not null,
    raw varchar[] not null,  -- source values in the order of batches.raw_columns (ID pseudonymised)
    row_hash varchar not null,  -- MD5 of the content (normalize.row_hash_sql): tells a changed row
    street varchar,             -- road / soi / street line, folded for comparison
    street_key varchar,         -- its similarity key (one byte per Thai character)
    postcode varchar,
    other_id varchar            -- another identifier the sources share (passport, SSO no.)
);
create table if not exists facts (
    source varchar not null,
    record_id varchar not null,
    batch_id varchar not null,
    pid_hash varchar,
    dimension varchar not null,
    indicator varchar not null,
    value varchar,
    value_number double,
    value_date date,
    unit varchar,
    valid_from date,
    valid_to date
);
create table if not exists quarantine (
    source varchar not null,
    batch_id varchar not null,
    line bigint not null,
    record_id varchar,
    reasons varchar[] not null,
    raw varchar[] not null  -- as in source_records (a line that could not be split is one value)
);
"""


#: Columns added after the first release: a store made before them gets them on open.
ADDED_COLUMNS = (
    ("source_records", "street", "varchar"),
    ("source_records", "street_key", "varchar"),
    ("source_records", "postcode", "varchar"),
    ("source_records", "other_id", "varchar"),
    ("batches", "rows_unchanged", "bigint default 0"),  # already known, not stored again
    ("batches", "rows_changed", "bigint default 0"),  # a new version of a known record
    ("batches", "load_date", "date"),  # the day given as --load-date (default: today)
    ("batches", "checked_on", "date"),  # the real day the DSA was checked
)

#: Earlier versions of records: ``source_records`` and ``facts`` hold the newest version
#: of each (source, record_id) only, so every later stage counts a record once.
HISTORY = ("source_records", "facts")


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ingest tables if the store is new, and add columns a store lacks."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            run(con, statement)
    for table, column, kind in ADDED_COLUMNS:
        run(con, f"alter table {table} add column if not exists {column} {kind}")
    created = False
    for table in HISTORY:
        exists = one(
            con,
            "select count(*) from duckdb_tables() where table_name = $t "
            "and database_name = current_database() and schema_name = 'main'",
            {"t": f"{table}_history"},
        )
        if not exists:
            run(
                con,
                f"create table {table}_history as "
                f"select *, cast(null as varchar) as superseded_by from {table} limit 0",
            )
            created = True
    if created:
        _move_old_versions(con)


def _move_old_versions(con: duckdb.DuckDBPyConnection) -> None:
    """A store from before versions were kept apart may hold a record once per batch:
    keep the newest in place and move the others to the history tables."""
    if not one(
        con, "select count(*) from (select source from batches group by 1 having count(*) > 1)"
    ):
        return
    run(
        con,
        """create or replace temp table old_versions as
        select source, record_id, batch_id, first_value(batch_id) over w as newest
        from source_records join batches b using (source, batch_id)
        window w as (partition by source, record_id
                     order by b.extract_date desc, b.finished_at desc)
        qualify batch_id <> newest""",
    )
    for table in HISTORY:
        run(
            con,
            f"""insert into {table}_history
            select t.*, o.newest from {table} t join old_versions o
            using (source, record_id, batch_id)""",
        )
        run(
            con,
            f"""delete from {table} t using old_versions o
            where t.source = o.source and t.record_id = o.record_id
              and t.batch_id = o.batch_id""",
        )


def latest_records_sql(con: duckdb.DuckDBPyConnection) -> str:
    """SELECT of the newest version of every source record, with its extract date.

    ``source_records`` holds only the newest version of each record (older ones are in
    ``source_records_history``), so this is the records with their batch's extract date.
    """
    return """select s.*, b.extract_date
              from source_records s join batches b using (batch_id)"""
