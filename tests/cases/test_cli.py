"""`sitthi cases import / propose / decide / list` on a published synthetic release."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from sitthi.cli.main import app
from sitthi.config import Settings
from sitthi.context import Context
from sitthi.operations.case_models import CaseReject
from sitthi.operations.store import OperationsStore
from sitthi.releases.publish import publish

HEADER = [
    "เลขที่เรื่อง", "วันที่รับเรื่อง", "เลขประจำตัวประชาชน", "ชื่อ", "นามสกุล", "วันเดือนปีเกิด",
    "เบอร์โทรศัพท์", "ประเภทความช่วยเหลือ", "ความเร่งด่วน", "รหัสแขวง", "รายละเอียด",
]  # fmt: skip


@pytest.fixture
def published(store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SITTHI_DB", str(store))
    monkeypatch.setenv("SITTHI_OPERATIONS_URL", f"sqlite:///{store.parent / 'ops.sqlite'}")
    publish(Context(settings=Settings(release_statistics=False), db=store))
    return store


def _elder(published: Path) -> tuple[str, str, str, str]:
    """An elderly welfare-card holder whose names and birth date no one else shares."""
    con = duckdb.connect(
        str(published.parent / "releases" / "1" / "release.duckdb"), read_only=True
    )
    found = con.execute(
        """select g.first_name, g.last_name, g.birth_date, f.subdistrict_code
           from persons g join profiles f using (person_id)
           where f.age between 65 and 90 and f.welfare_card and f.alive and f.thai
             and g.birth_precision = 'day' and f.subdistrict_code is not null
             and (g.first_name, g.last_name) in (
                 select (first_name, last_name) from persons group by all having count(*) = 1)
           order by g.person_id limit 1"""
    ).fetchone()
    con.close()
    assert found is not None
    first, last, born, sub = found
    return first, last, f"{born.day:02d}/{born.month:02d}/{born.year + 543}", sub


def test_an_ecase_file_is_imported_proposed_decided_and_listed(
    published: Path, tmp_path: Path
) -> None:
    first, last, born, sub = _elder(published)
    path = tmp_path / "ecase.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerow(
            [
                "EC-1",
                "01/12/2569",
                "",
                first,
                last,
                born,
                "0812345678",
                "ผู้สูงอายุเดือดร้อน",
                "ด่วน",
                sub,
                "ไม่มีรายได้",
            ]
        )
        w.writerow(["EC-2", "01/12/2569", "", "ก", "ข", "", "", "ขอเงินฟรี", "ปกติ", sub, ""])
        w.writerow(
            ["EC-3", "31/02/2569", "1101700203159", "ค", "ง", "", "", "คนไร้บ้าน", "ปกติ", sub, ""]
        )
    got = CliRunner().invoke(app, ["cases", "import", "bma_ecase", str(path)])
    assert got.exit_code == 0, got.output
    assert (
        "3 rows; 1 new cases (0 received before), 1 tied to a person, 0 duplicates; 2 rows rejected"
        in got.output
    )
    again = CliRunner().invoke(app, ["cases", "import", "bma_ecase", str(path)])
    assert "0 new cases (1 received before)" in again.output
    with (
        OperationsStore.open(f"sqlite:///{published.parent / 'ops.sqlite'}") as ops,
        ops.snapshot() as s,
    ):
        rejects = {
            r.row: r for r in s.scalars(select(CaseReject).order_by(CaseReject.id)).all()[:2]
        }
        assert rejects[3].reasons[0]["column"] == "ประเภทความช่วยเหลือ"
        assert "unknown value 'ขอเงินฟรี'" in rejects[3].reasons[0]["reason"]
        reasons = {r["column"]: r["reason"] for r in rejects[4].reasons}
        assert reasons["วันที่รับเรื่อง"].startswith("not a date")
        assert "1101700203159" not in str(rejects[4].values)  # kept as its pseudonym

    proposed = CliRunner().invoke(app, ["cases", "propose"])
    assert proposed.exit_code == 0, proposed.output
    assert "case 1: grant 3,000 บาท dop_hardship_aid" in proposed.output
    decided = CliRunner().invoke(app, ["cases", "decide", "1"])
    assert decided.exit_code == 0, decided.output
    assert "case 1: grant 3,000 baht confirmed; the case is decided" in decided.output
    listed = CliRunner().invoke(app, ["cases", "list"])
    assert "decided" in listed.output
    assert "elderly_hardship" in listed.output


def test_a_file_without_the_specs_columns_is_refused_whole(
    published: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import sys

    from sitthi.cli.main import run

    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["sitthi", "cases", "import", "bma_ecase", str(path)])
    with pytest.raises(SystemExit) as stopped:
        run()
    assert stopped.value.code == 1
    err = capsys.readouterr().err.strip()
    assert "the header lacks the columns" in err
    assert "เลขที่เรื่อง" in err
    assert len(err.splitlines()) == 1
    with (
        OperationsStore.open(f"sqlite:///{published.parent / 'ops.sqlite'}") as ops,
        ops.snapshot() as s,
    ):
        assert s.scalars(select(CaseReject)).first() is None  # nothing written
