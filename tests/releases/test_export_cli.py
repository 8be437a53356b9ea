"""`sitthi export`: an area's list from the newest release into a file, audited first."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import openpyxl
import pytest
from typer.testing import CliRunner

from sitthi.cli.main import app
from sitthi.config import Settings
from sitthi.context import Context
from sitthi.releases.publish import publish

PURPOSE = "ส่งรายชื่อให้ศูนย์บริการคนพิการจังหวัด"


@pytest.fixture
def published(store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SITTHI_DB", str(store))
    monkeypatch.setenv("SITTHI_OPERATIONS_URL", f"sqlite:///{store.parent / 'ops.sqlite'}")
    publish(Context(settings=Settings(release_statistics=False), db=store))
    return store


def _busiest_province(store: Path) -> tuple[str, int]:
    con = duckdb.connect(str(store.parent / "releases" / "1" / "release.duckdb"), read_only=True)
    found = con.execute(
        "select province_code, count(*) from gaps join profiles using (person_id) "
        "group by 1 order by 2 desc limit 1"
    ).fetchone()
    con.close()
    assert found is not None
    return str(found[0]), int(found[1])


def test_the_data_team_exports_an_audited_list(published: Path, tmp_path: Path) -> None:
    province, gaps = _busiest_province(published)
    out = tmp_path / "gaps.csv"
    args = ["export", "gaps", "--area", province, "--out", str(out), "--purpose", PURPOSE]
    got = CliRunner().invoke(app, args)
    assert got.exit_code == 0, got.output
    assert f"{gaps:,} rows" in got.output
    assert "pseudonymised" in got.output
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == gaps
    assert "pid_hash" in rows[0]
    assert "national_id" not in rows[0]
    shown = CliRunner().invoke(app, ["audit", "show", "--json", "--limit", "1"])
    entry = json.loads(shown.output.splitlines()[0])
    assert entry["action"] == "export"
    assert entry["route"] == "sitthi export"
    assert entry["purpose"] == PURPOSE
    assert entry["query"]["area"] == province


def test_real_ids_only_when_asked_and_excel_by_suffix(published: Path, tmp_path: Path) -> None:
    province, gaps = _busiest_province(published)
    out = tmp_path / "gaps.xlsx"
    args = ["export", "gaps", "--area", province, "--out", str(out), "--purpose", PURPOSE]
    got = CliRunner().invoke(app, [*args, "--real-ids"])
    assert got.exit_code == 0, got.output
    book = openpyxl.load_workbook(out, read_only=True)
    header = next(book["รายชื่อ"].iter_rows(values_only=True))
    assert header[0] == "เลขประจำตัวประชาชน"
    assert sum(1 for _ in book["รายชื่อ"].iter_rows()) == gaps + 1
    book.close()


def test_a_bad_list_or_area_is_a_one_line_error(published: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    for kind, area in (("gapz", "10"), ("gaps", "99")):
        args = ["export", kind, "--area", area, "--out", str(out), "--purpose", PURPOSE]
        got = CliRunner().invoke(app, args)
        assert got.exit_code == 1, got.output
        assert "Traceback" not in got.output
    assert not out.exists()
