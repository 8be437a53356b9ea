"""The loading guarantees: nothing lost, nothing twice, nothing half, nothing outside the DSA."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sitthi.engines.duckdb import connect
from sitthi.errors import AccessDenied
from sitthi.ingest.service import IngestResult
from sitthi.ingest.spec import load_spec, packaged_specs
from sitthi.ingest.store import ensure_schema

KEY = b"test-pseudonym-key-0123456789"
LOAD_DATE = dt.date(2026, 10, 1)
Load = Callable[..., IngestResult]
Extract = Callable[[str], Path]
SOURCES = ["dopa", "dep", "lao", "mof", "nhso", "sso", "moe", "cdd", "msmart", "cgd", "dsdw"]


def count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(sql).fetchall()[0][0])


def test_every_packaged_spec_has_an_extract() -> None:
    assert sorted(packaged_specs()) == sorted(SOURCES)


@pytest.mark.parametrize("source", SOURCES)
def test_rows_read_equal_rows_loaded_plus_quarantined(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract, source: str
) -> None:
    result = load(store, source, extract(source))
    assert not result.skipped
    assert result.rows_read > 0
    assert result.rows_read == result.rows_loaded + result.rows_quarantined
    loaded = count(
        store, f"select count(*) from source_records where batch_id = '{result.batch_id}'"
    )
    quarantined = count(
        store, f"select count(*) from quarantine where batch_id = '{result.batch_id}'"
    )
    assert (loaded, quarantined) == (result.rows_loaded, result.rows_quarantined)
    read = count(store, f"select rows_read from batches where batch_id = '{result.batch_id}'")
    assert read == loaded + quarantined
    # The file's own row count (every record of the extract is accounted for).
    excel = source in ("dep", "dsdw")
    manifest_rows = len(pd.read_excel(extract(source), dtype=str)) if excel else None
    if manifest_rows is not None:
        assert read == manifest_rows
    reasons = result.report["quarantine_reasons"]
    assert sum(reasons.values()) >= result.rows_quarantined
    assert count(store, "select count(*) from quarantine where len(reasons) = 0") == 0


def test_loading_the_same_file_again_changes_nothing(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract
) -> None:
    first = load(store, "lao", extract("lao"))
    tables = ("batches", "source_records", "facts", "quarantine", "identities")
    before = {t: count(store, f"select count(*) from {t}") for t in tables}
    again = load(store, "lao", extract("lao"))
    assert again.skipped
    assert again.batch_id == first.batch_id
    assert {t: count(store, f"select count(*) from {t}") for t in tables} == before


def test_the_raw_national_id_lives_only_in_the_identity_table(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract, world: Path
) -> None:
    for source in ("dopa", "lao", "msmart"):
        load(store, source, extract(source))
    ids = set(
        pd.read_parquet(world / "truth" / "persons.parquet")["national_id"].sample(
            300, random_state=1
        )
    )
    assert ids & {r[0] for r in store.execute("select national_id from identities").fetchall()}
    for table in ("source_records", "facts", "quarantine"):
        sql = f"select coalesce(string_agg(t::varchar, ' '), '') from {table} t"
        text = store.execute(sql).fetchall()[0][0]
        assert not any(i in text for i in ids), table
    # Every pseudonym can be resolved by those who may read the identity table.
    orphans = count(
        store,
        "select count(*) from source_records s where pid_hash is not null and "
        "not exists (select 1 from identities i where i.pid_hash = s.pid_hash)",
    )
    assert orphans == 0


def test_fields_outside_the_dsa_are_never_stored(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract
) -> None:
    result = load(store, "nhso", extract("nhso"))
    assert result.report["not_stored_by_dsa"] == ["chronic_conditions"]
    assert count(store, "select count(*) from facts where indicator = 'chronic_conditions'") == 0
    columns = store.execute("select raw_columns from batches").fetchall()[0][0]
    assert "CHRONIC" not in columns
    chronic = set(pd.read_csv(extract("nhso"), dtype=str)["CHRONIC"].dropna()) - {""}
    assert chronic  # the extract does carry diagnoses...
    found = store.execute(
        "select count(*) from source_records, unnest(raw) as t(v) "
        "where v in (select * from unnest($c))",
        {"c": sorted(chronic)},
    ).fetchall()[0][0]
    assert found == 0  # ...and not one of them is stored, not even in the raw values


@pytest.mark.parametrize(
    ("start", "end"), [("2020-01-01", "2025-12-31"), ("2027-01-01", "2030-01-01")]
)
def test_a_dsa_not_in_force_refuses_the_load(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract, start: str, end: str
) -> None:
    spec = load_spec("mof")
    dsa = spec.dsa.model_copy(
        update={"valid_from": pd.Timestamp(start).date(), "valid_to": pd.Timestamp(end).date()}
    )
    with pytest.raises(AccessDenied, match=r"DSA-MOF.*not (today|the load date)"):
        load(store, spec.model_copy(update={"dsa": dsa}), extract("mof"))
    ensure_schema(store)
    assert count(store, "select count(*) from batches") == 0


def test_a_load_killed_in_the_middle_leaves_no_partial_batch(
    tmp_path: Path, load: Load, extract: Extract
) -> None:
    db = tmp_path / "killed.duckdb"
    # A real process, killed with SIGKILL after it has written the batch's rows but before
    # the commit: the transaction is the unit, so the store must come back empty.
    script = textwrap.dedent(f"""
        import sys, time, datetime as dt
        from pathlib import Path
        import sitthi.ingest.service as service
        from sitthi.engines.duckdb import connect
        from sitthi.ingest.spec import load_spec
        original = service._write
        def write_then_hang(*args, **kwargs):
            counts = original(*args, **kwargs)
            print("written", flush=True)
            time.sleep(60)
            return counts
        service._write = write_then_hang
        con = connect({str(db)!r})
        service.ingest_file(con, load_spec("dopa"), Path({str(extract("dopa"))!r}),
                            key={KEY!r}, key_version=1, load_date=dt.date(2026, 10, 1))
    """)
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "written"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    con_check = connect(db)
    ensure_schema(con_check)
    for table in ("batches", "source_records", "facts", "quarantine", "identities"):
        assert count(con_check, f"select count(*) from {table}") == 0, table
    # And the store still works: the same file now loads in full.
    result = load(con_check, "dopa", extract("dopa"))
    # 3,000 persons, and the few the civil registry holds twice (re-issued IDs)
    assert result.rows_loaded + result.rows_quarantined == result.rows_read
    assert 3000 <= result.rows_read < 3030


def test_default_key_is_refused_outside_development() -> None:
    from sitthi.config import Settings
    from sitthi.errors import ConfigError

    assert Settings(environment="development").pseudonym_secret()
    with pytest.raises(ConfigError, match="default pseudonym key"):
        Settings(environment="production").pseudonym_secret()
    assert Settings(
        environment="production", pseudonym_key="a-real-secret-of-32-characters!!"
    ).pseudonym_secret()


def test_facts_without_a_date_column_hold_from_the_extract_date(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract
) -> None:
    load(store, "mof", extract("mof"), extract_date=LOAD_DATE)
    dates = {r[0] for r in store.execute("select distinct valid_from from facts").fetchall()}
    assert dates == {LOAD_DATE}
