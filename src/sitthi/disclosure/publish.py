"""`suppress`: the one door every aggregate leaves Sitthi by.

It takes counts of persons per subdistrict and category, builds the whole table (every
level, every margin), suppresses small cells and their complements, proves with linear
programming that no suppressed cell can be narrowed beyond the rule (`Protection`), also
against differencing with the previous release, and returns what may be published
(`Published.table`) apart from what must stay inside (`Published.pattern`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from sitthi.disclosure.audit import Audit, Requirement, UnsafeTable, audit
from sitthi.disclosure.complement import (
    COMPLEMENTARY,
    PREVIOUS,
    PRIMARY,
    REASONS,
    Suppressor,
)
from sitthi.disclosure.protection import DEFAULT_K, Protection, check_k
from sitthi.disclosure.releases import (
    JointAudit,
    Pairing,
    Previous,
    check_joint,
    hidden_before_near,
)
from sitthi.disclosure.system import release_system
from sitthi.disclosure.table import Columns, Table, build_table
from sitthi.errors import ValidationError

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped]

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]

#: Rounds of audit and repair before giving up (each round suppresses more; a table that
#: needs this many has been suppressed nearly whole long before).
MAX_ROUNDS = 50
#: Rounds of the joint audit with the previous release (each carries cells over or adds
#: partners); a release still failing after them is refused.
JOINT_ROUNDS = 10
#: Persons by which an outsider is taken to be sure a count he cannot see changed at most
#: between two releases (docs/DISCLOSURE.md, "Between releases", says why not 0).
DEFAULT_MAX_CHANGE = 1
_METADATA_KEY = b"sitthi.disclosure.pattern"


@dataclass(frozen=True)
class Summary:
    """What a run did and what it cost (for logs and the release's lineage)."""

    cells: int
    primary: int
    complementary: int
    previous: int
    rounds: int
    lps: int
    seconds: float
    audit_seconds: float
    sent_back: int
    """Cells the audit found too narrow after the greedy step (then repaired): why the
    audit cannot be skipped."""
    joint_lps: int = 0
    joint_seconds: float = 0.0


@dataclass(frozen=True)
class Pattern:
    """The private side of a release: every cell's true count and why it is suppressed.

    Keep it with the release, inside Sitthi, and pass it as ``previous`` to the next
    `suppress`. **Never publish it**: it holds the counts the table hides, and which
    suppressed cells are small (reason ``primary``).
    """

    cells: pd.DataFrame  # level, area_code, categories…, value, suppressed, reason
    columns: Columns
    k: int
    protection: Protection

    def save(self, path: Path | str) -> None:
        """Write the pattern to a Parquet file (the rule and column names in its metadata)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        arrow = pa.Table.from_pandas(self.cells, preserve_index=False)
        meta = {
            "columns": asdict(self.columns),
            "k": self.k,
            "protection": asdict(self.protection),
        }
        schema_meta = dict(arrow.schema.metadata or {})
        schema_meta[_METADATA_KEY] = json.dumps(meta).encode()
        pq.write_table(arrow.replace_schema_metadata(schema_meta), str(path))

    @classmethod
    def load(cls, path: Path | str) -> Pattern:
        """Read a pattern `save` wrote."""
        import pyarrow.parquet as pq

        try:
            arrow = pq.read_table(str(path))
        except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
            raise ValidationError(f"{path}: not a suppression pattern ({exc})") from exc
        raw = (arrow.schema.metadata or {}).get(_METADATA_KEY)
        if raw is None:
            raise ValidationError(f"{path}: not a suppression pattern (no pattern metadata)")
        meta = json.loads(raw)
        columns = Columns(
            area=meta["columns"]["area"],
            categories=tuple(meta["columns"]["categories"]),
            value=meta["columns"]["value"],
        )
        return cls(
            cells=arrow.to_pandas(),
            columns=columns,
            k=int(meta["k"]),
            protection=Protection(**meta["protection"]),
        )


@dataclass(frozen=True)
class Published:
    """A table safe to publish, and the pattern to keep.

    ``table`` has one row per cell: ``level`` (national, province, district, subdistrict),
    ``area_code`` (``TH`` for the country), one column per category (missing at the
    column's total), ``value`` (missing when suppressed) and ``suppressed``. It says
    nothing about why a cell is suppressed: "primary" would mean "this cell is small".
    """

    table: pd.DataFrame
    pattern: Pattern
    summary: Summary

    @property
    def category_columns(self) -> tuple[str, ...]:
        return self.pattern.columns.categories

    def rate(
        self,
        numerator: Mapping[str, Any],
        *,
        denominator: Mapping[str, Any] | None = None,
        population: Mapping[str, float] | pd.Series | None = None,
        per: float = 1000.0,
    ) -> pd.DataFrame:
        """A rate per area from published counts only (see `sitthi.disclosure.rates.rate`)."""
        from sitthi.disclosure.rates import rate

        return rate(
            self.table,
            self.category_columns,
            numerator,
            denominator=denominator,
            population=population,
            per=per,
        )


def suppress(
    cells: pd.DataFrame,
    *,
    k: int = DEFAULT_K,
    area_column: str = "subdistrict_code",
    category_columns: Sequence[str] = ("category",),
    value_column: str = "persons",
    previous: Pattern | None = None,
    protection: Protection | None = None,
    max_change: int = DEFAULT_MAX_CHANGE,
) -> Published:
    """The publishable table of ``cells``: small cells and their complements suppressed.

    Args:
        cells: one row per subdistrict (6-digit DOPA code in ``area_column``) and category
            (``category_columns``), counting persons in ``value_column``; a missing row
            counts zero. Districts, provinces, the country and every total are added.
        k: cells counting 1 to ``k − 1`` persons are suppressed (pass
            ``settings.suppression_k``).
        previous: the previous release's `Published.pattern`; the two releases together
            must not reveal what either hides (`sitthi.disclosure.releases`).
        protection: how vaguely a suppressed small cell must stay known (`Protection`).
        max_change: persons by which an outsider is taken to be sure no subdistrict ×
            category cell changed since ``previous`` (where one changed more, he is taken
            to know by how much).

    Returns:
        `Published`: the table (``value`` missing where suppressed) and the pattern to keep.

    Raises:
        ValidationError: bad input (named by column and value).
        UnsafeTable: the audit could not be completed, or differencing with ``previous``
            would still narrow a cell; nothing is returned to publish.

    Example:
        >>> import pandas as pd
        >>> cells = pd.DataFrame({"subdistrict_code": ["100101", "100101", "100102",
        ...     "100102"], "category": ["elderly", "disabled", "elderly", "disabled"],
        ...     "persons": [40, 3, 35, 20]})
        >>> t = suppress(cells).table
        >>> t[t.suppressed].shape[0]
        4
    """
    start = perf_counter()
    k = check_k(k)
    protection = protection or Protection()
    if isinstance(max_change, bool) or not isinstance(max_change, int) or max_change < 0:
        raise ValidationError(f"max_change={max_change!r}: expected a whole number ≥ 0")
    columns = Columns(area=area_column, categories=tuple(category_columns), value=value_column)
    if previous is not None and previous.columns.categories != columns.categories:
        raise ValidationError(
            f"previous: its categories {list(previous.columns.categories)} are not this "
            f"table's {list(columns.categories)}; releases compared must have the same"
        )
    table = build_table(cells, columns)
    value = table.value.astype(np.float64)
    primary = (table.value > 0) & (table.value < k)
    lo_req, hi_req = protection.required(value, k=k)
    before = Previous.from_pattern(previous) if previous is not None else None
    pairing = room = None
    if before is not None:
        pairing = Pairing.of(table, before, max_change=max_change)
        # Partners the previous release pins are worth little against differencing.
        room = pairing.room_down(table, before)
    state = Suppressor(table, primary, need_up=hi_req - value, need_down=value - lo_req, room=room)
    state.settle()
    run = _Run(table=table, state=state, primary=primary, lo_req=lo_req, hi_req=hi_req)
    run.until_safe_alone()
    if before is not None and pairing is not None:
        run.until_safe_jointly(before, pairing, k=k, reach_k=protection.reach_k)
    keys = table.keys()
    published = keys.assign(
        value=_published_values(table.value, state.suppressed),
        suppressed=state.suppressed,
    )
    pattern = Pattern(
        cells=keys.assign(
            value=table.value,
            suppressed=state.suppressed,
            reason=_reasons(state.reason),
        ),
        columns=columns,
        k=k,
        protection=protection,
    )
    summary = Summary(
        cells=table.n_cells,
        primary=int((state.reason == PRIMARY).sum()),
        complementary=int((state.reason == COMPLEMENTARY).sum()),
        previous=int((state.reason == PREVIOUS).sum()),
        rounds=run.rounds,
        lps=run.lps,
        seconds=perf_counter() - start,
        audit_seconds=run.audit_seconds,
        sent_back=run.sent_back,
        joint_lps=run.joint_lps,
        joint_seconds=run.joint_seconds,
    )
    return Published(table=published, pattern=pattern, summary=summary)


@dataclass
class _Run:
    """The audit-and-repair loop of one table, and what it cost."""

    table: Table
    state: Suppressor
    primary: Bools
    lo_req: Floats
    hi_req: Floats
    rounds: int = 0
    lps: int = 0
    audit_seconds: float = 0.0
    joint_lps: int = 0
    joint_seconds: float = 0.0
    sent_back: int = 0
    # What the last audit saw: a block no cell has joined since, and in which nothing
    # failed, is the same system it passed, so it is not solved again.
    _seen: Bools | None = None
    _failing: Bools | None = None

    def until_safe_alone(self) -> None:
        """Audit and repair until the release is safe on its own."""
        while True:
            suppressed = self.state.suppressed
            focus = None
            if self._seen is not None and self._failing is not None:
                focus = (suppressed & ~self._seen) | self._failing
            found = _audit_alone(
                self.table, self.state, self.primary, self.lo_req, self.hi_req, focus
            )
            cells = found[2]
            self._seen = suppressed.copy()
            self._failing = np.zeros(len(suppressed), dtype=bool)
            self._failing[cells[~found[0].ok]] = True
            self.sent_back += int((~found[0].ok).sum())
            self.rounds += 1
            self.lps += found[0].lps
            self.audit_seconds += found[0].seconds
            if found[0].safe:
                return
            if self.rounds >= MAX_ROUNDS:
                raise UnsafeTable(
                    f"the suppression did not pass its audit in {MAX_ROUNDS} rounds; "
                    "nothing is published"
                )
            _repair(self.state, found)
            self.state.settle()

    def until_safe_jointly(
        self, before: Previous, pairing: Pairing, *, k: int, reach_k: bool
    ) -> None:
        """Audit both releases together, keeping the previous pattern where differencing
        narrows a cell, until it does not; refuse after `JOINT_ROUNDS`."""
        state = self.state
        seen = failing_now = failing_before = None
        for attempt in range(JOINT_ROUNDS):
            focus_now = None
            if seen is not None and failing_now is not None:
                focus_now = (state.suppressed & ~seen) | failing_now
            joint = check_joint(
                self.table,
                state.suppressed,
                self.primary,
                before,
                pairing,
                k=k,
                reach_k=reach_k,
                focus_now=focus_now,
                focus_before=failing_before,
            )
            seen = state.suppressed.copy()
            failing_now, failing_before = joint.failing_now, joint.failing_before
            self.joint_lps += joint.result.lps
            self.joint_seconds += joint.result.seconds
            if joint.result.safe:
                return
            if attempt < JOINT_ROUNDS - 1:
                _carry(state, joint, before, pairing, attempt)
                state.settle()
                self.until_safe_alone()
        raise UnsafeTable(
            f"differencing this release with the previous one would narrow "
            f"{int((~joint.result.ok).sum())} suppressed cells below the rule even after "
            f"{JOINT_ROUNDS} rounds of keeping the previous pattern; nothing is published "
            '(see docs/DISCLOSURE.md, "Between releases")'
        )


def _audit_alone(
    table: Table,
    state: Suppressor,
    primary: Bools,
    lo_req: Floats,
    hi_req: Floats,
    focus: Bools | None = None,
) -> tuple[Audit, Requirement, NDArray[np.int64]]:
    """The single-release audit: every suppressed cell at least one person wide, every
    small one over its whole required interval."""
    value = table.value.astype(np.float64)
    system, cells = release_system(table, state.suppressed, value)
    small = primary[cells]
    need = Requirement(
        hi=np.where(small, hi_req[cells], -np.inf),
        lo=np.where(small, lo_req[cells], np.inf),
        width=np.ones(len(cells)),
    )
    in_focus = None if focus is None else focus[cells]
    return audit(system, value[cells], need, focus=in_focus), need, cells


def _repair(state: Suppressor, result: tuple[Audit, Requirement, NDArray[np.int64]]) -> None:
    found, need, cells = result
    bad = ~found.ok
    narrow = (found.hi - found.lo < need.width - 1e-6)[bad]
    short_up = np.maximum(need.hi - found.hi, 0.0)[bad]
    short_down = np.maximum(found.lo - need.lo, 0.0)[bad]
    # A cell too narrow must move a person either way.
    short_up = np.where(narrow, np.maximum(short_up, 1.0), short_up)
    short_down = np.where(narrow, np.maximum(short_down, 1.0), short_down)
    state.repair(cells[bad], short_up, short_down)


def _carry(
    state: Suppressor, joint: JointAudit, before: Previous, pairing: Pairing, attempt: int
) -> None:
    """Act on a failed joint audit: hide again what the previous release hid around the
    failing cells (in their block, then their district, then their province), and give
    the failing cells partners able to move."""
    table = state.table
    carry = joint.carry
    if attempt >= 2 and len(joint.repair):
        digits = 4 if attempt < 4 else 2
        carry = np.union1d(carry, hidden_before_near(table, before, pairing, joint.repair, digits))
    carry = carry[~state.suppressed[carry]]
    if len(carry):
        state.carry(carry)
        return
    shown = ~state.suppressed[joint.repair]
    state.carry(joint.repair[shown])
    hidden = joint.repair[~shown]
    if len(hidden):
        state.repair(hidden, joint.short[~shown], np.zeros(len(hidden)))
    if not len(joint.repair):
        raise UnsafeTable(
            "the previous release's hidden cells would be revealed by differencing, and no "
            "cell of this release can hide them; nothing is published"
        )


def _published_values(value: NDArray[np.int64], suppressed: Bools) -> Any:
    import pandas as pd

    published = pd.array(value, dtype="Int64")
    published[suppressed] = pd.NA
    return published


def _reasons(reason: NDArray[np.int8]) -> Any:
    import pandas as pd

    # Published cells have no reason (code −1 is missing).
    return pd.Categorical.from_codes(reason.astype(np.int64) - 1, list(REASONS[1:]))


def suppress_query(
    con: Any, sql: str, params: Mapping[str, Any] | Sequence[Any] | None = None, **options: Any
) -> Published:
    """`suppress` the result of a DuckDB query (one row per subdistrict and category).

    Example:
        >>> import duckdb
        >>> con = duckdb.connect()
        >>> p = suppress_query(con, "select '100101' as subdistrict_code, 'elderly' as "
        ...     "category, 42 as persons")
        >>> int(p.table.value.iloc[0])
        42
    """
    frame = con.execute(sql, params).df() if params is not None else con.execute(sql).df()
    return suppress(frame, **options)


def verify(
    published: Published,
    *,
    previous: Pattern | None = None,
    max_change: int = DEFAULT_MAX_CHANGE,
) -> None:
    """Refuse a table that is not safe to publish (before serving a stored release, say).

    Re-runs the audit from ``published.pattern`` and checks that ``published.table`` shows
    exactly the pattern's published counts and hides the rest.

    Raises:
        UnsafeTable: a hidden count is shown, or the audit finds a cell too narrow.
    """
    pattern = published.pattern
    prev = Previous.from_pattern(pattern)
    table, suppressed = prev.table, prev.suppressed
    shown = published.table
    if len(shown) != table.n_cells:
        raise UnsafeTable("the published table does not have one row per cell of its pattern")
    hidden = shown["value"].isna().to_numpy()
    true = pattern.cells["value"].to_numpy(dtype=np.int64)
    flags = pattern.cells["suppressed"].to_numpy(dtype=bool)
    if (hidden != flags).any() or (shown["suppressed"].to_numpy(dtype=bool) != flags).any():
        raise UnsafeTable("the published table shows a count its pattern suppresses")
    if (shown["value"].to_numpy(dtype=np.float64, na_value=np.nan)[~flags] != true[~flags]).any():
        raise UnsafeTable("the published table differs from its pattern's counts")
    value = table.value.astype(np.float64)
    primary = prev.primary
    lo_req, hi_req = pattern.protection.required(value, k=pattern.k)
    state = Suppressor(table, primary, need_up=hi_req - value, need_down=value - lo_req)
    state.suppressed[:] = suppressed
    found = _audit_alone(table, state, primary, lo_req, hi_req)[0]
    if not found.safe:
        raise UnsafeTable(
            f"{int((~found.ok).sum())} suppressed cells can be narrowed beyond the rule"
        )
    if previous is not None:
        before = Previous.from_pattern(previous)
        joint = check_joint(
            table,
            suppressed,
            primary,
            before,
            Pairing.of(table, before, max_change=max_change),
            k=pattern.k,
            reach_k=pattern.protection.reach_k,
        )
        if not joint.result.safe:
            raise UnsafeTable(
                f"differencing with the previous release narrows "
                f"{int((~joint.result.ok).sum())} suppressed cells beyond the rule"
            )
