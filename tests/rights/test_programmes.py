"""Programmes as data: the built-ins load, bad rules are refused with a precise message."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitthi.errors import RuleError
from sitthi.registry.profile import PROFILE_COLUMNS
from sitthi.rights.expressions import ExpressionError, check_expression, compile_expression
from sitthi.rights.programme import load_programmes, parse_programme

GOOD = """
id: test_programme
name_th: โครงการทดสอบ
name_en: Test programme
legal_source: [a regulation]
unit: baht/month
administered_by_th: อบต.
eligibility:
  old: {when: "age >= 60", th: อายุ 60 ปีขึ้นไป, en: aged 60+}
amount: "600"
enrolment: {indicator: allowance_programme, value: ทดสอบ}
claim: {how_th: ยื่นคำขอ, where_th: อบต.}
"""


def test_built_in_programmes_load_and_cite_their_sources() -> None:
    programmes = load_programmes()
    assert set(programmes) == {
        "old_age_allowance",
        "disability_allowance",
        "child_support_grant",
        "state_welfare_card",
    }
    for p in programmes.values():
        assert p.legal_source
        assert p.checked()["amount"] is not None


def test_a_user_programme_is_added_and_can_replace_a_built_in(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "old.yaml").write_text(
        GOOD.replace("test_programme", "old_age_allowance"), encoding="utf-8"
    )
    programmes = load_programmes(tmp_path)
    assert "test_programme" in programmes
    assert programmes["old_age_allowance"].name_en == "Test programme"
    # One file given on its own, and the .yml spelling, are read too.
    single = tmp_path / "one" / "grant.yml"
    single.parent.mkdir()
    single.write_text(GOOD.replace("test_programme", "grant"), encoding="utf-8")
    assert "grant" in load_programmes(single)
    assert "grant" in load_programmes(single.parent)
    with pytest.raises(RuleError, match="no such programme file or folder"):
        load_programmes(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RuleError, match="no programme files"):
        load_programmes(tmp_path / "empty")
    (tmp_path / "latin1.yaml").write_bytes("name_th: ท".encode("cp874"))
    with pytest.raises(RuleError, match="not UTF-8"):
        load_programmes(tmp_path / "latin1.yaml")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('"age >= 60"', '"agee >= 60"'),
            "p.yaml: programme test_programme: eligibility.old: unknown column 'agee'",
        ),
        (
            ('"600"', "\"read_csv('/etc/passwd') is null\""),
            "p.yaml: programme test_programme: amount: function read_csv() is not allowed",
        ),
        (
            ('"age >= 60"', '"age in (select 60)"'),
            "eligibility.old: '(SELECT 60)' is not allowed in a rule",
        ),
        (('"age >= 60"', '"age >="'), "eligibility.old: not valid SQL"),
        (
            ('"age >= 60"', '"age > 60 and"'),
            "eligibility.old: not valid SQL: incomplete: an operator has nothing after it",
        ),
        (
            ('"age >= 60"', "\"age >= 'sixty'\""),
            "eligibility.old: \"age >= 'sixty'\": Could not convert string 'sixty'",
        ),
        (
            ('"age >= 60"', '"occupation > 5"'),
            "eligibility.old: 'occupation > 5': Cannot compare values of type VARCHAR",
        ),
        (('"age >= 60"', '"age"'), "eligibility.old: 'age' gives integer, not true or false"),
        (
            ('"600"', "\"case when age >= 90 then 'a' else 1 end\""),
            "amount: \"CASE WHEN age >= 90 THEN 'a' ELSE 1 END\": Could not convert string 'a'",
        ),
        (('"600"', "\"'600 baht'\""), "amount: \"'600 baht'\" gives varchar, not a number"),
        (("  old:", "  amount:"), "condition name 'amount' must be lower-case letters"),
        (
            ('amount: "600"', 'amount: "600"\namount: "700"'),
            "p.yaml:11: 'amount' is given twice",
        ),
        (
            (
                "enrolment: {indicator: allowance_programme, value: ทดสอบ}",
                "enrolment: {profile: age}",
            ),
            "profile column 'age' is not true or false",
        ),
        (("unit: baht/month\n", ""), "p.yaml:2: unit: Field required"),
        (
            (
                "enrolment: {indicator: allowance_programme, value: ทดสอบ}",
                "enrolment: {indicator: allowance_programme}",
            ),
            "p.yaml:11: enrolment: Value error, an enrolment fact needs the `value`",
        ),
    ],
)
def test_bad_rules_name_the_file_programme_and_column(
    change: tuple[str, str], message: str
) -> None:
    with pytest.raises(RuleError) as err:
        parse_programme(GOOD.replace(*change), "p.yaml")
    assert message in str(err.value)


@given(st.sampled_from(sorted(PROFILE_COLUMNS)), st.integers(-1000, 100_000))
def test_any_profile_column_compiles_for_every_engine(column: str, number: int) -> None:
    tree = check_expression(f"coalesce({column} >= {number}, false)", set(PROFILE_COLUMNS))
    for dialect in ("duckdb", "spark", "postgres"):
        assert column in compile_expression(tree, dialect)


@pytest.mark.parametrize(
    "sql",
    [
        "1; drop table persons",
        "(select max(age) from profiles)",
        "current_date > as_of",
        "profiles.age > 1",
        "getenv('HOME') is null",
        "age > 1 or read_parquet('x') is null",
    ],
)
def test_nothing_but_the_profile_can_be_read(sql: str) -> None:
    with pytest.raises(ExpressionError):
        check_expression(sql, set(PROFILE_COLUMNS))
