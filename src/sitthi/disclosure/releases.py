"""Two releases side by side: what differencing month N and month N+1 can reveal.

The outsider defended against holds both releases' published tables and knows (or rightly
guesses) that no finest cell (subdistrict × category) changed by more than ``max_change``
persons between them; ``max_change=0`` is the classic differencing attack, "what I cannot
see did not change". Where a cell did change by more than that, he is taken to know the
size of its change (but not its sign): the real counts must fit what he knows, and
crediting him with more never makes the audit kinder.

In that joint system, every cell that is sensitive now and was suppressed before, and
every cell that was sensitive before, must still be able to reach its upper required end
(``k``: he cannot tell it is small) and must not be determined. Two kinds of disclosure are
beyond suppression and not asked for: a cell the previous release published and that is
small now (its old figure and the change of the published totals around it bound it), and
the lower end of a cell that grew past ``k`` and is published (its old value is then known
to within its change).

When the joint audit fails, the cells the previous release suppressed in the failing
block are suppressed again (reason ``previous``), the new release is re-audited on its
own, and the joint audit runs again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from sitthi.disclosure.audit import Audit, Requirement, audit
from sitthi.disclosure.system import joint_system, release_system
from sitthi.disclosure.table import Table, build_table

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped]

    from sitthi.disclosure.publish import Pattern

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]


@dataclass(frozen=True)
class Previous:
    """The previous release rebuilt from its pattern: its table, what it hid, and why."""

    table: Table
    suppressed: Bools
    primary: Bools
    k: int
    reach_k: bool

    @classmethod
    def from_pattern(cls, pattern: Pattern) -> Previous:
        cols = pattern.columns
        cells = pattern.cells
        finest = cells[
            (cells["level"] == "subdistrict") & cells[list(cols.categories)].notna().all(axis=1)
        ]
        source = finest[["area_code", *cols.categories, "value"]].rename(
            columns={"area_code": cols.area, "value": cols.value}
        )
        table = build_table(source, cols)
        keys = table.keys()
        aligned = _align(keys, cells, cols.categories)
        suppressed = cells["suppressed"].to_numpy(dtype=bool)[aligned]
        primary = (cells["reason"].astype(str) == "primary").to_numpy()[aligned]
        return cls(
            table=table,
            suppressed=suppressed,
            primary=primary,
            k=pattern.k,
            reach_k=pattern.protection.reach_k,
        )


def _align(keys: pd.DataFrame, cells: pd.DataFrame, categories: tuple[str, ...]) -> Ints:
    """Row of ``cells`` holding each cell of ``keys``."""
    on = ["level", "area_code", *categories]
    left = keys[on].astype(str).assign(_cell=np.arange(len(keys)))
    right = cells[on].astype(str).assign(_row=np.arange(len(cells)))
    joined = left.merge(right, on=on, how="left")
    if joined["_row"].isna().any() or len(joined) != len(keys):
        from sitthi.errors import ValidationError

        raise ValidationError("previous pattern: its cells do not form a whole table")
    row: Ints = joined.sort_values("_cell")["_row"].to_numpy(dtype=np.int64)
    return row


@dataclass(frozen=True)
class Pairing:
    """The cells two releases share, and how far the outsider of the model is sure each
    finest one moved between them."""

    current: Ints  # cell numbers in this release …
    previous: Ints  # … and the same cells in the previous one
    finest: Bools  # of each pair
    bound: Floats  # of each finest pair: max(max_change, |real change|)

    @classmethod
    def of(cls, table: Table, previous: Previous, *, max_change: int) -> Pairing:
        current, before = matching(table, previous.table)
        finest = table.is_finest()[current]
        change = np.abs(table.value[current[finest]] - previous.table.value[before[finest]]).astype(
            np.float64
        )
        return cls(
            current=current,
            previous=before,
            finest=finest,
            bound=np.maximum(float(max_change), change),
        )

    def room_down(self, table: Table, previous: Previous) -> Floats:
        """How far each cell of this release could fall, hidden, before the previous
        release's published figures and the change bounds rule it out.

        A cell the previous release published is boxed within the bounds of its finest
        cells around its old count; one it hid, or a new one, is limited by its count only.
        """
        value = table.value.astype(np.float64)
        bounds = table.totals(self.current[self.finest], self.bound)
        old = np.full(table.n_cells, np.nan)
        old[self.current] = previous.table.value[self.previous]
        published_before = np.zeros(table.n_cells, dtype=bool)
        published_before[self.current] = ~previous.suppressed[self.previous]
        boxed = np.clip(value - (old - bounds), 0.0, value)
        room: Floats = np.where(published_before, boxed, value)
        return room


def hidden_before_near(
    table: Table, previous: Previous, pairing: Pairing, cells: Ints, digits: int
) -> Ints:
    """Cells of this release the previous one hid, in the areas (their first ``digits``
    digits: 4 for the district, 2 for the province) of ``cells``."""
    hid = pairing.current[previous.suppressed[pairing.previous]]
    codes = table.area_codes[table.area_of(hid)]
    near = np.unique([str(c)[:digits] for c in table.area_codes[table.area_of(cells)]])
    inside = np.isin(np.array([str(c)[:digits] for c in codes]), near)
    found: Ints = hid[inside]
    return found


@dataclass(frozen=True)
class JointAudit:
    """The joint audit and, when it failed, what to change in this release: cells the
    previous release hid to hide again, or else cells of this release to give partners
    (with how far each fell short of ``k``)."""

    result: Audit
    carry: Ints
    repair: Ints
    short: Floats
    failing_now: Bools  # per cell of this release
    failing_before: Bools  # per cell of the previous release


def check_joint(
    table: Table,
    suppressed: Bools,
    primary: Bools,
    previous: Previous,
    pairing: Pairing,
    *,
    k: int,
    reach_k: bool,
    focus_now: Bools | None = None,
    focus_before: Bools | None = None,
) -> JointAudit:
    """Audit both releases together (the module's attacker model), only the blocks with a
    focused cell of either release when a focus is given."""
    value = table.value.astype(np.float64)
    prev = previous.table
    prev_value = prev.value.astype(np.float64)
    current, cur_cells = release_system(table, suppressed, value)
    before, prev_cells = release_system(prev, previous.suppressed, prev_value)
    f_cur = pairing.current[pairing.finest]
    f_prev = pairing.previous[pairing.finest]
    system = joint_system(
        current,
        before,
        pairs_current=unknown_of(table.n_cells, cur_cells)[f_cur],
        pairs_previous=unknown_of(prev.n_cells, prev_cells)[f_prev],
        known_current=value[f_cur],
        known_previous=prev_value[f_prev],
        bound=pairing.bound,
    )
    was_suppressed = np.zeros(table.n_cells, dtype=bool)
    was_suppressed[pairing.current] = previous.suppressed[pairing.previous]
    ask = np.concatenate(
        (primary[cur_cells] & was_suppressed[cur_cells], previous.primary[prev_cells])
    )
    hi = np.concatenate(
        (
            np.full(len(cur_cells), k if reach_k else -np.inf),
            np.full(len(prev_cells), previous.k if previous.reach_k else -np.inf),
        )
    )
    need = Requirement(
        hi=np.where(ask, hi, -np.inf),
        lo=np.full(len(ask), np.inf),
        width=np.where(ask, 1.0, 0.0),
    )
    truth = np.concatenate((value[cur_cells], prev_value[prev_cells]))
    focus = None
    if focus_now is not None and focus_before is not None:
        focus = np.concatenate((focus_now[cur_cells], focus_before[prev_cells]))
    result = audit(system, truth, need, focus=focus)
    n_cur = current.n_var
    failing_now = np.zeros(table.n_cells, dtype=bool)
    failing_now[cur_cells[~result.ok[:n_cur]]] = True
    failing_before = np.zeros(prev.n_cells, dtype=bool)
    failing_before[prev_cells[~result.ok[n_cur:]]] = True
    none = np.zeros(0, dtype=np.int64)
    if result.safe:
        return JointAudit(result, none, none, np.zeros(0), failing_now, failing_before)
    # Cells of this release standing for each unknown of the joint system.
    now_of_prev = np.full(prev.n_cells, -1, dtype=np.int64)
    now_of_prev[pairing.previous] = pairing.current
    now = np.concatenate((cur_cells, now_of_prev[prev_cells]))
    _, block = system.components()
    in_failing = np.isin(block, block[~result.ok])
    hid_before = now[n_cur:][in_failing[n_cur:]]
    carry = np.unique(hid_before[hid_before >= 0])
    carry = carry[~suppressed[carry]]
    bad = ~result.ok & (now >= 0)
    short = np.maximum(need.hi - result.hi, 1.0)[bad]
    cells, first = np.unique(now[bad], return_index=True)
    return JointAudit(result, carry, cells, short[first], failing_now, failing_before)


def unknown_of(n_cells: int, cells: Ints) -> Ints:
    """The unknown of each cell in a system over ``cells`` (-1: published)."""
    var = np.full(n_cells, -1, dtype=np.int64)
    var[cells] = np.arange(len(cells))
    return var


def matching(table: Table, prev: Table) -> tuple[Ints, Ints]:
    """Cells of two tables that are the same cell (level, area, categories), as pairs."""
    cols = ["level", "area_code", *table.columns.categories]
    a = table.keys()[cols].astype(str).assign(_a=np.arange(table.n_cells))
    b = prev.keys()[cols].astype(str).assign(_b=np.arange(prev.n_cells))
    both = a.merge(b, on=cols, how="inner")
    return both["_a"].to_numpy(dtype=np.int64), both["_b"].to_numpy(dtype=np.int64)
