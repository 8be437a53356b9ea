"""Data Sharing Agreements: validated, with errors naming the file, the line and the field."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest
import yaml

from sitthi.operations.dsa import REGISTRY_FIELDS, DsaError, load_dsa

from .conftest import DEP_DSA, LAO_DSA


def _write(tmp_path: Path, changes: dict[str, object], drop: str | None = None) -> Path:
    data = yaml.safe_load(DEP_DSA.read_text(encoding="utf-8"))
    data.update(changes)
    if drop:
        del data[drop]
    path = tmp_path / "dsa.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_examples_load() -> None:
    dep, lao = load_dsa(DEP_DSA), load_dsa(LAO_DSA)
    assert dep.real_ids is False
    assert lao.real_ids is True
    assert dep.legal_basis.pdpa_section == "PDPA s.26(5)(c)"
    assert lao.population.programmes == ["old_age_allowance"]
    assert "สุราษฎร์ธานี" in lao.partner


def test_fields_areas_and_days() -> None:
    lao = load_dsa(LAO_DSA)
    assert lao.allows_field("national_id")
    assert not lao.allows_field("disability")
    assert lao.allows_area("840101")
    assert not lao.allows_area("84")
    assert not lao.allows_area("8402")
    assert load_dsa(DEP_DSA).allows_area("500101")  # areas: [all]
    assert lao.is_valid_on(dt.date(2026, 10, 1))
    assert lao.is_valid_on(dt.date(2027, 9, 30))
    assert not lao.is_valid_on(dt.date(2026, 9, 30))
    assert not lao.is_valid_on(dt.date(2027, 10, 1))


def test_a_province_allows_its_districts_and_subdistricts(tmp_path: Path) -> None:
    dsa = load_dsa(_write(tmp_path, {"areas": ["84"]}))
    assert dsa.allows_area("84")
    assert dsa.allows_area("8401")
    assert dsa.allows_area("840101")
    assert not dsa.allows_area("50")


def test_an_expired_agreement_loads_but_allows_no_day_now(tmp_path: Path) -> None:
    dsa = load_dsa(_write(tmp_path, {"valid_from": "2020-01-01", "valid_to": "2020-12-31"}))
    assert not dsa.is_valid_on(dt.date.today())


@pytest.mark.parametrize(
    ("changes", "drop", "says"),
    [
        (
            {"fields": ["pid_hash", "nickname"]},
            None,
            r"dsa.yaml:\d+: fields.1: .*unknown registry field 'nickname'; expected one of "
            "national_id, pid_hash",
        ),
        (
            {"valid_from": "2027-10-01", "valid_to": "2026-09-30"},
            None,
            r"dsa.yaml:\d+: valid_to: .*ends \(2026-09-30\) before it begins \(2027-10-01\)",
        ),
        (
            {"fields": ["national_id", "pid_hash"]},
            None,
            r"fields: .*national_id is the real ID: allowed only with real_ids: true",
        ),
        (
            {"legal_basis": {"pdpa_section": "PDPA s.24(4)", "law": "ก"}},
            None,
            r"fields: .*disability: sensitive data \(PDPA s.26\) needs a legal basis of s.26",
        ),
        (
            {"legal_basis": {"pdpa_section": "section 24", "law": "ก"}},
            None,
            r"legal_basis.pdpa_section: .*expected a PDPA lawful basis",
        ),
        ({"areas": ["84", "8499"]}, None, r"areas.1: .*area code '8499': no such"),
        ({"areas": ["all", "84"]}, None, r"areas: .*'all' covers every area: list it alone"),
        ({"population": {"groups": ["aliens"]}}, None, r"population.groups.0: .*'aliens'"),
        ({"population": {}}, None, r"population: .*name at least one programme or group"),
        ({"share_with": "everyone"}, None, r"share_with: Extra inputs are not permitted"),
        ({}, "purpose", r"purpose: Field required"),
        ({"valid_to": "2027-02-30"}, None, r"dsa.yaml:\d+: valid_to: not a valid date"),
    ],
)
def test_a_mistake_names_the_file_and_the_field(
    tmp_path: Path, changes: dict[str, object], drop: str | None, says: str
) -> None:
    path = _write(tmp_path, changes, drop)
    if "2027-02-30" in str(changes):  # YAML would quote it; write the bad date as a date
        path.write_text(path.read_text().replace("'2027-02-30'", "2027-02-30"))
    with pytest.raises(DsaError, match=says) as caught:
        load_dsa(path)
    assert str(path) in str(caught.value)


def test_a_file_that_is_not_a_dsa(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("national_id,name\n1101700203158,x\n")
    with pytest.raises(DsaError, match=r"list.csv:1: a DSA is a mapping") as caught:
        load_dsa(path)
    assert "1101700203158" not in str(caught.value)
    with pytest.raises(DsaError, match="no such DSA file"):
        load_dsa(tmp_path / "missing.yaml")


def test_thai_text_is_kept_in_nfc(tmp_path: Path) -> None:
    typed = "ข้อตกลงก\u0e48\u0e38"  # tone mark typed before the vowel below it
    nfc = unicodedata.normalize("NFC", typed)
    assert nfc != typed
    assert load_dsa(_write(tmp_path, {"name": typed})).name == nfc


def test_the_vocabulary_names_the_fields_of_the_brief() -> None:
    for name in ("national_id", "pid_hash", "person_id", "household_id", "disability", "gaps"):
        assert name in REGISTRY_FIELDS
