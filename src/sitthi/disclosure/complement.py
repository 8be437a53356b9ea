"""Primary and complementary suppression: which cells to hide so none can be solved for.

Primary: every cell counting ``0 < v < k`` persons, at any level.

Complementary, greedily and locally (the hypercube method's conditions, met one relation at
a time): in every group (a parent and its children) a suppressed cell must be able to move
by what the rule asks while the others absorb the move. Each suppressed cell carries how
far it must be able to go up and down (a sensitive cell: to the ends of its required
interval; a partner: what the cell it partners needs of it). A group is short when

- it has exactly one suppressed member (it is the published total minus the others), or
- its parent is published and the other suppressed children hold fewer persons than a
  suppressed child must be able to rise by (rising, it takes them from its siblings), or
- its parent is suppressed and its suppressed children hold fewer persons than the parent
  must be able to fall by.

A short group gains the published member that closes it most cheaply: a child before the
parent (pushing suppression up the hierarchy hides more), then one that also closes another
short group (the fourth corner of a rectangle), then the smallest count able to absorb the
move. The new partner inherits the move it must make, so its own groups are checked in
turn; the work list runs until no group is short. The linear-programming audit then proves
the result or names the cells it left too narrow, for `Suppressor.repair`.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from sitthi.disclosure.table import Table

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]

#: Why a cell is suppressed (in the private pattern; never in the published table, where
#: "primary" would say "this cell is small").
PUBLISHED, PRIMARY, COMPLEMENTARY, PREVIOUS = 0, 1, 2, 3
REASONS = ("", "primary", "complementary", "previous")


class Suppressor:
    """The suppression pattern of one table as it grows."""

    def __init__(
        self,
        table: Table,
        primary: Bools,
        need_up: Floats,
        need_down: Floats,
        room: Floats | None = None,
    ):
        self.table = table
        self.value = table.value.astype(np.float64)
        # How far each cell can fall if hidden: its count, or less where the previous
        # release pins it (`Pairing.room_down`).
        self.capacity = self.value if room is None else np.minimum(room, self.value)
        self.reason = np.where(primary, PRIMARY, PUBLISHED).astype(np.int8)
        self.suppressed = primary.copy()
        self.need_up = np.where(primary, need_up, 0.0)
        self.need_down = np.where(primary, np.minimum(need_down, self.capacity), 0.0)
        # How often the audit sent each cell back; repairs widen with each return.
        self.returns = np.zeros(table.n_cells, dtype=np.int64)
        self._queue: deque[int] = deque()
        self._queued = np.zeros(table.n_groups, dtype=bool)
        member_supp = self.suppressed[table.group_child].astype(np.int64)
        g = np.repeat(np.arange(table.n_groups), np.diff(table.group_ptr))
        self.n_suppressed = np.bincount(g, weights=member_supp, minlength=table.n_groups)
        self.n_suppressed += self.suppressed[table.group_parent]
        self._enqueue(np.flatnonzero(self.n_suppressed > 0))

    # -- growing the pattern -------------------------------------------------------------

    def add(self, cell: int, *, up: float, down: float, reason: int = COMPLEMENTARY) -> None:
        """Suppress ``cell`` (if it is not yet) and ask it to move by ``up`` and ``down``."""
        t = self.table
        groups = t.groups_of(cell)
        newly = not self.suppressed[cell]
        if newly:
            self.suppressed[cell] = True
            self.reason[cell] = reason
            self.n_suppressed[groups] += 1
        down = min(down, self.capacity[cell])
        grew = up > self.need_up[cell] + 1e-9 or down > self.need_down[cell] + 1e-9
        self.need_up[cell] = max(self.need_up[cell], up)
        self.need_down[cell] = max(self.need_down[cell], down)
        if newly or grew:
            self._enqueue(groups)

    def carry(self, cells: Ints) -> None:
        """Keep cells the previous release suppressed (see `sitthi.disclosure.releases`)."""
        for cell in cells[~self.suppressed[cells]]:
            self.add(int(cell), up=0.0, down=0.0, reason=PREVIOUS)

    def settle(self) -> None:
        """Close every short group (the work list empties: each step suppresses a cell)."""
        while self._queue:
            g = self._queue.popleft()
            self._queued[g] = False
            self._close(g)

    def repair(self, cells: Ints, short_up: Floats, short_down: Floats) -> None:
        """Give each cell the audit left too narrow a new partner in one of its groups
        (in each of them the second time; every published cell around it after that).

        ``short_up`` and ``short_down`` say how far its interval fell short on each side.
        """
        t = self.table
        for cell, su, sd in zip(
            cells.tolist(), short_up.tolist(), short_down.tolist(), strict=True
        ):
            self.returns[cell] += 1
            up = max(self.need_up[cell], su)
            down = max(self.need_down[cell], sd)
            self.add(cell, up=up, down=down)
            groups = t.groups_of(cell)
            if self.returns[cell] >= 3:
                # Still short after two rounds of partners: hide every published cell
                # within one relation of it, then two, … (each return reaches one further,
                # so a cell sent back often enough ends in a block with nothing to pin it).
                around = np.array([cell], dtype=np.int64)
                for _ in range(int(self.returns[cell]) - 2):
                    groups = np.unique(np.concatenate([t.groups_of(c) for c in around]))
                    around = np.unique(np.concatenate([t.group_members(g) for g in groups]))
                for c in around[~self.suppressed[around]].tolist():
                    self.add(int(c), up=0.0, down=0.0)
                continue
            choices = []
            for g in groups.tolist():
                pick = self._partner(g, cell, need=up if su > 0 else 0.0)
                if pick is not None:
                    choices.append((pick[1], g, pick[0]))
            choices.sort()
            for _, g, partner in choices[: 1 if self.returns[cell] == 1 else len(choices)]:
                self._join(g, cell, partner, up=up, down=down)

    # -- one group -----------------------------------------------------------------------

    def _enqueue(self, groups: Ints) -> None:
        for g in groups[~self._queued[groups]].tolist():
            self._queued[g] = True
            self._queue.append(g)

    def _close(self, g: int) -> None:
        t = self.table
        members = t.group_members(g)
        supp = self.suppressed[members]
        n = int(supp.sum())
        if n == 0:
            return
        parent = int(members[0])
        if n == 1:
            alone = int(members[np.flatnonzero(supp)[0]])
            # Alone, it must be able to move by its needs against the group's published rest.
            need = self.need_down[parent] if alone == parent else self.need_up[alone]
            self._extend(g, alone, need)
            return
        children = members[1:]
        held = self.capacity[children] * self.suppressed[children]
        supply = float(held.sum())
        if self.suppressed[parent]:
            short = self.need_down[parent] - supply
            if short > 1e-9:
                self._extend(g, parent, short)
            return
        # A child rising by need_up takes it from the other suppressed children.
        rise = np.where(self.suppressed[children], self.need_up[children] + held, -np.inf)
        worst = int(np.argmax(rise))
        short = float(rise[worst]) - supply
        if short > 1e-9:
            self._extend(g, int(children[worst]), short)

    def _extend(self, g: int, cell: int, need: float) -> None:
        pick = self._partner(g, cell, need)
        if pick is not None:
            self._join(g, cell, pick[0], up=self.need_up[cell], down=self.need_down[cell])

    def _partner(self, g: int, cell: int, need: float) -> tuple[int, tuple[float, ...]] | None:
        """The published member of group ``g`` to suppress beside ``cell``, and its rank."""
        t = self.table
        members = t.group_members(g)
        parent = int(members[0])
        open_ = members[~self.suppressed[members]]
        if len(open_) == 0:
            return None
        children = open_[open_ != parent]
        best: tuple[int, tuple[float, ...]] | None = None
        for c in children.tolist():
            v, room = float(self.value[c]), float(self.capacity[c])
            closes = int((self.n_suppressed[t.groups_of(c)] == 1).sum())
            # Children able to absorb the whole move first (the smallest such), then the
            # one that absorbs most.
            rank = (0.0 if room >= need else 1.0, 0.0, -closes, v if room >= need else -room)
            if best is None or rank < best[1]:
                best = (c, rank)
        if parent != cell and not self.suppressed[parent] and (best is None or best[1][0] > 0):
            # The parent moves with the cell, so it always absorbs; it is taken only when no
            # child can, because hiding a total hides more than hiding a part.
            best = (parent, (0.5, 1.0, 0.0, float(self.value[parent])))
        return best

    def _join(self, g: int, cell: int, partner: int, *, up: float, down: float) -> None:
        t = self.table
        parent = int(t.group_parent[g])
        if cell != parent and partner != parent:
            # Siblings move in opposite directions.
            self.add(partner, up=down, down=up)
        else:
            self.add(partner, up=up, down=down)
