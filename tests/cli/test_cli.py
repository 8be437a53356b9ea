"""The command line as a user meets it: help everywhere, one-line errors, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def sitthi(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sitthi", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


COMMANDS = [
    [],
    ["synth"],
    ["demo"],
    ["ingest"],
    ["spec"],
    ["spec", "check"],
    ["spec", "list"],
    ["thai"],
    ["thai", "id"],
    ["thai", "name"],
    ["thai", "date"],
    ["thai", "area"],
    ["thai", "house"],
    ["link"],
    ["evaluate"],
    ["review"],
    ["review", "list"],
    ["review", "accept"],
    ["review", "reject"],
    ["keys"],
    ["keys", "rotate"],
    ["explain"],
    ["rights"],
    ["report"],
    ["report", "poverty"],
    ["report", "quality"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "sitthi")
def test_every_command_has_help(command: list[str]) -> None:
    done = sitthi(*command, "--help")
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout


def test_synth_writes_a_world_and_prints_a_summary(tmp_path: Path) -> None:
    done = sitthi("synth", "--persons", "400", "--seed", "5", "--out", str(tmp_path / "w"))
    assert done.returncode == 0, done.stderr
    assert "ประชากร" in done.stdout
    assert "400" in done.stdout
    manifest = json.loads((tmp_path / "w" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["persons"] == 400
    # 400 people include no care-home resident: DSDW has nothing to send, so no file.
    assert [e["source"] for e in manifest["extracts"]] == [
        "dopa",
        "dep",
        "lao",
        "mof",
        "nhso",
        "sso",
        "moe",
        "cdd",
        "msmart",
        "cgd",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["synth", "--persons", "0", "--out", "x"], "--persons must be between"),
        (
            ["synth", "--persons", "10", "--out", "x", "--as-of", "tomorrow"],
            "--as-of must be a date",
        ),
        (
            ["synth", "--persons", "10", "--out", "x", "--noise", "missing.yaml"],
            "cannot read noise model",
        ),
    ],
)
def test_user_errors_are_one_line_without_traceback(
    tmp_path: Path, args: list[str], message: str
) -> None:
    done = sitthi(*args, cwd=tmp_path)
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    done = sitthi("--debug", "synth", "--persons", "0", "--out", "x", cwd=tmp_path)
    assert done.returncode != 0
    assert "Traceback" in done.stderr


def test_usage_errors_exit_non_zero() -> None:
    done = sitthi("synth", "--persons", "lots", "--out", "x")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_thai_tools_answer(tmp_path: Path) -> None:
    done = sitthi("thai", "id", "1-1017-00203-15-8", "1101700203518")
    assert "valid" in done.stdout
    assert "1101700203158" in done.stdout
    done = sitthi("thai", "date", "25 มี.ค. 2490")
    assert "1947-03-25" in done.stdout
    done = sitthi("thai", "name", "นางสาวสมศรี ใจดี")
    assert "first=สมศรี" in done.stdout
    done = sitthi("thai", "area", "-s", "ต.ตลาด", "-d", "อ.เมือง", "-p", "จ.สุราษฎร์ธานี")
    assert done.stdout.startswith("840101")


def test_demo_runs_the_main_job_and_speaks_to_an_analyst(tmp_path: Path) -> None:
    done = sitthi("demo", "--persons", "1500", "--out", str(tmp_path / "demo"))
    assert done.returncode == 0, done.stderr
    for text in ("ประชากร", "ข้อมูลจากหน่วยงาน", "มีสิทธิ์แต่ไม่ได้รับ", "DOPA", "cp874", "นำเข้าข้อมูล"):
        assert text in done.stdout
    assert (tmp_path / "demo" / "world" / "manifest.json").exists()
    assert (tmp_path / "demo" / "sitthi.duckdb").exists()
    # it ends with a release and how to serve it, with a client per role to try it with
    assert (tmp_path / "demo" / "releases" / "1" / "manifest.json").exists()
    assert "sitthi serve --db" in done.stdout
    # a few help requests, decided by the schemes and confirmed by a second person
    assert "พิจารณาอัตโนมัติ" in done.stdout
    assert "อนุมัติ" in done.stdout
    clients = json.loads((tmp_path / "demo" / "demo-clients.json").read_text(encoding="utf-8"))
    assert set(clients) == {"admin", "analyst", "caseworker", "agency", "auditor", "users"}
    assert (tmp_path / "demo" / "demo-clients.json").stat().st_mode & 0o077 == 0
    assert clients["caseworker"]["client_id"] in done.stdout
    # and the dashboard, with a development login per role it is made for
    assert "http://127.0.0.1:8000/app/" in done.stdout
    users = clients["users"]
    assert {u["role"] for u in users.values()} == {"caseworker", "analyst"}
    for name, user in users.items():
        assert f"user {name}  password {user['password']}" in done.stdout
    again = sitthi("demo", "--persons", "1500", "--out", str(tmp_path / "demo"))
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "demo" / "releases" / "2" / "manifest.json").exists()
    assert json.loads((tmp_path / "demo" / "demo-clients.json").read_text()) == clients


def test_ingest_loads_then_skips_and_spec_check_explains(tmp_path: Path) -> None:
    world = tmp_path / "w"
    assert sitthi("synth", "-n", "300", "--out", str(world)).returncode == 0
    db = str(tmp_path / "store.duckdb")
    lao = str(world / "extracts" / "lao_allowance_payments.csv")
    done = sitthi("ingest", "lao", lao, "--db", db, "--load-date", "2026-10-01")
    assert done.returncode == 0, done.stderr
    assert "LAO" in done.stdout
    again = sitthi("ingest", "lao", lao, "--db", db, "--load-date", "2026-10-01")
    assert "นำเข้าแล้ว" in again.stdout  # already loaded: nothing changes
    expired = sitthi("ingest", "lao", lao, "--db", db, "--load-date", "2031-01-01")
    assert expired.returncode == 1
    assert "not the load date (2031-01-01): load refused" in expired.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("source: x\ntitle: t\nversion: 1\nread: {format: xls}\n", encoding="utf-8")
    done = sitthi("spec", "check", str(bad))
    assert done.returncode == 1
    assert f"{bad}:4: read.format: expected one of" in done.stderr
    assert "Traceback" not in done.stderr
    ok = sitthi("spec", "check", "src/sitthi/ingest/specs/nhso.yaml", cwd=Path(__file__).parents[2])
    assert "never stored" in ok.stdout
