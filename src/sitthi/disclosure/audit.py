"""The audit: how far an outsider can narrow each suppressed cell, by linear programming.

For an unknown ``x_i`` of a `System`, the values an outsider cannot rule out run from
``min x_i`` to ``max x_i`` over the system (scipy's HiGHS). `intervals` computes them all,
as the attack does; the audit only proves what the rule asks, which costs fewer LPs:

1. Every feasible point is a witness: if some solution of the system has ``x_i ≥ target``,
   then the maximum is at least that, with no LP of its own. A few LPs that push all cells
   toward their targets at once (maximise ``Σ min(x_i, target_i)``) settle most cells.
2. The cells left get their exact minimum or maximum. Blocks of the system share no
   unknown, so one LP whose objective adds one cell from each block solves every block's
   cell at once; the number of LPs is the most cells any one block leaves, not their sum.

A cell the exact LP cannot push to its target fails, with the exact end it reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from time import perf_counter
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from numpy.typing import NDArray

from sitthi.errors import SitthiError

if TYPE_CHECKING:
    from sitthi.disclosure.system import System

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
Ints = NDArray[np.int64]

#: More persons than Thailand has: an upper end this high is no bound at all.
UNBOUNDED = 1e9
#: Rounds of the pushing LPs before the exact ones; each round after the first settles few.
PUSH_ROUNDS = 3


class UnsafeTable(SitthiError):
    """A table would let an outsider narrow a suppressed cell more than the rule allows."""


@dataclass(frozen=True)
class Requirement:
    """What each unknown's interval must reach: ``max ≥ hi``, ``min ≤ lo``,
    ``max − min ≥ width`` (``-inf``, ``inf`` and 0 ask nothing)."""

    hi: Floats
    lo: Floats
    width: Floats


@dataclass(frozen=True)
class Audit:
    """The interval shown possible for each unknown; exact where the rule was not met."""

    lo: Floats
    hi: Floats
    ok: Bools
    lps: int
    seconds: float

    @property
    def safe(self) -> bool:
        return bool(self.ok.all())


def _tolerance(target: Floats) -> Floats:
    # HiGHS meets equations to about 1e-7 relative; a person is 1.
    return 1e-6 + 1e-9 * np.abs(np.where(np.isfinite(target), target, 0.0))


def _met(lo: Floats, hi: Floats, need: Requirement) -> tuple[Bools, Bools]:
    width_short = hi - lo < need.width - _tolerance(need.width)
    up = (hi >= need.hi - _tolerance(need.hi)) & ~width_short
    down = (lo <= need.lo + _tolerance(need.lo)) & ~width_short
    return up, down


def audit(system: System, truth: Floats, need: Requirement, *, focus: Bools | None = None) -> Audit:
    """Check ``need`` for every unknown of ``system``; ``truth`` is one feasible point.

    With ``focus``, only the blocks holding a focused unknown are checked: the others are
    taken as passed (an earlier audit of the same blocks passed them).
    """
    start = perf_counter()
    lo, hi = truth.astype(np.float64).copy(), truth.astype(np.float64).copy()
    _, block = system.components()
    if focus is not None:
        skip = ~np.isin(block, block[focus])
        need = Requirement(
            hi=np.where(skip, -np.inf, need.hi),
            lo=np.where(skip, np.inf, need.lo),
            width=np.where(skip, 0.0, need.width),
        )
    lps = 0
    up_target = np.minimum(np.maximum(need.hi, truth + need.width), system.upper)
    down_target = np.maximum(np.minimum(need.lo, truth - need.width), system.lower)
    for sense in (1, -1):
        left = -1
        for _ in range(PUSH_ROUNDS):
            up_ok, down_ok = _met(lo, hi, need)
            pending = ~up_ok if sense > 0 else ~down_ok
            if not pending.any() or int(pending.sum()) == left:
                break
            left = int(pending.sum())
            keep = np.isin(block, np.unique(block[pending]))
            target = up_target if sense > 0 else down_target
            x = _push(system.restrict(keep), pending[keep], target[keep], sense)
            lps += 1
            lo[keep], hi[keep] = np.minimum(lo[keep], x), np.maximum(hi[keep], x)
    solved = {1: np.zeros(system.n_var, bool), -1: np.zeros(system.n_var, bool)}
    while True:
        up_ok, down_ok = _met(lo, hi, need)
        rising = np.flatnonzero(~up_ok & ~solved[1])
        falling = np.flatnonzero(~down_ok & ~solved[-1])
        var = np.concatenate((rising, falling))
        if len(var) == 0:
            break
        way = np.concatenate((np.ones(len(rising)), -np.ones(len(falling)))).astype(np.int64)
        # One task per block: their optima do not interact.
        _, first = np.unique(block[var], return_index=True)
        var, way = var[first], way[first]
        keep = np.isin(block, block[var])
        where = np.cumsum(keep) - 1
        objective = np.zeros(int(keep.sum()))
        objective[where[var]] = -way
        x = _solve(system.restrict(keep), objective)
        lps += 1
        lo[keep], hi[keep] = np.minimum(lo[keep], x), np.maximum(hi[keep], x)
        for s in (1, -1):
            solved[s][var[way == s]] = True
    up_ok, down_ok = _met(lo, hi, need)
    return Audit(lo=lo, hi=hi, ok=up_ok & down_ok, lps=lps, seconds=perf_counter() - start)


def intervals(system: System) -> tuple[Floats, Floats, int]:
    """The exact minimum and maximum of every unknown, and the number of LPs solved."""
    _, block = system.components()
    lo, hi = np.zeros(system.n_var), np.zeros(system.n_var)
    order = np.argsort(block, kind="stable")
    rank = np.empty(system.n_var, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, block[order][1:] != block[order][:-1]])
    rank[order] = np.arange(system.n_var) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    lps = 0
    for r in range(int(rank.max(initial=-1)) + 1):
        var = np.flatnonzero(rank == r)
        keep = np.isin(block, block[var])
        where = np.cumsum(keep) - 1
        for sense, out in ((1, hi), (-1, lo)):
            objective = np.zeros(int(keep.sum()))
            objective[where[var]] = -sense
            x = _solve(system.restrict(keep), objective)
            lps += 1
            out[var] = x[where[var]]
    hi[hi >= UNBOUNDED * (1 - 1e-9)] = np.inf
    lo[np.abs(lo) < 1e-9] = 0.0  # not −0.0
    return lo, hi, lps


def _push(system: System, pending: Bools, target: Floats, sense: int) -> Floats:
    """A feasible point pushing every pending unknown toward its target at once: maximise
    ``Σ min(x_i, target_i)`` (or minimise ``Σ max(x_i, target_i)``), with one helper
    variable per pending unknown so no cell gains by overshooting."""
    n = system.n_var
    idx = np.flatnonzero(pending)
    p = len(idx)
    r = np.arange(p)
    # sense +1: t_j − x_i ≤ 0, 0 ≤ t_j ≤ target; sense −1: x_i − s_j ≤ 0, s_j ≥ target.
    link = sp.csr_matrix(
        (
            np.r_[np.full(p, -sense, float), np.full(p, sense, float)],
            (np.r_[r, r], np.r_[idx, n + r]),
        ),
        shape=(p, n + p),
    )
    a_ub = sp.vstack([sp.hstack([system.a_ub, sp.csr_matrix((system.a_ub.shape[0], p))]), link])
    a_eq = sp.hstack([system.a_eq, sp.csr_matrix((system.a_eq.shape[0], p))])
    if sense > 0:
        extra_lo, extra_hi = np.zeros(p), target[idx]
    else:
        extra_lo, extra_hi = target[idx], np.full(p, UNBOUNDED)
    extended = _Lp(
        a_eq=a_eq.tocsr(),
        b_eq=system.b_eq,
        a_ub=a_ub.tocsr(),
        b_ub=np.r_[system.b_ub, np.zeros(p)],
        lower=np.r_[system.lower, extra_lo],
        upper=np.r_[system.upper, extra_hi],
    )
    objective = np.r_[np.zeros(n), np.full(p, -1.0 if sense > 0 else 1.0)]
    return extended.solve(objective)[:n]


def _solve(system: System, objective: Floats) -> Floats:
    return _Lp(
        a_eq=system.a_eq,
        b_eq=system.b_eq,
        a_ub=system.a_ub,
        b_ub=system.b_ub,
        lower=system.lower,
        upper=system.upper,
    ).solve(objective)


@dataclass(frozen=True)
class _Lp:
    a_eq: Any
    b_eq: Floats
    a_ub: Any
    b_ub: Floats
    lower: Floats
    upper: Floats

    def solve(self, objective: Floats) -> Floats:
        from scipy.optimize import linprog  # type: ignore[import-untyped]

        if len(objective) == 0:
            return np.zeros(0)
        upper = np.minimum(self.upper, UNBOUNDED)
        result = linprog(
            objective,
            A_ub=self.a_ub if self.a_ub.shape[0] else None,
            b_ub=self.b_ub if self.a_ub.shape[0] else None,
            A_eq=self.a_eq if self.a_eq.shape[0] else None,
            b_eq=self.b_eq if self.a_eq.shape[0] else None,
            bounds=np.column_stack((self.lower, upper)),
            method="highs",
        )
        if result.status != 0 or result.x is None:
            # The real counts satisfy every equation, so this is a solver failure: refuse
            # rather than publish a table nobody has checked.
            raise UnsafeTable(f"the disclosure audit could not solve an LP: {result.message}")
        x: Floats = np.asarray(result.x, dtype=np.float64)
        return x
