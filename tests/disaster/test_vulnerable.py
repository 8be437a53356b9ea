"""The disaster list: who is listed, in which order, with which contact — hand-checked on
a household street made for the purpose — and `sitthi disaster list` on a real release."""

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
from sitthi.disaster.vulnerable import COLUMNS, DisasterList
from sitthi.errors import ValidationError
from sitthi.releases.publish import publish

MOBILITY = "ความพิการทางการเคลื่อนไหวหรือทางร่างกาย"
HEARING = "ความพิการทางการได้ยินหรือสื่อความหมาย"
# person, household, age, alive, bedridden, disability type, phone, subdistrict, poor
STREET = [
    ("P1", "H1", 85, True, True, None, None, "840101", True),
    ("P2", "H1", 45, True, False, None, "0812345678", "840101", True),
    ("P3", "H1", 3, True, False, None, None, "840101", True),
    ("P4", "H2", 70, True, False, None, None, "840101", False),
    ("P5", "H3", 30, True, False, MOBILITY, None, "840102", False),
    ("P6", "H3", 40, True, False, HEARING, None, "840102", False),
    ("P7", "H4", 90, False, True, None, None, "840101", False),  # died: never listed
    ("P8", "H5", 60, True, True, None, "0899999999", "500101", False),  # another province
]


@pytest.fixture
def street() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        """create table profiles (person_id varchar, household_id varchar, age int,
               alive bool, bedridden bool, disability bool, disability_type varchar,
               sex varchar, province_code varchar, district_code varchar,
               subdistrict_code varchar)"""
    )
    con.execute(
        """create table persons (person_id varchar, title varchar, first_name varchar,
               last_name varchar, house_no varchar, moo varchar, phone varchar)"""
    )
    con.execute("create table households (household_id varchar, members bigint)")
    con.execute("create table person_households (person_id varchar, household_id varchar)")
    con.execute("create table person_poverty (person_id varchar, poor bool)")
    con.execute("create table person_pids (person_id varchar, pid_hash varchar)")
    for p, hh, age, alive, bed, dtype, phone, sub, poor in STREET:
        con.execute(
            "insert into profiles values (?, ?, ?, ?, ?, ?, ?, 'F', ?, ?, ?)",
            [p, hh, age, alive, bed, dtype is not None, dtype, sub[:2], sub[:4], sub],
        )
        con.execute(
            "insert into persons values (?, 'นาง', ?, 'ใจดี', '5', '3', ?)", [p, f"ชื่อ{p}", phone]
        )
        con.execute("insert into person_households values (?, ?)", [p, hh])
        con.execute("insert into person_poverty values (?, ?)", [p, poor])
        con.execute("insert into person_pids values (?, ?)", [p, f"{int(p[1:]):064x}"])
    con.execute(
        "insert into households select household_id, count(*) from person_households group by 1"
    )
    return con


def _rows(con: duckdb.DuckDBPyConnection, areas: list[str]) -> list[dict[str, object]]:
    names = [c for c, _ in COLUMNS]
    listed = DisasterList(con, areas)
    return [dict(zip(names, r, strict=True)) for b in listed.batches() for r in b]


def test_the_most_vulnerable_come_first_with_a_contact(street: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(street, ["84"])
    # bedridden 50 + aged 80 20 + elderly 10 + poor 10; alone 30 + elderly 10 + no phone
    # and no contact 10; dependent disabled 35 + unreachable 10; a child 25 + poor 10;
    # another disability 15 + unreachable 10
    assert [(r["person_id"], r["score"]) for r in rows] == [
        ("P1", 90),
        ("P4", 50),
        ("P5", 45),
        ("P3", 35),
        ("P6", 25),
    ]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    first = rows[0]
    assert first["groups"] == "bedridden,oldest_old,elderly"
    assert first["groups_th"] == "ผู้ป่วยติดเตียง, ผู้สูงอายุ 80 ปีขึ้นไป, ผู้สูงอายุ"
    # the household's adult with a phone answers for the bedridden and for the child
    assert (first["contact_name"], first["contact_phone"]) == ("นางชื่อP2 ใจดี", "0812345678")
    assert rows[3]["contact_phone"] == "0812345678"
    assert rows[1]["contact_name"] is None  # lives alone
    assert (rows[2]["contact_name"], rows[4]["contact_name"]) == ("นางชื่อP6 ใจดี", "นางชื่อP5 ใจดี")
    assert (first["subdistrict"], first["district"], first["province"]) == (
        "ตลาด",
        "เมืองสุราษฎร์ธานี",
        "สุราษฎร์ธานี",
    )
    assert first["household_members"] == 3


def test_areas_take_what_lies_inside_them(street: duckdb.DuckDBPyConnection) -> None:
    assert [r["person_id"] for r in _rows(street, ["840102"])] == ["P5", "P6"]
    assert [r["person_id"] for r in _rows(street, ["840102", "50"])] == ["P8", "P5", "P6"]
    listed = DisasterList(street, ["8401"])
    assert listed.total() == 5
    assert listed.persons()[0] == f"{1:064x}"  # the audit names P1 by pseudonym
    counts = {(c["district_code"], c["group_name"]): c["persons"] for c in listed.counts()}
    assert counts[("8401", "elderly")] == 2
    assert counts[("8401", "bedridden")] == 1


def test_a_bad_area_is_refused_by_name(street: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValidationError, match="99"):
        DisasterList(street, ["99"])
    with pytest.raises(ValidationError, match="at least one"):
        DisasterList(street, [])


@pytest.fixture
def published(store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SITTHI_DB", str(store))
    monkeypatch.setenv("SITTHI_OPERATIONS_URL", f"sqlite:///{store.parent / 'ops.sqlite'}")
    publish(Context(settings=Settings(release_statistics=False), db=store))
    return store


def test_the_command_writes_an_audited_file_most_vulnerable_first(
    published: Path, tmp_path: Path
) -> None:
    con = duckdb.connect(
        str(published.parent / "releases" / "1" / "release.duckdb"), read_only=True
    )
    province = con.execute(
        "select province_code from profiles where bedridden "
        "group by 1 order by count(*) desc limit 1"
    ).fetchone()[0]
    expected = DisasterList(con, [province]).total()
    con.close()
    out = tmp_path / "flood.xlsx"
    got = CliRunner().invoke(
        app, ["disaster", "list", "--areas", province, "--out", str(out), "--hazard", "flood"]
    )
    assert got.exit_code == 0, got.output
    assert f"{expected:,} persons" in got.output
    assert "ผู้ป่วยติดเตียง" in got.output  # the counts by district and group
    book = openpyxl.load_workbook(out, read_only=True)
    rows = list(book["รายชื่อ"].iter_rows(values_only=True))
    book.close()  # read-only workbooks keep their file open
    assert rows[0][:3] == ("ลำดับ", "คะแนนความเปราะบาง", "กลุ่มเปราะบาง")
    assert len(rows) - 1 == expected
    scores = [r[1] for r in rows[1:]]
    assert scores == sorted(scores, reverse=True)
    shown = CliRunner().invoke(app, ["audit", "show", "--json", "--limit", "1"])
    entry = json.loads(shown.output.splitlines()[0])
    assert (entry["action"], entry["route"]) == ("export", "sitthi disaster list")
    assert entry["query"]["areas"] == [province]
    assert entry["query"]["hazard"] == "flood"
    assert len(entry["persons"]) + len(entry["query"]["persons_without_id"]) == expected
    csv_out = tmp_path / "flood.csv"
    again = CliRunner().invoke(
        app, ["disaster", "list", "--areas", province, "--out", str(csv_out)]
    )
    assert again.exit_code == 0, again.output
    with csv_out.open(encoding="utf-8-sig") as f:
        assert len(list(csv.DictReader(f))) == expected


def test_a_bad_area_gets_a_clear_error_and_no_file(
    published: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # as the `sitthi` script runs: a user error is one line on stderr, exit 1
    import sys

    from sitthi.cli.main import run

    out = tmp_path / "x.csv"
    monkeypatch.setattr(
        sys, "argv", ["sitthi", "disaster", "list", "--areas", "84,9x", "--out", str(out)]
    )
    with pytest.raises(SystemExit) as exited:
        run()
    err = capsys.readouterr().err
    assert exited.value.code == 1
    assert "area code '9x'" in err
    assert "Traceback" not in err
    assert not out.exists()
