"""Sex as recorded on Thai lists: ชาย/หญิง, ช/ญ, M/F, or the DOPA code 1/2.

DOPA civil registration (and the national ID card database) codes sex as ``1`` male and
``2`` female. Values outside these two (unknown, ``0``, ``9``) give ``unknown_value`` rather
than a guess: linkage treats a missing sex as "no evidence", a wrong one as a mismatch.

Reason codes: ``empty``, ``unknown_value``.
"""

from __future__ import annotations

import math
import re
from typing import Literal

from sitthi.thai.digits import to_ascii_digits

Sex = Literal["M", "F"]

_VALUES: dict[str, Sex] = {
    **dict.fromkeys(("ชาย", "ช", "เพศชาย", "ผู้ชาย", "m", "male", "man", "1"), "M"),
    **dict.fromkeys(("หญิง", "ญ", "เพศหญิง", "ผู้หญิง", "f", "female", "woman", "2"), "F"),
}
# Spaces and dots ("ช.", "M.", " ห ญิ ง ") carry no meaning here.
_NOISE = re.compile(r"[\s.]+")


def parse_sex(raw: object) -> tuple[Sex | None, str | None]:
    """Read a sex value written in any common way. Never raises.

    Args:
        raw: a string (Thai, English, Thai or ASCII digits), or the int/float code 1 or 2
            (spreadsheets and pandas store codes as numbers). ``None``, blank text and
            float NaN are ``empty``.

    Returns:
        ``("M" | "F", None)``, or ``(None, reason)``.

    Example:
        >>> parse_sex("ญ."), parse_sex("Male"), parse_sex("๑"), parse_sex("?")
        (('F', None), ('M', None), ('M', None), (None, 'unknown_value'))
    """
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None, "empty"
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        # Compare numbers as numbers: 1.0 from pandas is 1, and str() of a huge int raises.
        return (_VALUES[str(int(raw))], None) if raw in (1, 2) else (None, "unknown_value")
    if not isinstance(raw, str):
        return None, "unknown_value"
    text = _NOISE.sub("", to_ascii_digits(str(raw)).lower())
    if not text:
        return None, "empty"
    sex = _VALUES.get(text)
    return (sex, None) if sex else (None, "unknown_value")


__all__ = ["Sex", "parse_sex"]
