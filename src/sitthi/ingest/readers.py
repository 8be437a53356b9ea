"""Read an extract into a DuckDB table of text columns, whatever its format and encoding.

The result is a temporary table ``raw_rows`` with one VARCHAR column per source column
and ``_line``, the line (CSV), row (Excel) or ordinal (other formats) of each record, so
every error can name where it came from. Rows the engine cannot parse at all (garbage
bytes, a wrong number of fields) come back as *rejects* with their line and reason: they
are quarantined, never dropped. A file that cannot be read as a whole (wrong encoding,
missing columns, an empty sheet) raises a `SourceSpecError` naming the file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sitthi.engines.duckdb import one, quote_identifier, quote_literal, rows, run, store_folder
from sitthi.errors import SourceSpecError
from sitthi.ingest.csv_split import Reject, Split, staged_csv, unique_names
from sitthi.ingest.spec import SourceSpec

if TYPE_CHECKING:
    import duckdb

# When most lines fail to decode, the file is in another encoding than the spec says:
# refuse it whole rather than quarantine every row.
_WRONG_ENCODING_SHARE = 0.5


@dataclass
class RawBatch:
    columns: list[str]
    rows_read: int  # records in the file: loaded into raw_rows plus rejects
    rejects: list[Reject] = field(default_factory=list)


def needed_columns(spec: SourceSpec) -> list[str]:
    """Every file column the spec reads: identity fields and facts the DSA allows (the
    others are never read, so a file may leave them out), their dates, the record id."""
    cols = [f.column for n, f in spec.fields.items() if n in spec.allowed]
    for fact in spec.facts:
        if fact.indicator in spec.allowed:
            cols += [c for c in (fact.column, fact.valid_from, fact.valid_to) if c]
    if spec.record_id:
        cols.append(spec.record_id)
    return list(dict.fromkeys(cols))


def read_extract(con: duckdb.DuckDBPyConnection, spec: SourceSpec, path: Path) -> RawBatch:
    """Load ``path`` into the temporary table ``raw_rows`` as text; see the module doc."""
    fmt = spec.read.format
    if fmt != "sql" and not path.is_file():
        raise SourceSpecError(f"{path}: no such file")
    if fmt == "csv":
        batch = _read_csv(con, spec, path)
    elif fmt == "xlsx":
        batch = _read_xlsx(con, spec, path)
    elif fmt in ("parquet", "jsonl"):
        batch = _read_columnar(con, path, fmt)
    else:
        batch = _read_sql(con, spec)
    missing = [c for c in needed_columns(spec) if c not in batch.columns]
    if missing:
        raise SourceSpecError(
            f"{path}: missing column(s) {', '.join(missing)} that spec {spec.source!r} reads; "
            f"the file has: {', '.join(batch.columns)}"
        )
    return batch


def _read_csv(con: duckdb.DuckDBPyConnection, spec: SourceSpec, path: Path) -> RawBatch:
    encoding = spec.read.encoding
    with path.open("rb") as f:
        head = f.read(1 << 20)
    if not head.strip():
        raise SourceSpecError(f"{path}: the file is empty")
    if encoding in ("cp874", "tis-620"):
        _refuse_utf8_as_cp874(path, head)
    else:
        _refuse_cp874_as_utf8(path, head, encoding)
    # Reject tables are per read: never let one file's bad rows follow the next file.
    for table in ("raw_rows", "raw_rejects", "raw_reject_scans"):
        run(con, f"drop table if exists {table}")
    with staged_csv(
        path,
        store_folder(con),
        encoding=encoding,
        delimiter=spec.read.delimiter,
        quote=spec.read.quote,
        header=spec.read.header,
    ) as split:
        if split.records == 0:
            raise SourceSpecError(f"{path}: the file has a header but no data rows")
        _parse(con, spec, path, split)
    # A prefixed record starts with its file line and the delimiter: take them off.
    number = "regexp_extract(min(csv_line), '^[0-9]+')"
    line, raw = (
        (f"try_cast({number} as bigint)", f"substr(min(csv_line), length({number}) + 2)")
        if split.prefixed
        else ("line", "min(csv_line)")
    )
    rejected = rows(
        con,
        f"select {line}, list(distinct error_type), {raw} "
        "from raw_rejects group by line order by line",
    )
    if any(n is None for n, _, _ in rejected):  # not a record Sitthi cut: a bug
        raise SourceSpecError(f"{path}: the CSV reader returned a row of its own: file refused")
    found = [
        Reject(int(n), sorted({_reject_reason(k) for k in kinds}), text or "")
        for n, kinds, text in rejected
    ]
    loaded = one(con, "select count(*) from raw_rows")
    if loaded + len(found) != split.written:
        raise SourceSpecError(
            f"{path}: {split.written:,} records were cut from the file but the CSV reader "
            f"returned {loaded + len(found):,}: the file is refused rather than lose a row"
        )
    if not split.prefixed:
        _number_lines(con, found, first=2 if spec.read.header else 1)
    total = split.records
    # Bytes the encoding does not define: the cutter made them U+FFFD (and counted them),
    # except in a file staged line for line as UTF-8, where the reader rejects them.
    by_reader = 0 if split.prefixed else sum("bad_encoding" in r.reasons for r in found)
    bad_bytes = split.undecodable + by_reader
    if bad_bytes / total > _WRONG_ENCODING_SHARE:
        raise SourceSpecError(
            f"{path}: {bad_bytes:,} of {total:,} rows are not valid {encoding}: the file is in "
            "another encoding (Thai government files are often TIS-620/cp874); fix read.encoding"
        )
    return RawBatch(split.columns, total, sorted(split.rejects + found, key=lambda r: r.line))


def _parse(con: duckdb.DuckDBPyConnection, spec: SourceSpec, path: Path, split: Split) -> None:
    """Split the records into fields, in the dialect the spec states (nothing is guessed)."""
    types = ", ".join(f"{quote_literal(c)}: 'VARCHAR'" for c in split.columns)
    if split.prefixed:
        types = f"'_line': 'BIGINT', {types}"
    options = {
        "header": spec.read.header and not split.prefixed,
        "delim": spec.read.delimiter,
        "quote": spec.read.quote,
        "escape": spec.read.quote,
        "new_line": "\\n",
        "auto_detect": False,
        "store_rejects": True,
        "rejects_table": "raw_rejects",
        "rejects_scan": "raw_reject_scans",
        "null_padding": False,
        "strict_mode": True,
    }
    args = ", ".join(f"{k} := ${k}" for k in options)
    # The file line of a loaded row, when no line before it was rejected.
    first = 2 if spec.read.header else 1
    ordinal = "" if split.prefixed else f", row_number() over () + {first - 1} as _ordinal"
    try:
        run(
            con,
            f"create temp table raw_rows as select *{ordinal} "
            f"from read_csv($path, {args}, columns := {{{types}}})",
            {"path": split.path, **options},
        )
    except Exception as exc:  # duckdb raises its own error types for unreadable files
        raise SourceSpecError(
            f"{path}: cannot read as CSV ({spec.read.encoding}): {_first_line(exc)}"
        ) from exc


def _number_lines(con: duckdb.DuckDBPyConnection, rejects: list[Reject], first: int) -> None:
    """``_line`` of a file read line for line (one record per line after the header): the
    loaded rows' ordinal, shifted past the rejected lines before it. Without rejects it is
    a rename (an UPDATE of every row would leave version data that slows later scans)."""
    if not rejects:
        run(con, "alter table raw_rows rename column _ordinal to _line")
        return
    run(con, "create or replace temp table raw_reject_lines (line bigint)")
    values = ", ".join(f"({r.line})" for r in rejects)
    run(con, f"insert into raw_reject_lines values {values}")
    run(
        con,
        f"""create or replace temp table raw_rows as
        with gaps as (select line - {first} + 1 - row_number() over (order by line) as before
                      from raw_reject_lines)
        select r.* exclude (_ordinal),
               r._ordinal + (select count(*) from gaps
                             where gaps.before < r._ordinal - {first} + 1) as _line
        from raw_rows r""",
    )


def _reject_reason(kind: str) -> str:
    return {
        "INVALID UNICODE": "bad_encoding",
        "INVALID ENCODING": "bad_encoding",
        "TOO MANY COLUMNS": "too_many_fields",
        "MISSING COLUMNS": "too_few_fields",
        "UNQUOTED VALUE": "bad_quoting",
        "LINE SIZE OVER MAXIMUM": "line_too_long",
    }.get(str(kind).upper(), "unreadable_row")


def _refuse_utf8_as_cp874(path: Path, head: bytes) -> None:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return
    if any("\u0e00" <= ch <= "\u0e7f" for ch in text):
        raise SourceSpecError(
            f"{path}: the spec says cp874 (TIS-620) but the file is UTF-8 Thai text; "
            "fix read.encoding"
        )


def _refuse_cp874_as_utf8(path: Path, head: bytes, encoding: str) -> None:
    """A Thai TIS-620 file read as UTF-8 fails on nearly every Thai byte: say so at once."""
    text = head.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad > 20 and bad > len(text) / 50:
        thai = sum("\u0e00" <= ch <= "\u0e7f" for ch in head.decode("cp874", errors="replace"))
        hint = " it looks like TIS-620/cp874" if thai > bad else ""
        raise SourceSpecError(
            f"{path}: the file is not valid {encoding} ({bad:,} undecodable bytes in the first "
            f"{len(head):,});{hint}: fix read.encoding"
        )


def _read_xlsx(con: duckdb.DuckDBPyConnection, spec: SourceSpec, path: Path) -> RawBatch:
    import openpyxl
    import pyarrow as pa

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zip, XML and format errors from openpyxl
        raise SourceSpecError(
            f"{path}: not a readable Excel workbook ({_first_line(exc)})"
        ) from exc
    try:
        if spec.read.sheet and spec.read.sheet not in book.sheetnames:
            raise SourceSpecError(
                f"{path}: no sheet {spec.read.sheet!r}; "
                f"the workbook has: {', '.join(book.sheetnames)}"
            )
        sheet = book[spec.read.sheet] if spec.read.sheet else book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header: tuple[object, ...] | None = None
        header_row = 0
        for number, candidate in enumerate(rows, start=1):  # skip blank rows above it
            if any(h is not None and str(h).strip() for h in candidate):
                header, header_row = candidate, number
                break
        if header is None:
            raise SourceSpecError(f"{path}: sheet {sheet.title!r} is empty")
        columns = unique_names([str(h) if h is not None else "" for h in header])
        data: list[list[str | None]] = [[] for _ in columns]
        lines: list[int] = []
        for number, row in enumerate(rows, start=header_row + 1):
            if all(v is None or str(v).strip() == "" for v in row):
                continue  # Excel keeps formatted but empty rows: they are not records
            lines.append(number)
            for i in range(len(columns)):
                data[i].append(_cell_text(row[i]) if i < len(row) else None)
    finally:
        book.close()
    if not lines:
        raise SourceSpecError(f"{path}: sheet {sheet.title!r} has a header but no data rows")
    table = pa.table(
        {
            **{c: pa.array(v, pa.string()) for c, v in zip(columns, data, strict=True)},
            "_line": pa.array(lines, pa.int64()),
        }
    )
    con.register("raw_rows_arrow", table)
    run(con, "create or replace temp table raw_rows as select * from raw_rows_arrow")
    con.unregister("raw_rows_arrow")
    return RawBatch(columns, len(lines))


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 13-digit IDs stored as numbers come back as floats
    return str(value)


def _read_columnar(con: duckdb.DuckDBPyConnection, path: Path, fmt: str) -> RawBatch:
    """Parquet or JSON lines; the records are counted apart from the reader (the file's
    own metadata, or its non-blank lines), and the two counts must agree."""
    reader = (
        "read_parquet($path)"
        if fmt == "parquet"
        else "read_json($path, format := 'newline_delimited')"
    )
    try:
        run(
            con,
            f"create or replace temp table raw_typed as select * from {reader}",
            {"path": str(path)},
        )
        expected = (
            int(
                one(
                    con,
                    "select sum(num_rows) from parquet_file_metadata($path)",
                    {"path": str(path)},
                )
            )
            if fmt == "parquet"
            else None
        )
    except Exception as exc:
        where = _bad_json_line(path) if fmt == "jsonl" else ""
        raise SourceSpecError(f"{path}: cannot read as {fmt}: {where or _first_line(exc)}") from exc
    if expected is None:
        expected = _json_records(path)
    batch = _as_text(con, "raw_typed", path)
    if batch.rows_read != expected:
        raise SourceSpecError(
            f"{path}: the file holds {expected:,} records but the reader returned "
            f"{batch.rows_read:,}: the file is refused rather than lose a row"
        )
    return batch


def _json_records(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


def _bad_json_line(path: Path) -> str:
    """The first line of a JSON-lines file that is not one JSON object, said plainly."""
    import json

    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError as exc:
                return f"line {number} is not valid JSON ({str(exc).split(':')[0]})"
            if not isinstance(value, dict):
                return f"line {number} is not a JSON object"
    return ""


def _read_sql(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> RawBatch:
    import pyarrow as pa
    import sqlalchemy as sa

    where = spec.read.table or "query"
    statement = (
        sa.text(spec.read.query)
        if spec.read.query
        else sa.select(sa.text("*")).select_from(sa.table(spec.read.table or ""))
    )
    try:
        engine = sa.create_engine(spec.read.url or "")
        with engine.connect() as conn:
            result = conn.execute(statement)
            columns = list(result.keys())
            rows = result.fetchall()
    except sa.exc.SQLAlchemyError as exc:
        raise SourceSpecError(
            f"{spec.source} ({where}): cannot read from the database: {_first_line(exc)}"
        ) from exc
    table = pa.table(
        {
            c: pa.array([None if r[i] is None else _cell_text(r[i]) for r in rows], pa.string())
            for i, c in enumerate(columns)
        }
    )
    con.register("raw_sql_arrow", table)
    run(con, "create or replace temp table raw_typed as select * from raw_sql_arrow")
    con.unregister("raw_sql_arrow")
    return _as_text(con, "raw_typed", Path(where))


def _as_text(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> RawBatch:
    columns = [r[0] for r in rows(con, f"describe {table}")]
    if not columns:
        raise SourceSpecError(f"{path}: no columns")
    casts = ", ".join(
        f"cast({quote_identifier(c)} as varchar) as {quote_identifier(c)}" for c in columns
    )
    run(
        con,
        f"create or replace temp table raw_rows as "
        f"select {casts}, row_number() over () as _line from {table}",
    )
    n = one(con, "select count(*) from raw_rows")
    if n == 0:
        raise SourceSpecError(f"{path}: no data rows")
    return RawBatch(columns, n)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
