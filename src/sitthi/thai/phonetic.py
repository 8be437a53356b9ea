"""Phonetic keys for Thai names: one code for spellings that sound the same.

The same person is written สมศรี in one list and สมสรี in another, ณัฐพล and นัฐพล,
จันทร์ and จันท. A phonetic key folds such spellings together so they can be blocked on
or compared. The algorithms are PyThaiNLP's Thai soundex systems; the default was chosen
by measurement (`benchmarks/phonetic_agreement.py`, results in docs/thai-phonetic.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Literal

from sitthi.thai.names import normalize_name

PhoneticAlgorithm = Literal["lk82", "udom83", "metasound", "prayut_and_somchaip"]
PHONETIC_ALGORITHMS: tuple[PhoneticAlgorithm, ...] = (
    "lk82",
    "udom83",
    "metasound",
    "prayut_and_somchaip",
)
DEFAULT_PHONETIC_ALGORITHM: PhoneticAlgorithm = "lk82"

# Thai letters, vowels, tone marks and signs (U+0E01-U+0E3A, U+0E40-U+0E4E): digits,
# Latin letters and punctuation carry no Thai sound and are dropped before encoding.
_RE_NOT_THAI = re.compile(r"[^\u0e01-\u0e3a\u0e40-\u0e4e]+")
_RE_THAI_CONSONANT = re.compile(r"[\u0e01-\u0e2e]")


@cache
def _encoders() -> dict[str, Callable[[str], str]]:
    # Imported on first use: keeps PyThaiNLP off the CLI's start-up path.
    from pythainlp.soundex import lk82, metasound, prayut_and_somchaip, udom83

    return {
        "lk82": lk82,
        "udom83": udom83,
        "metasound": metasound,
        "prayut_and_somchaip": prayut_and_somchaip,
    }


def phonetic_key(name: str, algorithm: PhoneticAlgorithm = DEFAULT_PHONETIC_ALGORITHM) -> str:
    """The phonetic code of one Thai name part (given name or surname).

    The name goes through `normalize_name` first (titles, spaces, dots, hyphens gone),
    then everything that is not Thai script is dropped. Names with no Thai consonant
    (empty, Latin-only) give ``""``, so they never share a key by accident.

    Args:
        name: a given name or surname, possibly with a title.
        algorithm: one of `PHONETIC_ALGORITHMS`.

    Returns:
        The code, or ``""`` when there is nothing Thai to encode.

    Raises:
        ValueError: for an algorithm name not in `PHONETIC_ALGORITHMS` (a programming
            error, not a data one).

    Example:
        >>> phonetic_key("สมศรี") == phonetic_key("นางสาว สมสรี")
        True
        >>> phonetic_key("John")
        ''
    """
    encode = _encoders().get(algorithm)
    if encode is None:
        raise ValueError(f"unknown phonetic algorithm {algorithm!r}: use {PHONETIC_ALGORITHMS}")
    thai = _RE_NOT_THAI.sub("", normalize_name(name))
    if not _RE_THAI_CONSONANT.search(thai):
        return ""
    return encode(thai)


_RE_NOT_LATIN = re.compile(r"[^a-z]+")


def latin_phonetic_key(name: str) -> str:
    """NYSIIS code of a name written in Latin letters (foreign and migrant workers' names).

    Thai registries hold names like ``Aung Kyaw`` and ``Nguyen``; the Thai keys cannot
    encode them. Anything that is not a Latin letter is dropped first.

    Example:
        >>> latin_phonetic_key("Michaela") == latin_phonetic_key("Micheala")
        True
        >>> latin_phonetic_key("สมชาย")
        ''
    """
    import jellyfish

    letters = _RE_NOT_LATIN.sub("", normalize_name(name).lower())
    return jellyfish.nysiis(letters) if letters else ""
