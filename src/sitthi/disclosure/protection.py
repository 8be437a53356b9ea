"""The rule: which cells are sensitive, and how vaguely an outsider must know them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sitthi.errors import ValidationError

#: Cells counting fewer persons than this are suppressed unless the caller says otherwise
#: (the setting ``SITTHI_SUPPRESSION_K``, `Settings.suppression_k`).
DEFAULT_K = 10

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class Protection:
    """How wide the interval an outsider can narrow a sensitive cell to must stay.

    A cell counting ``v`` persons with ``0 < v < k`` is sensitive (a zero is published: it
    says nobody, so it names nobody). Whatever an outsider solves from the published cells,
    their sums and the fact that counts are never negative, the values he cannot rule out
    must reach from at most ``v − ⌈share·v⌉`` up to at least ``max(v + ⌈share·v⌉, k)``
    (``k`` only when ``reach_k``): he can neither tell that the cell holds fewer than ``k``
    persons nor pin it within ``share`` of its value. Every suppressed cell, sensitive or
    not, must keep an interval at least one person wide, so none is ever determined.

    Example:
        >>> Protection().required(np.array([3.0]), k=10)
        (array([1.]), array([10.]))
    """

    share: float = 0.5
    reach_k: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.share <= 1:
            raise ValidationError(f"protection share {self.share}: expected 0 to 1")

    def required(self, value: Floats, *, k: int) -> tuple[Floats, Floats]:
        """The highest lower end and the lowest upper end the interval of each sensitive
        cell of ``value`` may have."""
        margin = np.ceil(self.share * value - 1e-9)
        upper = value + margin
        if self.reach_k:
            upper = np.maximum(upper, float(k))
        return np.maximum(value - margin, 0.0), upper


def check_k(k: int) -> int:
    """``k`` itself, when it is a usable threshold (as the setting requires, ≥ 2)."""
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 2:
        raise ValidationError(f"k={k!r}: expected a whole number ≥ 2")
    return int(k)
