"""National IDs, phones, deaths and the hard cases (twins, namesakes) of the true population."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from numpy.typing import NDArray

_WEIGHTS = np.arange(13, 1, -1, dtype=np.int64)

# Share of IDs by first digit among people born before 1984 and after; about 2 % of the
# population are non-Thai residents (categories 6, 7, 0, 8).
_OLD_CATEGORIES = (np.array([3, 4, 5, 8, 6, 0]), np.array([0.90, 0.03, 0.03, 0.01, 0.02, 0.01]))
_NEW_CATEGORIES = (np.array([1, 2, 5, 7, 6, 0]), np.array([0.93, 0.03, 0.01, 0.015, 0.01, 0.005]))


def check_digits(first12: NDArray[np.int64]) -> NDArray[np.int64]:
    """Vectorised national-ID check digit for an (n, 12) array of digits."""
    total = first12 @ _WEIGHTS
    return np.asarray((11 - total % 11) % 10, dtype=np.int64)


def national_ids(
    rng: np.random.Generator, birth_year: NDArray[np.int64], district: NDArray[np.str_]
) -> tuple[NDArray[np.str_], NDArray[np.int64]]:
    """Unique valid IDs: category digit, registration district, a running number, check.

    Returns the IDs and their category digit.
    """
    n = len(birth_year)
    category = np.where(
        birth_year >= 1984,
        rng.choice(_NEW_CATEGORIES[0], size=n, p=_NEW_CATEGORIES[1]),
        rng.choice(_OLD_CATEGORIES[0], size=n, p=_OLD_CATEGORIES[1]),
    )
    office = district.astype(np.int64)
    ids = np.zeros(n, dtype=np.int64)
    todo = np.arange(n)
    while len(todo):
        # digit 1 = category, digits 2-5 = registration office, 6-12 = running number.
        first12 = category[todo] * 10**11 + office[todo] * 10**7 + rng.integers(0, 10**7, len(todo))
        digits = (first12[:, None] // 10 ** np.arange(11, -1, -1)) % 10
        ids[todo] = first12 * 10 + check_digits(digits)
        _, first_seen = np.unique(ids, return_index=True)
        clash = np.ones(n, dtype=bool)
        clash[first_seen] = False
        todo = np.flatnonzero(clash)
    return np.char.zfill(ids.astype(str), 13), category.astype(np.int64)


def phones(rng: np.random.Generator, ages: NDArray[np.int64]) -> NDArray[np.object_]:
    """Mobile numbers for most adults and some teenagers; None for the rest."""
    n = len(ages)
    has = np.where(ages >= 18, rng.random(n) < 0.75, (ages >= 13) & (rng.random(n) < 0.3))
    prefix = rng.choice(np.array(["06", "08", "09"]), size=n)
    body = rng.integers(0, 100_000_000, size=n)
    out = np.char.add(prefix, np.char.zfill(body.astype(str), 8)).astype(object)
    out[~has] = None
    return out


def deaths(
    rng: np.random.Generator,
    ages: NDArray[np.int64],
    birth: NDArray[np.datetime64],
    as_of: dt.date,
) -> NDArray[np.datetime64]:
    """Death dates in the two years before ``as_of`` (NaT for the living).

    Yearly death rates by age roughly follow Thai life tables: deaths are mostly elderly,
    and that is where an allowance paid after death hurts.
    """
    n = len(ages)
    yearly = np.select(
        [ages < 40, ages < 60, ages < 70, ages < 80, ages < 90],
        [0.001, 0.004, 0.015, 0.04, 0.10],
        default=0.22,
    )
    died = rng.random(n) < yearly * 2
    days_ago = rng.integers(1, 730, size=n)
    days_lived = (np.datetime64(as_of, "D") - birth.astype("datetime64[D]")).astype(np.int64)
    days_ago = np.minimum(days_ago, np.maximum(days_lived, 1))  # nobody dies before birth
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    out[died] = np.datetime64(as_of, "D") - days_ago[died].astype("timedelta64[D]")
    return out


def plant_namesakes(
    rng: np.random.Generator, persons: pd.DataFrame, households: pd.DataFrame, rate: float
) -> NDArray[np.bool_]:
    """Give some people the full name of someone else of the same sex in the same district.

    Different people, same name, nearby: the second hard negative. Returns a mask of the
    renamed people.
    """
    district = persons["household_id"].map(households.set_index("household_id")["district_code"])
    key = (district + persons["sex"]).to_numpy()
    donors = persons.assign(_key=key).drop_duplicates("_key").set_index("_key")
    picked = np.flatnonzero((rng.random(len(persons)) < rate) & (persons["age"].to_numpy() >= 18))
    donor = donors.loc[key[picked]]
    picked = picked[donor["person_id"].to_numpy() != persons["person_id"].to_numpy()[picked]]
    donor = donors.loc[key[picked]]
    for column in ("first_name", "last_name"):
        values = persons[column].to_numpy(dtype=object).copy()
        values[picked] = donor[column].to_numpy(dtype=object)
        persons[column] = values
    mask = np.zeros(len(persons), dtype=bool)
    mask[picked] = True
    return mask


def plant_family_namesakes(
    rng: np.random.Generator, persons: pd.DataFrame, rate: float
) -> NDArray[np.bool_]:
    """Give some people the first name of an older same-sex member of their household.

    Same first name, same surname, same house, different birth date (a grandson named after
    his grandfather): the hardest negative, which only the birth date tells apart.
    Returns a mask of the renamed (younger) people.
    """
    order = persons.sort_values(["household_id", "sex", "age"], ascending=[True, True, False])
    older = order.groupby(["household_id", "sex"]).head(1)
    younger = order.drop(older.index)
    younger = younger[~younger.duplicated(["household_id", "sex"])]
    younger = younger[rng.random(len(younger)) < rate * 2]
    donor = older.set_index(["household_id", "sex"]).loc[
        pd.MultiIndex.from_frame(younger[["household_id", "sex"]])
    ]
    values = persons["first_name"].to_numpy(dtype=object).copy()
    at = persons.index.get_indexer(younger.index)
    values[at] = donor["first_name"].to_numpy(dtype=object)
    persons["first_name"] = values
    mask = np.zeros(len(persons), dtype=bool)
    mask[at] = True
    return mask
