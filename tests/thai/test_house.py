from __future__ import annotations

import doctest

import geothai
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitthi.thai import house
from sitthi.thai.digits import to_thai_digits
from sitthi.thai.house import parse_house_code, registration_office

CODE = "84010123456"  # office 8401 (Mueang Surat Thani), running number 012345, check 6


@pytest.mark.parametrize(
    "raw",
    [
        CODE,
        "8401-012345-6",
        "8401 012345 6",
        " 8401–012345–6 ",  # en dashes from a word processor
        "๘๔๐๑-๐๑๒๓๔๕-๖",
        "８４０１０１２３４５６",  # full-width digits
        84010123456,
    ],
)
def test_every_writing_gives_the_canonical_code(raw: object) -> None:
    assert parse_house_code(raw) == (CODE, None)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "empty"),
        ("", "empty"),
        (" - ", "empty"),
        (float("nan"), "empty"),
        ("8401-O12345-6", "bad_characters"),  # letter O for zero
        ("8401/012345/6", "bad_characters"),
        (True, "bad_characters"),
        (8.4e10, "bad_characters"),
        (b"84010123456", "bad_characters"),
        (-84010123456, "bad_characters"),
        ("8401012345", "wrong_length"),
        ("840101234567", "wrong_length"),
        pytest.param(10**5000, "wrong_length", id="huge-int"),  # its str() raises
        ("99010123456", "unknown_office"),  # no province 99
        ("00010123456", "unknown_office"),
        ("28010123456", "unknown_office"),  # 28 and 29 are not province codes
    ],
)
def test_reasons(raw: object, reason: str) -> None:
    assert parse_house_code(raw) == (None, reason)


def test_check_digit_is_not_checked() -> None:
    # The algorithm is not published: all ten check digits must be accepted.
    assert {parse_house_code(CODE[:10] + d)[1] for d in "0123456789"} == {None}


def test_registration_office() -> None:
    assert registration_office(CODE) == "8401"


provinces = st.sampled_from([p.code for p in geothai.provinces()])
codes = st.builds(lambda p, rest: p + rest, provinces, st.from_regex(r"[0-9]{9}", fullmatch=True))


@given(codes)
def test_canonical_is_idempotent(code: str) -> None:
    assert parse_house_code(code) == (code, None)
    assert parse_house_code(to_thai_digits(code)) == (code, None)


@given(st.one_of(st.none(), st.text(), st.binary(), st.integers(), st.floats()))
def test_never_raises(raw: object) -> None:
    canonical, reason = parse_house_code(raw)
    assert (canonical is None) != (reason is None)
    assert reason in {None, "empty", "bad_characters", "wrong_length", "unknown_office"}
    if canonical is not None:
        assert parse_house_code(canonical) == (canonical, None)


def test_docstring_examples() -> None:
    assert doctest.testmod(house).failed == 0
