"""DuckDB, the embedded default engine: connecting, and running statements to completion.

DuckDB 2.0 keeps the result of ``execute()`` open until it is read to the end, and refuses
other work on the connection meanwhile; these helpers always finish what they start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from sitthi.errors import SitthiError

Params = dict[str, Any] | list[Any] | None


def connect(
    path: Path | str | None = None,
    *,
    read_only: bool = False,
    must_exist: bool = False,
    memory_limit: str | None = None,
    store: bool = True,
) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB file, or an in-memory database when ``path`` is None.

    Only ingest creates a store: elsewhere (``read_only`` or ``must_exist``) a mistyped
    path is an error, not a new empty store. An existing file that is not a Sitthi store
    is refused, unless ``store`` is False (a working file of a step, not a store).
    """
    if path is None:
        return duckdb.connect()
    p = Path(path)
    if (read_only or must_exist) and not p.exists():
        raise SitthiError(f"{p}: no such store (run `sitthi ingest` first)")
    existed = store and p.exists()
    if existed:
        _refuse_other_files(p)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(p), read_only=read_only)
    except OSError as exc:
        raise SitthiError(f"{p}: cannot create the store: {exc.strerror}") from exc
    except duckdb.Error as exc:
        raise SitthiError(f"{p}: cannot open the store: {str(exc).splitlines()[0]}") from exc
    if existed:
        _refuse_other_databases(con, p)
    # Progress bars belong to the CLI, not to every statement.
    con.execute("set enable_progress_bar = false").complete()
    if memory_limit:
        try:
            con.execute(f"set memory_limit = '{memory_limit.replace(chr(39), '')}'").complete()
        except duckdb.Error as exc:
            reason = str(exc).splitlines()[0]
            raise SitthiError(f"SITTHI_DUCKDB_MEMORY_LIMIT {memory_limit!r}: {reason}") from exc
    return con


#: Every Sitthi store has this table (ingest creates it first); a DuckDB file with tables
#: but not this one belongs to something else and is never written to.
STORE_MARKERS = ("batches",)


def _refuse_other_files(p: Path) -> None:
    """A path that exists must be a DuckDB file: DuckDB would open a CSV or Parquet file
    as a read-only view in memory, and a load would "succeed" and save nothing."""
    if not p.is_file():
        raise SitthiError(f"{p}: not a store (a store is one DuckDB file, this is not a file)")
    with p.open("rb") as f:
        head = f.read(16)
    if head[8:12] != b"DUCK":
        raise SitthiError(
            f"{p}: not a Sitthi store (not a DuckDB database file): give --db a store, "
            "or a new path to create one"
        )


def _refuse_other_databases(con: duckdb.DuckDBPyConnection, p: Path) -> None:
    tables = {
        str(r[0])
        for r in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database()"
        ).fetchall()
    }
    if tables and not tables.intersection(STORE_MARKERS):
        con.close()
        raise SitthiError(
            f"{p}: a DuckDB database but not a Sitthi store (it has other tables): "
            "give --db a store, or a new path to create one"
        )


def store_folder(con: duckdb.DuckDBPyConnection) -> Path:
    """The folder of the store's file (the system temp folder for an in-memory store):
    where staging files go, beside the data they become part of."""
    import tempfile

    path = one(con, "select path from duckdb_databases() where database_name = current_database()")
    return Path(path).resolve().parent if path else Path(tempfile.gettempdir())


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the current database holds ``table``."""
    return bool(
        one(
            con,
            "select count(*) from duckdb_tables() where table_name = $t "
            "and database_name = current_database()",
            {"t": table},
        )
    )


def error_reason(exc: Exception) -> str:
    """DuckDB's reason in one line, without its class prefix ("Conversion Error: ")."""
    return str(exc).splitlines()[0].split(": ", 1)[-1]


def quote_literal(text: str) -> str:
    """A quoted SQL string literal (for names and labels written into generated SQL)."""
    return "'" + text.replace("'", "''") + "'"


def quote_identifier(name: str) -> str:
    """A quoted SQL identifier: source column names may be Thai, with spaces and quotes."""
    return '"' + name.replace('"', '""') + '"'


def _used(sql: str, params: Params) -> Params:
    # DuckDB refuses named parameters a statement does not use; callers may share a dict.
    if isinstance(params, dict):
        return {k: v for k, v in params.items() if f"${k}" in sql}
    return params


def run(con: duckdb.DuckDBPyConnection, sql: str, params: Params = None) -> None:
    """Execute a statement and run it to its end."""
    con.execute(sql, _used(sql, params)).complete()


def one(con: duckdb.DuckDBPyConnection, sql: str, params: Params = None) -> Any:
    """The first column of the first row (None when there is no row)."""
    row = con.execute(sql, _used(sql, params)).fetchall()
    return row[0][0] if row else None


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
    """Every row of a query."""
    return con.execute(sql, _used(sql, params)).fetchall()


def dict_rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: Params = None
) -> list[dict[str, Any]]:
    """Every row of a query, as a dict keyed by column name."""
    result = con.execute(sql, _used(sql, params))
    names = [d[0] for d in result.description or []]
    return [dict(zip(names, r, strict=True)) for r in result.fetchall()]
