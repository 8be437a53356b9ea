"""Thai house codes (รหัสประจำบ้าน, the 11-digit number of a house in the house register).

Layout (Civil Registration Act B.E. 2534, DOPA house register ท.ร.14):

* digits 1-4: the registration office (สำนักทะเบียน) that issued the code; its first two
  digits are the DOPA province code;
* digits 5-10: a running number within that office;
* digit 11: a check digit.

DOPA does not publish how the check digit is computed, so this module does not check it:
a guessed checksum would reject real house codes. Only the shape and the province are checked.

Reason codes: ``empty``, ``bad_characters``, ``wrong_length``, ``unknown_office``.
"""

from __future__ import annotations

import math
import re

import geothai

from sitthi.thai.digits import to_ascii_digits

HOUSE_CODE_LENGTH = 11

# People group the digits as office-running-check ("1234-567890-1") with any dash or space.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—−]+")
_DIGITS = re.compile(r"[0-9]+")


def parse_house_code(raw: object) -> tuple[str | None, str | None]:
    """Read a house code written in any common way. Never raises.

    Args:
        raw: the code as found in a file: a string with Thai, full-width or ASCII digits,
            spaces or dashes, or an int (house codes never start with 0, so a spreadsheet
            loses nothing). ``None``, blank text and float NaN are ``empty``.

    Returns:
        ``(canonical, reason)``: the 11 ASCII digits and ``None``, or ``None`` and a reason.

    Example:
        >>> parse_house_code("8401-012345-6")
        ('84010123456', None)
        >>> parse_house_code("๙๙๐๑๐๑๒๓๔๕๖")
        (None, 'unknown_office')
    """
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None, "empty"
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        return None, "bad_characters"
    if isinstance(raw, int) and not 0 <= raw < 10**HOUSE_CODE_LENGTH:
        # Checked before str(): str() of a huge int raises ValueError.
        return None, "wrong_length" if raw > 0 else "bad_characters"
    text = _SEPARATORS.sub("", to_ascii_digits(str(raw)))
    if not text:
        return None, "empty"
    if not _DIGITS.fullmatch(text):
        return None, "bad_characters"
    if len(text) != HOUSE_CODE_LENGTH:
        return None, "wrong_length"
    if geothai.province(text[:2]) is None:
        return None, "unknown_office"
    return text, None


def registration_office(canonical: str) -> str:
    """The 4-digit registration office (สำนักทะเบียน) of a canonical house code.

    Example:
        >>> registration_office("84010123456")
        '8401'
    """
    return canonical[:4]


__all__ = ["HOUSE_CODE_LENGTH", "parse_house_code", "registration_office"]
