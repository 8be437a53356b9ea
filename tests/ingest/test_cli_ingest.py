"""`sitthi ingest` as a user (and an attacker) meets it: the store, the DSA's day, several
files, progress, and rows that used to crash the reader."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sitthi.engines.duckdb import connect
from sitthi.errors import AccessDenied, SourceSpecError
from sitthi.ingest.service import IngestResult, ingest_file
from sitthi.ingest.spec import load_spec, parse_spec

from .conftest import KEY

Load = Callable[..., IngestResult]
Extract = Callable[[str], Path]


def sitthi(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SITTHI_PSEUDONYM_KEY": KEY.decode()}
    return subprocess.run(
        [sys.executable, "-m", "sitthi", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


@pytest.mark.parametrize("kind", ["csv", "parquet", "duckdb", "folder"])
def test_db_refuses_a_file_that_is_not_a_sitthi_store(
    kind: str, tmp_path: Path, extract: Extract
) -> None:
    """Before: DuckDB opened a CSV or Parquet --db in memory, "loaded", and saved nothing."""
    target = tmp_path / f"not-a-store.{kind}"
    if kind == "csv":
        target.write_text("a,b\n1,2\n", encoding="utf-8")
    elif kind == "parquet":
        pd.DataFrame({"a": ["1"]}).to_parquet(target)
    elif kind == "duckdb":
        with duckdb.connect(str(target)) as other:
            other.execute("create table someone_elses (a int)").fetchall()
    else:
        target.mkdir()
    before = target.read_bytes() if target.is_file() else b""
    done = sitthi("ingest", "mof", str(extract("mof")), "--db", str(target))
    assert done.returncode == 1
    assert "not a Sitthi store" in done.stderr or "not a store" in done.stderr
    assert "Traceback" not in done.stderr
    assert (target.read_bytes() if target.is_file() else b"") == before


def _mof_with_dsa(tmp_path: Path, valid_from: str, valid_to: str) -> Path:
    text = files("sitthi.ingest").joinpath("specs", "mof.yaml").read_text(encoding="utf-8")
    text = text.replace("valid_from: 2025-06-18", f"valid_from: {valid_from}")
    text = text.replace("valid_to: 2030-06-17", f"valid_to: {valid_to}")
    path = tmp_path / "mof_dsa.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "load_date"),
    [("2020-01-01", "2025-12-31", "2025-06-01"), ("2027-01-01", "2030-12-31", "2027-06-01")],
)
def test_a_load_date_cannot_make_a_dsa_valid(
    tmp_path: Path, extract: Extract, valid_from: str, valid_to: str, load_date: str
) -> None:
    """Before: an expired (or not yet valid) DSA loaded with a --load-date inside it."""
    spec = _mof_with_dsa(tmp_path, valid_from, valid_to)
    db = tmp_path / "store.duckdb"
    done = sitthi(
        "ingest", str(spec), str(extract("mof")), "--db", str(db), "--load-date", load_date
    )
    assert done.returncode == 1
    assert f"not today ({dt.date.today()})" in done.stderr
    assert not db.exists()  # refused before the store is touched


def test_the_load_date_and_the_real_day_are_recorded(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract
) -> None:
    load(store, "mof", extract("mof"), load_date=dt.date(2026, 10, 1))
    assert store.execute("select load_date, checked_on from batches").fetchall() == [
        (dt.date(2026, 10, 1), dt.date.today())
    ]


def test_a_load_date_outside_the_dsa_is_refused_too(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract
) -> None:
    with pytest.raises(AccessDenied, match=r"not the load date \(2031-01-01\)"):
        load(store, "mof", extract("mof"), load_date=dt.date(2031, 1, 1))


def test_spec_check_warns_of_a_dsa_near_its_end(tmp_path: Path) -> None:
    soon = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    done = sitthi("spec", "check", str(_mof_with_dsa(tmp_path, "2020-01-01", soon)))
    assert done.returncode == 0
    assert "warning" in done.stderr
    assert soon in done.stderr


def test_several_files_are_each_reported_and_one_bad_file_keeps_no_other_out(
    tmp_path: Path, extract: Extract
) -> None:
    """Before: the first file committed, the third never tried, no report of the first."""
    frame = pd.read_csv(extract("mof"), dtype=str, encoding="utf-8-sig", keep_default_na=False)
    first, bad, third = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    frame.iloc[:200].to_csv(first, index=False, encoding="utf-8-sig")
    bad.write_text("no,such,columns\n1,2,3\n", encoding="utf-8")
    frame.iloc[200:].to_csv(third, index=False, encoding="utf-8-sig")
    db = tmp_path / "store.duckdb"
    done = sitthi("ingest", "mof", str(first), str(bad), str(third), "--db", str(db))
    assert done.returncode == 1
    assert "b.csv" in done.stdout
    assert "missing column" in done.stdout
    assert "1 of 3 files not loaded" in done.stderr
    con = connect(db, read_only=True)
    names = con.execute("select file_name from batches order by file_name").fetchall()
    assert names == [("a.csv",), ("c.csv",)]
    con.close()
    db2 = tmp_path / "store2.duckdb"
    done = sitthi(
        "ingest", "mof", str(first), str(bad), str(third), "--db", str(db2), "--stop-on-error"
    )
    assert done.returncode == 1
    assert "not tried" in done.stdout
    con = connect(db2, read_only=True)
    assert con.execute("select file_name from batches").fetchall() == [("a.csv",)]


def test_progress_reports_rows_as_the_load_goes(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract
) -> None:
    seen: list[tuple[int, int]] = []
    result = load(store, "dopa", extract("dopa"), progress=lambda d, t: seen.append((d, t)))
    assert seen
    assert seen[-1] == (result.rows_read, result.rows_read)


def test_a_crlf_file_with_a_row_of_too_many_fields_quarantines_the_row(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract, tmp_path: Path
) -> None:
    """Before: an internal error (the LF version quarantined the row)."""
    lines = extract("sso").read_bytes().replace(b"\r\n", b"\n").split(b"\n")
    lines[7] += b",one,too,many"
    path = tmp_path / "sso_crlf.csv"
    path.write_bytes(b"\r\n".join(lines))
    result = load(store, "sso", path)
    assert result.rows_read == result.rows_loaded + result.rows_quarantined
    quarantined = store.execute("select line, reasons from quarantine").fetchall()
    assert (8, ["too_many_fields"]) in quarantined


@pytest.mark.parametrize("fault", ["quote", "mixed"])
@pytest.mark.parametrize("size", [31, 45_000])
def test_the_same_fault_is_handled_the_same_way_at_any_size(
    store: duckdb.DuckDBPyConnection, extract: Extract, tmp_path: Path, fault: str, size: int
) -> None:
    """Before: a 31-row file with one unbalanced quote or mixed line endings was refused
    whole ("error when sniffing"); at line 40,001 of a big file it was quarantined."""
    spec = parse_spec(
        files("sitthi.ingest").joinpath("specs", "sso.yaml").read_text(encoding="utf-8"),
        "sso.yaml",
    )
    lines = [x for x in extract("sso").read_bytes().split(b"\n") if x.strip()]
    header, body = lines[0], (lines[1:] * (size // len(lines) + 1))[:size]
    at = min(size - 5, 40_000)
    if fault == "quote":
        body[at] = body[at].replace(b",", b',"', 1)
        data = b"\n".join([header, *body]) + b"\n"
    else:
        data = b"\n".join([header, *body[:at]]) + b"\r\n" + b"\r\n".join(body[at:]) + b"\r\n"
    path = tmp_path / "sso.csv"
    path.write_bytes(data)
    result = ingest_file(store, spec, path, key=KEY, key_version=1)
    assert result.rows_read == size == result.rows_loaded + result.rows_quarantined
    reasons = store.execute("select line, reasons from quarantine").fetchall()
    if fault == "quote":
        assert (at + 2, ["bad_quoting"]) in reasons  # its file line: header is line 1
    else:
        assert all("bad_quoting" not in r for _, r in reasons)


def test_a_json_lines_file_with_a_broken_line_is_refused_naming_the_line(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract, tmp_path: Path
) -> None:
    frame = pd.read_csv(extract("mof"), dtype=str, encoding="utf-8-sig", keep_default_na=False)
    lines = frame.to_json(orient="records", lines=True, force_ascii=False).splitlines()
    lines[4] = lines[4][:-3]  # cut short
    path = tmp_path / "mof.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spec = load_spec("mof")
    variant = spec.model_copy(update={"read": spec.read.model_copy(update={"format": "jsonl"})})
    with pytest.raises(SourceSpecError, match=r"mof.jsonl: cannot read as jsonl: line 5 "):
        load(store, variant, path)


def test_an_extract_that_is_a_device_or_a_folder_is_refused(
    store: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path
) -> None:
    for path in (Path("/dev/zero"), tmp_path):
        with pytest.raises(SourceSpecError, match="not a regular file"):
            load(store, "mof", path)
