"""`sitthi rights` and `sitthi report poverty` as a user runs them."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from sitthi.linkage.service import LinkReport


def sitthi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sitthi", *args], capture_output=True, text=True, timeout=300
    )


def test_rights_then_poverty(world: Path, linked: tuple[Path, LinkReport], tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copy(linked[0], db)
    early = sitthi("report", "poverty", "--db", str(db))
    assert early.returncode == 1
    assert "run `sitthi rights` first" in early.stderr
    done = sitthi(
        "rights",
        "--as-of",
        "2026-10-01",
        "--db",
        str(db),
        "--truth",
        str(world / "truth" / "welfare_errors.csv"),
    )
    assert done.returncode == 0, done.stderr
    for question in ("who should receive", "what do recipients", "appropriate", "targeting"):
        assert question in done.stdout
    assert "เบี้ยยังชีพผู้สูงอายุ" in done.stdout
    # The synthetic world has no child grant payment list: said, not counted as missed.
    assert "no recipient list loaded up to that day" in " ".join(done.stdout.split())
    assert "gaps against the planted errors" in done.stdout
    con = duckdb.connect(str(db), read_only=True)
    ((person, household),) = con.execute(
        """select e.person_id, p.household_id from entitlements e join profiles p using (person_id)
           where e.programme = 'old_age_allowance' limit 1"""
    ).fetchall()
    ((wrongly_paid,),) = con.execute(
        "select person_id from gaps where gap = 'receiving_not_eligible' limit 1"
    ).fetchall()
    con.close()
    explained = sitthi("profile", wrongly_paid, "--db", str(db))
    assert explained.returncode == 0, explained.stderr
    assert "ข้อที่ไม่ผ่าน (fails)" in explained.stdout  # the conditions, in Thai
    shown = sitthi("profile", person, "--db", str(db))
    assert shown.returncode == 0, shown.stderr
    for text in ("รายได้ (income)", "dopa ✓", "เบี้ยยังชีพผู้สูงอายุ", "age=", "ได้รับบำนาญ"):
        assert text in shown.stdout, text
    home = sitthi("profile", household, "--db", str(db))
    assert home.returncode == 0, home.stderr
    assert person in home.stdout
    nobody = sitthi("profile", "P9999999999", "--db", str(db))
    assert nobody.returncode == 1
    assert "no person P9999999999" in nobody.stderr
    by_area = sitthi("report", "poverty", "--level", "district", "--db", str(db))
    assert by_area.returncode == 0, by_area.stderr
    assert "poverty index by district" in by_area.stdout
    by_dimension = sitthi("report", "poverty", "--by", "dimension", "--db", str(db))
    assert by_dimension.returncode == 0, by_dimension.stderr
    assert "รายได้" in by_dimension.stdout
    table = tmp_path / "indicators.csv"
    by_indicator = sitthi(
        "report", "poverty", "--by", "indicator", "--csv", str(table), "--db", str(db)
    )
    assert by_indicator.returncode == 0, by_indicator.stderr
    assert "ตัวชี้วัด" in by_indicator.stdout
    lines = table.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("indicator,households,share")
    assert len(lines) == 18
    wrong = sitthi("report", "poverty", "--by", "village", "--db", str(db))
    assert wrong.returncode == 1
    assert "--by" in wrong.stderr
    report = sitthi("report", "quality", "--db", str(db), "--out", str(tmp_path / "q"))
    assert report.returncode == 0, report.stderr
    page = (tmp_path / "q" / "quality.html").read_text(encoding="utf-8")
    assert "รายงานคุณภาพข้อมูล" in page
    assert "<svg" in page
    data = json.loads((tmp_path / "q" / "quality.json").read_text(encoding="utf-8"))
    assert {r["source"] for r in data["completeness"]} >= {"dopa", "lao", "nhso"}
    assert data["linkage"]["persons"] > 0
    bad = sitthi("report", "poverty", "--level", "village", "--db", str(db))
    assert bad.returncode == 1
    assert "--level" in bad.stderr
    nowhere = sitthi("report", "poverty", "--within", "99", "--db", str(db))
    assert nowhere.returncode == 1
    assert "--within 99: no surveyed household in this area" in nowhere.stderr
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    not_a_folder = sitthi("report", "quality", "--out", str(tmp_path / "a-file"), "--db", str(db))
    assert not_a_folder.returncode == 1
    assert "give a folder" in not_a_folder.stderr


def test_a_rule_failing_on_real_profiles_changes_nothing(
    linked: tuple[Path, LinkReport], tmp_path: Path
) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copy(linked[0], db)
    assert sitthi("rights", "--as-of", "2026-10-01", "--db", str(db)).returncode == 0
    folder = tmp_path / "programmes"
    folder.mkdir()
    # Passes the check on sample profiles (no one there is 37), fails on the real ones.
    (folder / "odd.yaml").write_text(
        "id: odd\nname_th: ทดสอบ\nname_en: test\nlegal_source: [x]\nunit: baht/month\n"
        "administered_by_th: อบต.\neligibility:\n"
        '  adult: {when: "age >= 18", th: x, en: x}\n'
        "amount: \"case when age = 37 then 'a' else 1 end\"\n"
        "enrolment: {profile: welfare_card}\nclaim: {how_th: x, where_th: x}\n",
        encoding="utf-8",
    )
    failed = sitthi("rights", "--as-of", "2569-06-01", "--programmes", str(folder), "--db", str(db))
    assert failed.returncode == 1
    assert "read as 2026-06-01" in failed.stderr  # a Buddhist-era year, said so
    assert "a programme's rule fails on the store's profiles" in failed.stderr
    assert "Traceback" not in failed.stderr
    con = duckdb.connect(str(db), read_only=True)
    days = con.execute("select distinct as_of from profiles union select as_of from entitlements")
    assert [d for (d,) in days.fetchall()] == [dt.date(2026, 10, 1)]
    con.close()
    missing = sitthi("rights", "--db", str(tmp_path / "typo" / "store.duckdb"))
    assert missing.returncode == 1
    assert "no such store" in missing.stderr
    assert not (tmp_path / "typo").exists()


def test_a_bad_programme_is_refused_with_its_file(
    linked: tuple[Path, LinkReport], tmp_path: Path
) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copy(linked[0], db)
    folder = tmp_path / "programmes"
    folder.mkdir()
    (folder / "broken.yaml").write_text(
        "id: broken\nname_th: ทดสอบ\nname_en: test\nlegal_source: [x]\nunit: baht/month\n"
        "administered_by_th: อบต.\neligibility:\n"
        '  old: {when: "salary > 1", th: x, en: x}\namount: "1"\n'
        "enrolment: {profile: welfare_card}\nclaim: {how_th: x, where_th: x}\n",
        encoding="utf-8",
    )
    done = sitthi("rights", "--programmes", str(folder), "--db", str(db))
    assert done.returncode == 1
    assert "broken.yaml: programme broken: eligibility.old: unknown column 'salary'" in done.stderr
    assert "Traceback" not in done.stderr


def test_every_report_works_on_a_store_with_only_the_civil_registry(
    world: Path, tmp_path: Path
) -> None:
    rows = (world / "extracts" / "dopa_civil_registry.csv").read_text(encoding="utf-8")
    extract = tmp_path / "dopa.csv"
    extract.write_text("\n".join(rows.splitlines()[:301]) + "\n", encoding="utf-8")
    db = str(tmp_path / "store.duckdb")
    dates = ("--extract-date", "2026-09-01", "--load-date", "2026-10-01")
    loaded = sitthi("ingest", "dopa", str(extract), *dates, "--db", db)
    assert loaded.returncode == 0, loaded.stderr
    assert sitthi("link", "--db", db).returncode == 0
    done = sitthi("rights", "--as-of", "2026-10-01", "--db", db)
    assert done.returncode == 0, done.stderr
    assert "no payment or enrolment list loaded" in done.stdout
    assert "none found" in done.stdout
    quality = sitthi("report", "quality", "--db", db, "--out", str(tmp_path / "q"))
    assert quality.returncode == 0, quality.stderr
    poverty = sitthi("report", "poverty", "--db", db)
    assert poverty.returncode == 0, poverty.stderr
    assert "no household survey loaded" in poverty.stdout


def test_profile_names_the_programmes_the_run_was_given(
    linked: tuple[Path, LinkReport], tmp_path: Path
) -> None:
    """Before: `sitthi profile` knew only the built-in programmes, so a user's showed its id."""
    from importlib.resources import files

    db = tmp_path / "store.duckdb"
    shutil.copy(linked[0], db)
    folder = tmp_path / "mine"
    folder.mkdir()
    text = (
        files("sitthi.rights")
        .joinpath("programmes", "old_age_allowance.yaml")
        .read_text(encoding="utf-8")
    )
    (folder / "elder_top_up.yaml").write_text(
        text.replace("id: old_age_allowance", "id: elder_top_up").replace(
            "name_th: เบี้ยยังชีพผู้สูงอายุ", "name_th: เงินเพิ่มผู้สูงอายุของจังหวัด"
        ),
        encoding="utf-8",
    )
    done = sitthi("rights", "--as-of", "2026-10-01", "--db", str(db), "--programmes", str(folder))
    assert done.returncode == 0, done.stderr
    con = duckdb.connect(str(db), read_only=True)
    ((person,),) = con.execute(
        "select person_id from entitlements where programme = 'elder_top_up' limit 1"
    ).fetchall()
    con.close()
    shown = sitthi("profile", person, "--db", str(db))
    assert shown.returncode == 0, shown.stderr
    assert "เงินเพิ่มผู้สูงอายุของจังหวัด" in shown.stdout
