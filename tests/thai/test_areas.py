from __future__ import annotations

import doctest
import itertools
import time
from collections import Counter

import geothai
import pytest
from geothai.types import District, Province, Subdistrict
from hypothesis import given
from hypothesis import strategies as st

from sitthi.thai import areas
from sitthi.thai.areas import (
    AREA_CREDIT,
    AreaMatch,
    area_names,
    name_key,
    province_code,
    resolve_area,
)

REASONS = {None, "empty", "unknown_province", "unknown_district", "unknown_subdistrict"}
REASONS |= {"ambiguous"}
ALL_SUBDISTRICTS: list[tuple[Subdistrict, District, Province]] = [
    (s, d, p)
    for p in geothai.provinces()
    for d in geothai.districts(p.code)
    for s in geothai.subdistricts(d.code)
]


def ok(code: str, *, exact: bool = True) -> AreaMatch:
    return AreaMatch(
        code[:2], code[:4] if len(code) > 2 else None, code if len(code) > 4 else None, exact, None
    )


@pytest.mark.parametrize(
    ("subdistrict", "district", "province", "expected"),
    [
        ("ต.ตลาด", "อ.เมือง", "จ.สุราษฎร์ธานี", ok("840101")),
        ("ตำบลตลาด", "อำเภอเมืองสุราษฎร์ธานี", "จังหวัดสุราษฎร์ธานี", ok("840101")),
        ("ต. ตลาด", "อ. เมือง", "จ. สุราษฎร์ธานี", ok("840101")),
        ("Talat", "Mueang Surat Thani", "Surat Thani", ok("840101")),
        ("Tambon Talat", "Amphoe Mueang", "Surat Thani Province", ok("840101")),
        ("แขวงลุมพินี", "เขตปทุมวัน", None, ok("100704")),
        ("แขวงลุมพินี", "เขตปทุมวัน", "กทม.", ok("100704")),
        ("ลุมพินี", "ปทุมวัน", "กรุงเทพฯ", ok("100704")),
        ("Lumphini", "Khet Pathum Wan", "Bangkok", ok("100704")),
        ("วังทอง", None, "จ.พิษณุโลก", ok("650801")),  # bottom-up: district missing
        ("สุเทพ", None, "เชียงใหม่", ok("500108")),
        ("ต.จ.ป.ร.", None, "ระนอง", ok("850406")),  # a name that looks like a prefix
        ("ปอภาร", "เมืองร้อยเอ็ด", "ร้อยเอ็ด", ok("450109")),  # "ปอภาร (ปอพาน)"
        ("ปอพาน", "เมืองร้อยเอ็ด", "ร้อยเอ็ด", ok("450109")),
        (None, "อ.เมือง", "อยุธยา", ok("1401")),  # capital not named เมือง…
        (None, "กิ่งอำเภอเกาะพะงัน", None, ok("8405")),
        (None, "เเม่ริม", "เชียงใหม่", ok("5007")),  # แ typed as เ+เ
        (None, None, "โคราช", ok("30")),
        (None, None, "เชียงใหม่", ok("50")),
        # Misspellings, corrected within the resolved parent.
        (None, None, "สุราษฏร์ธานี", ok("84", exact=False)),
        (None, None, "ชียงใหม่", ok("50", exact=False)),
        (None, "เมืองเชียงใหม", "เชียงใหม่", ok("5001", exact=False)),
        ("ศรีภูมี", "เมือง", "เชียงใหม่", ok("500101", exact=False)),
        # Failures keep what was found above the failing level.
        ("xx", "เมือง", "เชียงใหม่", AreaMatch("50", "5001", None, False, "unknown_subdistrict")),
        ("ตลาด", "หางดง", "เชียงใหม่", AreaMatch("50", "5015", None, False, "unknown_subdistrict")),
        (None, "อ.เมือง", "กทม", AreaMatch("10", None, None, False, "unknown_district")),
        # A misspelt district is not looked for outside its province, nor nationwide.
        (None, "เมืองเชียงใหม", "ลำพูน", AreaMatch("51", None, None, False, "unknown_district")),
        (None, "เมืองเชียงใหม", None, AreaMatch(None, None, None, False, "unknown_district")),
        (None, "หางดง", "xxxx", AreaMatch(None, None, None, False, "unknown_province")),
        (
            None,
            None,
            "ตาข",
            AreaMatch(None, None, None, False, "unknown_province"),
        ),  # ตาก? too short
        (None, None, "ตาด", ok("23", exact=False)),  # ตราด, one letter dropped
        # Many areas share a name: no guess.
        ("วังทอง", None, None, AreaMatch(None, None, None, False, "ambiguous")),
        ("ตลาด", "เมือง", None, AreaMatch(None, None, None, False, "ambiguous")),
        (None, "เมือง", None, AreaMatch(None, None, None, False, "ambiguous")),
        ("สะพานสง", None, "กทม", AreaMatch("10", None, None, False, "ambiguous")),  # สูง/สอง
        ("Mae Kha", "Fang", "Chiang Mai", AreaMatch("50", "5009", None, False, "ambiguous")),
        (None, None, None, AreaMatch(None, None, None, False, "empty")),
        (" ", "", "จ.", AreaMatch(None, None, None, False, "empty")),
    ],
)
def test_resolve_area(
    subdistrict: str | None, district: str | None, province: str | None, expected: AreaMatch
) -> None:
    assert resolve_area(subdistrict=subdistrict, district=district, province=province) == expected


@pytest.mark.parametrize(
    "name",
    ["กทม", "กทม.", "กรุงเทพฯ", "กรุงเทพ", "กรุงเทพมหานคร", "จ.กรุงเทพมหานคร", "Bangkok", "BANGKOK"],
)
def test_bangkok_spellings(name: str) -> None:
    assert province_code(name) == "10"


def test_province_code_of_unknown_and_non_text() -> None:
    assert province_code("ไม่มีจังหวัดนี้") is None
    assert province_code(None) is None
    assert province_code(float("nan")) is None  # type: ignore[arg-type]


def test_zero_width_and_decomposed_sara_am_are_ignored() -> None:
    # ำ typed as ํ + า, and a zero-width space pasted from a web page.
    assert province_code("อ\u0e4d\u0e32นาจเจริญ") == "37"
    assert province_code("เชียง\u200bใหม่") == "50"


def test_every_subdistrict_round_trips_from_its_thai_names_fast() -> None:
    started = time.perf_counter()
    wrong = [
        s.code
        for s, d, p in ALL_SUBDISTRICTS
        if resolve_area(subdistrict=s.name_th, district=d.name_th, province=p.name_th) != ok(s.code)
    ]
    elapsed = time.perf_counter() - started
    assert wrong == []
    assert len(ALL_SUBDISTRICTS) > 7000
    # ~0.15 s on a laptop, index building included; the bound only catches a lost index.
    assert elapsed < 10, f"{len(ALL_SUBDISTRICTS)} round trips took {elapsed:.1f} s"


def test_every_subdistrict_round_trips_from_prefixed_names() -> None:
    for s, d, p in ALL_SUBDISTRICTS:
        level = "แขวง" if p.code == "10" else "ต."
        found = resolve_area(
            subdistrict=f"{level}{s.name_th}", district=d.name_th, province=f"จ. {p.name_th}"
        )
        assert found.subdistrict_code == s.code, (s, found)


def test_english_names_round_trip_unless_they_collide() -> None:
    # English transliterations can merge Thai names (two "Mae Kha" in Fang, two "Bang Sai"
    # districts in Ayutthaya): there, and only there, the answer must be "ambiguous".
    def triple(s: Subdistrict, d: District) -> tuple[str, ...]:
        return (s.province_code, name_key(d.name_en), name_key(s.name_en))

    counts = Counter(triple(s, d) for s, d, _ in ALL_SUBDISTRICTS)
    assert any(n > 1 for n in counts.values())
    for s, d, p in ALL_SUBDISTRICTS:
        found = resolve_area(subdistrict=s.name_en, district=d.name_en, province=p.name_en)
        if counts[triple(s, d)] == 1:
            assert found == ok(s.code), (s, found)
        else:
            assert found.reason == "ambiguous", (s, found)


def test_area_names_walk_down_from_the_province() -> None:
    assert area_names("840101") == ("สุราษฎร์ธานี", "เมืองสุราษฎร์ธานี", "ตลาด")
    assert area_names("1007") == ("กรุงเทพมหานคร", "เขตปทุมวัน")
    assert area_names("84") == ("สุราษฎร์ธานี",)
    assert area_names("849901") == ()
    assert area_names("99") == ()
    assert area_names("8") == ()
    assert area_names(None) == ()  # type: ignore[arg-type]


@given(st.sampled_from(ALL_SUBDISTRICTS))
def test_area_names_feed_back_into_resolve_area(
    row: tuple[Subdistrict, District, Province],
) -> None:
    s = row[0]
    province, district, subdistrict = area_names(s.code)
    assert resolve_area(subdistrict=subdistrict, district=district, province=province) == ok(s.code)


text_or_junk = st.one_of(st.none(), st.text(), st.binary(), st.integers(), st.floats())


@given(text_or_junk, text_or_junk, text_or_junk)
def test_never_raises_and_codes_nest(sub: object, dist: object, prov: object) -> None:
    found = resolve_area(subdistrict=sub, district=dist, province=prov)  # type: ignore[arg-type]
    assert found.reason in REASONS
    assert (found.reason is None) or not found.exact
    codes = [c for c in (found.province_code, found.district_code, found.subdistrict_code) if c]
    for parent, child in itertools.pairwise(codes):
        assert child.startswith(parent)
    assert province_code(prov) in (None, *(p.code for p in geothai.provinces()))  # type: ignore[arg-type]


def test_credit_for_geothai() -> None:
    assert "geothai" in AREA_CREDIT
    assert "CC BY 4.0" in AREA_CREDIT
    assert areas.__doc__ is not None
    assert "geothai" in areas.__doc__
    assert "CC BY 4.0" in areas.__doc__


def test_docstring_examples() -> None:
    assert doctest.testmod(areas).failed == 0
