"""National size: 77 provinces, 928 districts, 7,436 subdistricts × 10 groups (slow)."""

from __future__ import annotations

import pytest

from sitthi.disclosure import verify
from tests.disclosure.benchmark import run


@pytest.mark.slow
def test_two_national_months_are_published_and_verified() -> None:
    first, second = run(months=2)
    for published in (first, second):
        assert published.summary.cells == 92_862
        assert published.table.suppressed.sum() > published.summary.primary > 1000
    verify(first)
    verify(second, previous=first.pattern)
