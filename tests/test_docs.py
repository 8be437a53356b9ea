"""Fail when a command, a setting or a noise-model field is not documented."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sitthi.config import Settings
from sitthi.synth.noise import AgencyNoise, WelfareErrorRates

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SYNTH_DOC = (ROOT / "docs" / "SYNTHETIC_DATA.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    from sitthi.cli.main import app

    names = [f"sitthi {c.name}" for c in app.registered_commands]
    for group in app.registered_groups:
        names += [f"sitthi {group.name} {c.name}" for c in group.typer_instance.registered_commands]
    return names


@pytest.mark.parametrize("command", _commands())
def test_every_command_is_in_the_readme(command: str) -> None:
    words = command.split()
    # "sitthi review list / accept / reject" documents three subcommands in one row
    assert command in README or (f"sitthi {words[1]} " in README and f" {words[-1]}" in README)


def test_linkage_doc_covers_the_commands_and_quick_columns() -> None:
    from sitthi.linkage.quick import QUICK_COLUMNS

    text = (ROOT / "docs" / "LINKAGE.md").read_text(encoding="utf-8")
    assert ",".join(QUICK_COLUMNS) in text
    for command in ("sitthi link", "sitthi evaluate", "sitthi review", "sitthi explain"):
        assert command in text


def test_readme_gives_the_two_commands() -> None:
    assert "make demo" in README
    assert "make test" in README


@pytest.mark.parametrize(
    "field", sorted(AgencyNoise.model_fields) + sorted(WelfareErrorRates.model_fields)
)
def test_every_noise_field_is_explained(field: str) -> None:
    assert f"`{field}`" in SYNTH_DOC


def test_every_agency_of_the_noise_model_has_a_row() -> None:
    model = yaml.safe_load((ROOT / "src/sitthi/synth/noise.yaml").read_text(encoding="utf-8"))
    for agency in model["agencies"]:
        assert f"| {agency} |" in SYNTH_DOC


@pytest.mark.parametrize("setting", sorted(Settings.model_fields))
def test_every_setting_is_documented(setting: str) -> None:
    assert f"SITTHI_{setting.upper()}" in (ROOT / "docs" / "CONFIGURATION.md").read_text(
        encoding="utf-8"
    )


def test_benchmarks_doc_has_the_synth_figures() -> None:
    text = (ROOT / "docs" / "BENCHMARKS.md").read_text(encoding="utf-8")
    assert "1,000,000" in text
    assert "100,000" in text


def test_every_spec_field_and_format_is_in_the_ingest_doc() -> None:
    from typing import get_args

    from sitthi.ingest.spec import Dimension, IdentityField, ReadSpec

    doc = (ROOT / "docs" / "INGEST.md").read_text(encoding="utf-8")
    for name in (*get_args(IdentityField), *get_args(Dimension)):
        assert f"`{name}`" in doc, name
    for fmt in get_args(ReadSpec.model_fields["format"].annotation):
        assert fmt in doc
