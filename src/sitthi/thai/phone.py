"""Thai phone numbers, in the national form used for linkage (``0812345678``).

Numbering plan (NBTC, national numbering plan; 10-digit mobile numbers since 2006):

* mobile: 10 digits starting 06, 08 or 09;
* landline: 9 digits starting 02 (Bangkok area), 03, 04, 05 or 07 (provincial areas).

Accepted writings: ``081-234-5678``, ``+66 81 234 5678``, ``66812345678``, ``0066 81…``,
``(02) 123 4567``, Thai and full-width digits, a label (``โทร.``, ``Tel:``) and an extension
(``ต่อ 12``, ``ext. 12``), which is dropped: linkage compares lines, not desks.

Reason codes: ``empty``, ``bad_characters``, ``wrong_length``, ``not_thai``.
"""

from __future__ import annotations

import math
import re

from sitthi.thai.digits import to_ascii_digits

COUNTRY_CODE = "66"
MOBILE_PREFIXES = ("06", "08", "09")
LANDLINE_PREFIXES = ("02", "03", "04", "05", "07")

_LABEL = re.compile(r"^(?:โทรศัพท์มือถือ|โทรศัพท์|มือถือ|โทร|tel|phone|mobile|mob)\.?\s*:?\s*")
_EXTENSION = re.compile(r"\s*(?:ต่อ|ext\.?|extension|x|#)\s*\d+\s*$")
_ALLOWED = re.compile(r"\(?\+?[0-9\s\-.()]*")


def parse_phone(raw: object) -> tuple[str | None, str | None]:
    """Read a Thai phone number written in any common way. Never raises.

    A leading 0 lost by a spreadsheet is put back (``812345678`` -> ``0812345678``), since
    no Thai number is dialled without it. A number starting with ``+`` or ``00`` and a
    country code other than 66 is ``not_thai``.

    Args:
        raw: a string, or an int (as spreadsheets store phone numbers). ``None``, blank text
            and float NaN are ``empty``.

    Returns:
        ``(canonical, reason)``: the national form and ``None``, or ``None`` and a reason.

    Example:
        >>> parse_phone("+66 81 234 5678 ต่อ 12")
        ('0812345678', None)
        >>> parse_phone("(02) 123 4567")
        ('021234567', None)
        >>> parse_phone("+1 212 555 0100")
        (None, 'not_thai')
    """
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None, "empty"
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        return None, "bad_characters"
    if isinstance(raw, int) and not 0 <= raw < 10**15:
        # Negative numbers are not phone numbers; str() of a huge int raises ValueError.
        return None, "wrong_length" if raw > 0 else "bad_characters"
    text = to_ascii_digits(str(raw)).strip().lower()
    text = _EXTENSION.sub("", _LABEL.sub("", text))
    if not text:
        return None, "empty"
    if not _ALLOWED.fullmatch(text):
        return None, "bad_characters"
    digits = re.sub(r"[^0-9]", "", text)
    if not digits:
        return None, "bad_characters"
    # Only the access code 00 is read: carrier codes (001, 009, …) are ambiguous, since
    # 009 66… (Thailand via 009) cannot be told from 00 966… (Saudi Arabia).
    international = text.lstrip("(").startswith("+") or digits.startswith("00")
    if international:
        digits = digits.removeprefix("00")
        if not digits.startswith(COUNTRY_CODE):
            return None, "not_thai"
    # Without "+", a leading 66 is still the country code once the number is long enough:
    # a national number starts with 0, and 9 digits starting 66 is a mobile that lost its 0.
    if international or (digits.startswith(COUNTRY_CODE) and len(digits) >= 10):
        # "+66 (0)81…": people keep the trunk 0 after the country code.
        return _check("0" + digits[2:].removeprefix("0"))
    # Spreadsheets store numbers as numbers and drop the leading 0.
    return _check(digits if digits.startswith("0") else "0" + digits)


def _check(national: str) -> tuple[str | None, str | None]:
    if national.startswith(MOBILE_PREFIXES):
        expected = 10
    elif national.startswith(LANDLINE_PREFIXES):
        expected = 9
    else:
        # 01 (old 9-digit mobiles, renumbered in 2006), 1xxx hotlines: not a dialable line.
        return None, "wrong_length"
    if len(national) != expected:
        return None, "wrong_length"
    return national, None


def is_mobile(canonical: str) -> bool:
    """True for a canonical mobile number.

    Example:
        >>> is_mobile("0812345678"), is_mobile("021234567")
        (True, False)
    """
    return len(canonical) == 10 and canonical.startswith(MOBILE_PREFIXES)


__all__ = [
    "COUNTRY_CODE",
    "LANDLINE_PREFIXES",
    "MOBILE_PREFIXES",
    "is_mobile",
    "parse_phone",
]
