"""``sitthi admin`` and ``sitthi audit`` as a script or a person meets them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sitthi.cli.main import app
from sitthi.config import Settings
from sitthi.ingest.pseudonym import pseudonym
from sitthi.operations.accounts import verify_client, verify_user
from sitthi.operations.audit import AuditEntry, append, show
from sitthi.operations.store import OperationsStore

from .conftest import DEP_DSA

NATIONAL_ID = "1101700203158"


@pytest.fixture
def sitthi(
    store_url: str, settings_env: Callable[[str], None]
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run a command in-process against this test's store, as `run` would."""
    settings_env(store_url)
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        result = runner.invoke(app, list(args), input=stdin)
        error = str(result.exception) if result.exception else result.stderr
        return subprocess.CompletedProcess(args, result.exit_code, result.stdout, error)

    return invoke


def test_user_add_prints_one_json_object_with_the_password(
    sitthi: Callable[..., subprocess.CompletedProcess[str]], store: OperationsStore
) -> None:
    done = sitthi("admin", "user", "add", "สมศรี", "--role", "caseworker", "--areas", "84,8401",
                  "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout)
    assert set(made) == {"name", "role", "areas", "password"}
    assert made["name"] == "สมศรี"
    assert made["areas"] == ["84", "8401"]
    assert verify_user(store, "สมศรี", made["password"]) is not None


def test_client_add_prints_its_id_and_secret_once(
    sitthi: Callable[..., subprocess.CompletedProcess[str]], store: OperationsStore
) -> None:
    done = sitthi("admin", "client", "add", "ระบบ พก.", "--role", "agency", "--dsa", str(DEP_DSA),
                  "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout)
    assert set(made) == {"client_id", "client_secret", "name", "role", "areas", "dsa"}
    assert made["dsa"] == "DSA-DEP-2569-001"
    assert verify_client(store, made["client_id"], made["client_secret"]) is not None
    listed = sitthi("admin", "client", "list", "--json")
    assert made["client_id"] in listed.stdout
    assert made["client_secret"] not in listed.stdout


def test_without_json_the_secret_is_said_to_be_shown_once(
    sitthi: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    done = sitthi("admin", "client", "add", "สถิติ", "--role", "analyst")
    assert done.returncode == 0, done.stderr
    assert "client_id: sitthi-" in done.stdout
    assert "client_secret (shown once, stored only as a hash): " in done.stdout


def test_list_and_disable(
    sitthi: Callable[..., subprocess.CompletedProcess[str]], store: OperationsStore
) -> None:
    password = json.loads(sitthi("admin", "user", "add", "ann", "--role", "auditor",
                                 "--json").stdout)["password"]  # fmt: skip
    listed = sitthi("admin", "user", "list", "--json")
    [user] = json.loads(listed.stdout)["users"]
    assert (user["name"], user["role"], user["disabled"]) == ("ann", "auditor", False)
    assert password not in listed.stdout
    assert sitthi("admin", "user", "disable", "ann").returncode == 0
    assert json.loads(sitthi("admin", "user", "list", "--json").stdout)["users"][0]["disabled"]
    assert verify_user(store, "ann", password) is None
    assert "ann" in sitthi("admin", "user", "list").stdout  # the table, for people


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["admin", "user", "add", "x", "--role", "boss"], "unknown role 'boss'"),
        (["admin", "user", "add", "x", "--role", "caseworker", "--areas", "8499"], "'8499'"),
        (["admin", "client", "add", "x", "--role", "agency"], "acts only under a Data Sharing"),
        (["admin", "client", "add", "x", "--role", "agency", "--dsa", "/nowhere.yaml"],
         "no such DSA file"),
        (["admin", "client", "disable", "sitthi-x"], "no client 'sitthi-x'"),
    ],
)  # fmt: skip
def test_a_user_error_is_one_line(
    sitthi: Callable[..., subprocess.CompletedProcess[str]], args: list[str], says: str
) -> None:
    done = sitthi(*args)
    assert done.returncode == 1
    assert says in done.stderr
    assert "\n" not in done.stderr.strip()


def test_a_duplicate_user_through_the_real_entry_point(
    sitthi: Callable[..., subprocess.CompletedProcess[str]], store_url: str, tmp_path: Path
) -> None:
    assert sitthi("admin", "user", "add", "ann", "--role", "analyst").returncode == 0
    again = subprocess.run(
        [sys.executable, "-m", "sitthi", "admin", "user", "add", "ann", "--role", "analyst"],
        capture_output=True,
        text=True,
        env={"SITTHI_OPERATIONS_URL": store_url, "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,  # no .env of the working copy
        timeout=60,
    )
    assert again.returncode == 1
    assert again.stderr.strip() == "error: user 'ann' already exists"  # no traceback


def test_audit_verify_says_intact_in_one_line(
    sitthi: Callable[..., subprocess.CompletedProcess[str]], store: OperationsStore
) -> None:
    sitthi("admin", "user", "add", "ann", "--role", "analyst")
    done = sitthi("audit", "verify")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("audit log intact: 1 records, head seq 1 hash ")
    assert done.stdout.count("\n") == 1


def test_audit_anchor_then_verify_checks_the_signature(
    sitthi: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    assert sitthi("audit", "anchor").stdout.strip() == "the log is empty"
    sitthi("admin", "user", "add", "ann", "--role", "analyst")
    assert sitthi("audit", "anchor").stdout.startswith("anchored seq 1 hash ")
    assert "1 anchors (signatures checked)" in sitthi("audit", "verify").stdout


def test_audit_person_reads_the_id_from_stdin_and_logs_the_lookup(
    sitthi: Callable[..., subprocess.CompletedProcess[str]], store: OperationsStore
) -> None:
    pid = pseudonym(Settings().pseudonym_secret(), NATIONAL_ID)
    append(store, AuditEntry(actor="DEP", actor_kind="client", action="export",
                             route="GET /exports/dep", persons=[pid]))  # fmt: skip
    done = sitthi("audit", "person", "--json", stdin=f"{NATIONAL_ID}\n")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["seq"], r["actor"]) for r in lines] == [(1, "DEP"), (2, lines[1]["actor"])]
    assert lines[1]["route"] == "sitthi audit person"  # the lookup itself, audited first
    assert NATIONAL_ID not in done.stdout
    assert show(store)[0].entry.persons == (pid,)


def test_audit_person_refuses_what_is_not_an_id(
    sitthi: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    done = sitthi("audit", "person", stdin="12345\n")
    assert done.returncode == 1
    assert "not a national ID" in done.stderr


def test_audit_show_by_person(
    sitthi: Callable[..., subprocess.CompletedProcess[str]], store: OperationsStore
) -> None:
    pid = "ab" * 32
    append(store, AuditEntry(actor="ann", actor_kind="user", action="read", route="GET /p",
                             persons=[pid]))  # fmt: skip
    append(store, AuditEntry(actor="bob", actor_kind="user", action="read", route="GET /q"))
    done = sitthi("audit", "show", "--person", pid, "--json")
    shown = [json.loads(line) for line in done.stdout.splitlines()]
    # Newest first: this lookup itself (a read of that person, audited before answering).
    assert [r["route"] for r in shown] == ["sitthi audit show --person", "GET /p"]
    everything = sitthi("audit", "show", "--limit", "2", "--json")
    assert len(everything.stdout.splitlines()) == 2
    refused = sitthi("audit", "show", "--person", NATIONAL_ID)
    assert refused.returncode == 1
    assert "64 hex digits" in refused.stderr
