"""How well each Thai soundex folds spelling variants, and how often it merges strangers.

Variant pairs: real Thai spelling-variation patterns (ศ/ส, ณ/น, silent letters with
การันต์, ร/ล, short/long vowels...) applied to names from the PyThaiNLP corpora.
Different pairs: random pairs of distinct corpus names. For each algorithm we report the
agreement on variants (recall, the m-probability of a "same key" comparison level) and on
different names (collision, the u-probability), plus the exact collision rate over every
pair of corpus names. Deterministic for a given seed.

    .venv/bin/python benchmarks/phonetic_agreement.py [--seed 42] [--variants 300] [--pairs 1000]
"""

from __future__ import annotations

import argparse
import math
import random
import re
from collections import Counter
from collections.abc import Callable
from functools import partial

from pythainlp.corpus.common import thai_family_names, thai_female_names, thai_male_names

from sitthi.thai.names import normalize_name
from sitthi.thai.phonetic import PHONETIC_ALGORITHMS, phonetic_key

C = "[ก-ฮ]"  # any Thai consonant
# (label, pattern, replacement): one occurrence of the pattern is rewritten per variant.
PATTERNS: tuple[tuple[str, str, str], ...] = (
    ("ศ→ส", "ศ", "ส"),
    ("ส→ศ", "ส", "ศ"),
    ("ษ→ส", "ษ", "ส"),
    ("ซ→ส", "ซ", "ส"),
    ("ณ→น", "ณ", "น"),
    ("น→ณ", "น", "ณ"),
    ("ธ→ท", "ธ", "ท"),
    ("ท→ธ", "ท", "ธ"),
    ("ฐ→ถ", "ฐ", "ถ"),
    ("ภ→พ", "ภ", "พ"),
    ("พ→ภ", "พ", "ภ"),
    ("ญ→ย before a vowel", "ญ(?=[\u0e30-\u0e39\u0e47])", "ย"),
    ("ฒ/ฑ→ท", "[ฒฑ]", "ท"),
    ("ฎ→ด", "ฎ", "ด"),
    ("ฏ→ต", "ฏ", "ต"),
    ("ร→ล", "ร", "ล"),
    ("ล→ร", "ล", "ร"),
    ("ไ→ใ", "ไ", "ใ"),
    ("ิ→ี", "\u0e34", "\u0e35"),
    ("ุ→ู", "\u0e38", "\u0e39"),
    ("การันต์ mark dropped", "\u0e4c", ""),
    ("silent letter dropped (จันทร์/จันท)", f"{C}[\u0e34\u0e38]?\u0e4c", ""),
    ("silent ร dropped (ประเสริฐ/ประเสิฐ)", f"(?<=เ{C})ร(?=\u0e34)", ""),
    ("tone mark dropped", "[\u0e48-\u0e4b]", ""),
)


def _corpus() -> list[str]:
    names = thai_male_names() | thai_female_names() | thai_family_names()
    # Sorted: frozenset order changes between runs, the sample must not.
    return sorted({normalize_name(n) for n in names if n.strip()})


def variant_pairs(names: list[str], total: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(pattern label, name, variant) triples, about total / len(PATTERNS) per pattern."""
    per_pattern = math.ceil(total / len(PATTERNS))
    pairs: list[tuple[str, str, str]] = []
    for label, pattern, replacement in PATTERNS:
        regex = re.compile(pattern)
        candidates = [n for n in names if regex.search(n)]
        rng.shuffle(candidates)
        taken = 0
        for name in candidates:
            spot = rng.choice(list(regex.finditer(name)))
            variant = name[: spot.start()] + replacement + name[spot.end() :]
            if len(variant) >= 2 and normalize_name(variant) != name:
                pairs.append((label, name, variant))
                taken += 1
            if taken == per_pattern:
                break
    return pairs


def different_pairs(names: list[str], total: int, rng: random.Random) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    while len(pairs) < total:
        a, b = rng.sample(names, 2)
        pairs.append((a, b))
    return pairs


def all_pairs(names: list[str], key: Callable[[str], str]) -> tuple[float, int]:
    """Share of all pairs of distinct corpus names with the same non-empty key, and the
    largest number of names sharing one key (the biggest block if the key is blocked on)."""
    counts = Counter(k for k in map(key, names) if k)
    same = sum(c * (c - 1) // 2 for c in counts.values())
    return same / (len(names) * (len(names) - 1) // 2), max(counts.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--variants", type=int, default=300)
    parser.add_argument("--pairs", type=int, default=1000)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    names = _corpus()
    variants = variant_pairs(names, args.variants, rng)
    strangers = different_pairs(names, args.pairs, rng)
    print(
        f"{len(names)} corpus names, {len(variants)} variant pairs, {len(strangers)} random pairs"
    )

    keys: dict[str, Callable[[str], str]] = {"exact (normalize_name)": normalize_name}
    keys.update({a: partial(phonetic_key, algorithm=a) for a in PHONETIC_ALGORITHMS})

    columns = "variant recall | random-pair collision | all-pairs collision | largest block | m/u"
    print(f"\n| key | {columns} |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, key in keys.items():
        agree = sum(key(a) == key(b) != "" for _, a, b in variants)
        collide = sum(key(a) == key(b) != "" for a, b in strangers)
        rate, block = all_pairs(names, key)
        recall = agree / len(variants)
        ratio = f"{recall / rate:,.0f}" if rate and agree else "–"
        print(
            f"| {label} | {recall:.1%} ({agree}/{len(variants)}) "
            f"| {collide / len(strangers):.2%} ({collide}/{len(strangers)}) "
            f"| {rate:.3%} | {block} | {ratio} |"
        )

    print("\nRecall per pattern:\n")
    print("| pattern | n | " + " | ".join(PHONETIC_ALGORITHMS) + " |")
    print("|---|---:|" + "---:|" * len(PHONETIC_ALGORITHMS))
    for label, _, _ in PATTERNS:
        group = [(a, b) for lab, a, b in variants if lab == label]
        agree = [
            sum(phonetic_key(a, alg) == phonetic_key(b, alg) for a, b in group)
            for alg in PHONETIC_ALGORITHMS
        ]
        cells = [f"{n / len(group):.0%}" for n in agree]
        print(f"| {label} | {len(group)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
