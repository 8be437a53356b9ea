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
    row_hash varchar not null,  -- 64-bit hash of raw: tells a changed row in a later extract
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
)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ingest tables if the store is new, and add columns a store lacks."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            run(con, statement)
    for table, column, kind in ADDED_COLUMNS:
        run(con, f"alter table {table} add column if not exists {column} {kind}")


def latest_records_sql(con: duckdb.DuckDBPyConnection) -> str:
    """SELECT of the newest version of every source record, with its extract date.

    A source loaded every month has one row per record per batch; the registry and the
    linkage follow the newest. Only when some source has several batches does it cost a
    window over the records.
    """
    several = one(
        con, "select count(*) from (select source from batches group by 1 having count(*) > 1)"
    )
    newest = (
        "qualify row_number() over (partition by s.source, s.record_id "
        "order by b.finished_at desc, s.line desc) = 1"
        if several
        else ""
    )
    return f"""select s.*, b.extract_date
               from source_records s join batches b using (batch_id) {newest}"""
