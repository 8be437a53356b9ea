"""Free-text Thai addresses split into house number, moo and area names.

Registers that keep the address in one field write it as ``12/3 หมู่ 4 ต.บางเล่า
อ.คลองเขื่อน จ.ฉะเชิงเทรา`` or, in Bangkok, ``99 แขวงลุมพินี เขตปทุมวัน กรุงเทพมหานคร``.
`parse_address` finds the parts by their markers; `sitthi.thai.areas.resolve_area` turns
the names into codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sitthi.thai.digits import to_ascii_digits
from sitthi.thai.text import normalize_thai_text

_HOUSE_NO = re.compile(r"^(?:บ้านเลขที่|เลขที่)?\s*([0-9]+(?:/[0-9]+)?)\b")
_MOO = re.compile(r"(?:หมู่ที่|หมู่|ม\.)\s*([0-9]{1,2})\b")
_SUBDISTRICT = re.compile(r"(?:ตำบล|แขวง|ต\.)\s*([^\s,]+)")
_DISTRICT = re.compile(r"(?:อำเภอ|เขต|อ\.)\s*([^\s,]+)")
_PROVINCE = re.compile(r"(?:จังหวัด|จ\.)\s*([^\s,]+)")
_BANGKOK = re.compile(r"(กรุงเทพมหานคร|กรุงเทพฯ|กรุงเทพ|กทม\.?)")


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    house_no: str | None
    moo: str | None
    subdistrict: str | None
    district: str | None
    province: str | None


def parse_address(text: object) -> ParsedAddress:
    """Split a one-line Thai address into its parts; parts not found are None.

    Never raises.

    Example:
        >>> parse_address("12/3 หมู่ 4 ต.บางเล่า อ.คลองเขื่อน จ.ฉะเชิงเทรา").district
        'คลองเขื่อน'
    """
    if not isinstance(text, str):
        return ParsedAddress(None, None, None, None, None)
    s = normalize_thai_text(to_ascii_digits(text))

    def find(pattern: re.Pattern[str]) -> str | None:
        m = pattern.search(s)
        return m.group(1) if m else None

    province = find(_PROVINCE) or find(_BANGKOK)
    return ParsedAddress(find(_HOUSE_NO), find(_MOO), find(_SUBDISTRICT), find(_DISTRICT), province)
