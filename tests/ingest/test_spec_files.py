"""Whatever file a user names as a spec, the answer is one short error, quickly.

The reading is shared with programmes and survivorship rules (`sitthi.yaml_models`).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest

from sitthi.errors import RuleError, SourceSpecError
from sitthi.ingest.spec import load_spec, parse_spec
from sitthi.registry.rules import load_rules
from sitthi.rights.programme import load_programmes
from sitthi.yaml_models import MAX_FILE_BYTES

GOOD = (Path(__file__).parents[2] / "src/sitthi/ingest/specs/mof.yaml").read_text(encoding="utf-8")


def refused(path: Path | str, match: str) -> str:
    start = time.monotonic()
    with pytest.raises(SourceSpecError, match=match) as caught:
        load_spec(path)
    assert time.monotonic() - start < 2
    return str(caught.value)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_is_not_read() -> None:
    # It used to read /dev/zero to the end: 8 GB in 5 s.
    refused("/dev/zero", r"^/dev/zero: cannot read spec: not a regular file \(a device\)$")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_pipe_does_not_block(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.yaml")
    refused(tmp_path / "fifo.yaml", r"not a regular file \(a pipe\)")


def test_a_folder_is_not_a_spec(tmp_path: Path) -> None:
    (tmp_path / "dep.yaml").mkdir()
    refused(tmp_path / "dep.yaml", r"not a regular file \(a folder\)")


def test_a_large_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(GOOD + "#" * MAX_FILE_BYTES, encoding="utf-8")
    refused(big, "larger than 1,048,576 bytes")


def test_a_file_of_nested_aliases_is_refused_quickly(tmp_path: Path) -> None:
    # "Billion laughs": 9 levels of 9 aliases stand for 9**9 strings in under 500 bytes.
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    (tmp_path / "bomb.yaml").write_text("\n".join(lines), encoding="utf-8")
    refused(tmp_path / "bomb.yaml", "over 20,000 values once its YAML aliases are expanded")


def test_a_file_of_many_small_values_is_refused_quickly(tmp_path: Path) -> None:
    # PyYAML composes ~100 KB/s: 1 MiB of `a,` took 15 s before it was stopped at 20,000.
    (tmp_path / "many.yaml").write_text("source: [" + "a," * 500_000 + "]", encoding="utf-8")
    refused(tmp_path / "many.yaml", "over 20,000 values, more than a hand-written file")


def test_an_alias_inside_itself_is_refused() -> None:
    with pytest.raises(SourceSpecError, match=r"s\.yaml:1: an alias refers to a value holding it"):
        parse_spec("source: &a [*a]\n", "s.yaml")


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(SourceSpecError, match="nested too deeply"):
        parse_spec("source: " + "[" * 3000 + "]" * 3000, "s.yaml")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "valid_to: 2030-06-17",
            "valid_to: 2030-02-30",
            r"s\.yaml:35: dsa\.valid_to: not a valid date$",
        ),
        ("version: 1", "version: !!int one", r"s\.yaml:4: version: not a whole number$"),
        ("version: 1", "version: !!timestamp soon", r"s\.yaml:4: version: not a valid date$"),
    ],
)
def test_a_value_yaml_cannot_build_names_its_line(old: str, new: str, message: str) -> None:
    with pytest.raises(SourceSpecError, match=message):
        parse_spec(GOOD.replace(old, new), "s.yaml")


SECRET = "1101700203158,สมชาย,ใจดี"
NOT_SPECS = {
    "extract.csv": f"national_id,first_name,last_name\n{SECRET}\n" * 50,
    "notes.txt": f"{SECRET}: called\n" * 50,  # the same "key" twice: the old message named it
    "control.txt": f"\x01{SECRET}\n",
    "script.py": f'import os\n\n\ndef f():\n    x: int = 1\n    return "{SECRET}"\n',
    "data.json": f'{{"national_id": "{SECRET}"}}',
    "list.yaml": f"- {SECRET}\n" * 50,
    "half.yaml": "source: mof\n" + "".join(f"field_{i}: {SECRET}\n" for i in range(60)),
}


@pytest.mark.parametrize("name", sorted(NOT_SPECS))
def test_a_file_that_is_not_a_spec_is_never_quoted(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(NOT_SPECS[name], encoding="utf-8")
    message = refused(tmp_path / name, str(tmp_path / name))
    assert "1101700203158" not in message
    assert "สมชาย" not in message
    # One line, or for a file with a spec's key among many others, 20 and "… and N more".
    assert len(message.splitlines()) == (21 if name == "half.yaml" else 1)


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "extract.xlsx").write_bytes(b"PK\x03\x04\x00\x00" + os.urandom(200))
    refused(tmp_path / "extract.xlsx", "a binary file")


def test_many_mistakes_are_cut_short() -> None:
    text = GOOD + "".join(f"extra_{i}: 1\n" for i in range(30))
    with pytest.raises(SourceSpecError) as caught:
        parse_spec(text, "s.yaml")
    lines = str(caught.value).splitlines()
    assert len(lines) == 21
    assert lines[-1] == "… and 10 more"


@pytest.mark.parametrize("path", ["specs/dep", "./dep", "x/dopa", "dopa.yaml"])
def test_only_a_bare_name_is_a_packaged_spec(path: str) -> None:
    # Each used to load the packaged spec of that name without a word.
    refused(path, f"^{path}: cannot read spec: no such spec file$")


def test_a_bare_name_is_a_packaged_spec() -> None:
    assert load_spec("dep").source == "dep"


def test_programmes_and_rules_are_read_the_same_way(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "p.yaml")
    with pytest.raises(RuleError, match=r"p\.yaml: cannot read programme: not a regular file"):
        load_programmes(tmp_path)
    with pytest.raises(RuleError, match="cannot read survivorship rules: not a regular file"):
        load_rules(Path("/dev/zero"))
    (tmp_path / "r.yaml").write_text("version: 1\nfields: {x: {from: identity}}\n" * 2)
    with pytest.raises(RuleError, match=r"r\.yaml:3: 'version' is given twice"):
        load_rules(tmp_path / "r.yaml")


@pytest.mark.parametrize(
    ("days", "warning"),
    [
        (-1, "expired on {to}: loads are refused"),
        (0, "expires on {to} (today)"),
        (19, "expires on {to} (in 19 days)"),
        (30, "expires on {to} (in 30 days)"),
        (31, None),
    ],
)
def test_a_dsa_near_its_end_is_warned_of(days: int, warning: str | None) -> None:
    today = dt.date(2026, 12, 1)
    dsa = load_spec("dep").dsa.model_copy(update={"valid_to": today + dt.timedelta(days)})
    expected = warning and f"DSA {dsa.id} " + warning.format(to=dsa.valid_to)
    assert dsa.warning(today) == expected


def test_a_dsa_not_yet_in_force_is_warned_of() -> None:
    dsa = load_spec("dep").dsa
    assert dsa.warning(dt.date(2025, 1, 1)) == (
        f"DSA {dsa.id} is in force from 2025-06-18: loads before are refused"
    )
