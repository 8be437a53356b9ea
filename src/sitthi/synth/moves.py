"""Moves: adults who changed house, and the lists that still have them at the old one.

Thais move for work and marriage, and register the move with DOPA (the house register is
what the civil registry holds), but an agency learns of it only when the person next deals
with it: a disability card, a welfare-card registration or a hospital registration keeps
the address of the day it was made.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

# The address columns an agency row carries (the household_id stays the true one).
ADDRESS_COLUMNS = (
    "house_code",
    "house_no",
    "moo",
    "subdistrict_code",
    "district_code",
    "province_code",
    "subdistrict_name",
    "district_name",
    "province_name",
)


def _within(
    rng: np.random.Generator, group: NDArray[np.str_], of: NDArray[np.str_]
) -> NDArray[np.int64]:
    """For each value of ``of``, a random index into ``group`` (sorted) with that value."""
    start = np.searchsorted(group, of, side="left")
    end = np.searchsorted(group, of, side="right")
    return np.asarray(start + np.floor(rng.random(len(of)) * (end - start)), dtype=np.int64)


def plant_moves(
    rng: np.random.Generator, persons: pd.DataFrame, households: pd.DataFrame, rate: float
) -> NDArray[np.object_]:
    """The household each mover lived in before (None for people who did not move).

    Adults move, the young most: half within their district (marriage, a new house), a
    third within their province, the rest across the country (work in Bangkok and the
    east). The old house is another real household's: same address format, a real code.
    """
    n = len(persons)
    age = persons["age"].to_numpy()
    moved = (age >= 18) & (rng.random(n) < rate * np.where(age < 40, 1.5, 0.6))
    hh = households.sort_values(["district_code", "household_id"])
    hh_ids = hh["household_id"].to_numpy()
    district = hh["district_code"].to_numpy().astype(str)
    by_province = households.sort_values(["province_code", "household_id"])
    province = by_province["province_code"].to_numpy().astype(str)
    area = households.set_index("household_id").loc[persons["household_id"].to_numpy()[moved]]
    how = rng.random(int(moved.sum()))
    same_district = hh_ids[_within(rng, district, area["district_code"].to_numpy().astype(str))]
    same_province = by_province["household_id"].to_numpy()[
        _within(rng, province, area["province_code"].to_numpy().astype(str))
    ]
    all_ids = np.sort(households["household_id"].to_numpy().astype(str))
    anywhere = all_ids[rng.integers(len(all_ids), size=len(how))]
    before = np.where(how < 0.5, same_district, np.where(how < 0.8, same_province, anywhere))
    current = persons["household_id"].to_numpy()[moved]
    # A one-household district has nowhere else to move from: take any other house.
    stayed = before == current
    before[stayed] = all_ids[(np.searchsorted(all_ids, current[stayed]) + 1) % len(all_ids)]
    before = before.astype(object)
    before[before == current] = None  # nowhere else to move from: did not move after all
    out = np.full(n, None, dtype=object)
    out[moved] = before
    return out


def stale_addresses(
    rows: pd.DataFrame, households: pd.DataFrame, rate: float, rng: np.random.Generator
) -> tuple[pd.DataFrame, NDArray[np.bool_]]:
    """Rows of movers that an agency still holds at the old house, and their mask."""
    before = rows["previous_household_id"].to_numpy(dtype=object)
    stale = pd.notna(before) & (rng.random(len(rows)) < rate)
    if not stale.any():
        return rows, stale
    out = rows.copy(deep=False)
    old = households.set_index("household_id").loc[before[stale], list(ADDRESS_COLUMNS)]
    out.loc[stale, list(ADDRESS_COLUMNS)] = old.to_numpy()
    return out, stale
