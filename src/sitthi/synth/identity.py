"""National IDs, phones and deaths of the true population, and the other IDs people carry.

Besides each person's own ID: the consecutive serials of twins registered together, the
second ID of someone DOPA registered twice, the ID of a relative that a record may carry,
and the checksum-valid typo a clerk may make once and keep.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

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


def _as_ids(first12: NDArray[np.int64]) -> NDArray[np.int64]:
    digits = (first12[:, None] // 10 ** np.arange(11, -1, -1)) % 10
    return np.asarray(first12 * 10 + check_digits(digits), dtype=np.int64)


def _as_text(ids: NDArray[np.int64]) -> NDArray[np.str_]:
    return np.char.zfill(ids.astype(str), 13) if len(ids) else ids.astype("<U13")


def consecutive_twin_ids(
    rng: np.random.Generator, ids: NDArray[np.str_], twin_of: NDArray[np.int64], rate: float
) -> NDArray[np.str_]:
    """Give the second twin of most pairs the serial after the first twin's (a copy).

    Twins' births are registered together, one after the other: their IDs differ only in
    the running number, by one, so an ID "one off" is no sign of a typo.
    """
    out = ids.copy()
    second = np.flatnonzero((twin_of >= 0) & (rng.random(len(ids)) < rate))
    first12 = out[twin_of[second]].astype(np.int64) // 10
    ok = first12 % 10**7 < 10**7 - 1  # the office's running numbers do not overflow
    second, candidate = second[ok], _as_ids(first12[ok] + 1)
    free = ~np.isin(candidate, out.astype(np.int64))
    _, first_seen = np.unique(candidate, return_index=True)
    once = np.zeros(len(candidate), dtype=bool)
    once[first_seen] = True
    keep = free & once
    out[second[keep]] = _as_text(candidate[keep])
    return out


def reissued_ids(
    rng: np.random.Generator, ids: NDArray[np.str_], thai: NDArray[np.bool_], rate: float
) -> NDArray[np.object_]:
    """A second valid ID for the people DOPA registered twice (None for everyone else).

    A person left out of a house register, or whose register was lost, is added again after
    an audit and gets a new number, often in category 5 ("added after an audit"), from the
    same registration office; the old record is never closed. Both IDs pass the checksum.
    """
    n = len(ids)
    picked = np.flatnonzero(thai & (rng.random(n) < rate))
    own = ids[picked].astype(np.int64) // 10
    office = own // 10**7 % 10**4
    category = np.where(rng.random(len(picked)) < 0.5, 5, own // 10**11)
    taken = ids.astype(np.int64)
    second = np.zeros(len(picked), dtype=np.int64)
    todo = np.arange(len(picked))
    while len(todo):
        first12 = category[todo] * 10**11 + office[todo] * 10**7 + rng.integers(0, 10**7, len(todo))
        second[todo] = _as_ids(first12)
        _, first_seen = np.unique(second, return_index=True)
        clash = np.isin(second, taken)
        clash[np.setdiff1d(np.arange(len(second)), first_seen)] = True
        todo = np.flatnonzero(clash)
    out = np.full(n, None, dtype=object)
    out[picked] = _as_text(second)
    return out


def relative_ids(persons: pd.DataFrame) -> NDArray[np.object_]:
    """The ID a record of each person carries when a relative's is written instead.

    Usually the head's (an interviewer copies the ID card the head shows for everyone); for
    the head, the next member's. None for people who live alone.
    """
    codes, _ = pd.factorize(persons["household_id"])
    ids = persons["national_id"].to_numpy(dtype=object)
    is_head = (persons["role"] == "head").to_numpy()
    rows = np.arange(len(persons))
    head = np.full(codes.max(initial=-1) + 1, -1, dtype=np.int64)
    head[codes[is_head]] = rows[is_head]
    # Members are listed household by household, the head first: the next row is the next
    # member when it is in the same household.
    after = np.minimum(rows + 1, len(persons) - 1)
    has_next = (after != rows) & (codes[after] == codes)
    other = np.where(is_head, np.where(has_next, after, -1), head[codes])
    out = np.full(len(persons), None, dtype=object)
    out[other >= 0] = ids[other[other >= 0]]
    return out


def valid_id_typo(nid: str, rng: np.random.Generator, held: Collection[str]) -> str:
    """One digit mistyped so that the checksum still passes, giving an ID nobody holds.

    The third digit weighs 11 in the checksum, so any digit typed there leaves the check
    digit right; elsewhere only a few substitutions do. The category digit is kept.
    Returns ``nid`` itself when no such ID is free (never, in practice).
    """
    digits = [int(c) for c in nid]
    total = sum(d * w for d, w in zip(digits[:12], _WEIGHTS.tolist(), strict=True))
    options = []
    for i, weight in enumerate(_WEIGHTS.tolist()[1:], start=1):
        for d in range(10):
            if d == digits[i]:
                continue
            changed = total + (d - digits[i]) * weight
            if (11 - changed % 11) % 10 == digits[12]:
                candidate = nid[:i] + str(d) + nid[i + 1 :]
                if candidate not in held:
                    options.append(candidate)
    return options[int(rng.integers(len(options)))] if options else nid


def phones(
    rng: np.random.Generator,
    ages: NDArray[np.int64],
    household: NDArray[np.object_],
    is_head: NDArray[np.bool_],
    shared_rate: float,
) -> tuple[NDArray[np.object_], NDArray[np.bool_]]:
    """Mobile numbers for most adults and some teenagers; None for the rest.

    In a share of households everyone gives the one household number (the head's, or the
    first member's who has a phone), children included: the same phone on several people
    is no sign that they are one. Returns the numbers and the mask of people who give a
    number that is not their own.
    """
    n = len(ages)
    has = np.where(ages >= 18, rng.random(n) < 0.75, (ages >= 13) & (rng.random(n) < 0.3))
    prefix = rng.choice(np.array(["06", "08", "09"]), size=n)
    body = rng.integers(0, 100_000_000, size=n)
    out = np.char.add(prefix, np.char.zfill(body.astype(str), 8)).astype(object)
    out[~has] = None
    frame = pd.DataFrame({"hh": household, "head": is_head, "phone": out})
    codes, uniques = pd.factorize(frame["hh"])
    size = np.bincount(codes)
    sharing = (rng.random(len(uniques)) < shared_rate) & (size >= 2)
    heads_first = frame.sort_values(["hh", "head"], ascending=[True, False])
    owner = heads_first.groupby("hh")["phone"].first()  # the first number that is not None
    household_phone = owner.reindex(uniques).to_numpy()
    shared = sharing[codes] & pd.notna(household_phone[codes]) & (out != household_phone[codes])
    out[shared] = household_phone[codes][shared]
    return out, shared


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
