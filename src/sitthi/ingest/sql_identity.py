"""Identity fields normalised in SQL, for values too many and too distinct for Python.

National IDs are nearly all distinct (66 million), so per-distinct-value Python would
still be one call per row: the checksum is computed in SQL instead. The rules are those of
`sitthi.thai.national_id` (tests hold the two to the same answers).
"""

from __future__ import annotations

from sitthi.thai.digits import THAI_DIGITS

_FULL_WIDTH = "０１２３４５６７８９"
_ASCII = "0123456789"


def digits_sql(expression: str) -> str:
    """``expression`` with Thai and full-width digits as ASCII and separators removed."""
    translated = f"translate(trim({expression}), '{THAI_DIGITS}{_FULL_WIDTH}', '{_ASCII * 2}')"
    return f"regexp_replace({translated}, '[\\s\\-./_]+', '', 'g')"


def check_digit_sql(digits: str) -> str:
    """SQL for the check digit of the first 12 digits of ``digits`` (an SQL expression)."""
    weighted = " + ".join(
        f"(ascii(substr({digits}, {i}, 1)) - 48) * {14 - i}" for i in range(1, 13)
    )
    return f"((11 - ({weighted}) % 11) % 10)"


def national_id_sql(expression: str, digits: str | None = None) -> dict[str, str]:
    """SQL for the canonical ID (13 digits or NULL), its reason code and its validity.

    Returns expressions over ``expression`` for ``canonical``, ``reason`` (NULL when
    valid; ``empty``, ``bad_characters``, ``wrong_length``, ``bad_category``,
    ``bad_checksum`` as in `parse_national_id`) and ``category`` (the first digit).
    ``digits`` names a column already holding ``digits_sql(expression)``: the checksum
    reads it 13 times, and engines do not always compute a repeated expression once.
    """
    d = digits or digits_sql(expression)
    check = check_digit_sql(d)
    is13 = f"regexp_full_match({d}, '[0-9]{{13}}')"
    reason = (
        f"case when {expression} is null or regexp_full_match({expression}, '\\s*') then 'empty' "
        f"when not regexp_full_match({d}, '[0-9]+') then 'bad_characters' "
        f"when length({d}) <> 13 then 'wrong_length' "
        f"when substr({d}, 1, 1) = '9' then 'bad_category' "
        f"when {check} <> ascii(substr({d}, 13, 1)) - 48 then 'bad_checksum' "
        "else null end"
    )
    return {
        "canonical": f"case when {is13} then {d} end",
        "reason": reason,
        "category": f"case when {is13} then substr({d}, 1, 1) end",
    }
