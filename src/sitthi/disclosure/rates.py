"""Rates (shares, per 1,000) computed from published counts only.

A rate whose numerator or denominator is suppressed would give the hidden count back
(rate × denominator), so it is suppressed too. Computing rates from `Published.table`, and
nothing else, makes that automatic: a suppressed count is missing there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sitthi.errors import ValidationError

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped]


def rate(
    table: pd.DataFrame,
    category_columns: Sequence[str],
    numerator: Mapping[str, Any],
    *,
    denominator: Mapping[str, Any] | None = None,
    population: Mapping[str, float] | pd.Series | None = None,
    per: float = 1000.0,
) -> pd.DataFrame:
    """``numerator / denominator × per`` for every area of a published ``table``.

    Args:
        numerator: the cells counted, by category (``{"group": "disabled"}``); a column not
            named is taken at its total.
        denominator: the cells counted against, the same way; default every total (all
            persons of the area). Not with ``population``.
        population: a public count per area code (a census population, say) to divide by
            instead; areas it does not name get no rate.

    Returns:
        ``level``, ``area_code``, ``numerator``, ``denominator`` and ``rate`` per area; the
        rate is missing when a count it needs is suppressed or the denominator is zero.

    Example:
        >>> import pandas as pd
        >>> t = pd.DataFrame({"level": ["national"] * 2, "area_code": ["TH"] * 2,
        ...     "group": ["disabled", None], "value": pd.array([50, 1000], dtype="Int64"),
        ...     "suppressed": [False, False]})
        >>> float(rate(t, ["group"], {"group": "disabled"}).rate.iloc[0])
        50.0
    """
    import pandas as pd

    if denominator is not None and population is not None:
        raise ValidationError("rate: give a denominator or a population, not both")
    top = _select(table, category_columns, numerator, "numerator")
    if population is not None:
        pop = pd.Series(population, dtype="Float64")
        bottom = pd.array(top["area_code"].map(pop), dtype="Float64")
    else:
        below = _select(table, category_columns, denominator or {}, "denominator")
        bottom = pd.array(
            top[["level", "area_code"]]
            .merge(below, on=["level", "area_code"], how="left")["value"]
            .to_numpy(),
            dtype="Float64",
        )
    count = pd.array(top["value"].to_numpy(), dtype="Float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = count / bottom * per
    ratio[bottom == 0] = pd.NA
    return pd.DataFrame(
        {
            "level": top["level"].to_numpy(),
            "area_code": top["area_code"].to_numpy(),
            "numerator": top["value"].to_numpy(),
            "denominator": bottom,
            "rate": ratio,
        }
    )


def _select(
    table: pd.DataFrame, category_columns: Sequence[str], chosen: Mapping[str, Any], what: str
) -> pd.DataFrame:
    unknown = set(chosen) - set(category_columns)
    if unknown:
        raise ValidationError(
            f"rate {what}: {sorted(unknown)[0]!r} is not a category column "
            f"(the table has {list(category_columns)})"
        )
    mask = np.ones(len(table), dtype=bool)
    for column in category_columns:
        wanted = chosen.get(column)
        if wanted is None:
            mask &= table[column].isna().to_numpy()
        else:
            hit = (table[column] == wanted).fillna(False).to_numpy(dtype=bool)
            if not hit.any():
                raise ValidationError(f"rate {what}: column {column!r} has no value {wanted!r}")
            mask &= hit
    return table.loc[mask, ["level", "area_code", "value"]].reset_index(drop=True)
