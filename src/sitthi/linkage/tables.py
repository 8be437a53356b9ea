"""The store's tables for identity resolution.

``person_records`` is the answer (every record's person, and the stage that put it there);
the others keep its history and the people's decisions: runs, merge/split events, ID
repairs, the review queue and the reviewers' verdicts, which outlive every run.
"""

from __future__ import annotations

import duckdb

from sitthi.engines.duckdb import one, run
from sitthi.errors import SitthiError

SCHEMA = """
create table if not exists link_runs (
    run_id varchar primary key,
    mode varchar not null,            -- full | incremental
    started_at timestamp not null,
    finished_at timestamp not null,
    seconds double not null,
    records bigint not null,
    persons bigint not null,
    households bigint not null,
    model varchar,                    -- the Splink model (JSON), reused by incremental runs
    summary varchar not null          -- JSON: counts per stage, events, review queue
);
create table if not exists person_ledger (
    person_id varchar primary key,
    first_run_id varchar not null,
    last_run_id varchar not null,
    records bigint not null,
    status varchar not null           -- active | merged | split
);
create table if not exists person_records (
    source varchar not null,
    record_id varchar not null,
    person_id varchar not null,
    stage varchar not null,           -- national_id | id_repair | probabilistic | review | alone
    match_probability double,         -- the best link that placed it (probabilistic, review)
    linked_source varchar,            -- the record it was linked to by that link
    linked_record_id varchar,
    row_hash varchar not null,        -- the record as linked: a changed row is linked again
    run_id varchar not null
);
create table if not exists link_pairs (
    source_l varchar not null,
    record_id_l varchar not null,
    source_r varchar not null,
    record_id_r varchar not null,
    match_probability double not null,
    match_weight double not null,
    evidence varchar not null,        -- JSON: per comparison, both values, level and weight
    run_id varchar not null
);
create table if not exists link_events (
    run_id varchar not null,
    event varchar not null,           -- created | merged | split | retired | moved
                                      -- | duplicate_registration (two IDs, one person)
    person_id varchar not null,
    other_person_id varchar,          -- merged: the ID absorbed, split: the ID split off
    records bigint not null,
    happened_at timestamp not null
);
create table if not exists id_repairs (
    run_id varchar not null,
    source varchar not null,
    record_id varchar not null,
    kind varchar not null,            -- invalid_id | valid_typo
    from_pid_hash varchar,
    to_pid_hash varchar not null
);
create table if not exists review_queue (
    run_id varchar not null,
    source_l varchar not null,
    record_id_l varchar not null,
    source_r varchar not null,
    record_id_r varchar not null,
    reason varchar not null,          -- uncertain | id_conflict | competing_persons
                                      -- | different_ids | duplicate_registration
    match_probability double,
    match_weight double,
    evidence varchar not null         -- JSON: per field, both values and the match weight
);
create table if not exists review_decisions (
    source_l varchar not null,
    record_id_l varchar not null,
    source_r varchar not null,
    record_id_r varchar not null,
    decision varchar not null,        -- same | different
    decided_by varchar not null,
    decided_at timestamp not null,
    note varchar
);
create table if not exists duplicate_registrations (
    run_id varchar not null,
    source_l varchar not null,        -- a record under each of the two IDs
    record_id_l varchar not null,
    source_r varchar not null,
    record_id_r varchar not null,
    pid_hash_l varchar not null,      -- the two IDs (pseudonyms), for DOPA to resolve
    pid_hash_r varchar not null,
    decision varchar not null,        -- merged (one person) | review (a reviewer decides)
    person_id varchar                 -- the one person, when merged
);
create table if not exists households (
    household_id varchar primary key,
    house_code varchar,
    address_key varchar not null,
    province_code varchar,
    district_code varchar,
    subdistrict_code varchar,
    members bigint not null,
    run_id varchar not null
);
create table if not exists person_households (
    person_id varchar not null,
    household_id varchar not null,
    run_id varchar not null
);
"""


TABLES = tuple(line.split()[5] for line in SCHEMA.splitlines() if line.startswith("create table"))


def _rename_old_ledger(con: duckdb.DuckDBPyConnection) -> None:
    # Stores linked before the golden record took the name ``persons`` kept the ID ledger
    # there; it is the same table under its new name.
    old = one(
        con,
        "select count(*) from duckdb_columns() where table_name = 'persons' "
        "and column_name = 'first_run_id' and database_name = current_database()",
    )
    if old:
        try:
            run(con, "alter table persons rename to person_ledger")
        except duckdb.InvalidInputException as exc:
            raise SitthiError("this store needs `sitthi link` once to upgrade it") from exc


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the identity-resolution tables if the store does not have them yet.

    A store opened read-only must already have them: it has never been linked otherwise.
    """
    _rename_old_ledger(con)
    present = one(
        con,
        "select count(*) from duckdb_tables() where not temporary and schema_name = 'main' "
        "and database_name = current_database() and list_contains($names, table_name)",
        {"names": list(TABLES)},
    )
    if present == len(TABLES):
        return
    try:
        for statement in SCHEMA.split(";"):
            if statement.strip():
                run(con, statement)
    except duckdb.InvalidInputException as exc:
        raise SitthiError("this store has not been linked yet: run `sitthi link` first") from exc
