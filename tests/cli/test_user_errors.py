"""Exit codes and one-line errors for what a user can get wrong (issue 11: no internal error
on any input). The CLI runs in-process through `run`, as the ``sitthi`` script does."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sitthi.cli.main import run
from sitthi.config import get_settings

ROOT = Path(__file__).parents[2]
Sitthi = Callable[..., tuple[int, str, str]]


@pytest.fixture
def sitthi(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> Iterator[Sitthi]:
    """``sitthi ARGS…`` in ``tmp_path``: (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()

    def call(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["sitthi", *args])
        with pytest.raises(SystemExit) as exited:
            run()
        out = capsys.readouterr()
        return int(exited.value.code or 0), out.out, out.err

    yield call
    get_settings.cache_clear()


def one_line(err: str, text: str) -> None:
    assert text in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def _raise(exc: BaseException) -> Callable[..., object]:
    def fail(*_args: object, **_kwargs: object) -> object:
        raise exc

    return fail


def test_a_bug_exits_70_with_the_debug_hint(
    sitthi: Sitthi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sitthi.thai.house.parse_house_code", _raise(RuntimeError("boom")))
    code, _, err = sitthi("thai", "house", "1")
    assert code == 70
    one_line(err, "internal error: RuntimeError: boom (run with --debug for details)")
    with pytest.raises(RuntimeError, match="boom"):
        sitthi("--debug", "thai", "house", "1")


def test_an_os_error_without_a_path_is_a_bug(
    sitthi: Sitthi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sitthi.thai.house.parse_house_code", _raise(OSError(5, "I/O error")))
    code, _, err = sitthi("thai", "house", "1")
    assert code == 70
    one_line(err, "internal error: OSError: [Errno 5] I/O error (run with --debug")


def test_ctrl_c_exits_130(sitthi: Sitthi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sitthi.thai.house.parse_house_code", _raise(KeyboardInterrupt()))
    assert sitthi("thai", "house", "1")[0] == 130


def test_an_output_folder_that_cannot_be_made_names_the_path(
    sitthi: Sitthi, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The report itself is not the point: only where it is written.
    monkeypatch.setattr("sitthi.engines.duckdb.connect", lambda *_a, **_k: None)
    monkeypatch.setattr("sitthi.quality.report.build_quality_report", lambda _con: {})
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    code, _, err = sitthi("report", "quality", "--out", "a-file/report")
    assert code == 1
    one_line(err, "error: a-file/report: Not a directory")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["review", "list", "--limit", "-1"], "Invalid value for '--limit'"),
        (["review", "list", "--limit", "99999999999999999999"], "Invalid value for '--limit'"),
        (["report", "poverty", "--limit", "0"], "Invalid value for '--limit'"),
    ],
)
def test_an_integer_out_of_range_is_a_usage_error(
    sitthi: Sitthi, args: list[str], message: str
) -> None:
    code, _, err = sitthi(*args)
    assert code == 2
    assert message in err
    assert "internal error" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["review", "list", "--reason", "unsure"], "--reason must be one of uncertain, "),
        (["synth", "-n", "10", "--out", "w", "--as-of", "0001-01-01"], "--as-of must be in 1900"),
        (["spec", "check", "./dep"], "error: ./dep: cannot read spec: no such spec file"),
        (["spec", "check", "/dev/zero"], "not a regular file (a device)"),
        (["ingest", "specs/dopa", "x.csv"], "error: specs/dopa: cannot read spec: no such spec"),
    ],
)
def test_user_errors_exit_1_in_one_line(sitthi: Sitthi, args: list[str], message: str) -> None:
    code, _, err = sitthi(*args)
    assert code == 1
    one_line(err, message)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs /dev/zero and FIFOs")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["link", "/dev/zero", "--out", "o.csv"], "error: /dev/zero: not a regular file (a dev"),
        (["link", "fifo", "--out", "o.csv"], "error: fifo: not a regular file (a pipe or a sock"),
        (["evaluate", "--truth", "/dev/zero"], "error: --truth /dev/zero: not a regular file"),
        (["evaluate", "--truth", "t.csv", "--links", "fifo"], "error: --links fifo: not a regular"),
        (["rights", "--truth", "/dev/zero"], "error: --truth /dev/zero: not a regular file"),
        (["rights", "--programmes", "fifo"], "error: --programmes fifo: not a regular file"),
        (["rights", "--rules", "fifo"], "error: --rules fifo: not a regular file"),
        (["synth", "-n", "9", "--out", "w", "--noise", "fifo"], "error: --noise fifo: not a regu"),
    ],
)
def test_a_device_or_a_pipe_is_never_read(
    sitthi: Sitthi, tmp_path: Path, args: list[str], message: str
) -> None:
    # /dev/zero used to be read until memory ran out; a FIFO blocked for ever.
    os.mkfifo(tmp_path / "fifo")
    code, _, err = sitthi(*args)
    assert code == 1
    one_line(err, message)


def test_a_bad_setting_is_one_line_for_every_command(
    sitthi: Sitthi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SITTHI_PSEUDONYM_KEY_VERSION", "abc")
    code, _, err = sitthi("link")
    assert code == 1
    one_line(err, "error: SITTHI_PSEUDONYM_KEY_VERSION: expected a whole number ≥ 1, got 'abc'")


def test_a_csv_given_as_a_spec_is_not_quoted(sitthi: Sitthi, tmp_path: Path) -> None:
    (tmp_path / "extract.csv").write_text("national_id,name\n1101700203158,สมชาย\n" * 100)
    code, _, err = sitthi("ingest", "extract.csv", "extract.csv")
    assert code == 1
    one_line(err, "extract.csv:1: a spec is a mapping")
    assert "1101700203158" not in err


def _spec(valid_to: dt.date) -> str:
    text = (ROOT / "src/sitthi/ingest/specs/mof.yaml").read_text(encoding="utf-8")
    start = valid_to - dt.timedelta(days=400)
    text = text.replace("valid_from: 2025-06-18", f"valid_from: {start}")
    return text.replace("valid_to: 2030-06-17", f"valid_to: {valid_to}")


@pytest.mark.parametrize(
    ("days", "warning"),
    [
        (19, "expires on {day} (in 19 days)"),
        (-3, "expired on {day}: loads are refused"),
        (31, None),
    ],
)
def test_spec_check_warns_of_a_dsa_near_its_end(
    sitthi: Sitthi, tmp_path: Path, days: int, warning: str | None
) -> None:
    day = dt.date.today() + dt.timedelta(days=days)
    (tmp_path / "mof.yaml").write_text(_spec(day), encoding="utf-8")
    code, out, err = sitthi("spec", "check", "mof.yaml")
    assert code == 0
    assert out.startswith("mof.yaml: ok: mof v1")
    if warning is None:
        assert err == ""
    else:
        expected = f"warning: mof.yaml: DSA DSA-MOF-MSDHS-2568-003 {warning.format(day=day)}"
        assert err.strip() == expected


def test_the_script_exits_with_these_codes(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sitthi", "link"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"SITTHI_ENVIRONMENT": "prod", "PATH": ""},
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "error: SITTHI_ENVIRONMENT: expected development or production, got 'prod'"
    )


def test_the_help_gives_the_exit_codes(sitthi: Sitthi) -> None:
    code, out, _ = sitthi("--help")
    assert code == 0
    assert "Exit codes: 1 an error in the input" in " ".join(out.split())
