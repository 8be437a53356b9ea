"""Build tiny stores from hand-written records in the quick-mode CSV shape."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import duckdb

from sitthi.engines.duckdb import connect
from sitthi.ingest.service import ingest_file
from sitthi.linkage.quick import QUICK_COLUMNS, quick_spec
from sitthi.thai.national_id import check_digit

KEY = b"linkage-test-key-0123456789abcdef"


def valid_id(first12: str) -> str:
    return first12 + str(check_digit(first12))


def write_csv(path: Path, records: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=QUICK_COLUMNS)
        writer.writeheader()
        for r in records:
            writer.writerow({c: r.get(c, "") for c in QUICK_COLUMNS})
    return path


def store_with(
    tmp_path: Path, sources: dict[str, list[dict[str, Any]]]
) -> duckdb.DuckDBPyConnection:
    """A store holding each source's records (ingested with the quick-mode spec)."""
    con = connect(tmp_path / "store.duckdb")
    for name, records in sources.items():
        path = write_csv(tmp_path / f"{name}.csv", records)
        spec = quick_spec().model_copy(update={"source": name})
        ingest_file(con, spec, path, key=KEY, key_version=1)
    return con


def person_of(con: duckdb.DuckDBPyConnection, source: str, record_id: str) -> str:
    return con.execute(
        "select person_id from person_records where source = ? and record_id = ?",
        [source, record_id],
    ).fetchall()[0][0]


def stage_of(con: duckdb.DuckDBPyConnection, source: str, record_id: str) -> str:
    return con.execute(
        "select stage from person_records where source = ? and record_id = ?",
        [source, record_id],
    ).fetchall()[0][0]
