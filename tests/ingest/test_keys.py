"""Pseudonym keys that cannot drift: the store knows its key, and moves to a new one whole."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from sitthi.config import DEVELOPMENT_PSEUDONYM_KEY, Settings
from sitthi.engines.duckdb import Params, connect, rows
from sitthi.errors import ConfigError, SitthiError
from sitthi.ingest import keys
from sitthi.ingest.keys import check_key, fingerprint, read_key_file, rotate_keys
from sitthi.ingest.pseudonym import pseudonym, pseudonym_sql
from sitthi.ingest.service import IngestResult
from sitthi.ingest.spec import parse_spec
from sitthi.linkage.service import link_store
from sitthi.pipeline import ingest_world
from sitthi.rights.service import run_rights
from sitthi.synth.world import generate_world

Load = Callable[..., IngestResult]
Extract = Callable[[str], Path]
KEY = b"test-pseudonym-key-0123456789"  # the key of `load`
KEY_B = b"another-test-key-abcdefghij0123456"
# Keyed by the ID (dopa), from Excel (dep), with quarantined rows (lao), phones (msmart).
SOURCES = ("dopa", "dep", "lao", "nhso", "msmart")
STORE_TABLES = ("batches", "identities", "source_records", "facts", "quarantine")


@pytest.fixture(scope="module")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A world smaller than the ingest tests': these tests load and link it many times."""
    out = tmp_path_factory.mktemp("keys-world")
    generate_world(out, persons=600, seed=5)
    return out


@pytest.fixture(scope="module")
def extract(small_world: Path) -> Extract:
    manifest = json.loads((small_world / "manifest.json").read_text(encoding="utf-8"))
    return {e["source"]: small_world / e["file"] for e in manifest["extracts"]}.__getitem__


def legacy(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The store as made before keys were recorded (whether or not ingest records them)."""
    con.execute("drop table if exists pseudonym_keys")
    return con


def loaded(
    store: duckdb.DuckDBPyConnection,
    load: Load,
    extract: Extract,
    *sources: str,
    key: bytes = KEY,
    version: int = 1,
) -> duckdb.DuckDBPyConnection:
    for source in sources:
        load(store, source, extract(source), key=key, key_version=version)
    return store


def drifted(tmp_path: Path, load: Load, extract: Extract) -> duckdb.DuckDBPyConnection:
    """The tester's store: dopa under key A, nhso under key B, both as version 1 (copied
    in, as an ingest that checks its key would refuse to write it)."""
    other = loaded(connect(tmp_path / "b.duckdb"), load, extract, "nhso", key=KEY_B)
    other.close()
    con = legacy(loaded(connect(tmp_path / "drifted.duckdb"), load, extract, "dopa"))
    con.execute(f"attach '{tmp_path / 'b.duckdb'}' as b (read_only)")
    for table in STORE_TABLES:
        con.execute(f"insert into {table} select * from b.{table}")
    con.execute("detach b")
    return con


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every table's content, order aside."""
    tables = [t for (t,) in rows(con, "select table_name from duckdb_tables() where not temporary")]
    return {
        t: rows(
            con,
            f"select md5(coalesce(string_agg(md5(x::varchar), '' order by "
            f"md5(x::varchar)), '')) from {t} x",
        )[0][0]
        for t in tables
    }


def test_first_use_records_a_fingerprint_that_is_not_the_key(
    store: duckdb.DuckDBPyConnection,
) -> None:
    check_key(store, key=KEY, key_version=1)
    check_key(store, key=KEY, key_version=1)
    recorded = rows(store, "select key_version, fingerprint, retired_at from pseudonym_keys")
    assert recorded == [(1, fingerprint(KEY), None)]
    assert fingerprint(KEY) not in (KEY.hex(), hashlib.sha256(KEY).hexdigest())
    assert fingerprint(KEY) != fingerprint(KEY_B)


def test_a_changed_key_under_the_same_version_is_refused(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract
) -> None:
    loaded(store, load, extract, "dopa")
    check_key(store, key=KEY, key_version=1)
    with pytest.raises(
        ConfigError,
        match=r"does not match key version 1 of store .*store\.duckdb "
        r"\(its fingerprint differs\).*without a new SITTHI_PSEUDONYM_KEY_VERSION.*"
        r"sitthi keys rotate",
    ):
        check_key(store, key=KEY_B, key_version=1)


def test_a_store_made_before_keys_were_recorded_takes_its_own_key(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract
) -> None:
    legacy(loaded(store, load, extract, "dopa", "nhso"))
    with pytest.raises(ConfigError, match=r"is not the key of store .* differ"):
        check_key(store, key=KEY_B, key_version=1)
    assert rows(store, "select count(*) from pseudonym_keys") == [(0,)]
    check_key(store, key=KEY, key_version=1)
    assert rows(store, "select fingerprint from pseudonym_keys") == [(fingerprint(KEY),)]


def test_a_key_changed_between_batches_of_an_old_store_is_found(
    tmp_path: Path, load: Load, extract: Extract
) -> None:
    con = drifted(tmp_path, load, extract)
    # The tester's figures, in small: more pseudonyms than IDs.
    ids, pids = rows(con, "select count(distinct national_id), count(*) from identities")[0]
    assert pids > ids
    for key in (KEY, KEY_B):
        with pytest.raises(ConfigError, match="is not the key of store"):
            check_key(con, key=key, key_version=1)
    with pytest.raises(ConfigError, match="is not the key of store"):
        rotate_keys(con, old_key=KEY, old_version=1, new_key=b"x" * 32, new_version=2)


def test_a_new_version_while_the_data_is_under_another_is_refused(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract
) -> None:
    legacy(loaded(store, load, extract, "dopa"))
    with pytest.raises(ConfigError, match=r"under key version 1, not 2: .*sitthi keys rotate"):
        check_key(store, key=KEY_B, key_version=2)  # before any fingerprint is recorded
    check_key(store, key=KEY, key_version=1)
    with pytest.raises(
        ConfigError,
        match=r"under key version 1, not 2: .*sitthi keys rotate.*"
        "two pseudonyms",
    ):
        check_key(store, key=KEY_B, key_version=2)
    with pytest.raises(
        ConfigError, match="this key is its version 1: set SITTHI_PSEUDONYM_KEY_VER"
    ):
        check_key(store, key=KEY, key_version=2)


def test_an_old_store_under_several_versions_is_refused(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract
) -> None:
    legacy(loaded(store, load, extract, "dopa", "nhso"))
    store.execute("update batches set key_version = 2 where source = 'nhso'")
    with pytest.raises(ConfigError, match="under key version 1, 2, not 1"):
        check_key(store, key=KEY, key_version=1)


def test_a_rotation_re_pseudonymises_the_store_as_if_made_under_the_new_key(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract, tmp_path: Path
) -> None:
    loaded(store, load, extract, *SOURCES)
    store.execute("create view people as select pid_hash from source_records")  # not a table
    report = rotate_keys(store, old_key=KEY, old_version=1, new_key=KEY_B, new_version=2)
    assert all(c.agrees for c in report.columns)
    counted = {f"{c.table}.{c.column}": c for c in report.columns}
    assert {
        "identities.pid_hash",
        "source_records.raw",
        "quarantine.raw",
        "facts.pid_hash",
        "source_records.record_id",
    } <= set(counted)
    assert counted["source_records.pid_hash"].with_pseudonym[0] > 0
    direct = loaded(connect(tmp_path / "b.duckdb"), load, extract, *SOURCES, key=KEY_B, version=2)
    same = {
        "identities": "select * from identities",
        "source_records": "select * exclude (batch_id) from source_records",
        "facts": "select * exclude (batch_id) from facts",
        "quarantine": "select * exclude (batch_id) from quarantine",
        "batches": "select source, key_version from batches",
    }
    for table, sql in same.items():
        assert sorted(rows(store, sql)) == sorted(rows(direct, sql)), table
    hmac, params = pseudonym_sql(KEY_B, "national_id")
    assert rows(store, f"select count(*) filter ({hmac} <> pid_hash) from identities", params) == [
        (0,)
    ]


# Keyed by the ID, as the civil registry is: the record id is the pseudonym.
KEYED_SPEC = """
source: keyed
title: keyed by the ID
version: 1
read: {format: csv}
record_id: nid
fields:
  national_id: {column: nid, required: true}
  first_name: {column: fn, required: true}
dsa: {id: DSA-TEST-1, agency: test, purpose: test, legal_basis: PDPA s.24(4),
      fields_allowed: [national_id, first_name], retention_days: 30,
      valid_from: 2025-01-01, valid_to: 2030-01-01}
"""


def test_record_versions_and_their_history_follow_a_rotation(
    store: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path
) -> None:
    spec = parse_spec(KEYED_SPEC, "keyed.yaml")
    ids = ["1101700203158", "3509900123450", "1509900123453"]
    first, second, again = (tmp_path / f"{n}.csv" for n in ("first", "second", "again"))
    first.write_text("nid,fn\n" + "".join(f"{i},ก\n" for i in ids), encoding="utf-8")
    second.write_text(f"nid,fn\n{ids[0]},ข\n{ids[1]},ก\n{ids[2]},ก\n", encoding="utf-8")
    load(store, spec, first)
    load(store, spec, second)  # one record changed: its first version goes to history
    report = rotate_keys(store, old_key=KEY, old_version=1, new_key=KEY_B, new_version=2)
    counted = {f"{c.table}.{c.column}": c for c in report.columns}
    assert counted["source_records_history.record_id"].with_pseudonym == (1, 1)
    # The same records sent again (another file: line endings differ) are known unchanged.
    again.write_bytes(second.read_bytes().replace(b"\n", b"\r\n"))
    result = load(store, spec, again, key=KEY_B, key_version=2)
    assert rows(
        store, "select rows_unchanged from batches where batch_id = $b", {"b": result.batch_id}
    ) == [(3,)]
    assert rows(store, "select count(*) from source_records") == [(3,)]


def test_an_unsplit_rows_id_is_re_keyed_or_emptied_never_left_under_the_old_key(
    store: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path
) -> None:
    spec = parse_spec(KEYED_SPEC.replace("record_id: nid", ""), "rows.yaml")
    known, dashed = "1101700203158", "1-5099-00123-45-3"  # dashed: as written, in no identity
    path = tmp_path / "rows.csv"
    path.write_text(f"nid,fn\n{known},ก\n{known},ข,extra\n{dashed},ค,extra\n", encoding="utf-8")
    load(store, spec, path)
    report = rotate_keys(store, old_key=KEY, old_version=1, new_key=KEY_B, new_version=2)
    assert report.emptied == 1
    raw = rows(store, "select raw from quarantine order by line")
    assert raw == [([pseudonym(KEY_B, known), "ข"],), ([None, "ค"],)]


def test_after_a_rotation_only_the_new_key_is_accepted(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract
) -> None:
    loaded(store, load, extract, "dopa")
    rotate_keys(store, old_key=KEY, old_version=1, new_key=KEY_B, new_version=2)
    with pytest.raises(ConfigError, match=r"key version 1 of store .* was retired on .* version 2"):
        check_key(store, key=KEY, key_version=1)
    with pytest.raises(ConfigError, match="does not match key version 2"):
        check_key(store, key=KEY, key_version=2)
    check_key(store, key=KEY_B, key_version=2)
    recorded = rows(store, "select key_version, retired_at is null from pseudonym_keys order by 1")
    assert recorded == [(1, False), (2, True)]


def test_a_new_store_moves_to_a_new_key_before_it_holds_data(
    store: duckdb.DuckDBPyConnection,
) -> None:
    check_key(store, key=KEY, key_version=1)
    report = rotate_keys(store, old_key=KEY, old_version=1, new_key=KEY_B, new_version=2)
    assert report.columns == []
    check_key(store, key=KEY_B, key_version=2)


@pytest.mark.parametrize(
    ("new_key", "new_version", "message"),
    [
        (KEY, 2, "the new key is the current key"),
        (KEY_B, 1, r"above the current one \(1\), not 1"),
        (b"short", 2, "at least 16 characters"),
    ],
)
def test_a_rotation_refuses_a_bad_new_key_or_version(
    store: duckdb.DuckDBPyConnection, new_key: bytes, new_version: int, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        rotate_keys(store, old_key=KEY, old_version=1, new_key=new_key, new_version=new_version)


@pytest.mark.parametrize("failure", ["half way", "counts differ"])
def test_a_rotation_that_fails_leaves_the_store_unchanged(
    store: duckdb.DuckDBPyConnection,
    load: Load,
    extract: Extract,
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
) -> None:
    loaded(store, load, extract, "dopa", "nhso")
    check_key(store, key=KEY, key_version=1)
    before = snapshot(store)
    if failure == "half way":  # after identities, records and facts have changed
        original = keys.run

        def run(con: duckdb.DuckDBPyConnection, sql: str, params: Params = None) -> None:
            if sql.startswith("update batches"):
                raise RuntimeError("killed half way")
            original(con, sql, params)

        monkeypatch.setattr(keys, "run", run)
    else:
        count = keys._count

        def off_by_one(*args: object, side: str) -> tuple[int, int, int]:
            n, with_pid, distinct = count(*args, side=side)
            return n, with_pid + (side == "new" and args[1] == "facts"), distinct

        monkeypatch.setattr(keys, "_count", off_by_one)
    with pytest.raises(
        (RuntimeError, SitthiError), match=r"half way|differ in facts\.record_id, facts\.pid_hash$"
    ):
        rotate_keys(store, old_key=KEY, old_version=1, new_key=KEY_B, new_version=2)
    monkeypatch.undo()
    assert snapshot(store) == before
    check_key(store, key=KEY, key_version=1)


def test_people_linked_after_a_rotation_are_one_person_each(
    tmp_path: Path, load: Load, extract: Extract
) -> None:
    def persons(con: duckdb.DuckDBPyConnection) -> tuple[int, list[tuple[int, int]]]:
        """People found, and how many IDs got 1, 2, … persons."""
        link_store(con)
        found = rows(con, "select count(distinct person_id) from person_records")[0][0]
        return found, rows(
            con,
            """select n, count(*) from (
            select i.national_id, count(distinct p.person_id) as n from person_records p
            join source_records s using (source, record_id) join identities i using (pid_hash)
            group by 1) group by 1 order by 1""",
        )

    rotated = loaded(connect(tmp_path / "rotated.duckdb"), load, extract, "dopa")
    rotate_keys(rotated, old_key=KEY, old_version=1, new_key=KEY_B, new_version=2)
    loaded(rotated, load, extract, "nhso", key=KEY_B, version=2)
    direct = loaded(
        connect(tmp_path / "direct.duckdb"), load, extract, "dopa", "nhso", key=KEY_B, version=2
    )
    found = persons(rotated)
    assert found == persons(direct)
    # Without the rotation (the tester's store) the same people are split in two.
    split = persons(drifted(tmp_path, load, extract))
    assert split[0] > found[0]
    assert dict(split[1]).get(2, 0) > dict(found[1]).get(2, 0)


def test_no_old_pseudonym_is_left_anywhere_in_a_store_of_the_whole_pipeline(
    small_world: Path, tmp_path: Path
) -> None:
    """Every table of every stage, found by their columns' values: a later stage's table
    that keeps a pseudonym under a new name fails here."""
    con = connect(tmp_path / "full.duckdb")
    ingest_world(con, small_world, Settings())
    link_store(con)
    as_of = json.loads((small_world / "manifest.json").read_text(encoding="utf-8"))["as_of"]
    run_rights(con, dt.date.fromisoformat(as_of))
    con.execute("create temp table old_pids as select pid_hash from identities")
    dev_key = DEVELOPMENT_PSEUDONYM_KEY.encode()
    rotate_keys(con, old_key=dev_key, old_version=1, new_key=KEY_B, new_version=2)
    columns = rows(
        con,
        "select table_name, column_name, data_type from duckdb_columns() semi join duckdb_tables() "
        "using (database_name, schema_name, table_name) where not internal "
        "and database_name = current_database() and data_type in ('VARCHAR', 'VARCHAR[]')",
    )
    assert len({t for t, _, _ in columns}) > 20  # linkage, registry, rights, poverty tables
    for table, column, kind in columns:
        value = f"x.{column}::varchar" if kind == "VARCHAR" else f"array_to_string(x.{column}, ' ')"
        left = rows(
            con, f"select count(*) from {table} x join old_pids o on contains({value}, o.pid_hash)"
        )
        assert left == [(0,)], f"{table}.{column}"
    assert rows(
        con,
        "select count(*) from person_records anti join source_records "
        "using (source, record_id, row_hash)",
    ) == [(0,)]


def test_ingest_refuses_a_changed_key_under_the_same_version(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract
) -> None:
    loaded(store, load, extract, "dopa")
    with pytest.raises(ConfigError, match="does not match key version 1"):
        loaded(store, load, extract, "nhso", key=KEY_B)
    assert rows(store, "select count(*) from batches where source = 'nhso'") == [(0,)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"x" * 31, "at least 32 characters in production"),
        (DEVELOPMENT_PSEUDONYM_KEY.encode(), "published, so refused in production"),
        (f"  {KEY_B.decode()}\n".encode(), None),  # read as SITTHI_PSEUDONYM_KEY_FILE is
    ],
)
def test_a_new_key_in_production_must_be_strong(
    tmp_path: Path, text: bytes, message: str | None
) -> None:
    (tmp_path / "new.key").write_bytes(text)
    if message is None:
        assert read_key_file(tmp_path / "new.key", production=True) == KEY_B
        return
    with pytest.raises(ConfigError, match=message):
        read_key_file(tmp_path / "new.key", production=True)


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory: pytest.TempPathFactory, load: Load, extract: Extract) -> Path:
    path = tmp_path_factory.mktemp("keys-cli") / "store.duckdb"
    con = loaded(connect(path), load, extract, "dopa")
    check_key(con, key=KEY, key_version=1)
    con.close()
    return path


def rotate_cli(
    cwd: Path, db: Path | str, version: str, key: bytes = KEY
) -> subprocess.CompletedProcess[str]:
    """``sitthi keys rotate`` with ``key`` as the configured key and ``new.key`` as the new."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITTHI_")}
    env |= {"SITTHI_PSEUDONYM_KEY": key.decode(), "SITTHI_PSEUDONYM_KEY_VERSION": "1"}
    command = [
        "keys",
        "rotate",
        "--db",
        str(db),
        "--new-key-file",
        "new.key",
        "--new-version",
        version,
    ]
    return subprocess.run(
        [sys.executable, "-m", "sitthi", *command],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def test_the_cli_rotates_and_prints_the_counts(cli_store: Path, tmp_path: Path) -> None:
    shutil.copy(cli_store, tmp_path / "store.duckdb")
    (tmp_path / "new.key").write_text(KEY_B.decode() + "\n", encoding="utf-8")
    done = rotate_cli(tmp_path, "store.duckdb", "2")
    assert done.returncode == 0, done.stderr
    assert "source_records.pid_hash" in done.stdout
    assert "SITTHI_PSEUDONYM_KEY_VERSION=2" in done.stdout
    assert KEY_B.decode() not in done.stdout + done.stderr
    check_key(connect(tmp_path / "store.duckdb"), key=KEY_B, key_version=2)


@pytest.mark.parametrize(
    ("db", "new_key", "version", "current", "message"),
    [
        (None, None, "2", KEY, "no such pseudonym key file"),
        (None, b"too-short", "2", KEY, "at least 16 characters"),
        (None, KEY, "2", KEY, "the new key is the current key"),
        (None, KEY_B, "1", KEY, r"above the current one \(1\), not 1"),
        (None, KEY_B, "2", b"a-changed-key-0123456789", "does not match key version 1 of store"),
        ("missing.duckdb", KEY_B, "2", KEY, "missing.duckdb: no such store"),
    ],
)
def test_the_cli_refuses_in_one_line(
    cli_store: Path,
    tmp_path: Path,
    db: str | None,
    new_key: bytes | None,
    version: str,
    current: bytes,
    message: str,
) -> None:
    if new_key is not None:
        (tmp_path / "new.key").write_bytes(new_key)
    done = rotate_cli(tmp_path, db or cli_store, version, current)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("error: ")
    assert re.search(message, done.stderr), done.stderr
    assert KEY_B.decode() not in done.stderr
    assert current.decode() not in done.stderr
