"""Pseudonym keys the store remembers, so that a key cannot drift under the same version.

A pseudonym is HMAC-SHA256(key, ID): two keys give one person two pseudonyms, and linkage
then splits them. The store records a *fingerprint* of each key version (an HMAC of a fixed
text under the key: it names the key without revealing it, and unlike a plain hash of the
key it is no help in testing guessed keys) and `check_key` refuses any other key.
`rotate_keys` moves the whole store to a new key in one transaction.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sitthi.engines.duckdb import one, rows, run
from sitthi.engines.duckdb import quote_identifier as q
from sitthi.errors import ConfigError, SitthiError
from sitthi.ingest.pseudonym import pseudonym, pseudonym_sql

if TYPE_CHECKING:
    import duckdb

FINGERPRINT_TEXT = "sitthi pseudonym key fingerprint v1"
MIN_KEY = 16
_ROTATE = "`sitthi keys rotate`"
# Columns holding a pseudonym, found by name so that the tables of later stages are covered
# too: pid_hash (from_pid_hash, …) and record ids, which are the pseudonym for a source
# keyed by the ID (record_id, record_id_l, linked_record_id, other_record_id, …).
_PID = re.compile(r"(.+_)?pid_hash(_.+)?")
_RECORD = re.compile(r"(.+_)?record_id(_.+)?")
_HEX64 = "'^[0-9a-f]{64}$'"
_NO_IDENTITIES = "(select ''::varchar as pid_hash, ''::varchar as national_id where false)"


def fingerprint(key: bytes) -> str:
    """The fingerprint recorded for a key: HMAC-SHA256(key, a fixed text), 64 hex digits."""
    return pseudonym(key, FINGERPRINT_TEXT)


def ensure_key_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``pseudonym_keys`` (one row per key version the store has known)."""
    run(
        con,
        """create table if not exists pseudonym_keys (key_version integer primary key,
           fingerprint varchar not null, created_at timestamp not null, retired_at timestamp)""",
    )


def check_key(con: duckdb.DuckDBPyConnection, *, key: bytes, key_version: int) -> None:
    """Refuse a key that is not the store's; call it before writing any pseudonym.

    Accepts the key recorded for ``key_version``. A store with no recorded key records this
    one: at first use, or, for a store made before keys were recorded, once a few of its
    pseudonyms per batch are recomputed with it. Raises `ConfigError` for a changed key
    under the same version, a retired version, or a new version while the store's data is
    under another (that takes ``sitthi keys rotate``).
    """
    ensure_key_table(con)
    store, mine = _store_name(con), fingerprint(key)
    known = {
        v: (f, r) for v, f, r in rows(con, "select * exclude (created_at) from pseudonym_keys")
    }
    active = sorted(v for v, (_, retired) in known.items() if retired is None)
    if key_version in known:
        recorded, retired = known[key_version]
        if retired is not None:
            raise ConfigError(
                f"key version {key_version} of store {store} was retired on {retired:%Y-%m-%d} "
                f"(the store was rotated to version {max(active, default='?')}): use its key"
            )
        if recorded != mine:
            raise ConfigError(
                f"SITTHI_PSEUDONYM_KEY does not match key version {key_version} of store "
                f"{store} (its fingerprint differs): the key changed without a new "
                "SITTHI_PSEUDONYM_KEY_VERSION; use the store's key, or move the store with "
                f"{_ROTATE}"
            )
        return
    versions = sorted(set(active) | _data_versions(con))
    if versions and versions != [key_version]:
        same = [v for v in active if known[v][0] == mine]
        hint = (
            f"this key is its version {same[0]}: set SITTHI_PSEUDONYM_KEY_VERSION={same[0]}"
            if same
            else f"use the store's key and version, or move the store to a new key with "
            f"{_ROTATE} (mixing keys would give one person two pseudonyms)"
        )
        raise ConfigError(
            f"store {store} holds pseudonyms under key version "
            f"{', '.join(map(str, versions))}, not {key_version}: {hint}"
        )
    if versions:
        _verify_sample(con, key=key, key_version=key_version, store=store)
    run(
        con,
        "insert into pseudonym_keys values ($v, $f, now()::timestamp, null)",
        {"v": key_version, "f": mine},
    )


def _store_name(con: duckdb.DuckDBPyConnection) -> str:
    path = one(con, "select path from duckdb_databases() where database_name = current_database()")
    return str(path or ":memory:")


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """The store's tables, each with its columns and their types."""
    found: dict[str, dict[str, str]] = {}
    for table, column, kind in rows(
        con,
        "select table_name, column_name, data_type from duckdb_columns() c "
        "semi join duckdb_tables() t using (database_name, schema_name, table_name) "  # no views
        "where database_name = current_database() and schema_name = 'main' "
        "order by table_name, column_index",
    ):
        found.setdefault(table, {})[column] = kind
    return found


def _data_versions(con: duckdb.DuckDBPyConnection) -> set[int]:
    tables = [t for t in ("batches", "identities") if t in _columns(con)]
    union = " union ".join(f"select distinct key_version from {t}" for t in tables)
    return {int(v) for (v,) in rows(con, union)} if tables else set()


def _verify_sample(
    con: duckdb.DuckDBPyConnection, *, key: bytes, key_version: int, store: str
) -> None:
    """Recompute two pseudonyms of every batch with ``key``: a key that changed between
    batches shows in the first batch written with the other key."""
    hmac, params = pseudonym_sql(key, "i.national_id")
    tables = _columns(con)
    kept = [t for t in ("source_records", "source_records_history") if t in tables]
    if not kept or "identities" not in tables:
        return  # no pseudonym to check
    records = "(" + " union all ".join(f"select batch_id, pid_hash from {t}" for t in kept) + ")"
    checked, wrong = con.execute(
        f"""select count(*), count(*) filter (where {hmac} <> i.pid_hash)
            from identities i semi join (
                select unnest([min(pid_hash), max(pid_hash)]) as pid_hash
                from {records} where pid_hash is not null group by batch_id) s
              on s.pid_hash = i.pid_hash""",
        params,
    ).fetchall()[0]
    if wrong:
        raise ConfigError(
            f"SITTHI_PSEUDONYM_KEY is not the key of store {store}: {wrong} of {checked} "
            f"pseudonyms recomputed under key version {key_version} differ; use the key the "
            "store was made with"
        )


def read_key_file(path: Path, *, production: bool) -> bytes:
    """A new key from a file (a command line would leak it into process lists and history).

    Read and judged as ``SITTHI_PSEUDONYM_KEY_FILE`` is: stripped, at least 16 characters,
    and in production at least 32 and not the published development key (see
    `sitthi.config.check_pseudonym_key`).
    """
    from sitthi.config import check_pseudonym_key
    from sitthi.yaml_models import read_user_file

    key = read_user_file(path, ConfigError, what="pseudonym key", limit=4096).strip()
    check_pseudonym_key(key, production=production, where=f"--new-key-file {path}")
    return key.encode("utf-8")


@dataclass(frozen=True)
class ColumnCount:
    """One column holding pseudonyms, counted (before, after) a rotation."""

    table: str
    column: str
    rows: tuple[int, int]  # rows of the table
    with_pseudonym: tuple[int, int]  # rows holding a pseudonym of the store
    distinct: tuple[int, int]  # distinct pseudonyms

    @property
    def counts(self) -> tuple[tuple[int, int], ...]:
        return (self.rows, self.with_pseudonym, self.distinct)

    @property
    def agrees(self) -> bool:
        return all(before == after for before, after in self.counts)


@dataclass(frozen=True)
class RotationReport:
    """What `rotate_keys` changed."""

    store: str
    old_version: int
    new_version: int
    columns: list[ColumnCount]
    emptied: int  # raw values no identity resolves (rows the reader could not split)
    seconds: float


def rotate_keys(
    con: duckdb.DuckDBPyConnection,
    *,
    old_key: bytes,
    old_version: int,
    new_key: bytes,
    new_version: int,
) -> RotationReport:
    """Re-pseudonymise the whole store under a new key, in one transaction.

    Every pseudonym is recomputed from the ID text in ``identities`` into a mapping
    old → new, joined to every column that holds one (set-based); the old version is
    retired and the new one recorded. The counts per column before and after must agree,
    or nothing changes. Raises `ConfigError` for a new key equal to the old, a new version
    not above the old, or an old key that is not the store's (see `check_key`).

    Example:
        >>> rotate_keys(con, old_key=a, old_version=1, new_key=b, new_version=2)  # doctest: +SKIP
    """
    if new_key == old_key:
        raise ConfigError("the new key is the current key: a rotation needs another key")
    if new_version <= old_version:
        raise ConfigError(
            f"the new key version must be above the current one ({old_version}), not {new_version}"
        )
    if len(new_key) < MIN_KEY:
        raise ConfigError(f"the new key must be at least {MIN_KEY} characters")
    check_key(con, key=old_key, key_version=old_version)
    started, store = time.perf_counter(), _store_name(con)
    tables = _columns(con)
    targets = [
        (table, column, kind)
        for table, columns in tables.items()
        if table != "pseudonym_keys"
        for column, kind in _kinds(columns).items()
    ]
    run(con, "begin transaction")
    try:
        hmac, params = pseudonym_sql(new_key, "national_id")
        # A store with no data yet has no identities: nothing to map, the key still moves.
        ids = "identities" if "identities" in tables else _NO_IDENTITIES
        run(
            con,
            f"create temp table key_map as select pid_hash as old, {hmac} as new from {ids}",
            params,
        )
        _check_map(con, store)
        before = [_count(con, *t, side="old") for t in targets]
        emptied = _rewrite(con, tables, targets, new_version)
        after = [_count(con, *t, side="new") for t in targets]
        counts = [
            ColumnCount(t[0], t[1], *zip(b, a, strict=True))
            for t, b, a in zip(targets, before, after, strict=True)
        ]
        if bad := [f"{c.table}.{c.column}" for c in counts if not c.agrees]:
            raise SitthiError(
                f"key rotation of {store} rolled back: the counts before and after differ "
                f"in {', '.join(bad)}"
            )
        run(
            con,
            "update pseudonym_keys set retired_at = now()::timestamp where key_version = $old",
            {"old": old_version},
        )
        run(
            con,
            "insert into pseudonym_keys values ($v, $f, now()::timestamp, null)",
            {"v": new_version, "f": fingerprint(new_key)},
        )
        run(con, "drop table key_map")
        run(con, "commit")
    except BaseException:
        run(con, "rollback")
        raise
    seconds = round(time.perf_counter() - started, 3)
    return RotationReport(store, old_version, new_version, counts, emptied, seconds)


def _kinds(columns: dict[str, str]) -> dict[str, str]:
    """The columns of one table that hold pseudonyms: pid, record or raw (a list of raw
    values holding the ID as a pseudonym; ``raw_pid`` when it is its row's pid_hash)."""
    kinds = {}
    for column, kind in columns.items():
        if kind == "VARCHAR" and _PID.fullmatch(column):
            kinds[column] = "pid"
        elif kind == "VARCHAR" and _RECORD.fullmatch(column):
            kinds[column] = "record"
        elif kind == "VARCHAR[]" and column == "raw":
            kinds[column] = "raw_pid" if "pid_hash" in columns else "raw"
    return kinds


def _check_map(con: duckdb.DuckDBPyConnection, store: str) -> None:
    ids, old, new = con.execute(
        "select count(*), count(distinct old), count(distinct new) from key_map"
    ).fetchall()[0]
    if not ids == old == new:
        raise ConfigError(
            f"store {store} holds {new} IDs under {old} pseudonyms: it mixes keys (an ID has "
            "two pseudonyms) and cannot be rotated as it is"
        )


def _count(
    con: duckdb.DuckDBPyConnection, table: str, column: str, kind: str, *, side: str
) -> tuple[int, int, int]:
    """Rows, rows holding a pseudonym of ``key_map`` (its ``side``), distinct pseudonyms."""
    t, c = q(table), q(column)
    if kind == "raw_pid":  # the list holds its row's pid_hash
        sql = f"""select count(*), count(m.{side}) filter (list_contains({c}, t.pid_hash)),
                         count(distinct m.{side}) filter (list_contains({c}, t.pid_hash))
                  from {t} t left join key_map m on m.{side} = t.pid_hash"""
    elif kind == "raw":
        sql = f"""select (select count(*) from {t}), count(distinct rid), count(distinct v)
                  from (select rowid as rid, unnest({c}) as v from {t}) u
                  semi join key_map m on m.{side} = u.v"""
    else:
        sql = f"""select count(*), count(m.{side}), count(distinct m.{side})
                  from {t} t left join key_map m on m.{side} = t.{c}"""
    found = con.execute(sql).fetchall()[0]
    return int(found[0]), int(found[1]), int(found[2])


def _rewrite(
    con: duckdb.DuckDBPyConnection,
    tables: dict[str, dict[str, str]],
    targets: list[tuple[str, str, str]],
    new_version: int,
) -> int:
    """Replace every old pseudonym by its new one; returns the raw values emptied."""
    linked = "row_hash" in tables.get("person_records", {})
    if linked:  # the linked records' row hashes, to follow them (see `_rehash`)
        run(
            con,
            """create temp table row_map as select batch_id, line, row_hash as old
                    from source_records semi join key_map m on m.old = pid_hash""",
        )
    emptied = 0
    # A raw list first: its rows are then found by rowid, before any other update.
    for table, column, kind in sorted(targets, key=lambda t: t[2] != "raw"):
        if kind == "raw":
            emptied += _rewrite_raw(con, table, "record_id" in tables[table])
            continue
        if kind == "raw_pid":
            continue  # with the row's pid_hash, below
        also = ""
        if column == "pid_hash" and "raw" in tables[table]:
            # The raw list holds its row's ID as the row's pseudonym.
            also = ", raw = list_transform(raw, lambda x: if(x = t.pid_hash, m.new, x))"
        if table == "identities":
            also += ", key_version = $v"
        run(
            con,
            f"update {q(table)} t set {q(column)} = m.new{also} from key_map m "
            f"where t.{q(column)} = m.old",
            {"v": new_version},
        )
    if "batches" in tables:
        run(con, "update batches set key_version = $v", {"v": new_version})
        _rehash(con, tables, linked)
    return emptied


def _rehash(
    con: duckdb.DuckDBPyConnection, tables: dict[str, dict[str, str]], linked: bool
) -> None:
    """Row hashes are of the raw values, which hold the pseudonym: recomputed the way ingest
    computes them, so that the next extract of an unchanged record is known as unchanged,
    and the linked records (``person_records``) follow, so that none is linked again."""
    from sitthi.ingest.normalize import row_hash_sql

    hashed = [t for t, c in tables.items() if {"raw", "row_hash", "pid_hash", "batch_id"} <= set(c)]
    groups = rows(con, "select spec_version, raw_columns, list(batch_id) from batches group by all")
    for version, columns, batches in groups:
        values = [f"raw[{i + 1}]" for i in range(len(columns))]
        for table in hashed:
            run(
                con,
                f"update {q(table)} set row_hash = {row_hash_sql(version, columns, values)} "
                "where pid_hash is not null and list_contains($batches, batch_id)",
                {"batches": batches},
            )
    if linked:
        run(
            con,
            """update person_records p set row_hash = s.row_hash
            from row_map r join source_records s using (batch_id, line)
            where p.source = s.source and p.record_id = s.record_id and p.row_hash = r.old""",
        )
        run(con, "drop table row_map")


def _rewrite_raw(con: duckdb.DuckDBPyConnection, table: str, has_record_id: bool) -> int:
    """A raw list without its row's pid_hash (quarantine): every value through key_map.

    A row the reader could not split (no record id) holds its ID-like values as pseudonyms
    of the text as written, which no identity resolves: they cannot be re-keyed, and are
    emptied rather than left under the old key.
    """
    unsplit = f"u.record_id is null and regexp_matches(u.v, {_HEX64})" if has_record_id else "false"
    run(
        con,
        f"""create temp table raw_map as
        select rid, list(case when m.new is not null then m.new when {unsplit} then null
                              else u.v end order by i) as raw,
               count(*) filter (m.new is null and {unsplit}) as emptied
        from (select rowid as rid, {"record_id," if has_record_id else ""}
                     unnest(raw) as v, generate_subscripts(raw, 1) as i from {q(table)}) u
        left join key_map m on m.old = u.v
        group by rid having count(m.new) > 0 or emptied > 0""",
    )
    run(con, f"update {q(table)} t set raw = r.raw from raw_map r where t.rowid = r.rid")
    emptied = int(one(con, "select coalesce(sum(emptied), 0) from raw_map"))
    run(con, "drop table raw_map")
    return emptied
