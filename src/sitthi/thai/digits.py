"""Thai and full-width digits to ASCII, the first step of every identifier parser."""

from __future__ import annotations

import unicodedata

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_ASCII = str.maketrans({d: str(i) for i, d in enumerate(THAI_DIGITS)})
_TO_THAI = str.maketrans({str(i): d for i, d in enumerate(THAI_DIGITS)})


def to_ascii_digits(text: str) -> str:
    """Turn Thai digits (๐–๙) and full-width digits (０–９) into ASCII digits.

    NFKC folds full-width forms (and other compatibility characters) first; Thai digits
    are not compatibility characters, so they are mapped explicitly.

    Example:
        >>> to_ascii_digits("๑-๒๓๔๕ ０１")
        '1-2345 01'
    """
    return unicodedata.normalize("NFKC", text).translate(_TO_ASCII)


def to_thai_digits(text: str) -> str:
    """Turn ASCII digits into Thai digits (for output that mimics hand-written records).

    Example:
        >>> to_thai_digits("2490")
        '๒๔๙๐'
    """
    return text.translate(_TO_THAI)
