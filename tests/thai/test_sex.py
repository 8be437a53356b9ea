from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitthi.thai import sex
from sitthi.thai.sex import parse_sex


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        *((raw, "M") for raw in ["ชาย", "ช", "ช.", " ช . ", "เพศชาย", "M", "m", "Male"]),
        *((raw, "M") for raw in ["MALE", "1", "๑", "１", 1, 1.0]),
        *((raw, "F") for raw in ["หญิง", "ญ", "ญ.", "ห ญิ ง", "เพศหญิง", "F", "f", "Female"]),
        *((raw, "F") for raw in ["FEMALE", "2", "๒", 2, 2.0]),
    ],
)
def test_known_values(raw: object, expected: str) -> None:
    assert parse_sex(raw) == (expected, None)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "empty"),
        ("", "empty"),
        (" . ", "empty"),
        (float("nan"), "empty"),
        ("0", "unknown_value"),  # DOPA: not recorded
        ("9", "unknown_value"),
        (3, "unknown_value"),
        (1.5, "unknown_value"),
        (True, "unknown_value"),  # a bool is not the code 1
        ("นาย", "unknown_value"),  # a title is not a sex
        ("x", "unknown_value"),
        ("ชายหญิง", "unknown_value"),
        (b"M", "unknown_value"),
        pytest.param(10**5000, "unknown_value", id="huge-int"),
    ],
)
def test_reasons(raw: object, reason: str) -> None:
    assert parse_sex(raw) == (None, reason)


@given(st.one_of(st.none(), st.text(), st.binary(), st.integers(), st.floats()))
def test_never_raises(raw: object) -> None:
    value, reason = parse_sex(raw)
    assert (value is None) != (reason is None)
    assert value in {None, "M", "F"}
    assert reason in {None, "empty", "unknown_value"}


@given(st.sampled_from(["M", "F"]))
def test_canonical_is_idempotent(value: str) -> None:
    assert parse_sex(value) == (value, None)


def test_docstring_examples() -> None:
    assert doctest.testmod(sex).failed == 0
