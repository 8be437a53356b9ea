"""Load one agency extract into the store: atomic, idempotent, nothing lost.

`ingest_file` is the service behind ``sitthi ingest`` (and the demo). Guarantees:

* rows read = rows loaded + rows quarantined, for every batch;
* the same file loaded again changes nothing (a batch is keyed by source and file hash);
* a load killed half way leaves nothing behind: the batch is one transaction;
* fields the Data Sharing Agreement does not allow are never stored, and a DSA that is
  not in force on the load date refuses the load.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitthi.engines.duckdb import one, rows, run
from sitthi.errors import AccessDenied, SitthiError, SourceSpecError
from sitthi.ingest.keys import check_key
from sitthi.ingest.normalize import prepare, stage_chunk
from sitthi.ingest.pseudonym import pseudonym
from sitthi.ingest.readers import RawBatch, read_extract
from sitthi.ingest.report import batch_report
from sitthi.ingest.spec import SourceSpec
from sitthi.ingest.store import ensure_schema
from sitthi.ingest.versions import classify, of_state, retire_replaced
from sitthi.thai.national_id import normalize_national_id
from sitthi.thai.similarity import sim_key_sql

if TYPE_CHECKING:
    import duckdb


# Lines staged at a time: bounds memory on national-scale files (66M rows) while keeping
# each statement big enough for the engine to run it at full speed.
CHUNK_LINES = 2_000_000

#: Called with (rows done, rows in the file) after each staged chunk.
Progress = Callable[[int, int], None]


@dataclass
class IngestResult:
    """What happened to one file."""

    source: str
    file: str
    batch_id: str
    skipped: bool  # True when this exact file was already loaded
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    seconds: float = 0.0
    report: dict[str, Any] = field(default_factory=dict)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _today() -> dt.date:
    """The real day a load runs: DSAs are checked against it (never a day a user gives)."""
    return dt.date.today()


def check_dsa(spec: SourceSpec, load_date: dt.date | None) -> dt.date:
    """Refuse a load unless the DSA is in force today, and on ``load_date`` if one is given.

    ``--load-date`` can record another day for the load, but cannot make an expired or
    not-yet-valid agreement valid. Returns the day checked (today).
    """
    today = _today()
    for day, what in ((today, "today"), (load_date, "the load date")):
        if day is not None and not spec.dsa.in_force(day):
            raise AccessDenied(
                f"{spec.source}: DSA {spec.dsa.id} is in force from {spec.dsa.valid_from} to "
                f"{spec.dsa.valid_to}, not {what} ({day}): load refused"
            )
    return today


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    path: Path,
    *,
    key: bytes,
    key_version: int,
    load_date: dt.date | None = None,
    extract_date: dt.date | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    """Load ``path`` as described by ``spec``; see the module docstring for the guarantees.

    Args:
        con: the store.
        spec: the source spec (with its DSA).
        path: the extract file (ignored for ``format: sql`` specs, which name their source).
        key, key_version: the pseudonym key from configuration, and its version; a key
            that is not the one the store's data was made with is refused.
        load_date: the day recorded as the load's (today by default); the DSA must be in
            force on it and today.
        extract_date: the day the extract describes; facts without a date column are valid
            from it (the load date by default).
        progress: called with (rows done, rows in the file) as the load goes.
    """
    checked_on = check_dsa(spec, load_date)
    load_date = load_date or checked_on
    extract_date = extract_date or load_date
    started = time.perf_counter()
    started_at = dt.datetime.now()
    ensure_schema(con)
    check_key(con, key=key, key_version=key_version)
    is_sql = spec.read.format == "sql"
    name = f"{spec.read.table or 'query'} @ database" if is_sql else path.name
    if not is_sql and not path.is_file():
        what = "not a regular file (an extract is a file)" if path.exists() else "no such file"
        raise SourceSpecError(f"{path}: {what}")
    # A file is known by its bytes before it is read; a database source by its content.
    digest = None if is_sql else file_sha256(path)
    if digest and (done := _already_loaded(con, spec, digest)):
        return IngestResult(spec.source, name, done, skipped=True)
    raw: RawBatch = read_extract(con, spec, path)
    if digest is None:
        digest = one(
            con,
            "select md5(coalesce(string_agg(md5(to_json(r)::varchar), '' order by _line), '')) "
            "from raw_rows r",
        )
        if done := _already_loaded(con, spec, digest):
            return IngestResult(spec.source, name, done, skipped=True)
    batch_id = f"{spec.source}-{started_at:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
    staging = prepare(con, spec, key=key, extract_date=extract_date, raw_columns=raw.columns)
    dropped, stored = staging.dropped, staging.stored
    known = bool(one(con, "select count(*) from batches where source = $s", {"s": spec.source}))
    run(con, "begin transaction")
    try:
        _write_rejects(con, spec, batch_id, raw, stored, key)
        run(con, "create or replace temp table batch_unchanged (source varchar, record_id varchar)")
        versions = {"new": 0, "changed": 0, "unchanged": 0, "older": 0}
        first, last = con.execute("select min(_line), max(_line) from raw_rows").fetchall()[0]
        rows_done = len(raw.rejects)
        for lo in range(first or 0, (last or -1) + 1, CHUNK_LINES):
            stage_chunk(con, staging, lo, lo + CHUNK_LINES - 1)
            for state, n in _write(
                con, spec, batch_id, key_version, extract_date=extract_date, known=known
            ).items():
                versions[state] += n
            rows_done += int(one(con, "select count(*) from staged"))
            if progress:
                progress(rows_done, raw.rows_read)
        counts = {
            "loaded": sum(versions.values()),
            "quarantined": int(
                one(con, "select count(*) from quarantine where batch_id = $b", {"b": batch_id})
            ),
            **versions,
        }
        report = batch_report(con, spec, batch_id, raw.rows_read, counts, dropped)
        seconds = round(time.perf_counter() - started, 3)
        values = {
            "batch_id": batch_id,
            "source": spec.source,
            "spec_version": spec.version,
            "dsa_id": spec.dsa.id,
            "dsa_version": spec.dsa.version,
            "file_name": name,
            "file_sha256": digest,
            "extract_date": extract_date,
            "key_version": key_version,
            "rows_read": raw.rows_read,
            "rows_loaded": counts["loaded"],
            "rows_quarantined": counts["quarantined"],
            "started_at": started_at,
            "finished_at": dt.datetime.now(),
            "seconds": seconds,
            "raw_columns": stored,
            "report": json.dumps(report, ensure_ascii=False),
            "rows_unchanged": versions["unchanged"],
            "rows_changed": versions["changed"] + versions["older"],
            "load_date": load_date,
            "checked_on": checked_on,
        }
        run(
            con,
            f"insert into batches ({', '.join(values)}) "
            f"values ({', '.join('$' + k for k in values)})",
            values,
        )
        if counts["loaded"] + counts["quarantined"] != raw.rows_read:  # the first guarantee
            raise SourceSpecError(
                f"{name}: {raw.rows_read} rows read but {counts['loaded']} loaded and "
                f"{counts['quarantined']} quarantined: batch rolled back"
            )
        run(con, "commit")
    except BaseException:
        run(con, "rollback")
        raise
    return IngestResult(
        spec.source,
        name,
        batch_id,
        False,
        raw.rows_read,
        counts["loaded"],
        counts["quarantined"],
        seconds,
        report,
    )


@dataclass
class IngestFailure:
    """A file that was not loaded (nothing of it is in the store), and why."""

    file: str
    error: str
    tried: bool = True  # False: not tried, an earlier file failed under stop_on_error


def ingest_files(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    paths: list[Path],
    *,
    key: bytes,
    key_version: int,
    load_date: dt.date | None = None,
    extract_date: dt.date | None = None,
    stop_on_error: bool = False,
    progress: Callable[[Path], Progress | None] | None = None,
) -> list[IngestResult | IngestFailure]:
    """Load several files, each in its own batch: one file's error does not keep the
    others out (unless ``stop_on_error``), and every file is reported, loaded or not.

    ``progress(path)`` may return the `Progress` callback for that file.
    """
    check_dsa(spec, load_date)  # the same for every file: refused before any is read
    outcomes: list[IngestResult | IngestFailure] = []
    for i, path in enumerate(paths):
        try:
            outcomes.append(
                ingest_file(
                    con,
                    spec,
                    path,
                    key=key,
                    key_version=key_version,
                    load_date=load_date,
                    extract_date=extract_date,
                    progress=progress(path) if progress else None,
                )
            )
        except SitthiError as exc:
            outcomes.append(IngestFailure(path.name, str(exc)))
            if stop_on_error:
                outcomes += [
                    IngestFailure(p.name, "not tried", tried=False) for p in paths[i + 1 :]
                ]
                break
    return outcomes


def _already_loaded(con: duckdb.DuckDBPyConnection, spec: SourceSpec, digest: str) -> str | None:
    found = one(
        con,
        "select batch_id from batches where source = $s and file_sha256 = $h and spec_version = $v",
        {"s": spec.source, "h": digest, "v": spec.version},
    )
    return str(found) if found is not None else None


def _write(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    batch_id: str,
    key_version: int,
    *,
    extract_date: dt.date,
    known: bool,
) -> dict[str, int]:
    """Insert one staged chunk into the store tables (inside the caller's transaction).

    Returns the number of rows per state (see `versions.classify`). Only the newest version of a
    record stays in ``source_records`` and ``facts``; the versions it replaces move to
    the history tables.
    """
    classify(con, spec.source, extract_date, known)
    p = {"batch": batch_id, "source": spec.source, "kv": key_version}
    states = dict(rows(con, "select state, count(*) from staged_state group by 1"))
    retire_replaced(con, spec.source, batch_id, states)
    # The one table that holds the ID itself (the canonical ID, or the text as written when
    # it is not one), so every pseudonym can be resolved by those allowed to.
    run(
        con,
        """
        insert into identities
        select pid_hash, any_value(coalesce(national_id, national_id_raw)), $kv
        from staged s
        where pid_hash is not null
          and not exists (select 1 from identities i where i.pid_hash = s.pid_hash)
        group by pid_hash
    """,
        p,
    )
    for state, target, superseded in (
        ("new", "", ""),
        ("changed", "", ""),
        ("older", "_history", ", v.current_batch"),
    ):
        if not states.get(state):
            continue
        run(
            con,
            f"""
            insert into source_records{target}
            select $source, s.record_id, $batch, _line, pid_hash, national_id_reason is null,
                   national_id_reason, national_id_category, title, first_name, last_name,
                   first_name_norm, first_name_key, first_name_phonetic,
                   last_name_norm, last_name_key, last_name_phonetic, sex, birth_date,
                   birth_precision, birth_era_corrected, house_code, house_no, moo,
                   subdistrict_code, district_code, province_code, phone, issues, raw,
                   row_hash, street, {sim_key_sql("street")}, postcode, other_id{superseded}
            from staged s {of_state(state, known)}
        """,
            p,
        )
        run(
            con,
            f"""
            insert into facts{target}
            select $source, record_id, $batch, pid_hash, f.dimension, f.indicator, f.value,
                   f.value_number, f.value_date, f.unit, f.valid_from, f.valid_to{superseded}
            from (select s.record_id, pid_hash, unnest(facts) as f{superseded}
                  from staged s {of_state(state, known)} and len(facts) > 0) v
            where f.reason is null
        """,
            p,
        )
    run(
        con,
        """
        insert into fact_issues
        select f.indicator || ':' || f.reason, count(*)
        from (select unnest(facts) as f from staged where len(reasons) = 0 and len(facts) > 0)
        where f.reason is not null group by all
    """,
    )
    run(
        con,
        """
        insert into quarantine
        select $source, $batch, _line, record_id, reasons, raw from staged where len(reasons) > 0
    """,
        p,
    )
    return {str(k): int(v) for k, v in states.items()}


def _write_rejects(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    batch_id: str,
    raw: RawBatch,
    stored: list[str],
    key: bytes,
) -> None:
    """Quarantine the rows the reader could not split, as far as they can be read.

    The line is split as CSV; fields under a stored column are kept (in the batch's
    raw-column order), and anything that reads as a national ID becomes its pseudonym, so
    a broken row cannot carry the raw ID or a column the DSA does not allow.
    """
    run(con, "create or replace temp table fact_issues (issue varchar, n bigint)")
    if not raw.rejects:
        return
    import csv

    import pyarrow as pa

    position = {c: i for i, c in enumerate(raw.columns)}
    values = []
    for r in raw.rejects:
        fields = next(
            csv.reader([r.raw], delimiter=spec.read.delimiter, quotechar=spec.read.quote), []
        )
        kept = [fields[position[c]] if position[c] < len(fields) else None for c in stored]
        values.append(
            [pseudonym(key, v) if v is not None and normalize_national_id(v) else v for v in kept]
        )
    rejects = pa.table(
        {
            "line": pa.array([r.line for r in raw.rejects], pa.int64()),
            "reason": pa.array([r.reasons for r in raw.rejects], pa.list_(pa.string())),
            "raw": pa.array(values, pa.list_(pa.string())),
        }
    )
    con.register("rejects_arrow", rejects)
    run(
        con,
        "insert into quarantine select $source, $batch, line, null, reason, raw from rejects_arrow",
        {"source": spec.source, "batch": batch_id},
    )
    con.unregister("rejects_arrow")
