"""Phonetic keys: spelling variants share a key, different names and non-Thai text do not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitthi.thai.names import normalize_name
from sitthi.thai.phonetic import (
    DEFAULT_PHONETIC_ALGORITHM,
    PHONETIC_ALGORITHMS,
    PhoneticAlgorithm,
    phonetic_key,
)

DOC = Path(__file__).parents[2] / "docs" / "thai-phonetic.md"


@pytest.mark.parametrize(
    ("spelling", "variant"),
    [
        ("สมศรี", "สมสรี"),  # ศ/ส
        ("ณัฐพล", "นัฐพล"),  # ณ/น
        ("กาญจนา", "กาญจณา"),
        ("ประเสริฐ", "ประเสิฐ"),  # silent ร
        ("ธนพล", "ทนพล"),  # ธ/ท
        ("สุภาพร", "สุพาพร"),  # ภ/พ
        ("ศักดิ์ชัย", "ศักชัย"),  # silent letter with การันต์
        ("วิไลวรรณ", "วีไลวรรณ"),  # short/long vowel
        ("ไพรวัลย์", "ใพรวัลย์"),  # ไ/ใ
        ("สมศักดิ์", "สมสักดิ์"),
        ("นางสาวสมศรี", "สมสรี"),  # titles never reach the key
    ],
)
def test_default_key_folds_spelling_variants(spelling: str, variant: str) -> None:
    assert phonetic_key(spelling) == phonetic_key(variant) != ""


@pytest.mark.parametrize(
    ("name", "other"),
    [("สมชาย", "สมศรี"), ("มาลี", "วิไล"), ("ประเสริฐ", "ประสิทธิ์"), ("กมล", "กมลา")],
)
def test_default_key_separates_different_names(name: str, other: str) -> None:
    assert phonetic_key(name) != phonetic_key(other)


@pytest.mark.parametrize("algorithm", PHONETIC_ALGORITHMS)
@pytest.mark.parametrize("name", ["", "   ", "John", "O'Brien", "1234", "๑๒๓", ".-'", "\u200b"])
def test_nothing_thai_gives_an_empty_key(name: str, algorithm: PhoneticAlgorithm) -> None:
    assert phonetic_key(name, algorithm) == ""


@pytest.mark.parametrize("algorithm", PHONETIC_ALGORITHMS)
def test_every_algorithm_encodes_a_thai_name(algorithm: PhoneticAlgorithm) -> None:
    assert phonetic_key("สมชาย", algorithm)
    assert phonetic_key("สมชาย 123 Smith", algorithm) == phonetic_key("สมชาย", algorithm)


def test_algorithms_differ() -> None:
    # A dispatch bug that sends every name to one encoder would make these equal.
    assert len({phonetic_key("ประเสริฐ", a) for a in PHONETIC_ALGORITHMS}) == 4


def test_unknown_algorithm_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown phonetic algorithm"):
        phonetic_key("สมชาย", "soundex")  # type: ignore[arg-type]


def test_default_is_the_documented_one() -> None:
    assert DEFAULT_PHONETIC_ALGORITHM in PHONETIC_ALGORITHMS
    text = DOC.read_text(encoding="utf-8")
    assert f"default: `{DEFAULT_PHONETIC_ALGORITHM}`" in text
    assert "benchmarks/phonetic_agreement.py" in text


@settings(deadline=None)
@given(st.text(), st.sampled_from(PHONETIC_ALGORITHMS))
def test_never_raises(name: str, algorithm: PhoneticAlgorithm) -> None:
    key = phonetic_key(name, algorithm)
    assert (key == "") == (re.search("[ก-ฮ]", normalize_name(name)) is None)


@settings(deadline=None)
@given(
    st.text(alphabet=st.characters(min_codepoint=0x0E00, max_codepoint=0x0E5F), max_size=10),
    st.sampled_from(PHONETIC_ALGORITHMS),
)
def test_never_raises_on_thai_script(name: str, algorithm: PhoneticAlgorithm) -> None:
    assert isinstance(phonetic_key(name, algorithm), str)
