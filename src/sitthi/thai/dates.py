"""Thai dates in government records: read what clerks wrote, write what forms expect.

Birth dates, card expiry dates and payment dates arrive as ``25/03/2490``, ``2490-03-25``,
``25 มี.ค. 2490``, ``๒๕/๐๓/๒๔๙๐``, ``25032490``, ``1947-03-25 00:00:00`` and so on, in the
Buddhist Era (พ.ศ., BE = CE + 543) or the Common Era (ค.ศ.). :func:`parse_thai_date` reads
them all into a :class:`ThaiDate` that always holds the CE year, and never raises: what it
cannot read comes back as ``ParsedDate(value=None, reason=...)`` with one of these codes:

- ``empty``: ``None``, or text that is blank once spaces and zero-width characters go.
- ``bad_type``: neither text nor a ``datetime.date`` (ints, floats, bytes, ...).
- ``not_a_date``: text in none of the known layouts, an unknown month name, both ``พ.ศ.``
  and ``ค.ศ.``, or an 8-digit date valid both as DDMMYYYY and YYYYMMDD.
- ``ambiguous_year``: a 2-digit year (``25/03/90``, ``250390``): century and era unknowable.
- ``year_out_of_range``: the CE year is outside ``[min_year, max_year]``, or, era unknown,
  the year is in neither the CE window (1800..2200) nor the BE one (2343..2743).
- ``bad_month``: a month above 12.
- ``bad_day``: a day above 31, or past the end of its month (``31/04``, ``29/02`` in a
  non-leap year; leap years are judged on the CE year).

Unknown parts are written ``00``: ``00/03/2490`` has month precision, ``00/00/2490`` year
precision. A day without a month (``15/00/2490``) says nothing useful, so it is dropped
and the result has year precision.

Years are converted with a flat 543. Until the Calendar Act B.E. 2483 (พ.ร.บ. ปีประดิทิน
พ.ศ. ๒๔๘๓) moved New Year to 1 January 2484 (1941), the Thai year began on 1 April, so a
January–March date written in the old reckoning is one CE year later than computed here;
records are assumed to have been normalised to the modern calendar.

Example:
    >>> parse_thai_date("25 มี.ค. 2490").value.iso()
    '1947-03-25'
    >>> parse_thai_date("25/03/90").reason
    'ambiguous_year'
"""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from sitthi.thai.digits import to_ascii_digits, to_thai_digits

Era = Literal["BE", "CE"]
Precision = Literal["day", "month", "year"]
DateStyle = Literal[
    "slash_be", "slash_ce", "iso_ce", "iso_be", "thai_short_be", "thai_long_be", "compact_be"
]

THAI_MONTHS_SHORT: tuple[str, ...] = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
THAI_MONTHS_LONG: tuple[str, ...] = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip

_LAYOUTS: dict[DateStyle, str] = {
    "slash_be": "{dd}/{mm}/{be}",  # 25/03/2490
    "slash_ce": "{dd}/{mm}/{ce}",  # 25/03/1947
    "iso_ce": "{ce}-{mm}-{dd}",  # 1947-03-25
    "iso_be": "{be}-{mm}-{dd}",  # 2490-03-25
    "thai_short_be": "{d} {short} {be}",  # 25 มี.ค. 2490
    "thai_long_be": "{d} {long} {be}",  # 25 มีนาคม 2490
    "compact_be": "{dd}{mm}{be}",  # 25032490
}
_BE_OFFSET = 543
# Records name people born from the mid-19th century on, and expiry dates a few decades
# ahead, so a 4-digit CE year lies in 1800..2200. The BE window is the same span shifted by
# 543 (2343..2743). The two windows do not overlap, so the range alone tells the era. The
# BE window starts at 2343, not at a round 2400, so that BE years 2393..2399 (CE 1850..1856,
# inside the default min_year) are still read as BE.
_CE_WINDOW = (1800, 2200)
_BE_WINDOW = (_CE_WINDOW[0] + _BE_OFFSET, _CE_WINDOW[1] + _BE_OFFSET)

# Keys without dots, so "มี.ค.", "มี.ค" and "มีค" all match.
_MONTH_BY_NAME = {
    unicodedata.normalize("NFKC", name).replace(".", ""): number
    for names in (THAI_MONTHS_SHORT, THAI_MONTHS_LONG)
    for number, name in enumerate(names, start=1)
}
_ZERO_WIDTH = str.maketrans(dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff")))
# Failed readings of a compact date are ranked by how far validation got (see _parse_compact).
_REASON_DEPTH = {"year_out_of_range": 1, "bad_month": 2, "bad_day": 3}

# [0-9], never \d: \d also matches Arabic-Indic and other digits that int() would accept.
_TIME = re.compile(
    r"(?:\s+|T)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
    r"(?:\s*(?:น\.?|Z|[+-][0-9]{2}:?[0-9]{2}))?$"
)
_ERA_MARK = re.compile(r"(?:(พ)|ค)\.?\s?ศ\.?")
_DMY = re.compile(r"([0-9]{1,2})\s*([/.-])\s*([0-9]{1,2})\s*\2\s*([0-9]+)")
_YMD = re.compile(r"([0-9]{4})\s*([/.-])\s*([0-9]{1,2})(?:\s*\2\s*([0-9]{1,2}))?")
_MY = re.compile(r"([0-9]{1,2})\s*[/.-]\s*([0-9]{4})")
# Thai letters, vowels and tone marks (U+0E01..U+0E4E) plus dots: a month name or abbreviation.
_NAMED = re.compile(r"(?:([0-9]{1,2})\s*)?([\u0e01-\u0e4e.]+)\s*([0-9]+)")
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True, slots=True)
class ThaiDate:
    """A date read from a record, possibly partial; ``year`` is always the CE year.

    Example:
        >>> d = ThaiDate(year=1947, month=3, day=None, precision="month", era="BE")
        >>> d.iso(), d.date
        ('1947-03', datetime.date(1947, 3, 1))
    """

    year: int
    month: int | None
    day: int | None
    precision: Precision
    era: Era
    era_corrected: bool = False
    """True when the year was clearly of the other era than the caller or a marker said."""

    @property
    def date(self) -> datetime.date:
        """The first day of the known period (1 January for year precision)."""
        return datetime.date(self.year, self.month or 1, self.day or 1)

    def iso(self) -> str:
        """ISO 8601 text at the known precision: ``1947-03-25``, ``1947-03`` or ``1947``."""
        if self.precision == "year":
            return f"{self.year:04d}"
        if self.precision == "month":
            return f"{self.year:04d}-{self.month:02d}"
        return self.date.isoformat()


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """The outcome of :func:`parse_thai_date`: a value, or a reason code (see module doc).

    Example:
        >>> parse_thai_date("31/04/2490")
        ParsedDate(value=None, reason='bad_day')
    """

    value: ThaiDate | None
    reason: str | None

    @property
    def ok(self) -> bool:
        """True when a date was read."""
        return self.value is not None


def _fail(reason: str) -> ParsedDate:
    return ParsedDate(None, reason)


def parse_thai_date(
    text: object, *, era: Era | None = None, min_year: int = 1850, max_year: int = 2200
) -> ParsedDate:
    """Read a Thai or international date from a record; never raises for any ``text``.

    Args:
        text: a string in any layout listed in the module docstring, or a
            ``datetime.date``/``datetime.datetime`` (read as CE, day precision).
        era: the era the source says it writes in. The year's range still decides when
            it is clear (a CE year in a BE column is a common clerk's mistake, and BE and
            CE windows never overlap), and ``era_corrected`` records the disagreement;
            the stated era is used for years outside both windows (a widened range).
            A ``พ.ศ.``/``ค.ศ.`` marker in the text counts as the stated era.
        min_year, max_year: the accepted range of CE years (inclusive).

    Returns:
        ``ParsedDate(ThaiDate, None)``, or ``ParsedDate(None, reason)``.

    Raises:
        ValueError: only when ``era`` is not ``"BE"``, ``"CE"`` or ``None`` (a caller bug).

    Example:
        >>> parse_thai_date("๒๕/๐๓/๒๔๙๐").value
        ThaiDate(year=1947, month=3, day=25, precision='day', era='BE')
    """
    if era not in (None, "BE", "CE"):
        raise ValueError(f"era must be 'BE', 'CE' or None, not {era!r}")
    if text is None:
        return _fail("empty")
    if isinstance(text, datetime.date):
        day = text.date() if isinstance(text, datetime.datetime) else text
        if not min_year <= day.year <= max_year:
            return _fail("year_out_of_range")
        return ParsedDate(ThaiDate(day.year, day.month, day.day, "day", "CE"), None)
    if not isinstance(text, str):
        return _fail("bad_type")
    text = " ".join(to_ascii_digits(text.translate(_ZERO_WIDTH)).split())
    if not text:
        return _fail("empty")
    marks = {"BE" if m[1] else "CE" for m in _ERA_MARK.finditer(text)}
    if len(marks) > 1:  # both พ.ศ. and ค.ศ.: no reading is safe
        return _fail("not_a_date")
    if marks:
        era = "BE" if "BE" in marks else "CE"
    text = " ".join(_ERA_MARK.sub(" ", _TIME.sub("", text)).split())
    return _parse_text(text, era, min_year, max_year)


def _parse_text(text: str, era: Era | None, min_year: int, max_year: int) -> ParsedDate:
    if m := _DMY.fullmatch(text):
        return _build(int(m[1]), int(m[3]), m[4], era, min_year, max_year)
    if m := _YMD.fullmatch(text):
        return _build(int(m[4] or 0), int(m[3]), m[1], era, min_year, max_year)
    if m := _MY.fullmatch(text):
        return _build(0, int(m[1]), m[2], era, min_year, max_year)
    if m := _NAMED.fullmatch(text):
        month = _MONTH_BY_NAME.get(m[2].replace(".", ""))
        if month is None:
            return _fail("not_a_date")
        return _build(int(m[1] or 0), month, m[3], era, min_year, max_year)
    if _DIGITS.fullmatch(text):
        if len(text) == 8:
            return _parse_compact(text, era, min_year, max_year)
        if len(text) == 6:  # DDMMYY
            return _fail("ambiguous_year")
        return _build(0, 0, text, era, min_year, max_year)
    return _fail("not_a_date")


def _parse_compact(digits: str, era: Era | None, min_year: int, max_year: int) -> ParsedDate:
    """Read DDMMYYYY or YYYYMMDD, whichever gives a valid date.

    Both cannot be valid with years in the CE/BE windows: DDMMYYYY needs digits 3-4 to be
    a month (<= 12), YYYYMMDD then needs digits 5-6 (the start of a year >= 1800) to be one.
    """
    readings = (
        _build(int(digits[:2]), int(digits[2:4]), digits[4:], era, min_year, max_year),
        _build(int(digits[6:]), int(digits[4:6]), digits[:4], era, min_year, max_year),
    )
    valid = [r for r in readings if r.ok]
    if len(valid) == 1:
        return valid[0]
    if valid:  # only reachable with a caller-widened year range
        return _fail("not_a_date")
    # Report the reading that got furthest: "31042490" is a bad day, not a bad month.
    return max(readings, key=lambda r: _REASON_DEPTH.get(r.reason or "", 0))


def _detect_era(year: int) -> Era | None:
    if _CE_WINDOW[0] <= year <= _CE_WINDOW[1]:
        return "CE"
    if _BE_WINDOW[0] <= year <= _BE_WINDOW[1]:
        return "BE"
    return None


def _build(
    day: int, month: int, year_text: str, era: Era | None, min_year: int, max_year: int
) -> ParsedDate:
    """Validate parts (0 = unknown) into a ThaiDate; the year is still digits in its era."""
    if len(year_text) == 2:
        return _fail("ambiguous_year")
    if len(year_text) != 4:
        return _fail("not_a_date")
    year = int(year_text)
    detected = _detect_era(year)
    written = detected or era
    if written is None:
        return _fail("year_out_of_range")
    corrected = era is not None and detected is not None and detected != era
    ce_year = year - _BE_OFFSET if written == "BE" else year
    # datetime.date cannot hold years outside MINYEAR..MAXYEAR, whatever the caller allows.
    low, high = max(min_year, datetime.MINYEAR), min(max_year, datetime.MAXYEAR)
    if not low <= ce_year <= high:
        return _fail("year_out_of_range")
    if month > 12:
        return _fail("bad_month")
    if day > 31 or (month and day > calendar.monthrange(ce_year, month)[1]):
        return _fail("bad_day")
    if not month:
        return ParsedDate(ThaiDate(ce_year, None, None, "year", written, corrected), None)
    if not day:
        return ParsedDate(ThaiDate(ce_year, month, None, "month", written, corrected), None)
    return ParsedDate(ThaiDate(ce_year, month, day, "day", written, corrected), None)


def format_thai_date(
    value: datetime.date, style: DateStyle = "slash_be", *, thai_digits: bool = False
) -> str:
    """Write a date in a layout Thai forms use (see ``_LAYOUTS``); the parser reads all back.

    Month-name layouts write the day without a leading zero, as Thai documents do.

    Args:
        value: the date (a ``datetime.datetime`` is taken at its date).
        style: one of :data:`DateStyle`, e.g. ``slash_be`` for ``25/03/2490``.
        thai_digits: write Thai digits (๒๕/๐๓/๒๔๙๐) instead of ASCII ones.

    Raises:
        ValueError: for an unknown ``style``.

    Example:
        >>> format_thai_date(datetime.date(1947, 3, 5), "thai_long_be", thai_digits=True)
        '๕ มีนาคม ๒๔๙๐'
    """
    layout = _LAYOUTS.get(style)
    if layout is None:
        raise ValueError(f"unknown date style {style!r}")
    text = layout.format(
        d=value.day,
        dd=f"{value.day:02d}",
        mm=f"{value.month:02d}",
        ce=f"{value.year:04d}",
        be=f"{value.year + _BE_OFFSET:04d}",
        short=THAI_MONTHS_SHORT[value.month - 1],
        long=THAI_MONTHS_LONG[value.month - 1],
    )
    return to_thai_digits(text) if thai_digits else text
