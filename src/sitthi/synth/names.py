"""Name pools and the ways real records misspell names.

Given and family names come from PyThaiNLP's bundled corpora (real Thai names, Apache-2.0).
Names are drawn with Zipf-like weights so that, as in real registers, some names are common
and most are rare: that is what term-frequency adjustment in linkage is for.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import numpy as np
from numpy.typing import NDArray

from sitthi.thai.text import normalize_thai_text

# Variant spellings a clerk or a citizen writes for the same sound: homophone consonants,
# silent final letters, and ร/ล, which many speakers do not tell apart.
SPELLING_SWAPS: tuple[tuple[str, str], ...] = (
    ("ศ", "ส"),
    ("ษ", "ส"),
    ("ณ", "น"),
    ("ธ", "ท"),
    ("ฐ", "ถ"),
    ("ภ", "พ"),
    ("ญ", "ย"),
    ("ฏ", "ต"),
    ("ฎ", "ด"),
    ("ฒ", "ท"),
    ("ร", "ล"),
    ("ใ", "ไ"),
    ("ค", "ฆ"),
    ("ซ", "ทร"),
)


def _corpus(name: str) -> tuple[str, ...]:
    text = files("pythainlp.corpus").joinpath(name).read_text(encoding="utf-8-sig")
    # Sorted so that a seed gives the same world whatever the set order of the corpus.
    names = {normalize_thai_text(line) for line in text.splitlines()}
    return tuple(sorted(n for n in names if n and " " not in n and len(n) >= 2))


@cache
def male_names() -> tuple[str, ...]:
    return _corpus("person_names_male_th.txt")


@cache
def female_names() -> tuple[str, ...]:
    return _corpus("person_names_female_th.txt")


@cache
def family_names() -> tuple[str, ...]:
    return _corpus("family_names_th.txt")


def zipf_choice(
    rng: np.random.Generator, pool_size: int, n: int, exponent: float = 0.9
) -> NDArray[np.int64]:
    """Draw ``n`` indices into a pool with Zipf-like weights (rank^-exponent).

    The ranks are a fixed shuffle of the pool, so the common names are not just the first
    ones alphabetically.
    """
    order = np.random.default_rng(pool_size).permutation(pool_size)
    weights = 1.0 / np.arange(1, pool_size + 1, dtype=np.float64) ** exponent
    weights /= weights.sum()
    return order[rng.choice(pool_size, size=n, p=weights)].astype(np.int64)


@cache
def _by_start(pool: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    starts: dict[str, list[str]] = {}
    for name in pool:
        starts.setdefault(name[:2], []).append(name)
    return {k: tuple(v) for k, v in starts.items()}


def similar_name(name: str, pool: tuple[str, ...], rng: np.random.Generator) -> str:
    """Another name of ``pool`` that starts like ``name`` (สมชาย, สมชัย; twins' names).

    Parents often give twins names that rhyme or share a first syllable. Returns another
    name of the pool when none starts the same way, never ``name`` itself.
    """
    options = [n for n in _by_start(pool).get(name[:2], ()) if n != name]
    if not options:
        options = [n for n in pool[:50] if n != name]
    return options[int(rng.integers(len(options)))]


def spelling_variant(name: str, rng: np.random.Generator) -> str:
    """The same name spelt another common way; the name itself if no rule applies."""
    options = [(a, b) for a, b in SPELLING_SWAPS if a in name] + [
        (b, a) for a, b in SPELLING_SWAPS if b in name
    ]
    if name.endswith("์") and len(name) > 3:
        return name[:-2]  # drop the silent final letter with its การันต์ (จันทร์ → จันท)
    if not options:
        return name
    old, new = options[int(rng.integers(len(options)))]
    positions = [i for i in range(len(name)) if name.startswith(old, i)]
    at = positions[int(rng.integers(len(positions)))]
    return name[:at] + new + name[at + len(old) :]


@cache
def kedmanee_neighbours() -> dict[str, str]:
    """Keys next to each key on the Thai Kedmanee keyboard (TIS 820-2531), same row."""
    from pythainlp.util.keyboard import TIS_820_2531_MOD, TIS_820_2531_MOD_SHIFT

    neighbours: dict[str, str] = {}
    for layout in (TIS_820_2531_MOD, TIS_820_2531_MOD_SHIFT):
        for row in layout:
            for i, key in enumerate(row):
                if not key or not ("\u0e01" <= key <= "\u0e4e"):
                    continue
                near = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
                near = [k for k in near if k and "\u0e01" <= k <= "\u0e2e"]
                if near:
                    neighbours[key] = neighbours.get(key, "") + "".join(near)
    return neighbours


def keyboard_typo(name: str, rng: np.random.Generator) -> str:
    """One consonant replaced by a consonant on a neighbouring key (a slip of the finger)."""
    table = kedmanee_neighbours()
    positions = [i for i, ch in enumerate(name) if "\u0e01" <= ch <= "\u0e2e" and ch in table]
    if not positions:
        return name
    at = positions[int(rng.integers(len(positions)))]
    choices = table[name[at]]
    return name[:at] + choices[int(rng.integers(len(choices)))] + name[at + 1 :]
