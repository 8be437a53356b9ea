from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitthi.thai.digits import to_thai_digits
from sitthi.thai.national_id import (
    check_digit,
    format_national_id,
    is_valid_national_id,
    normalize_national_id,
    parse_national_id,
    repair_candidates,
)

VALID = "1101700203158"


def make_id(first12: str) -> str:
    return first12 + str(check_digit(first12))


@pytest.mark.parametrize(
    "raw",
    [
        VALID,
        "1-1017-00203-15-8",
        "1 1017 00203 15 8",
        " 1101700203158 ",
        "๑๑๐๑๗๐๐๒๐๓๑๕๘",
        "๑-๑๐๑๗-๐๐๒๐๓-๑๕-๘",
        "１１０１７００２０３１５８",  # full-width digits
        "1.1017.00203.15.8",
        1101700203158,
    ],
)
def test_same_id_in_every_writing_gives_one_canonical_id(raw: object) -> None:
    parsed = parse_national_id(raw)
    assert parsed.canonical == VALID
    assert parsed.valid
    assert parsed.reason is None
    assert parsed.category == "thai_born_registered"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "empty"),
        ("", "empty"),
        ("   ", "empty"),
        ("1101700203159", "bad_checksum"),
        ("110170020315", "wrong_length"),
        ("11017002031588", "wrong_length"),
        ("11017OO203158", "bad_characters"),  # letter O for zero
        ("abc", "bad_characters"),
        (3.5, "bad_characters"),
        (True, "bad_characters"),
        (b"1101700203158", "bad_characters"),
        ("9" + VALID[1:], "bad_category"),
    ],
)
def test_garbage_gets_a_reason_not_an_exception(raw: object, reason: str) -> None:
    parsed = parse_national_id(raw)
    assert not parsed.valid
    assert parsed.reason == reason


def test_categories_follow_the_first_digit() -> None:
    assert parse_national_id(make_id("3" + "10170020315")).category == "registered_before_1984"
    assert parse_national_id(make_id("0" + "10170020315")).category == "stateless"
    assert parse_national_id(make_id("6" + "10170020315")).category == "foreigner_temporary"


def test_check_digit_matches_the_dopa_formula() -> None:
    # Worked by hand: sum of d_i * (14 - i) = 212; 212 mod 11 = 3; (11 - 3) mod 10 = 8.
    assert check_digit("110170020315") == 8
    assert format_national_id(VALID) == "1-1017-00203-15-8"


def test_repair_finds_the_original_from_a_substitution_and_a_transposition() -> None:
    typo_sub = VALID[:5] + ("9" if VALID[5] != "9" else "8") + VALID[6:]
    typo_swap = VALID[:10] + VALID[11] + VALID[10] + VALID[12]
    for typo in (typo_sub, typo_swap):
        if not is_valid_national_id(typo):
            assert VALID in repair_candidates(typo)
    assert VALID not in repair_candidates(VALID)
    assert repair_candidates("garbage") == []


def test_every_repair_candidate_is_valid_and_one_edit_away() -> None:
    rng = random.Random(7)
    for _ in range(200):
        first12 = str(rng.randint(1, 8)) + "".join(str(rng.randint(0, 9)) for _ in range(11))
        typo = list(make_id(first12))
        typo[rng.randrange(13)] = str(rng.randint(0, 9))
        for cand in repair_candidates("".join(typo)):
            assert is_valid_national_id(cand)
            diffs = [i for i in range(13) if cand[i] != typo[i]]
            assert len(diffs) == 1 or (
                len(diffs) == 2
                and diffs[1] == diffs[0] + 1
                and cand[diffs[0]] == typo[diffs[1]]
                and cand[diffs[1]] == typo[diffs[0]]
            )


twelve_digits = st.text(alphabet="0123456789", min_size=11, max_size=11).map(lambda s: "1" + s)


@given(twelve_digits)
def test_valid_ids_survive_thai_digits_and_dashes(first12: str) -> None:
    nid = make_id(first12)
    assert parse_national_id(to_thai_digits(format_national_id(nid))).canonical == nid
    assert normalize_national_id(nid) == nid


@given(twelve_digits, st.integers(0, 12), st.integers(0, 9))
def test_a_single_substitution_is_always_detected_or_repairable(
    first12: str, pos: int, digit: int
) -> None:
    nid = make_id(first12)
    typo = nid[:pos] + str(digit) + nid[pos + 1 :]
    if typo != nid and not is_valid_national_id(typo):
        assert nid in repair_candidates(typo)


@given(st.one_of(st.text(), st.binary(), st.integers(), st.none(), st.floats()))
def test_parse_never_raises(raw: object) -> None:
    parsed = parse_national_id(raw)
    assert parsed.valid == (parsed.reason is None)
    if parsed.valid:
        assert parsed.canonical is not None
        assert len(parsed.canonical) == 13
