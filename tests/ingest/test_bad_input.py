"""Bad files get a clear error naming the file, or quarantined rows; never a crash or half-load."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from sitthi.errors import SourceSpecError
from sitthi.ingest.service import IngestResult
from sitthi.ingest.spec import load_spec
from sitthi.ingest.store import ensure_schema

Load = Callable[..., IngestResult]
Extract = Callable[[str], Path]


def nothing_stored(con: duckdb.DuckDBPyConnection) -> bool:
    ensure_schema(con)
    tables = ("batches", "source_records", "facts", "quarantine", "identities")
    return all(con.execute(f"select count(*) from {t}").fetchall()[0][0] == 0 for t in tables)


def test_missing_columns_name_the_file_and_the_columns(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract, tmp_path: Path
) -> None:
    frame = pd.read_csv(extract("sso"), dtype=str).drop(columns=["FNAME", "BIRTHDATE"])
    path = tmp_path / "sso_cut.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(
        SourceSpecError, match=r"sso_cut\.csv: missing column\(s\) FNAME, BIRTHDATE"
    ):
        load(store, "sso", path)
    assert nothing_stored(store)


def test_a_tis620_file_read_as_utf8_is_refused_whole(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract
) -> None:
    spec = load_spec("lao")
    wrong = spec.model_copy(update={"read": spec.read.model_copy(update={"encoding": "utf-8"})})
    with pytest.raises(
        SourceSpecError, match=r"lao_allowance_payments\.csv: .* not valid utf-8.*cp874"
    ):
        load(store, wrong, extract("lao"))
    assert nothing_stored(store)


def test_a_utf8_file_read_as_tis620_is_refused_whole(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract
) -> None:
    spec = load_spec("dopa")
    wrong = spec.model_copy(update={"read": spec.read.model_copy(update={"encoding": "cp874"})})
    with pytest.raises(SourceSpecError, match=r"spec says cp874 .* but the file is UTF-8"):
        load(store, wrong, extract("dopa"))
    assert nothing_stored(store)


def test_garbage_bytes_and_broken_rows_are_quarantined_with_their_line(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract, tmp_path: Path
) -> None:
    lines = extract("sso").read_bytes().split(b"\n")
    lines[5] = lines[5][:20] + b"\xff\xfe\x00garbage" + lines[5][20:]  # invalid UTF-8
    lines[9] = lines[9] + b",one,field,too,many"
    path = tmp_path / "sso_broken.csv"
    path.write_bytes(b"\n".join(lines))
    result = load(store, "sso", path)
    total = len([x for x in lines[1:] if x.strip()])
    assert result.rows_read == total == result.rows_loaded + result.rows_quarantined
    rows = store.execute("select line, reasons from quarantine order by line").fetchall()
    got = dict(rows)
    # Line numbers are file lines (the header is line 1); the bytes land in the ID's field.
    assert got[6] == ["bad_encoding", "national_id:bad_characters"]
    assert got[10] == ["too_many_fields"]
    assert result.report["quarantine_reasons"]["bad_encoding"] >= 1


def test_a_record_id_seen_twice_quarantines_the_second(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract, tmp_path: Path
) -> None:
    frame = pd.read_csv(extract("mof"), dtype=str, encoding="utf-8-sig", keep_default_na=False)
    frame = pd.concat([frame, frame.iloc[[3]]], ignore_index=True)
    path = tmp_path / "mof_twice.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    result = load(store, "mof", path)
    reasons = store.execute("select reasons from quarantine").fetchall()
    assert ["record_id:duplicate"] in [r[0] for r in reasons]
    assert result.rows_read == len(frame) == result.rows_loaded + result.rows_quarantined


def test_required_fields_quarantine_and_optional_ones_become_issues(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract, tmp_path: Path
) -> None:
    frame = pd.read_csv(extract("sso"), dtype=str, keep_default_na=False)
    frame.loc[0, "ID_CARD"] = "1234"  # required: quarantined
    frame.loc[1, "FNAME"] = ""  # required: quarantined
    frame.loc[2, "BIRTHDATE"] = "31/02/1970"  # optional: loaded, with an issue
    path = tmp_path / "sso_fields.csv"
    frame.to_csv(path, index=False)
    load(store, "sso", path)
    q = dict(store.execute("select line, reasons from quarantine").fetchall())
    assert q[2] == ["national_id:wrong_length"]
    assert q[3] == ["first_name:empty"]
    issues = store.execute(
        "select issues, birth_date from source_records where line = 4"
    ).fetchall()
    assert issues == [(["birth_date:bad_day"], None)]


def test_an_empty_file_and_an_empty_sheet_are_clear_errors(
    store: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(SourceSpecError, match=r"empty\.csv: the file is empty"):
        load(store, "sso", empty)
    book = openpyxl.Workbook()
    book.active.title = "ทะเบียนคนพิการ"
    book.save(tmp_path / "empty.xlsx")
    with pytest.raises(SourceSpecError, match=r"empty\.xlsx: sheet 'ทะเบียนคนพิการ' is empty"):
        load(store, "dep", tmp_path / "empty.xlsx")
    book.active.title = "Sheet1"
    book.save(tmp_path / "other.xlsx")
    with pytest.raises(SourceSpecError, match=r"no sheet 'ทะเบียนคนพิการ'; the workbook has: Sheet1"):
        load(store, "dep", tmp_path / "other.xlsx")
    (tmp_path / "fake.xlsx").write_bytes(b"not a zip at all")
    with pytest.raises(SourceSpecError, match=r"fake\.xlsx: not a readable Excel workbook"):
        load(store, "dep", tmp_path / "fake.xlsx")
    with pytest.raises(SourceSpecError, match="no such file"):
        load(store, "dep", tmp_path / "missing.xlsx")
    assert nothing_stored(store)


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "sql"])
def test_parquet_json_lines_and_databases_load_like_csv(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract, tmp_path: Path, fmt: str
) -> None:
    frame = pd.read_csv(extract("mof"), dtype=str, encoding="utf-8-sig", keep_default_na=False)
    spec = load_spec("mof")
    path = tmp_path / f"mof.{fmt}"
    read = {"format": fmt}
    if fmt == "parquet":
        frame.to_parquet(path, index=False)
    elif fmt == "jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        with sqlite3.connect(tmp_path / "mof.sqlite") as db:
            frame.to_sql("welfare_card", db, index=False)
        read |= {"url": f"sqlite:///{tmp_path / 'mof.sqlite'}", "table": "welfare_card"}
    variant = spec.model_copy(update={"read": spec.read.model_copy(update=read)})
    csv_result = load(store, "mof", extract("mof"))
    other = load(store, variant, path)
    assert other.rows_read == csv_result.rows_read == len(frame)
    assert other.rows_loaded == csv_result.rows_loaded
    # The same records in another format are the same records: nothing stored twice.
    assert other.report["rows"]["unchanged"] == csv_result.rows_loaded
    again = load(store, variant, path)
    assert again.skipped  # idempotent for every format, databases included
    got = store.execute("select count(*), count(distinct batch_id) from source_records").fetchall()
    assert got == [(csv_result.rows_loaded, 1)]


def test_a_database_that_cannot_be_read_is_a_clear_error(
    store: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path
) -> None:
    spec = load_spec("mof")
    read = {"format": "sql", "url": f"sqlite:///{tmp_path / 'none.sqlite'}", "table": "nope"}
    variant = spec.model_copy(update={"read": spec.read.model_copy(update=read)})
    with pytest.raises(SourceSpecError, match=r"mof \(nope\): cannot read from the database"):
        load(store, variant, tmp_path)


def test_dates_repaired_and_invalid_ids_are_reported(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract
) -> None:
    result = load(store, "lao", extract("lao"), extract_date=dt.date(2026, 10, 1))
    report = result.report
    assert report["birth_date"]["era_corrected"] > 0  # CE years in a BE column, read by range
    assert report["national_id"]["bad_checksum"] > 0
    assert 0 < report["completeness"]["national_id"] <= 1
    assert set(report) >= {"quarantine_reasons", "issues", "completeness", "facts"}
