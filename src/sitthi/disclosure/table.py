"""The table that leaves Sitthi, as cells and additive relations.

Input is one row per subdistrict and category with a count of persons. The published table
holds every cell at every level: each area (national, province, district, subdistrict)
crossed with each category column either at one of its values or at its total. A cell is an
area node and one node per category column (node 0 is the column's total), numbered
``area * n_category_nodes + category_node``.

The table's additivity is a list of *groups*: a parent cell and its children along one
dimension (a district's cell and its subdistricts' cells in the same category; a cell at a
category column's total and the cells at each of that column's values). Every relation an
outsider can use is a sum of these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from sitthi.errors import ValidationError

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped]

Ints = NDArray[np.int64]

#: Levels of the area hierarchy, coarse to fine; a DOPA code has 2, 4 and 6 digits.
LEVELS = ("national", "province", "district", "subdistrict")
CODE_DIGITS = {"province": 2, "district": 4, "subdistrict": 6}
#: The national row has no DOPA code; ISO 3166 names the country.
NATIONAL_CODE = "TH"


@dataclass(frozen=True)
class Columns:
    """Where the input keeps its area code, its categories and its count."""

    area: str = "subdistrict_code"
    categories: tuple[str, ...] = ("category",)
    value: str = "persons"


@dataclass(frozen=True)
class Table:
    """Every cell of a hierarchical table, its true count, and its groups."""

    columns: Columns
    area_codes: NDArray[np.str_]
    area_level: Ints  # index into LEVELS
    area_parent: Ints  # -1 for the national node
    category_values: tuple[Any, ...]  # per column, a pandas Index of its values (no total)
    strides: tuple[int, ...]  # of each category column in the category node number
    n_category_nodes: int
    value: Ints
    group_parent: Ints
    group_ptr: Ints  # children of group g are group_child[group_ptr[g]:group_ptr[g + 1]]
    group_child: Ints
    member_ptr: Ints  # groups cell c is a member of: member_group[member_ptr[c]:…]
    member_group: Ints

    @property
    def n_cells(self) -> int:
        return len(self.value)

    @property
    def n_groups(self) -> int:
        return len(self.group_parent)

    def area_of(self, cells: Ints) -> Ints:
        return cells // self.n_category_nodes

    def category_node(self, cells: Ints, column: int) -> Ints:
        """Node of each cell in one category column: 0 for the total, i + 1 for value i."""
        nodes = (cells % self.n_category_nodes) // self.strides[column]
        return nodes % (len(self.category_values[column]) + 1)

    def is_finest(self) -> NDArray[np.bool_]:
        cells = np.arange(self.n_cells)
        finest: NDArray[np.bool_] = self.area_level[self.area_of(cells)] == len(LEVELS) - 1
        for j in range(len(self.strides)):
            finest &= self.category_node(cells, j) > 0
        return finest

    def group_members(self, g: int) -> Ints:
        """The parent first, then the children."""
        children = self.group_child[self.group_ptr[g] : self.group_ptr[g + 1]]
        return np.concatenate(([self.group_parent[g]], children))

    def groups_of(self, cell: int) -> Ints:
        return self.member_group[self.member_ptr[cell] : self.member_ptr[cell + 1]]

    def totals(self, finest: Ints, amount: NDArray[np.float64]) -> NDArray[np.float64]:
        """Every cell's sum of ``amount`` over its finest cells (``finest`` numbers them)."""
        sizes = [len(v) + 1 for v in self.category_values]
        out = np.zeros(self.n_cells)
        for ancestor in _ancestors(
            finest, self.area_parent, self.n_category_nodes, self.strides, sizes
        ):
            np.add.at(out, ancestor, amount)
        return out

    def keys(self) -> pd.DataFrame:
        """Level, area code and category values (missing at a total) of every cell."""
        import pandas as pd

        cells = np.arange(self.n_cells)
        area = self.area_of(cells)
        frame = {
            "level": pd.Categorical.from_codes(self.area_level[area], LEVELS),
            "area_code": self.area_codes[area],
        }
        for j, name in enumerate(self.columns.categories):
            nodes = self.category_node(cells, j)
            frame[name] = self.category_values[j].take(nodes - 1, allow_fill=True)
        return pd.DataFrame(frame)


def build_table(cells: pd.DataFrame, columns: Columns) -> Table:
    """The full table of ``cells`` (one row per subdistrict and category, with a count).

    A subdistrict and category missing from ``cells`` counts zero persons; the categories
    are the values seen in each category column.

    Raises:
        ValidationError: a missing column, a negative or missing count, an area code that is
            not a 6-digit subdistrict code (or disagrees with a ``district_code`` or
            ``province_code`` column), a missing category, or the same cell twice.
    """
    _check(cells, columns)
    area_codes, area_level, area_parent, leaf_of_row = _areas(
        cells[columns.area].astype(str).to_numpy()
    )
    values, codes = [], []
    for name in columns.categories:
        index_codes, uniques = _factorize(cells[name])
        codes.append(index_codes)
        values.append(uniques)
    sizes = [len(v) + 1 for v in values]
    strides = tuple(int(np.prod(sizes[j + 1 :])) for j in range(len(sizes)))
    n_cat = int(np.prod(sizes))
    n_area = len(area_codes)

    finest_cat = np.zeros(len(cells), dtype=np.int64)
    for j, code in enumerate(codes):
        finest_cat += (code + 1) * strides[j]
    finest_cell = leaf_of_row * n_cat + finest_cat
    count = cells[columns.value].to_numpy(dtype=np.int64)

    value = np.zeros(n_area * n_cat, dtype=np.int64)
    for ancestor in _ancestors(finest_cell, area_parent, n_cat, strides, sizes):
        np.add.at(value, ancestor, count)

    group_parent, group_ptr, group_child = _groups(area_parent, n_cat, strides, sizes)
    member_ptr, member_group = _membership(len(value), group_parent, group_ptr, group_child)
    return Table(
        columns=columns,
        area_codes=area_codes,
        area_level=area_level,
        area_parent=area_parent,
        category_values=tuple(values),
        strides=strides,
        n_category_nodes=n_cat,
        value=value,
        group_parent=group_parent,
        group_ptr=group_ptr,
        group_child=group_child,
        member_ptr=member_ptr,
        member_group=member_group,
    )


def _check(cells: pd.DataFrame, columns: Columns) -> None:
    import pandas as pd

    if not columns.categories:
        raise ValidationError("category_columns: give at least one category column")
    names = [columns.area, *columns.categories, columns.value]
    if len(set(names)) != len(names):
        raise ValidationError(f"columns {names}: the area, category and value columns overlap")
    missing = [n for n in names if n not in cells.columns]
    if missing:
        raise ValidationError(
            f"column {missing[0]!r} is missing (the table has {list(cells.columns)})"
        )
    if len(cells) == 0:
        raise ValidationError("the table has no rows: nothing to publish")
    counts = cells[columns.value]
    bad = counts.isna()
    if not bad.any():
        numeric = pd.to_numeric(counts, errors="coerce")
        bad = numeric.isna() | (numeric < 0) | (numeric != numeric.round())
    if bad.any():
        raise ValidationError(
            f"column {columns.value!r}: {counts[bad].iloc[0]!r} is not a count of persons "
            "(a whole number ≥ 0)"
        )
    for name in columns.categories:
        if cells[name].isna().any():
            row = int(np.flatnonzero(cells[name].isna().to_numpy())[0])
            raise ValidationError(
                f"column {name!r}: row {row} has no category (a missing value is the total, "
                "which Sitthi adds itself)"
            )
    codes = cells[columns.area].astype(str)
    wrong = ~codes.str.fullmatch(r"[0-9]{6}")
    if wrong.any():
        raise ValidationError(
            f"column {columns.area!r}: {codes[wrong].iloc[0]!r} is not a 6-digit DOPA "
            "subdistrict code"
        )
    own = codes.str.slice(2, 4).eq("00") | codes.str.slice(4, 6).eq("00")
    if own.any():
        raise ValidationError(
            f"column {columns.area!r}: {codes[own].iloc[0]!r} is an area's own code "
            "(its district or subdistrict digits are 00), not a subdistrict"
        )
    for level, digits in (("district", 4), ("province", 2)):
        name = f"{level}_code"
        if name in cells.columns and name not in names:
            given = cells[name].astype(str)
            off = given.ne(codes.str.slice(0, digits))
            if off.any():
                row = int(np.flatnonzero(off.to_numpy())[0])
                raise ValidationError(
                    f"column {name!r}: {given.iloc[row]!r} is not the {level} of subdistrict "
                    f"{codes.iloc[row]!r} (a subdistrict's {level} is its first {digits} digits)"
                )
    key = [columns.area, *columns.categories]
    dup = cells.duplicated(subset=key, keep=False)
    if dup.any():
        first = cells.loc[dup, key].iloc[0].to_dict()
        raise ValidationError(f"columns {key}: the cell {first} appears more than once")


def _factorize(column: pd.Series) -> tuple[Ints, Any]:
    import pandas as pd

    codes, uniques = pd.factorize(column, sort=True)
    return codes.astype(np.int64), pd.Index(uniques)


def _areas(subdistricts: NDArray[Any]) -> tuple[NDArray[np.str_], Ints, Ints, Ints]:
    """Area nodes (national, provinces, districts, subdistricts in code order), their levels,
    their parents, and each input row's subdistrict node."""
    subs, leaf = np.unique(subdistricts, return_inverse=True)
    subs = subs.astype(str)
    districts, sub_parent = np.unique(subs.astype("<U4"), return_inverse=True)
    provinces, dist_parent = np.unique(districts.astype("<U2"), return_inverse=True)
    n_p, n_d = len(provinces), len(districts)
    codes = np.concatenate(([NATIONAL_CODE], provinces, districts, subs)).astype(str)
    level = np.concatenate(([0], np.full(n_p, 1), np.full(n_d, 2), np.full(len(subs), 3))).astype(
        np.int64
    )
    parent = np.concatenate(([-1], np.zeros(n_p), 1 + dist_parent, 1 + n_p + sub_parent)).astype(
        np.int64
    )
    return codes, level, parent, (1 + n_p + n_d + leaf).astype(np.int64)


def _ancestors(
    finest: Ints,
    area_parent: Ints,
    n_cat: int,
    strides: Sequence[int],
    sizes: Sequence[int],
) -> list[Ints]:
    """For each finest cell, all its ancestors (itself included), one array per ancestor
    kind: the area at each level crossed with each choice of columns put at their total."""
    areas = [finest // n_cat]
    for _ in range(len(LEVELS) - 1):
        areas.append(area_parent[areas[-1]])
    cats = [finest % n_cat]
    for j, stride in enumerate(strides):
        # Putting column j at its total subtracts its node times its stride.
        cats += [c - ((c // stride) % sizes[j]) * stride for c in cats]
    return [a * n_cat + c for a in areas for c in cats]


def _groups(
    area_parent: Ints, n_cat: int, strides: Sequence[int], sizes: Sequence[int]
) -> tuple[Ints, Ints, Ints]:
    """Every (parent cell, children) relation, as a parent array and a CSR of children."""
    n_cells = len(area_parent) * n_cat
    cells = np.arange(n_cells, dtype=np.int64)
    area, cat = cells // n_cat, cells % n_cat
    parent_parts, child_parts = [], []
    # Area dimension: each non-national cell is a child of its parent area's cell.
    has_parent = area_parent[area] >= 0
    parent_parts.append(area_parent[area[has_parent]] * n_cat + cat[has_parent])
    child_parts.append(cells[has_parent])
    # Category dimensions: a cell at a value of column j is a child of the cell at its total.
    for j, stride in enumerate(strides):
        node = (cat // stride) % sizes[j]
        at_value = node > 0
        parent_parts.append(cells[at_value] - node[at_value] * stride)
        child_parts.append(cells[at_value])
    # A group is a parent within one dimension: number them dimension by dimension.
    parents, children, dims = [], [], []
    for d, (p, c) in enumerate(zip(parent_parts, child_parts, strict=True)):
        parents.append(p)
        children.append(c)
        dims.append(np.full(len(p), d, dtype=np.int64))
    parent_all = np.concatenate(parents)
    child_all = np.concatenate(children)
    key = np.concatenate(dims) * n_cells + parent_all
    order = np.argsort(key, kind="stable")
    key, child_all = key[order], child_all[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    group_parent = key[starts] % n_cells
    group_ptr = np.r_[starts, len(key)].astype(np.int64)
    return group_parent.astype(np.int64), group_ptr, child_all.astype(np.int64)


def _membership(
    n_cells: int, group_parent: Ints, group_ptr: Ints, group_child: Ints
) -> tuple[Ints, Ints]:
    """For each cell, the groups it is a member of (as parent or as child)."""
    n_groups = len(group_parent)
    child_group = np.repeat(np.arange(n_groups, dtype=np.int64), np.diff(group_ptr))
    cells = np.concatenate((group_parent, group_child))
    groups = np.concatenate((np.arange(n_groups, dtype=np.int64), child_group))
    order = np.argsort(cells, kind="stable")
    ptr = np.searchsorted(cells[order], np.arange(n_cells + 1)).astype(np.int64)
    return ptr, groups[order]
