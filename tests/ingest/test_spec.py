"""Source specs: packaged ones are valid; mistakes are explained with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitthi.errors import SourceSpecError
from sitthi.ingest.spec import load_spec, packaged_specs, parse_spec

GOOD = (Path(__file__).parents[2] / "src/sitthi/ingest/specs/mof.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("source", packaged_specs())
def test_packaged_specs_are_valid_and_within_their_dsa(source: str) -> None:
    spec = load_spec(source)
    assert spec.source == source
    mapped = set(spec.fields) | {f.indicator for f in spec.facts}
    # Every field a DSA allows is one the spec maps: no allowance without a purpose.
    assert set(spec.dsa.fields_allowed) <= mapped


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("format: csv", "format: xls"),
            r"spec\.yaml:6: read\.format: expected one of 'csv', 'xlsx'",
        ),
        (
            ("encoding: utf-8-sig", "encoding: latin-1"),
            r"spec\.yaml:7: read\.encoding: expected one of",
        ),
        (
            ("  sex: {column: gender}", "  gender: {column: gender}"),
            r"spec\.yaml:14: fields\.gender: unknown field name; expected one of 'national_id'",
        ),
        (
            ("indicator: annual_income", "indicator: Annual Income"),
            r"spec\.yaml:\d+: facts\.0\.indicator",
        ),
        (
            ("dimension: income, indicator: deposit", "dimension: wealth, indicator: deposit"),
            r"spec\.yaml:\d+: facts\.1\.dimension: expected one of 'income'",
        ),
        (("  retention_days: 1095\n", ""), r"spec\.yaml:\d+: dsa\.retention_days: Field required"),
        (
            ("  valid_to: 2030-06-17", "  valid_to: 2020-06-17"),
            r"dsa: Value error, valid_to is before valid_from",
        ),
        (("source: mof", "source: MOF data"), r"spec\.yaml:2: source: String should match pattern"),
    ],
)
def test_mistakes_name_the_file_line_and_field(change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in GOOD
    with pytest.raises(SourceSpecError, match=message):
        parse_spec(GOOD.replace(old, new), "spec.yaml")


def test_yaml_syntax_errors_give_the_line() -> None:
    with pytest.raises(SourceSpecError, match=r"spec\.yaml:\d+: not valid YAML"):
        parse_spec(GOOD.replace("read:\n", "read: [\n"), "spec.yaml")
    with pytest.raises(SourceSpecError, match=r"spec\.yaml:1: a spec is a mapping"):
        parse_spec("- just a list", "spec.yaml")


def test_every_mistake_is_listed_not_just_the_first() -> None:
    bad = GOOD.replace("format: csv", "format: xls").replace("encoding: utf-8-sig", "encoding: x")
    with pytest.raises(SourceSpecError) as info:
        parse_spec(bad, "spec.yaml")
    assert len(str(info.value).splitlines()) == 2


def test_a_spec_needs_a_way_to_identify_people() -> None:
    text = GOOD.replace("  national_id: {column: citizen_id, required: true}\n", "").replace(
        "  first_name: {column: first_name, required: true}\n", ""
    )
    with pytest.raises(SourceSpecError, match="national_id or a name"):
        parse_spec(text, "spec.yaml")


def test_unknown_files_and_names_are_clear(tmp_path: Path) -> None:
    with pytest.raises(
        SourceSpecError, match=r"nope: no such spec file or packaged spec \(packaged: cdd"
    ):
        load_spec("nope")
    with pytest.raises(SourceSpecError, match="cannot read spec"):
        load_spec(tmp_path / "missing.yaml")
    (tmp_path / "latin.yaml").write_bytes(b"source: \xe9")
    with pytest.raises(SourceSpecError, match="must be UTF-8"):
        load_spec(tmp_path / "latin.yaml")


def test_every_identity_field_has_a_completeness_column() -> None:
    from sitthi.ingest.report import _FIELD_COLUMNS
    from sitthi.ingest.spec import IDENTITY_FIELDS

    assert set(IDENTITY_FIELDS) == set(_FIELD_COLUMNS)
