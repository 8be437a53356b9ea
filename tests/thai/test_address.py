from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitthi.thai.address import ParsedAddress, parse_address


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "12/3 หมู่ 4 ต.บางเล่า อ.คลองเขื่อน จ.ฉะเชิงเทรา",
            ("12/3", "4", "บางเล่า", "คลองเขื่อน", "ฉะเชิงเทรา"),
        ),
        (
            "221/21 ต.บางเล่า อ.คลองเขื่อน จ.ฉะเชิงเทรา",
            ("221/21", None, "บางเล่า", "คลองเขื่อน", "ฉะเชิงเทรา"),
        ),
        ("99 แขวงลุมพินี เขตปทุมวัน กรุงเทพมหานคร", ("99", None, "ลุมพินี", "ปทุมวัน", "กรุงเทพมหานคร")),
        (
            "บ้านเลขที่ ๔๕ หมู่ที่ ๗ ตำบลตลาด อำเภอเมืองสุราษฎร์ธานี จังหวัดสุราษฎร์ธานี",
            ("45", "7", "ตลาด", "เมืองสุราษฎร์ธานี", "สุราษฎร์ธานี"),
        ),
        ("45 ม.7 ต. ตลาด อ. เมือง จ. สุราษฎร์ธานี", ("45", "7", "ตลาด", "เมือง", "สุราษฎร์ธานี")),
        ("", (None, None, None, None, None)),
    ],
)
def test_parts_are_found_by_their_markers(text: str, expected: tuple[str | None, ...]) -> None:
    assert parse_address(text) == ParsedAddress(*expected)


@given(st.one_of(st.text(), st.none(), st.integers(), st.binary()))
def test_never_raises(value: object) -> None:
    assert isinstance(parse_address(value), ParsedAddress)
