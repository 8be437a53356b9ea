"""Hard negatives: different people whose records look like one person's.

Twins (same birth date, house and surname) are made with the population's birth dates in
`population`; here are the namesakes. Each is a pair a linker must keep apart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray


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
    younger = younger[rng.random(len(younger)) < rate]
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
