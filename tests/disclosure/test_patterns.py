"""Suppression patterns worked out by hand on small tables."""

from __future__ import annotations

import pandas as pd
import pytest

from sitthi.disclosure import attack, suppress


def _cells(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["subdistrict_code", "category", "persons"])


def _hidden(cells: pd.DataFrame, **options: object) -> set[tuple[str, str | None]]:
    table = suppress(cells, **options).table  # type: ignore[arg-type]
    rows = table[table.suppressed]
    return {
        (a, None if pd.isna(c) else c) for a, c in zip(rows.area_code, rows.category, strict=True)
    }


def test_one_small_cell_in_a_two_by_two_hides_the_other_three() -> None:
    # Row 100101 and column a each lose their published sum's second unknown, and the
    # fourth corner closes the rectangle; every total stays published.
    cells = _cells(
        [("100101", "a", 3), ("100101", "b", 40), ("100102", "a", 20), ("100102", "b", 35)]
    )
    assert _hidden(cells) == {("100101", "a"), ("100101", "b"), ("100102", "a"), ("100102", "b")}


def test_partners_are_the_smallest_cells_able_to_absorb_the_move() -> None:
    # (100101, a) = 2 must be able to reach 10, so each partner beside it holds ≥ 8: the
    # 15 in its row (not the 50), the 12 in its column (not the 30); the rectangle closes
    # on (100103, c) = 90 rather than (100102, c) = 70, because it is the fourth corner.
    cells = _cells(
        [
            ("100101", "a", 2),
            ("100101", "b", 50),
            ("100101", "c", 15),
            ("100102", "a", 30),
            ("100102", "b", 60),
            ("100102", "c", 70),
            ("100103", "a", 12),
            ("100103", "b", 80),
            ("100103", "c", 90),
        ]
    )
    assert _hidden(cells) == {("100101", "a"), ("100101", "c"), ("100103", "a"), ("100103", "c")}


def test_a_partner_too_small_to_absorb_the_move_is_passed_over() -> None:
    # 5 cannot take the 7 persons (100101, a) = 3 must be able to gain; 9 can.
    cells = _cells(
        [
            ("100101", "a", 3),
            ("100101", "b", 40),
            ("100102", "a", 5),
            ("100102", "b", 50),
            ("100103", "a", 9),
            ("100103", "b", 60),
        ]
    )
    hidden = _hidden(cells)
    assert ("100103", "a") in hidden
    assert ("100102", "a") in hidden  # 5 is small itself


def test_zeros_are_published_and_are_not_sensitive() -> None:
    cells = _cells(
        [("100101", "a", 0), ("100101", "b", 40), ("100102", "a", 25), ("100102", "b", 35)]
    )
    assert _hidden(cells) == set()


def test_a_whole_district_of_small_cells_keeps_only_its_safe_totals() -> None:
    # Province 10 has one district, so its cells are the district's; everything counting
    # fewer than 10 goes, and the three totals of 13 stay.
    cells = _cells(
        [
            ("100101", "a", 2),
            ("100101", "b", 3),
            ("100102", "a", 4),
            ("100102", "b", 1),
            ("100103", "a", 1),
            ("100103", "b", 2),
        ]
    )
    table = suppress(cells).table
    assert set(table[~table.suppressed].value) == {13}
    assert set(table[~table.suppressed].area_code) == {"TH", "10", "1001"}
    found = attack(table, ["category"])
    assert (found.high - found.low >= 1).all()


def test_a_province_with_one_district_hides_both_together() -> None:
    cells = _cells(
        [
            ("100101", "a", 4),
            ("100101", "b", 30),
            ("100102", "a", 25),
            ("100102", "b", 35),
            ("110101", "a", 40),
            ("110101", "b", 45),
            ("110201", "a", 50),
            ("110201", "b", 55),
        ]
    )
    table = suppress(cells).table.set_index(["area_code", "category"])
    for category in ("a", "b"):
        assert (
            table.loc[("10", category), "suppressed"] == table.loc[("1001", category), "suppressed"]
        )
    found = attack(suppress(cells).table, ["category"])
    assert (found.high - found.low >= 1).all()


def test_a_small_district_total_takes_complements_among_districts() -> None:
    # District 1002's only subdistrict counts 6 in a, so 1002's a is small too, and the
    # province's a (published) would give it away without a second district hidden.
    cells = _cells(
        [
            ("100101", "a", 30),
            ("100101", "b", 40),
            ("100201", "a", 6),
            ("100201", "b", 50),
            ("100301", "a", 20),
            ("100301", "b", 60),
        ]
    )
    hidden = _hidden(cells)
    assert {("1002", "a"), ("100201", "a")} <= hidden
    assert ("1003", "a") in hidden or ("1001", "a") in hidden


# k = 31: the 3, the 20 and the column a above them (23 at every level) are small; each
# takes the b beside it, and the national total of 98 keeps them all in [0, 98].
@pytest.mark.parametrize(("k", "hidden"), [(3, 0), (5, 4), (10, 4), (31, 10)])
def test_k_is_configurable(k: int, hidden: int) -> None:
    cells = _cells(
        [("100101", "a", 3), ("100101", "b", 40), ("100102", "a", 20), ("100102", "b", 35)]
    )
    assert len(_hidden(cells, k=k)) == hidden
