"""Thai national ID numbers (เลขประจำตัวประชาชน 13 หลัก).

The 13th digit is a check digit: ``d13 = (11 - sum(d_i * (14 - i) for i in 1..12) mod 11) mod 10``.
The first digit is the registration category given by the Department of Provincial
Administration (DOPA, Civil Registration Act B.E. 2534):

1. Thai, born on or after 1 Jan 1984, birth registered in time
2. Thai, born on or after 1 Jan 1984, birth registered late
3. Thai or resident foreigner in a house register before 31 May 1984
4. Thai or resident foreigner who moved in before 1984 but had no ID then
5. Thai added to a house register after an audit (missed earlier)
6. Foreigner living in Thailand temporarily, or entered illegally
7. Child of a category-6 person, born in Thailand
8. Foreigner with permanent residence, or naturalised Thai, after 1984
0. Person without registration status (stateless; the ``0`` series)

``9`` is not issued, so an ID starting with 9 cannot be real.

Parsers never raise on garbage: they return a reason code instead.

Reason codes: ``empty``, ``bad_characters``, ``wrong_length``, ``bad_category``,
``bad_checksum``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sitthi.thai.digits import to_ascii_digits

IdCategory = Literal[
    "thai_born_registered",
    "thai_born_late",
    "registered_before_1984",
    "moved_in_before_1984",
    "added_after_audit",
    "foreigner_temporary",
    "child_of_foreigner",
    "permanent_resident_or_naturalised",
    "stateless",
]

CATEGORIES: dict[str, IdCategory] = {
    "1": "thai_born_registered",
    "2": "thai_born_late",
    "3": "registered_before_1984",
    "4": "moved_in_before_1984",
    "5": "added_after_audit",
    "6": "foreigner_temporary",
    "7": "child_of_foreigner",
    "8": "permanent_resident_or_naturalised",
    "0": "stateless",
}

# Categories 6, 7 and 0 are not Thai nationals; 8 mixes permanent residents and naturalised
# Thais, so nationality cannot be told from the ID alone there.
NON_THAI_CATEGORIES = frozenset({"foreigner_temporary", "child_of_foreigner", "stateless"})

_WEIGHTS = tuple(range(13, 1, -1))  # 13, 12, ..., 2 for digits 1..12
# Spaces, dashes, dots and slashes are how people group the digits (1-2345-67890-12-1).
_SEPARATORS = re.compile(r"[\s\-./_]+")


@dataclass(frozen=True, slots=True)
class ParsedNationalId:
    """The outcome of parsing one national ID.

    ``canonical`` is the 13 ASCII digits when the input could be read as 13 digits, even
    if the checksum is wrong (so linkage can try to repair it); ``valid`` says whether it is
    a real, checksum-correct ID.
    """

    canonical: str | None
    valid: bool
    category: IdCategory | None
    reason: str | None


def check_digit(first12: str) -> int:
    """The check digit for the first 12 digits of an ID.

    Example:
        >>> check_digit("110170020315")
        8
    """
    total = sum(int(d) * w for d, w in zip(first12, _WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def normalize_national_id(raw: object) -> str | None:
    """Thai/full-width digits to ASCII and separators removed; ``None`` unless 13 digits.

    Example:
        >>> normalize_national_id("๑-๑๐๑๗-๐๐๒๐๓-๑๕-๘")
        '1101700203158'
    """
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        return None
    text = _SEPARATORS.sub("", to_ascii_digits(str(raw)))
    if len(text) == 13 and text.isascii() and text.isdigit():
        return text
    return None


def parse_national_id(raw: object) -> ParsedNationalId:
    """Read a national ID written in any common way, and say whether it is valid.

    Args:
        raw: the ID as found in a file: a string with Thai, full-width or ASCII digits,
            spaces or dashes, or an int (spreadsheets drop nothing for 13-digit numbers,
            but a leading ``0`` of a stateless ID is lost: that gives ``wrong_length``).

    Returns:
        A `ParsedNationalId`; it never raises.

    Example:
        >>> parse_national_id("1-1017-00203-15-8").category
        'thai_born_registered'
        >>> parse_national_id("1-1017-00203-15-9").reason
        'bad_checksum'
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return ParsedNationalId(None, False, None, "empty")
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        return ParsedNationalId(None, False, None, "bad_characters")
    text = _SEPARATORS.sub("", to_ascii_digits(str(raw)))
    if not (text.isascii() and text.isdigit()):
        return ParsedNationalId(None, False, None, "bad_characters")
    if len(text) != 13:
        return ParsedNationalId(None, False, None, "wrong_length")
    category = CATEGORIES.get(text[0])
    if category is None:
        return ParsedNationalId(text, False, None, "bad_category")
    if check_digit(text[:12]) != int(text[12]):
        return ParsedNationalId(text, False, category, "bad_checksum")
    return ParsedNationalId(text, True, category, None)


def is_valid_national_id(raw: object) -> bool:
    """True when ``raw`` reads as a checksum-correct ID of an issued category.

    Example:
        >>> is_valid_national_id("1101700203158"), is_valid_national_id("1101700203159")
        (True, False)
    """
    return parse_national_id(raw).valid


def repair_candidates(raw: object) -> list[str]:
    """Valid IDs one digit substitution or one adjacent transposition away from ``raw``.

    Linkage uses these to repair a mistyped ID: a candidate is accepted only when its
    holder agrees on name and birth date. A valid input is not its own candidate.
    Position 3 has weight 11 (≡ 0 mod 11), so a typo there keeps the checksum valid and
    can never be detected from the ID alone: that is why linkage also checks valid IDs
    against the name and birth date of their holder.

    Returns:
        Sorted, unique candidates; empty if ``raw`` is not 13 digits.

    Example:
        >>> "1101700203158" in repair_candidates("1101700203518")
        True
    """
    text = normalize_national_id(raw)
    if text is None:
        return []
    found: set[str] = set()
    digits = list(text)
    for i in range(13):
        original = digits[i]
        for d in "0123456789":
            if d != original:
                digits[i] = d
                candidate = "".join(digits)
                if candidate[0] in CATEGORIES and _checksum_ok(candidate):
                    found.add(candidate)
        digits[i] = original
    for i in range(12):
        if digits[i] != digits[i + 1]:
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
            candidate = "".join(digits)
            if candidate[0] in CATEGORIES and _checksum_ok(candidate):
                found.add(candidate)
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
    found.discard(text)
    return sorted(found)


def _checksum_ok(text: str) -> bool:
    return check_digit(text[:12]) == int(text[12])


def format_national_id(canonical: str) -> str:
    """The printed form ``X-XXXX-XXXXX-XX-X`` used on the ID card.

    Example:
        >>> format_national_id("1101700203158")
        '1-1017-00203-15-8'
    """
    c = canonical
    return f"{c[0]}-{c[1:5]}-{c[5:10]}-{c[10:12]}-{c[12]}"
