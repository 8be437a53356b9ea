"""Roles and the DOPA area codes that scope them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitthi.errors import ValidationError
from sitthi.operations.roles import (
    Role,
    area_covers,
    check_role_scope,
    parse_area_list,
    parse_role,
    validate_area,
)


def test_the_five_roles() -> None:
    assert [r.value for r in Role] == ["admin", "analyst", "caseworker", "agency", "auditor"]


def test_a_role_in_any_case() -> None:
    assert parse_role(" Auditor ") is Role.AUDITOR


def test_an_unknown_role_lists_the_roles() -> None:
    with pytest.raises(ValidationError, match=r"unknown role 'boss'; expected one of admin,"):
        parse_role("boss")


@pytest.mark.parametrize("code", ["84", "8401", "840101", "๘๔๐๑"])
def test_known_area_codes(code: str) -> None:
    assert validate_area(code).isascii()


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("99", "'99': no such province"),
        ("8499", "'8499': no such"),
        ("841", "'841': expected 2 digits"),
        ("84010101", "'84010101': expected 2 digits"),
        ("ab", "'ab': expected"),
    ],
)
def test_a_bad_area_code_is_named(code: str, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        validate_area(code)


def test_an_area_list_as_typed() -> None:
    assert parse_area_list("84, 8401 840101,84") == ["84", "8401", "840101"]
    assert parse_area_list(None) == parse_area_list("") == []
    with pytest.raises(ValidationError, match="'5099'"):
        parse_area_list("50,5099")


@given(st.from_regex(r"[0-9]{2}([0-9]{2}){0,2}", fullmatch=True))
def test_an_area_covers_itself_and_its_parts_never_its_parent(code: str) -> None:
    assert area_covers(code, code)
    assert area_covers(code[:2], code)
    if len(code) > 2:
        assert not area_covers(code, code[:2])


def test_a_caseworker_needs_an_area_and_an_agency_a_dsa() -> None:
    with pytest.raises(ValidationError, match="user ann: role caseworker needs at least one area"):
        check_role_scope(Role.CASEWORKER, [], has_dsa=False, who="user ann")
    with pytest.raises(ValidationError, match="role agency acts only under a Data Sharing"):
        check_role_scope(Role.AGENCY, ["84"], has_dsa=False, who="client x")
    check_role_scope(Role.CASEWORKER, ["84"], has_dsa=False, who="user ann")
    check_role_scope(Role.AGENCY, [], has_dsa=True, who="client x")
