"""What an outsider knows about the suppressed cells, as one linear system.

Each suppressed cell (at any level) is an unknown ``x ≥ 0``. Each group (a parent cell and
its children) gives one equation, ``Σ children − parent = 0``, in which the published
members are numbers: this is everything the published table says, because every cell's
value is a sum of the finest cells and every such sum is built from these relations.
Writing the unknowns at every level, rather than only the finest cells, keeps each
equation local (a national total relates the provinces' cells, not 7,000 subdistricts), so
the system falls apart into small independent blocks.

Two releases make one system: both releases' unknowns and equations, and for each finest
cell a bound on how much it can have changed between them (`joint_system`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from numpy.typing import NDArray

if TYPE_CHECKING:
    from sitthi.disclosure.table import Table

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]


@dataclass(frozen=True)
class System:
    """``a_eq x = b_eq``, ``a_ub x ≤ b_ub``, ``lower ≤ x ≤ upper``; x are suppressed cells."""

    a_eq: sp.csr_matrix
    b_eq: Floats
    a_ub: sp.csr_matrix
    b_ub: Floats
    lower: Floats
    upper: Floats

    @property
    def n_var(self) -> int:
        return len(self.lower)

    def components(self) -> tuple[int, Ints]:
        """Independent blocks: unknowns linked by no equation or inequality are solved apart."""
        from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

        rows = sp.vstack([self.a_eq, self.a_ub]).tocoo()
        n_rows, n = rows.shape
        # A bipartite graph of rows and unknowns; a national row's hundreds of unknowns
        # cost hundreds of edges, where an unknown-to-unknown graph would cost their square.
        graph = sp.coo_matrix(
            (np.ones(rows.nnz), (rows.row + n, rows.col)), shape=(n + n_rows, n + n_rows)
        )
        _, labels = connected_components(graph, directed=False)
        first = labels[:n]
        _, renumbered = np.unique(first, return_inverse=True)
        return int(renumbered.max(initial=-1) + 1), renumbered.astype(np.int64)

    def restrict(self, keep: Bools) -> System:
        """The system of the unknowns ``keep`` alone, which must be whole blocks."""
        eq_rows = _rows_touching(self.a_eq, keep)
        ub_rows = _rows_touching(self.a_ub, keep)
        return System(
            a_eq=self.a_eq[eq_rows][:, keep],
            b_eq=self.b_eq[eq_rows],
            a_ub=self.a_ub[ub_rows][:, keep],
            b_ub=self.b_ub[ub_rows],
            lower=self.lower[keep],
            upper=self.upper[keep],
        )


def _rows_touching(a: sp.csr_matrix, keep: Bools) -> Bools:
    touched: Bools = abs(a) @ keep.astype(np.float64) > 0
    return touched


def release_system(table: Table, suppressed: Bools, published: Floats) -> tuple[System, Ints]:
    """The system an outsider builds from one release, and the cell of each unknown.

    ``published`` is read only where ``suppressed`` is False: the system holds nothing an
    outsider does not see.
    """
    cells = np.flatnonzero(suppressed).astype(np.int64)
    var_of = np.full(table.n_cells, -1, dtype=np.int64)
    var_of[cells] = np.arange(len(cells))
    g = np.arange(table.n_groups, dtype=np.int64)
    row = np.concatenate((g, np.repeat(g, np.diff(table.group_ptr))))
    col = np.concatenate((table.group_parent, table.group_child))
    coef = np.concatenate((-np.ones(table.n_groups), np.ones(len(table.group_child))))
    unknown = suppressed[col]
    known_sum = np.bincount(
        row[~unknown],
        weights=coef[~unknown] * np.where(unknown, 0.0, published[col])[~unknown],
        minlength=table.n_groups,
    )
    # Only groups with an unknown say anything about the unknowns.
    live = np.bincount(row[unknown], minlength=table.n_groups) > 0
    new_row = np.cumsum(live) - 1
    a_eq = sp.csr_matrix(
        (coef[unknown], (new_row[row[unknown]], var_of[col[unknown]])),
        shape=(int(live.sum()), len(cells)),
    )
    # No cell exceeds the national total over all categories (cell 0). The equations
    # imply it already; stating it keeps the LPs small-numbered and bounded.
    ceiling = float(published[0]) if not suppressed[0] else np.inf
    return (
        System(
            a_eq=a_eq,
            b_eq=-known_sum[live].astype(np.float64),
            a_ub=sp.csr_matrix((0, len(cells))),
            b_ub=np.zeros(0),
            lower=np.zeros(len(cells)),
            upper=np.full(len(cells), ceiling),
        ),
        cells,
    )


def joint_system(
    current: System,
    previous: System,
    *,
    pairs_current: Ints,
    pairs_previous: Ints,
    known_current: Floats,
    known_previous: Floats,
    bound: Floats,
) -> System:
    """Both releases' systems, and ``|now − before| ≤ bound`` for each finest cell in both.

    The cell pairs are given by their unknown in each system (``-1``: published, with its
    value in ``known_*``). Unknowns of the current release come first.
    """
    n_cur, n_prev = current.n_var, previous.n_var
    lower = np.concatenate((current.lower, previous.lower))
    upper = np.concatenate((current.upper, previous.upper))
    both = (pairs_current >= 0) & (pairs_previous >= 0)
    # Published before, suppressed now: the old value ± bound boxes the new unknown.
    now_only = (pairs_current >= 0) & (pairs_previous < 0)
    v = pairs_current[now_only]
    np.maximum.at(lower, v, known_previous[now_only] - bound[now_only])
    np.minimum.at(upper, v, known_previous[now_only] + bound[now_only])
    before_only = (pairs_current < 0) & (pairs_previous >= 0)
    v = n_cur + pairs_previous[before_only]
    np.maximum.at(lower, v, known_current[before_only] - bound[before_only])
    np.minimum.at(upper, v, known_current[before_only] + bound[before_only])
    lower = np.maximum(lower, 0.0)
    m = int(both.sum())
    r = np.arange(m)
    cur, prev = pairs_current[both], n_cur + pairs_previous[both]
    # now − before ≤ bound and before − now ≤ bound
    coupling = sp.csr_matrix(
        (
            np.concatenate((np.ones(m), -np.ones(m), -np.ones(m), np.ones(m))),
            (np.concatenate((r, r, m + r, m + r)), np.concatenate((cur, prev, cur, prev))),
        ),
        shape=(2 * m, n_cur + n_prev),
    )
    return System(
        a_eq=sp.block_diag([current.a_eq, previous.a_eq], format="csr"),
        b_eq=np.concatenate((current.b_eq, previous.b_eq)),
        a_ub=sp.vstack(
            [
                sp.block_diag([current.a_ub, previous.a_ub], format="csr"),
                coupling,
            ],
            format="csr",
        ),
        b_ub=np.concatenate((current.b_ub, previous.b_ub, bound[both], bound[both])),
        lower=lower,
        upper=upper,
    )
