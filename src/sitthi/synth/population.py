"""Persons in households: the true population that every agency extract is drawn from.

Everything is vectorised over numpy arrays: one million people take seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geothai
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sitthi.synth import names
from sitthi.synth.noise import PopulationNoise

# Thailand's population by 5-year age band (NSO/DOPA, about 2024, percent). 60+ is ~20 %.
AGE_BANDS = np.array(
    [4.5, 5.2, 5.8, 6.0, 6.2, 6.7, 7.0, 7.2, 7.5, 7.6, 7.5, 7.3, 6.4, 5.0, 3.6, 2.3, 1.5, 0.8, 0.4]
)
# Household sizes (NSO household survey: the mean Thai household has about 2.9 people).
HOUSEHOLD_SIZES = np.array([0.17, 0.25, 0.23, 0.17, 0.10, 0.05, 0.02, 0.01])
RANK_TITLES = ("ร้อยตำรวจเอก", "จ่าสิบเอก", "สิบตำรวจโท", "พันตำรวจโท", "ร้อยตรี", "ดาบตำรวจ")


@dataclass(frozen=True)
class Population:
    persons: pd.DataFrame
    households: pd.DataFrame


def sample_ages(rng: np.random.Generator, n: int) -> NDArray[np.int64]:
    """Ages in whole years following the Thai age pyramid (90+ spread over 90-99)."""
    band = rng.choice(len(AGE_BANDS), size=n, p=AGE_BANDS / AGE_BANDS.sum())
    width = np.where(band == len(AGE_BANDS) - 1, 10, 5)
    return (band * 5 + np.floor(rng.random(n) * width)).astype(np.int64)


def _household_sizes(rng: np.random.Generator, n_persons: int) -> NDArray[np.int64]:
    mean = float((np.arange(1, 9) * HOUSEHOLD_SIZES).sum())
    sizes = rng.choice(np.arange(1, 9), size=int(n_persons / mean * 1.1) + 10, p=HOUSEHOLD_SIZES)
    cut = int(np.searchsorted(np.cumsum(sizes), n_persons))
    sizes = sizes[: cut + 1].copy()
    sizes[-1] -= int(sizes.sum()) - n_persons
    return sizes[sizes > 0].astype(np.int64)


def _assign_ages_to_households(
    rng: np.random.Generator, ages: NDArray[np.int64], sizes: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Put people drawn from the pyramid into household slots, an adult head first.

    Ages come from the pyramid, so the population totals stay right. Heads are adults;
    the other members are matched to households by a noisy age rank, so young heads get
    small children and old heads get adult children, old spouses and grandchildren.
    Returns the age of every slot and the household index of every slot.
    """
    n = len(ages)
    n_hh = len(sizes)
    hh_of_slot = np.repeat(np.arange(n_hh), sizes)
    first_slot = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    short = n_hh - int((ages >= 20).sum())
    if short > 0:  # tiny populations: every household still needs an adult head
        ages = ages.copy()
        ages[rng.choice(np.flatnonzero(ages < 20), short, replace=False)] = rng.integers(
            20, 80, short
        )
    adults = rng.permutation(np.flatnonzero(ages >= 20))
    heads, rest = adults[:n_hh], np.concatenate([adults[n_hh:], np.flatnonzero(ages < 20)])

    slot_ages = np.empty(n, dtype=np.int64)
    slot_ages[first_slot] = ages[heads]
    head_rank = np.empty(n_hh, dtype=np.float64)
    head_rank[np.argsort(ages[heads] + rng.normal(0, 10, n_hh))] = np.arange(n_hh)
    member_slots = np.setdiff1d(np.arange(n), first_slot, assume_unique=True)
    slot_key = head_rank[hh_of_slot[member_slots]] + rng.random(len(member_slots))
    rest_key = ages[rest] + rng.normal(0, 12, len(rest))
    slot_ages[member_slots[np.argsort(slot_key)]] = ages[rest[np.argsort(rest_key)]]
    return slot_ages, hh_of_slot


def _dates_from_ages(
    rng: np.random.Generator, ages: NDArray[np.int64], as_of: dt.date
) -> NDArray[np.datetime64]:
    as_of64 = np.datetime64(as_of, "D")
    days = (ages * 365.25 + rng.random(len(ages)) * 365).astype(np.int64)
    return as_of64 - days.astype("timedelta64[D]")


def age_on(birth: NDArray[np.datetime64], day: dt.date) -> NDArray[np.int64]:
    """Age in whole years on ``day`` (birthdays counted exactly, leap years included)."""
    b = pd.DatetimeIndex(birth)
    before = (b.month > day.month) | ((b.month == day.month) & (b.day > day.day))
    return np.asarray(day.year - b.year - before.astype(np.int64), dtype=np.int64)


def _plant_twins(
    rng: np.random.Generator,
    role: NDArray[np.object_],
    hh: NDArray[np.int64],
    ages: NDArray[np.int64],
    birth: NDArray[np.datetime64],
    rate: float,
) -> NDArray[np.int64]:
    """Make some pairs of young household members twins (same birth date, same surname).

    Twins differ by first name and sometimes sex: a hard negative for linkage. Done before
    titles, IDs, phones and deaths are drawn, so those follow the twin's true age.
    Returns, for every person, the index of the first twin when the person is the second
    of a pair, else -1; ``birth`` is changed in place.
    """
    young = pd.DataFrame({"i": np.flatnonzero((role == "member") & (ages < 30))})
    young["hh"] = hh[young["i"].to_numpy()]
    two = young.groupby("hh").head(2)
    first = two.groupby("hh").head(1)
    pairs = first.merge(two.drop(first.index), on="hh", suffixes=("_a", "_b"))
    pairs = pairs[rng.random(len(pairs)) < rate * 40]
    birth[pairs["i_b"].to_numpy()] = birth[pairs["i_a"].to_numpy()]
    partner = np.full(len(role), -1, dtype=np.int64)
    partner[pairs["i_b"].to_numpy()] = pairs["i_a"].to_numpy()
    return partner


def _name_twins(
    rng: np.random.Generator,
    first_name: NDArray[np.object_],
    sex: NDArray[np.str_],
    twin_of: NDArray[np.int64],
    similar_rate: float,
) -> None:
    """Twins never share a given name; some get names that sound alike (in place).

    สมชาย and สมชัย, born the same day in the same house with the same surname, differ
    only by a letter or two: the hardest twins to keep apart.
    """
    second = np.flatnonzero(twin_of >= 0)
    first = twin_of[second]
    similar = rng.random(len(second)) < similar_rate
    pools = {"M": names.male_names(), "F": names.female_names()}
    for a, b, alike in zip(first, second, similar, strict=True):
        if alike or first_name[a] == first_name[b]:
            first_name[b] = names.similar_name(str(first_name[a]), pools[str(sex[b])], rng)


def _elderly_born_on_january_first(
    rng: np.random.Generator, ages: NDArray[np.int64], birth: NDArray[np.datetime64], rate: float
) -> NDArray[np.bool_]:
    """Register some of the old as born on 1 January of their year (in place).

    People born at home before the 1950s often never knew their birth day; the district
    office wrote 1 January (or only the year), and that is the date on every record since,
    DOPA's included. Many such people share a birth date, which makes it weak evidence.
    Returns the mask of those people.
    """
    picked = (ages >= 65) & (rng.random(len(ages)) < rate)
    year = pd.DatetimeIndex(birth[picked]).year.to_numpy()
    birth[picked] = (year - 1970).astype("datetime64[Y]").astype(birth.dtype)
    return picked


def _titles(
    sex: NDArray[np.str_],
    ages: NDArray[np.int64],
    married: NDArray[np.bool_],
    rng: np.random.Generator,
) -> NDArray[np.object_]:
    title = np.where(
        sex == "M",
        np.where(ages < 15, "เด็กชาย", "นาย"),
        np.where(ages < 15, "เด็กหญิง", np.where(married, "นาง", "นางสาว")),
    ).astype(object)
    ranked = (sex == "M") & (ages >= 25) & (ages < 75) & (rng.random(len(ages)) < 0.01)
    title[ranked] = np.asarray(RANK_TITLES, dtype=object)[
        rng.integers(len(RANK_TITLES), size=int(ranked.sum()))
    ]
    doctor = (ages >= 30) & (rng.random(len(ages)) < 0.002)
    title[doctor] = "ดร."
    return title


def generate_population(
    rng: np.random.Generator, n_persons: int, as_of: dt.date, hard_cases: PopulationNoise
) -> Population:
    """Persons and households, deterministic for the generator's seed.

    ``hard_cases`` sets the rates of twins and of people registered as born on 1 January.
    """
    ages_pool = sample_ages(rng, n_persons)
    sizes = _household_sizes(rng, n_persons)
    ages, hh = _assign_ages_to_households(rng, ages_pool, sizes)
    n_hh = len(sizes)
    first_slot = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    slot_in_hh = np.arange(n_persons) - first_slot[hh]

    # Roles: head, a spouse of similar age in second place when there is one, then kin.
    head_age = ages[first_slot][hh]
    spouse = (slot_in_hh == 1) & (ages >= 18) & (np.abs(ages - head_age) <= 12)
    spouse &= rng.random(n_persons) < 0.85
    role = np.where(slot_in_hh == 0, "head", np.where(spouse, "spouse", "member")).astype(object)
    head_sex = np.where(rng.random(n_hh) < 0.6, "M", "F")
    sex = np.where(rng.random(n_persons) < 0.49, "M", "F").astype("<U1")
    sex[first_slot] = head_sex
    sex[spouse] = np.where(head_sex[hh[spouse]] == "M", "F", "M")
    has_spouse = np.zeros(n_hh, dtype=bool)
    has_spouse[hh[spouse]] = True
    married = spouse | ((slot_in_hh == 0) & has_spouse[hh])

    # Areas: every real subdistrict, weighted equally (subdistricts are roughly
    # population-sized units); house codes are unique within a registration office.
    subdistricts = [
        s.code
        for p in geothai.provinces()
        for d in geothai.districts(p.code)
        for s in geothai.subdistricts(d.code)
    ]
    sub = np.asarray(subdistricts)[rng.integers(len(subdistricts), size=n_hh)]
    district = sub.astype("<U4")  # a subdistrict code starts with its district's
    hh_df = pd.DataFrame({"subdistrict_code": sub, "district_code": district})
    # Running numbers start at a random offset per registration office, then count up:
    # unique within the office, and not all starting at 1.
    offset = (
        hh_df["district_code"]
        .map(
            {
                d: int(o)
                for d, o in zip(
                    np.unique(district), rng.integers(0, 500, len(np.unique(district))), strict=True
                )
            }
        )
        .to_numpy()
    )
    running = hh_df.groupby("district_code").cumcount().to_numpy() + 1 + offset
    check = (district.astype(np.int64) * 7 + running * 3) % 10  # synthetic, see thai.house
    hh_df.insert(
        0, "household_id", np.char.add("H", np.char.zfill(np.arange(1, n_hh + 1).astype(str), 8))
    )
    hh_df["province_code"] = sub.astype("<U2")
    hh_df["house_code"] = np.char.add(
        np.char.add(district, np.char.zfill(running.astype(str), 6)), check.astype(str)
    )
    hh_df["house_no"] = [
        f"{a}/{b}" if b else str(a)
        for a, b in zip(
            rng.integers(1, 400, n_hh),
            np.where(rng.random(n_hh) < 0.3, rng.integers(1, 30, n_hh), 0),
            strict=True,
        )
    ]
    is_bangkok = hh_df["province_code"].to_numpy() == "10"
    hh_df["moo"] = np.where(is_bangkok, "", rng.integers(1, 16, n_hh).astype(str))
    hh_df["size"] = sizes

    # Names: a household surname shared by the head's children; a married woman usually
    # took her husband's surname and keeps her maiden name in older records.
    fam = np.asarray(names.family_names(), dtype=object)
    hh_surname = fam[names.zipf_choice(rng, len(fam), n_hh, exponent=0.6)]
    last_name = hh_surname[hh].copy()
    maiden = np.full(n_persons, None, dtype=object)
    wives = married & (sex == "F")
    took_name = wives & (rng.random(n_persons) < 0.75)
    maiden[took_name] = fam[names.zipf_choice(rng, len(fam), int(took_name.sum()), exponent=0.6)]
    own = wives & ~took_name
    last_name[own] = fam[names.zipf_choice(rng, len(fam), int(own.sum()), exponent=0.6)]
    male, female = (
        np.asarray(names.male_names(), dtype=object),
        np.asarray(names.female_names(), dtype=object),
    )
    first_name = np.where(
        sex == "M",
        male[names.zipf_choice(rng, len(male), n_persons)],
        female[names.zipf_choice(rng, len(female), n_persons)],
    )
    birth = _dates_from_ages(rng, ages, as_of)
    twin_of = _plant_twins(rng, role, hh, ages, birth, hard_cases.twins)
    _name_twins(rng, first_name, sex, twin_of, hard_cases.twins_similar_names)
    jan_first = _elderly_born_on_january_first(rng, ages, birth, hard_cases.elderly_jan_first)
    ages = age_on(birth, as_of)
    title = _titles(sex, ages, married, rng)

    person_id = np.char.add("P", np.char.zfill(np.arange(1, n_persons + 1).astype(str), 8))
    first_twin = np.full(n_persons, None, dtype=object)
    first_twin[twin_of >= 0] = person_id[twin_of[twin_of >= 0]]
    persons = pd.DataFrame(
        {
            "person_id": person_id,
            "household_id": hh_df["household_id"].to_numpy()[hh],
            "role": role,
            "sex": sex,
            "birth_date": birth,
            "age": ages,
            "title": title,
            "first_name": first_name,
            "last_name": last_name,
            "maiden_name": maiden,
            "twin": twin_of >= 0,
            "twin_of": first_twin,
            "birth_day_unknown": jan_first,
        }
    )
    return Population(persons=persons, households=hh_df)
