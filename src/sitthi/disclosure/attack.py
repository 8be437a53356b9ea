"""The attack: what an outsider solves for from published tables, and nothing else.

For every suppressed cell, the lowest and highest counts consistent with every published
cell, the table's sums and non-negative counts (an exact LP per cell and side), optionally
with the previous release and the outsider's belief that no subdistrict × category cell
changed by more than ``max_change`` persons. It reads only the published tables, so a
test built on it checks `suppress` the way an outsider would.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from sitthi.disclosure.audit import intervals
from sitthi.disclosure.system import System, joint_system, release_system
from sitthi.disclosure.table import LEVELS, Columns, Table, build_table
from sitthi.errors import ValidationError

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped]

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]


def attack(
    table: pd.DataFrame,
    category_columns: Sequence[str],
    *,
    previous: pd.DataFrame | None = None,
    max_change: int = 0,
    change_bounds: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Solve every suppressed cell of a published ``table`` (and of ``previous``).

    With ``previous``, the outsider believes no subdistrict × category cell changed by more
    than ``max_change`` persons, or, for the cells ``change_bounds`` lists (``area_code``,
    the category columns, ``bound``), by more than its ``bound``. A belief the releases
    contradict makes the LPs infeasible (`UnsafeTable`).

    Returns:
        One row per suppressed cell: ``release`` (``current`` or ``previous``), ``level``,
        ``area_code``, the category columns, ``low`` and ``high`` (``inf`` when nothing
        bounds it).

    Example:
        >>> import pandas as pd
        >>> from sitthi.disclosure import suppress
        >>> cells = pd.DataFrame({"subdistrict_code": ["100101", "100101", "100102",
        ...     "100102"], "category": ["a", "b", "a", "b"], "persons": [40, 3, 35, 20]})
        >>> found = attack(suppress(cells).table, ["category"])
        >>> bool((found.high - found.low >= 1).all())
        True
    """
    import pandas as pd

    columns = Columns(area="area_code", categories=tuple(category_columns), value="value")
    now, now_supp, now_known = _structure(table, columns)
    system, cells = release_system(now, now_supp, now_known)
    parts = [(now, cells, "current")]
    if previous is not None:
        before, before_supp, before_known = _structure(previous, columns)
        old, old_cells = release_system(before, before_supp, before_known)
        system = _joined(
            (now, system, cells, now_known),
            (before, old, old_cells, before_known),
            max_change,
            change_bounds,
        )
        parts.append((before, old_cells, "previous"))
    lo, hi, _ = intervals(system)
    frames, at = [], 0
    for t, c, release in parts:
        keys = t.keys().iloc[c].reset_index(drop=True)
        frames.append(
            keys.assign(release=release, low=lo[at : at + len(c)], high=hi[at : at + len(c)])
        )
        at += len(c)
    found = pd.concat(frames, ignore_index=True)
    return found[["release", *keys.columns, "low", "high"]]


def _structure(
    published: pd.DataFrame, columns: Columns
) -> tuple[Table, NDArray[np.bool_], Floats]:
    """The table's structure rebuilt from its published rows, what is hidden, what is seen."""
    need = ["level", "area_code", *columns.categories, "value", "suppressed"]
    missing = [c for c in need if c not in published.columns]
    if missing:
        raise ValidationError(f"published table: column {missing[0]!r} is missing")
    cats = list(columns.categories)
    finest = published[
        (published["level"].astype(str) == LEVELS[-1]) & published[cats].notna().all(axis=1)
    ]
    # The structure needs counts; hidden ones are not known and play no part in it.
    source = finest[["area_code", *cats]].assign(
        value=finest["value"].fillna(0).astype("int64").to_numpy()
    )
    table = build_table(source, columns)
    on = ["level", "area_code", *cats]
    keys = table.keys()[on].astype(str).assign(_cell=np.arange(table.n_cells))
    rows = published[on].astype(str).assign(_row=np.arange(len(published)))
    joined = keys.merge(rows, on=on, how="left").sort_values("_cell")
    if joined["_row"].isna().any():
        raise ValidationError("published table: not every cell of the table is there")
    row = joined["_row"].to_numpy(dtype=np.int64)
    suppressed = published["suppressed"].to_numpy(dtype=bool)[row]
    known = published["value"].fillna(0).to_numpy(dtype=np.float64)[row]
    return table, suppressed, known


def _joined(
    current: tuple[Table, System, Ints, Floats],
    earlier: tuple[Table, System, Ints, Floats],
    max_change: int,
    change_bounds: pd.DataFrame | None,
) -> System:
    from sitthi.disclosure.releases import matching, unknown_of

    now, system, cells, now_known = current
    before, old, old_cells, before_known = earlier
    match_now, match_before = matching(now, before)
    finest = now.is_finest()[match_now]
    f_now, f_before = match_now[finest], match_before[finest]
    bound = np.full(len(f_now), float(max_change))
    if change_bounds is not None:
        cats = list(now.columns.categories)
        keys = now.keys().iloc[f_now][["area_code", *cats]].astype(str).reset_index(drop=True)
        given = (
            change_bounds[["area_code", *cats]]
            .astype(str)
            .assign(_bound=change_bounds["bound"].to_numpy(dtype=np.float64))
        )
        found = keys.merge(given, on=["area_code", *cats], how="left")["_bound"].to_numpy()
        bound = np.where(np.isnan(found), bound, found)
    return joint_system(
        system,
        old,
        pairs_current=unknown_of(now.n_cells, cells)[f_now],
        pairs_previous=unknown_of(before.n_cells, old_cells)[f_before],
        known_current=now_known[f_now],
        known_previous=before_known[f_before],
        bound=bound,
    )
