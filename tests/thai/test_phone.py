from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitthi.thai import phone
from sitthi.thai.digits import to_thai_digits
from sitthi.thai.phone import is_mobile, parse_phone

MOBILE = "0812345678"
LANDLINE = "021234567"


@pytest.mark.parametrize(
    "raw",
    [
        MOBILE,
        "081-234-5678",
        "081 234 5678",
        "081.234.5678",
        "+66 81 234 5678",
        "+66812345678",
        "+66 (0)81 234 5678",
        "(+66) 81 234 5678",
        "66812345678",
        "0066 81 234 5678",
        "๐๘๑-๒๓๔-๕๖๗๘",
        "０８１２３４５６７８",
        "081-234-5678 ต่อ 12",
        "081-234-5678 ext. 12",
        "0812345678x12",
        "โทร. 081-234-5678",
        "Tel: 081 234 5678",
        812345678,  # spreadsheet dropped the leading 0
        "812345678",
    ],
)
def test_mobile_in_every_writing(raw: object) -> None:
    assert parse_phone(raw) == (MOBILE, None)


@pytest.mark.parametrize(
    "raw",
    [LANDLINE, "02-123-4567", "(02) 123 4567", "+66 2 123 4567", "6621234567", 21234567],
)
def test_landline_in_every_writing(raw: object) -> None:
    assert parse_phone(raw) == (LANDLINE, None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0612345678", "0612345678"), ("0912345678", "0912345678"), ("053 123 456", "053123456")],
)
def test_other_prefixes(raw: str, expected: str) -> None:
    assert parse_phone(raw) == (expected, None)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "empty"),
        ("", "empty"),
        ("  ", "empty"),
        ("โทร.", "empty"),
        (float("nan"), "empty"),
        ("abc", "bad_characters"),
        ("081-234-5678, 089-876-5432", "bad_characters"),  # two numbers in one cell
        ("081/2345678", "bad_characters"),
        ("++66812345678", "bad_characters"),
        (True, "bad_characters"),
        (8.1e8, "bad_characters"),
        (-812345678, "bad_characters"),
        ("081-234-567", "wrong_length"),  # mobile with 9 digits
        ("02-123-45678", "wrong_length"),  # landline with 10 digits
        ("01 234 5678", "wrong_length"),  # pre-2006 mobile, no longer dialable
        ("1669", "wrong_length"),  # hotline, not a line of a person
        ("+66", "wrong_length"),
        pytest.param(10**5000, "wrong_length", id="huge-int"),
        ("+1 212 555 0100", "not_thai"),
        ("0044 20 7946 0958", "not_thai"),
        ("+95 9 123 456 789", "not_thai"),  # Myanmar
    ],
)
def test_reasons(raw: object, reason: str) -> None:
    assert parse_phone(raw) == (None, reason)


def test_is_mobile() -> None:
    assert is_mobile(MOBILE)
    assert not is_mobile(LANDLINE)


mobiles = st.from_regex(r"0[689][0-9]{8}", fullmatch=True)
landlines = st.from_regex(r"0[23457][0-9]{7}", fullmatch=True)


@given(st.one_of(mobiles, landlines))
def test_canonical_is_idempotent(number: str) -> None:
    assert parse_phone(number) == (number, None)
    assert parse_phone(to_thai_digits(number)) == (number, None)
    assert parse_phone("+66 " + number[1:]) == (number, None)


@given(st.one_of(st.none(), st.text(), st.binary(), st.integers(), st.floats()))
def test_never_raises(raw: object) -> None:
    canonical, reason = parse_phone(raw)
    assert (canonical is None) != (reason is None)
    assert reason in {None, "empty", "bad_characters", "wrong_length", "not_thai"}
    if canonical is not None:
        assert parse_phone(canonical) == (canonical, None)


def test_docstring_examples() -> None:
    assert doctest.testmod(phone).failed == 0
