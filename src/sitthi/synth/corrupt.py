"""Plant the errors of the noise model into an agency's view of the true population.

Input rows carry the true identity (``national_id``, ``title``, ``first_name``,
``last_name``, ``maiden_name``, ``sex``, ``birth_date``) and, where a person has them, the
other IDs their records may carry (``second_national_id``, ``relative_national_id``). The
output has the same columns as the agency recorded them, plus ``birth_recorded`` (the date
written), ``birth_precision``, ``birth_swapped``, ``birth_era_flip``, ``title_glued`` and
``planted`` (the error codes, for the ground truth). Only the rows picked for an error are
touched in Python; everything else stays vectorised.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from sitthi.synth import identity, names
from sitthi.synth.noise import AgencyNoise
from sitthi.thai.digits import to_thai_digits

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


def _grouped_ids(ids: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``1-2345-67890-12-3`` (as on the card) or ``1 2345 67890 12 3`` (typed in groups)."""
    s = pd.Series(ids, dtype=object)
    sep = np.where(rng.random(len(ids)) < 0.6, "-", " ")
    out = s.str[0] + sep + s.str[1:5] + sep + s.str[5:10] + sep + s.str[10:12] + sep + s.str[12]
    return np.asarray(out, dtype=object)


class _Marks:
    """The planted error codes of each row, joined once at the end (cheap per code)."""

    def __init__(self, n: int, before: dict[str, np.ndarray] | None) -> None:
        self.codes = np.full(n, "", dtype=object)
        for code, mask in (before or {}).items():
            self(mask, code)

    def __call__(self, mask: np.ndarray, code: str) -> None:
        self.codes[mask] = self.codes[mask] + (code + ";")

    def joined(self) -> np.ndarray:
        return np.asarray([c[:-1] for c in self.codes], dtype=object)


def _ids(
    out: pd.DataFrame,
    noise: AgencyNoise,
    rng: np.random.Generator,
    mark: _Marks,
    held: Collection[str],
) -> np.ndarray:
    """The ID the agency wrote: whose (own, second, a relative's), typed how, in what digits."""
    n = len(out)
    ids = out["national_id"].to_numpy(dtype=object).copy()
    if "second_national_id" in out:
        # A person DOPA registered twice: this agency got the newer card.
        second = out["second_national_id"].to_numpy(dtype=object)
        use_second = _pick(rng, n, noise.second_id) & pd.notna(second)
        ids[use_second] = second[use_second]
        mark(use_second, "second_id")
    if "relative_national_id" in out:
        relative = out["relative_national_id"].to_numpy(dtype=object)
        use_relative = _pick(rng, n, noise.relative_id) & pd.notna(relative)
        ids[use_relative] = relative[use_relative]
        mark(use_relative, "relative_id")
    typo = _pick(rng, n, noise.id_typo) & (ids != "")
    ids[typo] = [_id_typo(x, rng) for x in ids[typo]]
    mark(typo, "id_typo")
    # A checksum-valid typo is made once per person and kept: every row of the person in
    # this extract (every month of a payment list) carries the same wrong ID.
    of_row, person = pd.factorize(out["person_id"])
    valid_typo = (rng.random(len(person)) < noise.id_typo_valid)[of_row] & ~typo & (ids != "")
    typed: dict[str, str] = {}
    for at in np.flatnonzero(valid_typo):
        if ids[at] not in typed:
            typed[ids[at]] = identity.valid_id_typo(ids[at], rng, held)
        ids[at] = typed[ids[at]]
    mark(valid_typo, "id_typo_valid")
    missing = _pick(rng, n, noise.missing_id) & ~typo & ~valid_typo
    ids[missing] = ""
    mark(missing, "missing_id")
    written = ids != ""
    thai = _pick(rng, n, noise.id_thai_digits) & written
    ids[thai] = [to_thai_digits(x) for x in ids[thai]]
    mark(thai, "id_thai_digits")
    grouped = _pick(rng, n, noise.id_separators) & written & ~thai
    ids[grouped] = _grouped_ids(ids[grouped], rng)
    mark(grouped, "id_separators")
    return np.asarray(ids, dtype=object)


def _name_error(
    values: np.ndarray,
    picks: tuple[np.ndarray, np.ndarray],
    forced: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """A spelling variant or a keyboard slip in the picked names; ``forced`` ones always get
    one (a spelling variant, or a slip where no letter has a homophone). Returns the masks of
    the names that really changed, by kind."""
    spell, key = picks
    spell = spell | (forced & ~key)
    before = values.copy()
    values[spell] = [names.spelling_variant(v, rng) for v in values[spell]]
    spell_changed = spell & (values != before)
    key = key | (forced & ~spell_changed)
    before = values.copy()
    values[key] = [names.keyboard_typo(v, rng) for v in values[key]]
    return spell_changed, key & (values != before)


def _birth_recorded(
    out: pd.DataFrame,
    noise: AgencyNoise,
    rng: np.random.Generator,
    mark: _Marks,
    forced: np.ndarray,
) -> None:
    """The birth date as the agency wrote it: unknown parts, 01/01, a year off, swaps, era."""
    n = len(out)
    birth = pd.DatetimeIndex(out["birth_date"])
    old = out["age"].to_numpy() >= 40
    is_jan_first = (birth.month == 1) & (birth.day == 1)
    precision = np.full(n, "day", dtype=object)
    partial = _pick(rng, n, noise.partial_birth_date) & old
    precision[partial] = np.where(rng.random(int(partial.sum())) < 0.7, "year", "month")
    mark(partial, "partial_birth_date")
    out["birth_precision"] = precision
    # Someone who does not know the day writes 01/01: a date, not a gap, so it looks exact.
    forced_jan = forced & old & ~is_jan_first & (rng.random(n) < 0.5)
    jan_first = (_pick(rng, n, noise.jan_first_birth) & old | forced_jan) & ~is_jan_first
    jan_first &= ~partial
    mark(jan_first, "jan_first_birth")
    off = (_pick(rng, n, noise.birth_year_off) | (forced & ~forced_jan)) & ~jan_first
    mark(off, "birth_year_off")
    # A year later only for people a year old or more: no birth date after the extract's day.
    later = (rng.random(n) < 0.5) & (out["age"].to_numpy() >= 1)
    year = birth.year.to_numpy() + np.where(off, np.where(later, 1, -1), 0)
    month = np.where(jan_first, 1, birth.month.to_numpy())
    day = np.where(jan_first, 1, birth.day.to_numpy())
    day = np.where((month == 2) & (day == 29) & off, 28, day)  # 29 February of a common year
    recorded = out["birth_date"].to_numpy().astype("datetime64[ns]").copy()
    changed = jan_first | off
    parts = {"year": year[changed], "month": month[changed], "day": day[changed]}
    recorded[changed] = pd.to_datetime(pd.DataFrame(parts)).to_numpy()
    # A date left blank (the respondent was not sure, the caller did not say): no date at all.
    blank = _pick(rng, n, noise.missing_birth_date) & ~partial & ~changed
    recorded[blank] = np.datetime64("NaT")
    mark(blank, "missing_birth_date")
    out["birth_recorded"] = recorded
    swap = _pick(rng, n, noise.day_month_swap) & (day <= 12)
    swap &= (day != month) & (precision == "day")
    out["birth_swapped"] = swap
    mark(swap, "day_month_swap")
    flip = _pick(rng, n, noise.era_mixup)
    out["birth_era_flip"] = flip
    mark(flip, "era_mixup")


def plant(
    df: pd.DataFrame,
    noise: AgencyNoise,
    rng: np.random.Generator,
    *,
    held_ids: Collection[str] = (),
    planted_before: dict[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Return a copy of ``df`` with this agency's errors planted and recorded.

    ``held_ids`` are the IDs civil records hold (a checksum-valid typo avoids them);
    ``planted_before`` are errors already made to the rows (code: mask), recorded first.
    """
    out = df.copy()
    n = len(out)
    mark = _Marks(n, planted_before)
    out["national_id"] = _ids(out, noise, rng, mark, held_ids)

    # Records that disagree with the civil record on two of given name, surname and birth
    # date at once: the one that still agrees is all a linker has besides the ID.
    two = _pick(rng, n, noise.two_field_errors)
    keeps = rng.integers(3, size=n)
    mark(two, "two_fields")
    force_first, force_last, force_birth = (two & (keeps != k) for k in range(3))

    # Married women are often still under their maiden name at agencies they joined young,
    # and some of them under the title they had then.
    has_maiden = out["maiden_name"].notna().to_numpy()
    maiden = (_pick(rng, n, noise.maiden_name) | force_last) & has_maiden
    out.loc[maiden, "last_name"] = out.loc[maiden, "maiden_name"]
    mark(maiden, "maiden_name")
    miss = maiden & (out["title"] == "นาง").to_numpy() & _pick(rng, n, noise.maiden_title)
    out.loc[miss, "title"] = "นางสาว"
    mark(miss, "maiden_title")

    forced = {"first_name": force_first, "last_name": force_last & ~maiden}
    for column in ("first_name", "last_name"):
        # Record an error only where the name really changed (some names have no letter
        # with a homophone, or no consonant with a neighbouring key).
        values = out[column].to_numpy(dtype=object).copy()
        picks = (
            _pick(rng, n, noise.spelling_variant / 2),
            _pick(rng, n, noise.keyboard_typo / 2),
        )
        spell, key = _name_error(values, picks, forced[column], rng)
        mark(spell, f"spelling_{column}")
        mark(key, f"keyboard_{column}")
        out[column] = values
    # Surveys and field lists write the family name in the given-name box now and then.
    swap_names = _pick(rng, n, noise.name_swap)
    first = out["first_name"].to_numpy(dtype=object).copy()
    last = out["last_name"].to_numpy(dtype=object).copy()
    first[swap_names], last[swap_names] = last[swap_names], first[swap_names]
    out["first_name"], out["last_name"] = first, last
    mark(swap_names, "name_swap")

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

    _birth_recorded(out, noise, rng, mark, force_birth)
    out["planted"] = mark.joined()
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
