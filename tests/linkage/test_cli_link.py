"""`sitthi link` (store and quick mode), `evaluate`, `review` and `explain` as a user runs them."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

from sitthi.engines.duckdb import connect
from sitthi.linkage.service import LinkReport
from tests.linkage.helpers import valid_id, write_csv


def sitthi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sitthi", *args], capture_output=True, text=True, timeout=300
    )


def _people(tmp_path: Path) -> tuple[Path, Path, Path]:
    id_a, id_b = valid_id("110170020315"), valid_id("310060012345")
    a = write_csv(
        tmp_path / "welfare.csv",
        [
            {
                "record_id": "w1",
                "national_id": id_a,
                "title": "นาย",
                "first_name": "สมชาย",
                "last_name": "ใจดี",
                "sex": "ชาย",
                "birth_date": "12/03/2510",
                "house_no": "12",
                "moo": "3",
                "subdistrict": "ต.บางรัก",
                "district": "อ.บางรัก",
                "province": "กรุงเทพมหานคร",
                "phone": "081-234-5678",
            },
            {
                "record_id": "w2",
                "national_id": "",
                "title": "นางสาว",
                "first_name": "สมหญิง",
                "last_name": "รักไทย",
                "sex": "หญิง",
                "birth_date": "1980-05-01",
            },
            {
                "record_id": "w3",
                "national_id": id_b,
                "first_name": "มาลี",
                "last_name": "ศรีสุข",
                "sex": "F",
                "birth_date": "01/01/2500",
            },
        ],
    )
    b = write_csv(
        tmp_path / "health.csv",
        [
            {
                "record_id": "h1",
                "national_id": id_a,
                "first_name": "สมชาย",
                "last_name": "ใจดี",
                "sex": "M",
                "birth_date": "1967-03-12",
            },
            {
                "record_id": "h2",
                "title": "น.ส.",
                "first_name": "สมหญิง",
                "last_name": "รักไทย",
                "sex": "2",
                "birth_date": "01/05/2523",
                "phone": "0812345678",
            },
            {
                "record_id": "h3",
                "first_name": "ประยุทธ",
                "last_name": "มั่นคง",
                "sex": "ช",
                "birth_date": "05/06/2495",
            },
        ],
    )
    truth = tmp_path / "truth.csv"
    truth.write_text(
        "source,record_id,person_id\nwelfare,w1,A\nwelfare,w2,B\nwelfare,w3,C\n"
        "health,h1,A\nhealth,h2,B\nhealth,h3,D\n",
        encoding="utf-8",
    )
    return a, b, truth


def test_quick_mode_writes_a_person_for_every_record(tmp_path: Path) -> None:
    a, b, truth = _people(tmp_path)
    out = tmp_path / "links.csv"
    done = sitthi("link", str(a), str(b), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "records by stage" in done.stdout
    with out.open(encoding="utf-8") as f:
        links = {(r["source"], r["record_id"]): r["person_id"] for r in csv.DictReader(f)}
    assert len(links) == 6
    assert links[("welfare", "w1")] == links[("health", "h1")]
    assert links[("welfare", "w2")] == links[("health", "h2")]  # no ID on either side
    assert len({links[("welfare", "w3")], links[("health", "h3")], links[("welfare", "w1")]}) == 3
    scored = sitthi("evaluate", "--truth", str(truth), "--links", str(out))
    assert scored.returncode == 0, scored.stderr
    assert "1.00000" in scored.stdout


def test_quick_mode_names_the_wrong_columns(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name\n1,สมชาย\n", encoding="utf-8")
    done = sitthi("link", str(bad), "--out", str(tmp_path / "o.csv"))
    assert done.returncode == 1
    assert "bad.csv: row 1" in done.stderr
    assert "missing: record_id" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "o.csv").exists()


def test_quick_mode_needs_out(tmp_path: Path) -> None:
    a, _, _ = _people(tmp_path)
    done = sitthi("link", str(a))
    assert done.returncode == 1
    assert "--out" in done.stderr


def test_thresholds_are_checked() -> None:
    done = sitthi("link", "--link-threshold", "0.5", "--review-threshold", "0.9")
    assert done.returncode == 1
    assert "--review-threshold" in done.stderr


def test_store_commands(world: Path, linked: tuple[Path, LinkReport], tmp_path: Path) -> None:
    path, report = linked
    db = tmp_path / "store.duckdb"
    shutil.copy(path, db)
    scored = sitthi(
        "evaluate", "--truth", str(world / "truth" / "linkage_truth.csv"), "--db", str(db)
    )
    assert scored.returncode == 0, scored.stderr
    assert "pairwise precision" in scored.stdout
    listed = sitthi("review", "list", "--db", str(db), "--limit", "2")
    assert listed.returncode == 0, listed.stderr
    assert "match weight per field" in listed.stdout or "same ID" in listed.stdout
    con = connect(db, read_only=True)
    ((person, source, record, other_source, other_record),) = con.execute(
        """select a.person_id, a.source, a.record_id, b.source, b.record_id
           from person_records a join person_records b using (person_id)
           where a.stage = 'probabilistic' and b.stage = 'national_id' limit 1"""
    ).fetchall()
    pair_id = con.execute(
        "select substr(md5(source_l || ':' || record_id_l || '|' || source_r || ':' || "
        "record_id_r), 1, 10) from review_queue limit 1"
    ).fetchall()[0][0]
    con.close()
    who = sitthi("explain", person, "--db", str(db))
    assert who.returncode == 0, who.stderr
    assert f"{source}:{record}" in who.stdout
    assert "probabilistic" in who.stdout
    pair = sitthi(
        "explain", f"{source}:{record}", f"{other_source}:{other_record}", "--db", str(db)
    )
    assert pair.returncode == 0, pair.stderr
    assert "one person" in pair.stdout
    con = connect(db, read_only=True)
    ((a, b),) = con.execute(
        """select a.source || ':' || a.record_id, b.source || ':' || b.record_id
           from person_records a join person_records b on a.person_id <> b.person_id
           where a.source = 'nhso' and b.source = 'lao' and a.stage = 'national_id'
             and b.stage = 'national_id' limit 1"""
    ).fetchall()
    con.close()
    apart = sitthi("explain", a, b, "--db", str(db))
    assert apart.returncode == 0, apart.stderr
    assert "two people" in apart.stdout
    assert "scored now with the last run's model" in apart.stdout
    assert "match weight per field" in apart.stdout
    missing = sitthi("explain", "P9999999999", "--db", str(db))
    assert missing.returncode == 1
    assert "no person" in missing.stderr
    accepted = sitthi("review", "accept", pair_id, "--db", str(db), "--by", "somsri")
    assert accepted.returncode == 0, accepted.stderr
    assert "next `sitthi link`" in accepted.stdout
    again = sitthi("review", "accept", pair_id, "--db", str(db))
    assert again.returncode == 1
    assert "not in the review queue" in again.stderr
    relinked = sitthi("link", "--db", str(db))
    assert relinked.returncode == 0, relinked.stderr
    assert f"{report.records:,}" in relinked.stdout
