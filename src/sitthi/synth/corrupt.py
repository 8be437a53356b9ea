"""Plant the errors of the noise model into an agency's view of the true population.

Input rows carry the true identity (``national_id``, ``title``, ``first_name``,
``last_name``, ``maiden_name``, ``sex``, ``birth_date``). The output has the same columns
as the agency recorded them, plus ``birth_precision``, ``birth_era_flip``,
``title_glued`` and ``planted`` (the error codes, for the ground truth). Only the rows
picked for an error are touched in Python; everything else stays vectorised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sitthi.synth import names
from sitthi.synth.noise import AgencyNoise

# How clerks write each canonical title (the first form is the full one).
TITLE_VARIANTS: dict[str, tuple[str, ...]] = {
    "นาย": ("นาย", "นาย."),
    "นาง": ("นาง",),
    "นางสาว": ("นางสาว", "น.ส.", "นส.", "น.ส"),
    "เด็กชาย": ("เด็กชาย", "ด.ช.", "ดช."),
    "เด็กหญิง": ("เด็กหญิง", "ด.ญ.", "ดญ."),
    "ร้อยตำรวจเอก": ("ร้อยตำรวจเอก", "ร.ต.อ."),
    "จ่าสิบเอก": ("จ่าสิบเอก", "จ.ส.อ."),
    "สิบตำรวจโท": ("สิบตำรวจโท", "ส.ต.ท."),
    "พันตำรวจโท": ("พันตำรวจโท", "พ.ต.ท."),
    "ร้อยตรี": ("ร้อยตรี", "ร.ต."),
    "ดาบตำรวจ": ("ดาบตำรวจ", "ด.ต."),
    "ดร.": ("ดร.",),
}


def _pick(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    return rng.random(n) < rate


def _id_typo(nid: str, rng: np.random.Generator) -> str:
    digits = list(nid)
    if rng.random() < 0.6:
        i = int(rng.integers(13))
        digits[i] = str((int(digits[i]) + int(rng.integers(1, 10))) % 10)
    else:
        i = int(rng.integers(12))
        if digits[i] == digits[i + 1]:
            digits[i + 1] = str((int(digits[i + 1]) + 1) % 10)
        else:
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
    return "".join(digits)


def plant(df: pd.DataFrame, noise: AgencyNoise, rng: np.random.Generator) -> pd.DataFrame:
    """Return a copy of ``df`` with this agency's errors planted and recorded."""
    out = df.copy()
    n = len(out)
    planted = pd.Series([""] * n, index=out.index, dtype=object)

    def mark(mask: np.ndarray, code: str) -> None:
        planted[mask] = planted[mask] + code + ";"

    ids = out["national_id"].to_numpy(dtype=object).copy()
    typo = _pick(rng, n, noise.id_typo) & (ids != "")
    ids[typo] = [_id_typo(x, rng) for x in ids[typo]]
    mark(typo, "id_typo")
    missing = _pick(rng, n, noise.missing_id) & ~typo
    ids[missing] = ""
    mark(missing, "missing_id")
    out["national_id"] = ids

    # Married women are often still under their maiden name at agencies they joined young.
    maiden = _pick(rng, n, noise.maiden_name) & out["maiden_name"].notna().to_numpy()
    out.loc[maiden, "last_name"] = out.loc[maiden, "maiden_name"]
    mark(maiden, "maiden_name")

    for column in ("first_name", "last_name"):
        # Record an error only where the name really changed (some names have no letter
        # with a homophone, or no consonant with a neighbouring key).
        values = out[column].to_numpy(dtype=object).copy()
        spell = _pick(rng, n, noise.spelling_variant / 2)
        before = values[spell]
        values[spell] = [names.spelling_variant(v, rng) for v in before]
        spell[spell] = values[spell] != before
        mark(spell, f"spelling_{column}")
        key = _pick(rng, n, noise.keyboard_typo / 2)
        before = values[key]
        values[key] = [names.keyboard_typo(v, rng) for v in before]
        key[key] = values[key] != before
        mark(key, f"keyboard_{column}")
        out[column] = values

    # Only titles that have another written form can be written another way.
    titles = out["title"].to_numpy(dtype=object).copy()
    has_variant = np.asarray([len(TITLE_VARIANTS.get(t, ())) > 1 for t in titles], dtype=bool)
    variant = _pick(rng, n, noise.title_variant) & has_variant
    titles[variant] = [
        (forms := TITLE_VARIANTS[t][1:])[int(rng.integers(len(forms)))] for t in titles[variant]
    ]
    mark(variant, "title_variant")
    out["title"] = titles
    glued = _pick(rng, n, noise.title_glued)
    out["title_glued"] = glued
    mark(glued, "title_glued")

    precision = np.full(n, "day", dtype=object)
    partial = _pick(rng, n, noise.partial_birth_date) & (out["age"].to_numpy() >= 40)
    precision[partial] = np.where(rng.random(int(partial.sum())) < 0.7, "year", "month")
    mark(partial, "partial_birth_date")
    out["birth_precision"] = precision
    birth = pd.DatetimeIndex(out["birth_date"])
    swap = _pick(rng, n, noise.day_month_swap) & (birth.day <= 12) & (birth.day != birth.month)
    swap &= precision == "day"
    out["birth_swapped"] = swap
    mark(swap, "day_month_swap")
    flip = _pick(rng, n, noise.era_mixup)
    out["birth_era_flip"] = flip
    mark(flip, "era_mixup")
    out["planted"] = planted.str.rstrip(";")
    return out


def duplicates(df: pd.DataFrame, rate: float, rng: np.random.Generator) -> pd.DataFrame:
    """Rows entered a second time and re-typed (half with a first-name spelling change)."""
    picked = df[_pick(rng, len(df), rate)].copy()
    if picked.empty:
        return picked
    first = picked["first_name"].to_numpy(dtype=object).copy()
    change = rng.random(len(picked)) < 0.5
    first[change] = [names.spelling_variant(v, rng) for v in first[change]]
    changed = first != picked["first_name"].to_numpy(dtype=object)
    picked["first_name"] = first
    codes = np.where(changed, ";duplicate;spelling_first_name", ";duplicate")
    picked["planted"] = (picked["planted"] + codes).str.lstrip(";")
    return picked
