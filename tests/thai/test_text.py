"""normalize_thai_text: the spelling every other Thai parser starts from."""

from __future__ import annotations

import re
import unicodedata
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitthi.thai import text
from sitthi.thai.text import display_width, normalize_thai_text, thai_wrap

NIKHAHIT, SARA_AA, SARA_AM = "\u0e4d", "\u0e32", "\u0e33"
MAI_EK, MAI_THO = "\u0e48", "\u0e49"

# Thai block plus the invisible and space characters that registry exports carry.
thai_like = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x0E00, max_codepoint=0x0E5F),
        st.sampled_from([" ", "\u00a0", "\u3000", "\t", "\n", "\u200b", "\ufeff", "\u00ad"]),
    ),
    max_size=12,
)
any_text = st.one_of(st.text(), thai_like)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # sara am typed as nikhahit + sara aa, tone mark in every position
        (f"น{NIKHAHIT}{SARA_AA}", "นำ"),
        (f"น{NIKHAHIT}{MAI_THO}{SARA_AA}", "น้ำ"),
        (f"น{MAI_THO}{NIKHAHIT}{SARA_AA}", "น้ำ"),
        (f"น{NIKHAHIT}{SARA_AA}{MAI_THO}", "น้ำ"),
        (f"ค{NIKHAHIT}{SARA_AA}ปัน", "คำปัน"),
        # zero-width characters and the soft hyphen vanish
        ("สม\u200bชาย", "สมชาย"),
        ("สม\u200cชาย", "สมชาย"),
        ("สม\u200dชาย", "สมชาย"),
        ("สม\u2060ชาย", "สมชาย"),
        ("\ufeffสมชาย", "สมชาย"),
        ("สม\u00adชาย", "สมชาย"),
        # tone mark typed before the vowel, doubled vowels and tone marks, เเ for แ
        ("ก\u0e49\u0e35", "กี้"),
        ("ป\u0e48\u0e38น", "ปุ่น"),
        ("เเก้ว", "แก้ว"),
        ("ดีีี", "ดี"),
        (f"ก{MAI_EK}{MAI_EK}า", "ก่า"),
        (f"ก{MAI_EK}{MAI_THO}า", "ก้า"),
        ("นานาาา", "นานา"),
        # lakkhangyao used as sara aa, dangling mark at the start of a word
        ("มๅลี", "มาลี"),
        ("\u0e48สมชาย", "สมชาย"),
        # every kind of whitespace collapses to one space, then strip
        ("  สมชาย\u00a0\u00a0ใจดี\t", "สมชาย ใจดี"),
        ("สมชาย\u3000ใจดี\n", "สมชาย ใจดี"),
        ("สมชาย \r\n ใจดี", "สมชาย ใจดี"),
        # NFC for the Latin names in the same lists
        ("Jose\u0301", "José"),
        ("", ""),
        ("   ", ""),
        ("ฤๅษี", "ฤๅษี"),  # lakkhangyao after ฤ is correct spelling
    ],
)
def test_normalize_thai_text(raw: str, expected: str) -> None:
    assert normalize_thai_text(raw) == expected


@settings(deadline=None)
@given(any_text)
def test_idempotent_and_nfc(raw: str) -> None:
    once = normalize_thai_text(raw)
    assert normalize_thai_text(once) == once
    assert unicodedata.is_normalized("NFC", once)


@settings(deadline=None)
@given(any_text)
def test_output_has_no_invisible_or_repeated_space(raw: str) -> None:
    cleaned = normalize_thai_text(raw)
    assert not re.search("[\u200b\u200c\u200d\u2060\ufeff\u00ad]", cleaned)
    assert cleaned == " ".join(cleaned.split())
    assert f"{NIKHAHIT}{SARA_AA}" not in cleaned


@settings(deadline=None, max_examples=300)
@given(thai_like)
def test_pythainlp_shortcut_never_changes_the_result(raw: str) -> None:
    # The shortcut skips pythainlp.util.normalize on text it would leave alone.
    fast = normalize_thai_text(raw)
    with mock.patch.object(text, "_RE_NEEDS_PYTHAINLP", re.compile("")):
        slow = normalize_thai_text(raw)
    assert fast == slow


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("การเข้าถึงบริการรัฐ", 10),
        ("ครัวเรือนใช้ยาเพื่อบำบัดบรรเทาอาการเจ็บป่วยเบื้องต้นอย่างเหมาะสม", 30),
        ("คนจน จปฐ. ที่ยังไม่มีบัตรสวัสดิการ (poor, no card: outreach)", 20),
        ("สั้น", 10),
    ],
)
def test_thai_wrap_breaks_between_words_within_the_width(text: str, width: int) -> None:
    lines = thai_wrap(text, width).split("\n")
    assert all(display_width(line) <= width for line in lines)
    # Nothing lost, nothing cut inside a word: the lines join back to the text.
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    if display_width(text) > width:
        assert len(lines) > 1


def test_display_width_counts_no_cell_for_marks_above_or_below() -> None:
    assert display_width("น้ำ") == 2
    assert display_width("ผู้สูงอายุ") == 6
