"""Titles, name splitting and the comparison form of a name."""

from __future__ import annotations

import unicodedata
from collections import Counter

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pythainlp.corpus.common import thai_family_names, thai_female_names, thai_male_names

from sitthi.thai.names import (
    TITLES,
    ParsedName,
    normalize_name,
    parse_full_name,
    sex_from_title,
    split_title,
)

# Pieces that build title-like and messy inputs far more often than st.text() alone.
PIECES = ["นาย", "นาง", "สาว", "น.ส.", "ร.ต.อ.", "หญิง", "ว่าที่", "พระ", "ดร.", "Mr", "พลฯ"]
PIECES += [" ", ".", "-", "'", "\u00a0", "\u200b", "\u0e4d", "\u0e32", "\u0e49", "ก", "เ", "ะ"]
name_like = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=2)), max_size=8).map("".join),
)


@pytest.mark.parametrize(
    ("raw", "titles", "rest"),
    [
        # civil and child, spaced, dotted and glued
        ("นาย สมชาย ใจดี", ("นาย",), "สมชาย ใจดี"),
        ("นายสมชาย ใจดี", ("นาย",), "สมชาย ใจดี"),
        ("นางสมศรี", ("นาง",), "สมศรี"),
        ("นางสาวสมศรี", ("นางสาว",), "สมศรี"),
        ("น.ส.สมศรี", ("นางสาว",), "สมศรี"),
        ("น.ส สมศรี", ("นางสาว",), "สมศรี"),
        ("นส. สมศรี", ("นางสาว",), "สมศรี"),
        ("น. ส. สมศรี", ("นางสาว",), "สมศรี"),
        ("นางสาวิตรี", ("นาง",), "สาวิตรี"),  # longest title that leaves a name: นาง + สาวิตรี
        ("เด็กชายต้น", ("เด็กชาย",), "ต้น"),
        ("ด.ช.ต้น", ("เด็กชาย",), "ต้น"),
        ("ดช. ต้น", ("เด็กชาย",), "ต้น"),
        ("ด.ญ.มาลี", ("เด็กหญิง",), "มาลี"),
        ("ดญ.มาลี", ("เด็กหญิง",), "มาลี"),
        # armed forces and police
        ("พล.อ.ประยุทธ์ จันทร์โอชา", ("พลเอก",), "ประยุทธ์ จันทร์โอชา"),
        ("พลเอกประยุทธ์", ("พลเอก",), "ประยุทธ์"),
        ("พ.อ. สมชาย", ("พันเอก",), "สมชาย"),
        ("ร.ต.สมชาย", ("ร้อยตรี",), "สมชาย"),
        ("จ.ส.อ.สมชาย", ("จ่าสิบเอก",), "สมชาย"),
        ("ส.ต.สมชาย", ("สิบตรี",), "สมชาย"),
        ("พลฯสมชาย", ("พลทหาร",), "สมชาย"),
        ("พล.ร.อ.สมชาย", ("พลเรือเอก",), "สมชาย"),
        ("น.อ.สมชาย", ("นาวาเอก",), "สมชาย"),
        ("เรือเอกสมชาย", ("เรือเอก",), "สมชาย"),
        ("พล.อ.อ.สมชาย", ("พลอากาศเอก",), "สมชาย"),
        ("เรืออากาศโทสมชาย", ("เรืออากาศโท",), "สมชาย"),
        ("พ.ต.ท.ทักษิณ ชินวัตร", ("พันตำรวจโท",), "ทักษิณ ชินวัตร"),
        ("พล.ต.อ.สมชาย", ("พลตำรวจเอก",), "สมชาย"),
        ("ร.ต.อ.สมชาย", ("ร้อยตำรวจเอก",), "สมชาย"),
        ("ด.ต.สมชาย", ("ดาบตำรวจ",), "สมชาย"),
        ("ส.ต.ต. สมชาย", ("สิบตำรวจตรี",), "สมชาย"),
        ("พ.ต.อนันต์", ("พันตรี",), "อนันต์"),  # อนันต์ is a name: the อ is not the rank's
        ("พ.ต.อ.อนันต์", ("พันตำรวจเอก",), "อนันต์"),
        # female officers and acting ranks
        ("ร.ต.อ.หญิงสมศรี", ("ร้อยตำรวจเอกหญิง",), "สมศรี"),
        ("ร.ต.อ. หญิง สมศรี", ("ร้อยตำรวจเอกหญิง",), "สมศรี"),
        ("ว่าที่ร้อยตรีสมชาย", ("ว่าที่ร้อยตรี",), "สมชาย"),
        ("ว่าที่ ร.ต. สมชาย", ("ว่าที่ร้อยตรี",), "สมชาย"),
        ("ว่าที่ ร.ต.หญิงมาลี", ("ว่าที่ร้อยตรีหญิง",), "มาลี"),
        # academic and medical
        ("ดร.สมชาย", ("ดอกเตอร์",), "สมชาย"),
        ("ศ.ดร.สมชาย", ("ศาสตราจารย์", "ดอกเตอร์"), "สมชาย"),
        ("รศ.สมชาย", ("รองศาสตราจารย์",), "สมชาย"),
        ("ผศ. สมชาย", ("ผู้ช่วยศาสตราจารย์",), "สมชาย"),
        ("นพ.สมชาย", ("นายแพทย์",), "สมชาย"),
        ("พญ.มาลี", ("แพทย์หญิง",), "มาลี"),
        # monastic and royal
        ("พระสมชาย", ("พระ",), "สมชาย"),
        ("พระครูสมชาย", ("พระครู",), "สมชาย"),
        ("พระมหาสมชาย", ("พระมหา",), "สมชาย"),
        ("สามเณรต้น", ("สามเณร",), "ต้น"),
        ("ส.ณ.ต้น", ("สามเณร",), "ต้น"),
        ("แม่ชีศันสนีย์", ("แม่ชี",), "ศันสนีย์"),
        ("ม.ร.ว.สุขุมพันธุ์ บริพัตร", ("หม่อมราชวงศ์",), "สุขุมพันธุ์ บริพัตร"),
        ("หม่อมหลวงต้น", ("หม่อมหลวง",), "ต้น"),
        ("ม.ล.ต้น", ("หม่อมหลวง",), "ต้น"),
        # English, any case, with or without the dot
        ("Mr. John Smith", ("Mr.",), "John Smith"),
        ("MR JOHN", ("Mr.",), "JOHN"),
        ("Mrs Smith", ("Mrs.",), "Smith"),
        ("miss Jane", ("Miss",), "Jane"),
        ("Ms.Jane", ("Ms.",), "Jane"),
        # stacked titles
        ("ว่าที่ ร.ต. ดร. สมชาย", ("ว่าที่ร้อยตรี", "ดอกเตอร์"), "สมชาย"),
        ("ศ.นพ.สมชาย", ("ศาสตราจารย์", "นายแพทย์"), "สมชาย"),
        ("พล.ต.อ. ดร. สมชาย", ("พลตำรวจเอก", "ดอกเตอร์"), "สมชาย"),
        # only a title, nothing at all
        ("นาย", ("นาย",), ""),
        ("", (), ""),
    ],
)
def test_split_title(raw: str, titles: tuple[str, ...], rest: str) -> None:
    assert split_title(raw) == (titles, rest)


@pytest.mark.parametrize(
    "name",
    [
        # Corpus names that start with a title word: glued stripping would eat them.
        "นายกชน",  # surname: นาย + กชน
        "พระแก้ว",  # surname: พระ + แก้ว
        "พระพรหม",
        # Not in the corpora, listed in names._EXTRA_GIVEN_NAMES.
        "พระพาย",
        "นางนวล",
        # What follows the title cannot start a Thai word (a following vowel).
        "นายิกา",
        "นางาม",
        "นายาว",
        # Dotless abbreviations never glue: นพ., ดร., น.ส. (นส.), ศ., ภก.
        "นพดล",
        "นพรัตน์",
        "ดรุณี",
        "ดรัณภพ",
        "นสิตา",
        "ศศิธร",
        "ภกามาศ",
        # Names that merely look like a title to a careless regex.
        "นาวิน",
        "Missy",
        "Mrinal",
    ],
)
def test_split_title_keeps_real_names(name: str) -> None:
    assert split_title(name) == ((), name)


def test_protected_names_are_corpus_names() -> None:
    # If the corpora change, the non-eating cases above must be rebuilt from real names.
    known = thai_male_names() | thai_female_names() | thai_family_names()
    assert {"นายกชน", "พระแก้ว", "พระพรหม", "นพดล", "ดรุณี", "นาวิน", "ศศิธร"} <= known


def test_titles_table() -> None:
    canonicals = [t.canonical for t in TITLES]
    assert len(canonicals) == len(set(canonicals))
    assert all(t.canonical in t.spellings for t in TITLES)
    assert {t.kind for t in TITLES} == {
        *("civil", "child", "rank", "academic", "monastic", "royal", "english"),
    }


SHARED = {s for s, n in Counter(s for t in TITLES for s in t.spellings).items() if n > 1}
# ว่าที่ merges with the rank that follows it: tested above.
SPELLINGS = [
    (t.canonical, s) for t in TITLES for s in t.spellings if s not in SHARED and s != "ว่าที่"
]


@pytest.mark.parametrize(("canonical", "spelling"), SPELLINGS)
def test_every_spelling_is_stripped(canonical: str, spelling: str) -> None:
    assert split_title(f"{spelling} สมชาย") == ((canonical,), "สมชาย")


@pytest.mark.parametrize(
    "canonical", [t.canonical for t in TITLES if t.kind != "english" and t.canonical != "ว่าที่"]
)
def test_every_thai_full_form_is_stripped_when_glued(canonical: str) -> None:
    assert split_title(f"{canonical}สมชาย ใจดี") == ((canonical,), "สมชาย ใจดี")


def test_ambiguous_abbreviation_goes_to_the_first_row() -> None:
    # ร.อ. is ร้อยเอก (army), เรือเอก (navy) and เรืออากาศเอก (air force) alike.
    assert split_title("ร.อ.สมชาย") == (("ร้อยเอก",), "สมชาย")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("นาย สมชาย ใจดี", ParsedName(("นาย",), "สมชาย", "ใจดี", "M")),
        ("  น.ส.สมศรี   ณ  อยุธยา ", ParsedName(("นางสาว",), "สมศรี", "ณ อยุธยา", "F")),
        ("ด.ญ.มาลี มีสุข", ParsedName(("เด็กหญิง",), "มาลี", "มีสุข", "F")),
        ("ร.ต.อ.หญิงสมศรี ใจดี", ParsedName(("ร้อยตำรวจเอกหญิง",), "สมศรี", "ใจดี", "F")),
        ("พ.ต.อ.สมชาย ใจดี", ParsedName(("พันตำรวจเอก",), "สมชาย", "ใจดี", None)),
        ("Mr. John Smith", ParsedName(("Mr.",), "John", "Smith", "M")),
        ("Mr. แพทย์หญิงมาลี", ParsedName(("Mr.", "แพทย์หญิง"), "มาลี", "", None)),
        ("นางสาวคำค\u0e4d\u0e32\u200b", ParsedName(("นางสาว",), "คำคำ", "", "F")),
        ("สมชาย", ParsedName((), "สมชาย", "", None)),
        ("", ParsedName((), "", "", None)),
        ("นาย", ParsedName(("นาย",), "", "", "M")),
    ],
)
def test_parse_full_name(raw: str, expected: ParsedName) -> None:
    assert parse_full_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        ("ว่าที่ ร.ต. นาย สมชาย ใจดี", "นาย"),  # the civil title wins over a rank
        ("ดร. สมชาย", "ดอกเตอร์"),
        ("สมชาย", None),
    ],
)
def test_parsed_name_title(raw: str, title: str | None) -> None:
    assert parse_full_name(raw).title == title


@pytest.mark.parametrize(
    ("title", "sex"),
    [
        ("นาย", "M"),
        ("นาง", "F"),
        ("น.ส.", "F"),
        ("ด.ช.", "M"),
        ("เด็กหญิง", "F"),
        ("พ.ต.อ.", None),
        ("ร.ต.อ.หญิง", "F"),
        ("ว่าที่ร้อยตรีหญิง", "F"),
        ("นพ.", "M"),
        ("แพทย์หญิง", "F"),
        ("พระครู", "M"),
        ("แม่ชี", "F"),
        ("ม.ร.ว.", None),
        ("MRS", "F"),
        ("Mr.", "M"),
        ("สมชาย", None),
        ("", None),
        (None, None),
    ],
)
def test_sex_from_title(title: str | None, sex: str | None) -> None:
    assert sex_from_title(title) == sex


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("นาย สม-ชาย", "สมชาย"),
        ("น.ส.สมศรี", "สมศรี"),
        ("ณ อยุธยา", "ณอยุธยา"),
        ("O'Brien", "obrien"),
        ("O\u2019Brien", "obrien"),
        ("Mr. John-Paul", "johnpaul"),
        ("คำค\u0e4d\u0e32", "คำคำ"),
        ("นาย", "นาย"),  # a part that is only a title word is the name itself
        ("นาย นาย", "นาย"),
        ("", ""),
    ],
)
def test_normalize_name(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


@settings(deadline=None)
@given(name_like)
def test_split_title_returns_a_suffix(raw: str) -> None:
    titles, rest = split_title(raw)
    assert len(rest) <= len(raw)
    assert raw.rstrip().endswith(rest)
    assert all(titles)


@settings(deadline=None)
@given(name_like)
def test_normalize_name_idempotent_and_nfc(raw: str) -> None:
    once = normalize_name(raw)
    assert normalize_name(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert not any(c in once for c in " .-'")


@settings(deadline=None)
@given(name_like)
@example("\u0339 \u0334")  # found by HYPOTHESIS_PROFILE=explore
def test_parse_full_name_never_raises(raw: str) -> None:
    parsed = parse_full_name(raw)
    assert " " not in parsed.first_name
    assert parsed.last_name == parsed.last_name.strip()
    # Each part is NFC; two NFC parts side by side need not be (combining marks reorder).
    assert unicodedata.is_normalized("NFC", parsed.first_name)
    assert unicodedata.is_normalized("NFC", parsed.last_name)
    assert parsed.sex_hint in ("M", "F", None)
    assert sex_from_title(raw) in ("M", "F", None)


@pytest.mark.parametrize("text", ["นาย. สมชาย ใจดี", "นาย.สมชาย ใจดี", "นาย สมชาย ใจดี"])
def test_a_stray_dot_after_a_full_title_is_still_a_title(text: str) -> None:
    parsed = parse_full_name(text)
    assert (parsed.titles, parsed.first_name, parsed.last_name) == (("นาย",), "สมชาย", "ใจดี")


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("นาย นพ ฐิติทรงภพ", "นพ", "ฐิติทรงภพ"),
        ("นาย นาย ไชยนาท", "นาย", "ไชยนาท"),
        ("นายสมชาย", "สมชาย", ""),
        ("ร.ต.อ. สมชาย", "สมชาย", ""),
    ],
)
def test_a_given_name_that_is_a_title_word_is_given_back(text: str, first: str, last: str) -> None:
    parsed = parse_full_name(text)
    assert (parsed.first_name, parsed.last_name) == (first, last)
