"""Tests for sitthi.thai.dates: every layout, every reason code, and the parser's invariants."""

from __future__ import annotations

import dataclasses
import datetime
import unicodedata
from typing import get_args

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sitthi.thai.dates import (
    THAI_MONTHS_LONG,
    THAI_MONTHS_SHORT,
    DateStyle,
    Era,
    ParsedDate,
    ThaiDate,
    format_thai_date,
    parse_thai_date,
)

STYLES: tuple[DateStyle, ...] = get_args(DateStyle)
MARCH_25_1947 = datetime.date(1947, 3, 25)


def _day(year: int, month: int, day: int, era: Era) -> ThaiDate:
    return ThaiDate(year, month, day, "day", era)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25/03/2490", _day(1947, 3, 25, "BE")),
        ("25-03-2490", _day(1947, 3, 25, "BE")),
        ("25.03.2490", _day(1947, 3, 25, "BE")),
        ("5/3/2490", _day(1947, 3, 5, "BE")),
        ("2490-03-25", _day(1947, 3, 25, "BE")),
        ("1947-03-25", _day(1947, 3, 25, "CE")),
        ("1947/03/25", _day(1947, 3, 25, "CE")),
        ("25/03/1947", _day(1947, 3, 25, "CE")),
        ("25 มี.ค. 2490", _day(1947, 3, 25, "BE")),
        ("25 มี.ค.2490", _day(1947, 3, 25, "BE")),
        ("25มี.ค.2490", _day(1947, 3, 25, "BE")),
        ("25 มีค 2490", _day(1947, 3, 25, "BE")),
        ("25 มี.ค 2490", _day(1947, 3, 25, "BE")),
        ("25 มีนาคม 2490", _day(1947, 3, 25, "BE")),
        ("25 มีนาคม พ.ศ. 2490", _day(1947, 3, 25, "BE")),
        ("1 ม.ค. 2500", _day(1957, 1, 1, "BE")),
        ("31 ธันวาคม 2566", _day(2023, 12, 31, "BE")),
        ("9 มิ.ย. 2490", _day(1947, 6, 9, "BE")),
        ("25032490", _day(1947, 3, 25, "BE")),
        ("24900325", _day(1947, 3, 25, "BE")),
        ("19470325", _day(1947, 3, 25, "CE")),
        ("25031947", _day(1947, 3, 25, "CE")),
        ("๒๕/๐๓/๒๔๙๐", _day(1947, 3, 25, "BE")),
        ("๒๕ มี.ค. ๒๔๙๐", _day(1947, 3, 25, "BE")),
        ("２５/０３/２４９０", _day(1947, 3, 25, "BE")),
        ("  25/03/2490\t ", _day(1947, 3, 25, "BE")),
        ("25\u00a0มี.ค.\u00a02490", _day(1947, 3, 25, "BE")),
        ("\u200b25/03/\u200c2490\u200d\ufeff", _day(1947, 3, 25, "BE")),
        ("25/03/2490 00:00:00", _day(1947, 3, 25, "BE")),
        ("25/03/2490 13:45", _day(1947, 3, 25, "BE")),
        ("1947-03-25T08:30:00.123+07:00", _day(1947, 3, 25, "CE")),
        ("25/03/พ.ศ.2490", _day(1947, 3, 25, "BE")),
        ("พ.ศ. 2490", ThaiDate(1947, None, None, "year", "BE")),
        ("ค.ศ. 1947", ThaiDate(1947, None, None, "year", "CE")),
        ("มี.ค. 2490", ThaiDate(1947, 3, None, "month", "BE")),
        ("มีนาคม 2490", ThaiDate(1947, 3, None, "month", "BE")),
        ("03/2490", ThaiDate(1947, 3, None, "month", "BE")),
        ("1947-03", ThaiDate(1947, 3, None, "month", "CE")),
        ("2490", ThaiDate(1947, None, None, "year", "BE")),
        ("1947", ThaiDate(1947, None, None, "year", "CE")),
        ("00/00/2490", ThaiDate(1947, None, None, "year", "BE")),
        ("00/03/2490", ThaiDate(1947, 3, None, "month", "BE")),
        ("15/00/2490", ThaiDate(1947, None, None, "year", "BE")),
        ("2490-03-00", ThaiDate(1947, 3, None, "month", "BE")),
        ("00 มี.ค. 2490", ThaiDate(1947, 3, None, "month", "BE")),
        ("00032490", ThaiDate(1947, 3, None, "month", "BE")),
        ("00002490", ThaiDate(1947, None, None, "year", "BE")),
        # Leap years are judged on the CE year: BE 2543 is CE 2000 (leap), BE 2491 is 1948.
        ("29/02/2543", _day(2000, 2, 29, "BE")),
        ("29/02/2491", _day(1948, 2, 29, "BE")),
        # The BE window starts at 2343, so BE years just under 2400 are still BE.
        ("2399", ThaiDate(1856, None, None, "year", "BE")),
        ("01/01/2393", _day(1850, 1, 1, "BE")),
        (datetime.date(1947, 3, 25), _day(1947, 3, 25, "CE")),
        (datetime.datetime(1947, 3, 25, 23, 59), _day(1947, 3, 25, "CE")),
    ],
)
def test_parses_every_layout(text: object, expected: ThaiDate) -> None:
    assert parse_thai_date(text) == ParsedDate(expected, None)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (None, "empty"),
        ("", "empty"),
        ("   \t", "empty"),
        ("\u200b\ufeff", "empty"),
        (25032490, "bad_type"),
        (2490.0, "bad_type"),
        (True, "bad_type"),
        (b"25/03/2490", "bad_type"),
        (["25/03/2490"], "bad_type"),
        ("hello", "not_a_date"),
        ("25/03", "not_a_date"),
        ("25 มี.ค.", "not_a_date"),
        ("25 ฟฟ 2490", "not_a_date"),
        ("25/03-2490", "not_a_date"),
        ("25/03/24900", "not_a_date"),
        ("25/03/249", "not_a_date"),
        ("1234567", "not_a_date"),
        ("25/03/2490 พ.ศ. ค.ศ.", "not_a_date"),
        ("٢٥/٠٣/٢٤٩٠", "not_a_date"),  # Arabic-Indic digits are not Thai records
        ("25/03/90", "ambiguous_year"),
        ("25 มี.ค. 90", "ambiguous_year"),
        ("250390", "ambiguous_year"),
        ("90", "ambiguous_year"),
        ("25/03/2300", "year_out_of_range"),
        ("1849", "year_out_of_range"),
        ("2392", "year_out_of_range"),  # BE 2392 = CE 1849 < min_year
        ("2201", "year_out_of_range"),
        ("2744", "year_out_of_range"),
        ("0000", "year_out_of_range"),
        ("25/13/2490", "bad_month"),
        ("2490-13-01", "bad_month"),
        ("13/2490", "bad_month"),
        ("25/99/2490", "bad_month"),
        ("32/01/2490", "bad_day"),
        ("31/04/2490", "bad_day"),
        ("29/02/2490", "bad_day"),
        ("29/02/2444", "bad_day"),  # BE 2444 is divisible by 4, but CE 1901 is not leap
        ("45/00/2490", "bad_day"),
        ("31042490", "bad_day"),  # DDMMYYYY got further than YYYYMMDD (month 24)
        ("24900231", "bad_day"),
    ],
)
def test_reason_codes(text: object, reason: str) -> None:
    parsed = parse_thai_date(text)
    assert parsed == ParsedDate(None, reason)
    assert not parsed.ok


@pytest.mark.parametrize(
    ("text", "era", "expected"),
    [
        ("25/03/2490", "BE", (1947, "BE", False)),
        ("25/03/1947", "CE", (1947, "CE", False)),
        ("2342", "BE", (1799, "BE", False)),  # outside both windows: the stated era is used
        ("ค.ศ. 1947", "BE", (1947, "CE", False)),  # a marker in the text wins
        ("2490 พ.ศ.", "CE", (1947, "BE", False)),
        # A year clearly of the other era (the BE/CE mix-up) is read by its range, flagged.
        ("2490", "CE", (1947, "BE", True)),
        ("25/03/1947", "BE", (1947, "CE", True)),
        ("ค.ศ. 2490", None, (1947, "BE", True)),
    ],
)
def test_era_argument_and_marker(
    text: str, era: Era | None, expected: tuple[int, Era, bool]
) -> None:
    parsed = parse_thai_date(text, era=era, min_year=1700)
    assert parsed.value is not None
    assert (parsed.value.year, parsed.value.era, parsed.value.era_corrected) == expected


def test_year_range_limits() -> None:
    assert parse_thai_date("2490", min_year=1950).reason == "year_out_of_range"
    assert parse_thai_date("2490", max_year=1946).reason == "year_out_of_range"
    assert parse_thai_date("2490", min_year=1947, max_year=1947).ok
    assert parse_thai_date(datetime.date(1800, 1, 1)).reason == "year_out_of_range"
    assert parse_thai_date("2343", min_year=1800).ok
    # Outside the era windows the era is unknown, whatever min_year allows.
    assert parse_thai_date("2342", min_year=1700).reason == "year_out_of_range"
    # datetime.date has no year 0 or below, whatever min_year says.
    assert parse_thai_date("0100", era="BE", min_year=-1000).reason == "year_out_of_range"


def test_compact_date_valid_both_ways_is_refused() -> None:
    # 01/01/1201 or 0101-12-01: only possible once the caller widens the year range.
    assert parse_thai_date("01011201", era="CE", min_year=1) == ParsedDate(None, "not_a_date")
    assert parse_thai_date("01011201", era="CE", min_year=1000).ok


def test_rejects_an_unknown_era_argument() -> None:
    with pytest.raises(ValueError, match="era"):
        parse_thai_date("2490", era="AD")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "iso", "date"),
    [
        (ThaiDate(1947, 3, 25, "day", "BE"), "1947-03-25", datetime.date(1947, 3, 25)),
        (ThaiDate(1947, 3, None, "month", "BE"), "1947-03", datetime.date(1947, 3, 1)),
        (ThaiDate(1947, None, None, "year", "CE"), "1947", datetime.date(1947, 1, 1)),
    ],
)
def test_thai_date_iso_and_date(value: ThaiDate, iso: str, date: datetime.date) -> None:
    assert value.iso() == iso
    assert value.date == date


def test_thai_date_is_frozen() -> None:
    value = ThaiDate(1947, 3, 25, "day", "BE")
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.year = 1948  # type: ignore[misc]


@pytest.mark.parametrize(
    ("style", "ascii_text", "thai_text"),
    [
        ("slash_be", "25/03/2490", "๒๕/๐๓/๒๔๙๐"),
        ("slash_ce", "25/03/1947", "๒๕/๐๓/๑๙๔๗"),
        ("iso_ce", "1947-03-25", "๑๙๔๗-๐๓-๒๕"),
        ("iso_be", "2490-03-25", "๒๔๙๐-๐๓-๒๕"),
        ("thai_short_be", "25 มี.ค. 2490", "๒๕ มี.ค. ๒๔๙๐"),
        ("thai_long_be", "25 มีนาคม 2490", "๒๕ มีนาคม ๒๔๙๐"),
        ("compact_be", "25032490", "๒๕๐๓๒๔๙๐"),
    ],
)
def test_format_styles(style: DateStyle, ascii_text: str, thai_text: str) -> None:
    assert format_thai_date(MARCH_25_1947, style) == ascii_text
    assert format_thai_date(MARCH_25_1947, style, thai_digits=True) == thai_text
    assert unicodedata.is_normalized("NFC", thai_text)


def test_format_details() -> None:
    assert format_thai_date(MARCH_25_1947) == "25/03/2490"  # slash_be is the default
    assert format_thai_date(datetime.date(1947, 3, 5), "slash_be") == "05/03/2490"
    assert format_thai_date(datetime.date(1947, 3, 5), "thai_short_be") == "5 มี.ค. 2490"
    assert format_thai_date(datetime.date(1947, 3, 5), "thai_long_be") == "5 มีนาคม 2490"
    assert format_thai_date(datetime.datetime(1947, 3, 25, 10, 0), "iso_ce") == "1947-03-25"
    with pytest.raises(ValueError, match="style"):
        format_thai_date(MARCH_25_1947, "us")  # type: ignore[arg-type]


def test_month_tables() -> None:
    assert len(THAI_MONTHS_SHORT) == len(THAI_MONTHS_LONG) == 12
    assert THAI_MONTHS_SHORT[2] == "มี.ค."
    assert THAI_MONTHS_LONG[11] == "ธันวาคม"
    for month, (short, long) in enumerate(zip(THAI_MONTHS_SHORT, THAI_MONTHS_LONG, strict=True)):
        for name in (short, long, short.replace(".", "")):
            parsed = parse_thai_date(f"1 {name} 2500")
            assert parsed.value is not None, name
            assert parsed.value.month == month + 1


# --- properties ---------------------------------------------------------------------

# Pieces of real and broken records, so generated text often comes close to a date.
_PIECES = st.one_of(
    st.sampled_from(
        [
            *("/", "-", ".", " ", ":", "T", "พ.ศ.", "ค.ศ.", "00", "\u200b", "๒๕", "๐", "２"),
            *THAI_MONTHS_SHORT,
            *THAI_MONTHS_LONG,
        ]
    ),
    st.integers(0, 99).map(lambda n: f"{n:02d}"),
    st.integers(0, 9999).map(str),
    st.text(max_size=2),
)
_DATE_LIKE = st.lists(_PIECES, max_size=7).map("".join)
_ERAS = st.sampled_from([None, "BE", "CE"])


@given(
    value=st.dates(datetime.date(1850, 1, 1), datetime.date(2150, 12, 31)),
    style=st.sampled_from(STYLES),
    thai_digits=st.booleans(),
)
def test_round_trip(value: datetime.date, style: DateStyle, thai_digits: bool) -> None:
    text = format_thai_date(value, style, thai_digits=thai_digits)
    era: Era = "CE" if style.endswith("_ce") else "BE"
    expected = ThaiDate(value.year, value.month, value.day, "day", era)
    assert parse_thai_date(text) == ParsedDate(expected, None)
    assert expected.date == value


@given(
    text=st.one_of(st.text(), _DATE_LIKE, st.binary(), st.integers(), st.floats(), st.none()),
    era=_ERAS,
    min_year=st.one_of(st.just(1850), st.integers(-(10**6), 10**6)),
    max_year=st.one_of(st.just(2200), st.integers(-(10**6), 10**6)),
)
def test_never_raises_and_stays_in_range(
    text: object, era: Era | None, min_year: int, max_year: int
) -> None:
    parsed = parse_thai_date(text, era=era, min_year=min_year, max_year=max_year)
    assert parsed.ok == (parsed.reason is None)
    if parsed.value is None:
        assert parsed.reason in {
            "empty",
            "not_a_date",
            "ambiguous_year",
            "year_out_of_range",
            "bad_month",
            "bad_day",
            "bad_type",
        }
        return
    assert isinstance(text, str)
    assert min_year <= parsed.value.year <= max_year
    assert parsed.value.date.year == parsed.value.year  # the date is constructible


@st.composite
def _record_dates(draw: st.DrawFn) -> str:
    day, month = draw(st.integers(0, 32)), draw(st.integers(0, 13))
    year = draw(st.sampled_from([2000, 2490, 1947, 2393, 1850, 2200, 2743]))
    layout = draw(
        st.sampled_from(["{d:02d}/{m:02d}/{y}", "{y}-{m:02d}-{d:02d}", "{d:02d}{m:02d}{y}"])
    )
    return layout.format(d=day, m=month, y=year)


@given(text=st.one_of(_record_dates(), _DATE_LIKE))
def test_iso_output_parses_to_the_same_date(text: str) -> None:
    first = parse_thai_date(text).value
    assume(first is not None)
    assert first is not None
    again = parse_thai_date(first.iso()).value
    assert again is not None
    assert (again.year, again.month, again.day, again.precision) == (
        first.year,
        first.month,
        first.day,
        first.precision,
    )
