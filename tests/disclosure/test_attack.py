"""The attack: solve every suppressed cell from what is published, as an outsider would."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitthi.disclosure import Protection, Published, attack, suppress
from tests.disclosure.tables import random_cells

K = 10


def _broken(published: Published, found: pd.DataFrame, protection: Protection) -> pd.DataFrame:
    """Suppressed cells the attack narrows beyond the rule (needs the hidden truth)."""
    categories = list(published.category_columns)
    truth = published.pattern.cells
    on = ["level", "area_code", *categories]
    m = found.astype(dict.fromkeys(on, "object")).merge(
        truth.astype(dict.fromkeys(on, "object")), on=on, how="left"
    )
    value = m["value"].to_numpy(dtype=np.float64)
    lo, hi = protection.required(value, k=published.pattern.k)
    small = (m["reason"].astype(str) == "primary").to_numpy()
    eps = 1e-6
    narrow = m.high.to_numpy() - m.low.to_numpy() < 1 - eps
    short = small & ((m.high.to_numpy() < hi - eps) | (m.low.to_numpy() > lo + eps))
    return m[narrow | short]


@pytest.mark.parametrize("seed", range(8))
def test_no_suppressed_cell_can_be_solved_for(seed: int) -> None:
    rng = np.random.default_rng(seed)
    cells = random_cells(
        rng,
        provinces=int(rng.integers(1, 4)),
        categories=int(rng.integers(2, 5)),
        mean=float(rng.uniform(3, 20)),
    )
    published = suppress(cells, k=K)
    found = attack(published.table, ["category"])
    assert len(found) == published.table.suppressed.sum() > 0
    assert _broken(published, found, Protection()).empty
    # Every suppressed cell has a range, and every small one reaches k.
    assert (found.high - found.low >= 1 - 1e-6).all()


def test_without_complements_the_attack_recovers_the_small_cells() -> None:
    rng = np.random.default_rng(3)
    cells = random_cells(rng, provinces=2, categories=3, mean=8)
    published = suppress(cells, k=K)
    table = published.table.copy()
    small = (published.pattern.cells["reason"].astype(str) == "primary").to_numpy()
    # Publish what only primary suppression would have published.
    table["suppressed"] = small
    table["value"] = published.pattern.cells["value"].astype("Int64").mask(small)
    found = attack(table, ["category"])
    exact = found[(found.high - found.low) < 1e-6]
    assert len(exact) > 0.5 * small.sum()
    truth = published.pattern.cells.set_index(["area_code", "category"])["value"]
    for row in exact.head(20).itertuples():
        assert row.low == pytest.approx(truth[(row.area_code, row.category)])
    assert not _broken(published, attack(published.table, ["category"]), Protection()).shape[0]


def test_two_category_columns_are_protected_across_all_their_margins() -> None:
    rng = np.random.default_rng(7)
    rows = []
    for s in ("100101", "100102", "100103", "100201", "100202"):
        for programme in ("allowance", "card", "care"):
            for gap in ("missing", "wrong"):
                rows.append((s, programme, gap, int(rng.poisson(9))))
    cells = pd.DataFrame(rows, columns=["subdistrict_code", "programme", "gap", "persons"])
    published = suppress(cells, category_columns=("programme", "gap"))
    found = attack(published.table, ["programme", "gap"])
    assert len(found) > 0
    assert _broken(published, found, Protection()).empty


@pytest.mark.parametrize(
    "protection", [Protection(share=0.0, reach_k=False), Protection(share=1.0)]
)
def test_the_rule_asked_for_is_the_rule_met(protection: Protection) -> None:
    rng = np.random.default_rng(11)
    cells = random_cells(rng, provinces=2, categories=3, mean=10)
    published = suppress(cells, protection=protection)
    found = attack(published.table, ["category"])
    assert _broken(published, found, protection).empty
    if protection.share == 1.0:
        # Every small cell could be empty, as far as an outsider can tell.
        small = published.pattern.cells.reason.astype(str) == "primary"
        keys = published.pattern.cells[small][["area_code", "category"]]
        low = found.merge(keys, on=["area_code", "category"]).low
        assert (low <= 1e-6).all()


def test_a_looser_rule_hides_no_more_than_a_stricter_one() -> None:
    rng = np.random.default_rng(5)
    cells = random_cells(rng, provinces=3, categories=4, mean=6)
    loose = suppress(cells, protection=Protection(share=0.0, reach_k=False))
    strict = suppress(cells, protection=Protection(share=1.0))
    assert loose.table.suppressed.sum() <= strict.table.suppressed.sum()


@settings(max_examples=25)
@given(
    counts=st.lists(st.integers(0, 30), min_size=4, max_size=24),
    categories=st.integers(2, 4),
    k=st.integers(2, 12),
)
def test_any_small_table_survives_the_attack(counts: list[int], categories: int, k: int) -> None:
    n_sub = max(1, len(counts) // categories)
    rows = [
        (f"10{1 + s // 3:02d}{1 + s % 3:02d}", f"c{c}", counts[(s * categories + c) % len(counts)])
        for s in range(n_sub)
        for c in range(categories)
    ]
    cells = pd.DataFrame(rows, columns=["subdistrict_code", "category", "persons"])
    published = suppress(cells, k=k)
    table = published.table
    # A published count is the true count; a small one is never published.
    truth = published.pattern.cells["value"]
    shown = ~table.suppressed
    assert (table.value[shown].astype(int) == truth[shown]).all()
    assert not ((truth > 0) & (truth < k) & shown).any()
    if table.suppressed.any():
        assert _broken(published, attack(table, ["category"]), Protection()).empty
