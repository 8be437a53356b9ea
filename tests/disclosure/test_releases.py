"""Two releases: differencing month N and month N+1 under the stated attacker model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sitthi.disclosure import Pattern, Published, UnsafeTable, attack, suppress, verify
from sitthi.errors import ValidationError
from tests.disclosure.tables import next_month, random_cells


def _cells(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["subdistrict_code", "category", "persons"])


# Month N: (100101, a) = 3 is hidden with partners in 100102. Month N+1: nothing changes,
# but a new subdistrict 100104 holds a cheaper partner, so on its own N+1 hides 100104
# and publishes 100102 again; 100102's counts did not change.
MONTH_N = _cells(
    [
        ("100101", "a", 3),
        ("100101", "b", 30),
        ("100102", "a", 20),
        ("100102", "b", 25),
        ("100103", "a", 40),
        ("100103", "b", 45),
    ]
)
MONTH_N1 = pd.concat([MONTH_N, _cells([("100104", "a", 12), ("100104", "b", 50)])])


def _interval(found: pd.DataFrame, release: str, area: str, category: str) -> tuple[float, float]:
    row = found[
        (found.release == release) & (found.area_code == area) & (found.category == category)
    ]
    return float(row.low.item()), float(row.high.item())


def test_differencing_two_releases_recovers_a_cell_when_the_pattern_moves() -> None:
    before, after = suppress(MONTH_N), suppress(MONTH_N1)
    # Each release is safe on its own …
    for published in (before, after):
        found = attack(published.table, ["category"])
        assert (found.high - found.low >= 1).all()
    # … but "100102 did not change" gives the small cell of month N back, and with it N+1's.
    found = attack(after.table, ["category"], previous=before.table, max_change=0)
    assert _interval(found, "previous", "100101", "a") == (3.0, 3.0)
    assert _interval(found, "current", "100101", "a") == (3.0, 3.0)


def test_the_previous_pattern_keeps_both_releases_safe() -> None:
    before = suppress(MONTH_N)
    after = suppress(MONTH_N1, previous=before.pattern, max_change=0)
    found = attack(after.table, ["category"], previous=before.table, max_change=0)
    for release in ("previous", "current"):
        low, high = _interval(found, release, "100101", "a")
        assert high >= 10
        assert high - low >= 1
    reasons = after.pattern.cells.set_index(["area_code", "category"]).reason.astype(str)
    assert reasons[("100102", "a")] == "previous"
    assert reasons[("100102", "b")] == "previous"
    verify(after, previous=before.pattern, max_change=0)


@pytest.mark.parametrize("seed", range(4))
def test_a_month_of_changes_is_safe_under_the_stated_model(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    month_n = random_cells(rng, provinces=2, categories=3, mean=10)
    month_n1 = next_month(month_n, rng, changing=0.3, size=2)
    before = suppress(month_n)
    # The outsider of the model: sure of every count to within 1 person of the other
    # month's, and of the real change where it was larger.
    change = month_n1.assign(
        bound=np.maximum(1, (month_n1.persons - month_n.persons).abs()),
        area_code=month_n1.subdistrict_code,
    )
    alone = suppress(month_n1)
    assert _narrowed(before, alone, change) > 0
    after = suppress(month_n1, previous=before.pattern, max_change=1)
    assert _narrowed(before, after, change) == 0


def _narrowed(before: Published, after: Published, change: pd.DataFrame) -> int:
    """Cells the joint rule covers that the two releases together narrow below it."""
    found = attack(after.table, ["category"], previous=before.table, change_bounds=change).astype(
        {"area_code": str, "category": object}
    )
    ask = _asked(before, after)
    checked = found.merge(ask, on=["release", "area_code", "category", "level"])
    assert len(checked) == len(ask) > 0
    return int(((checked.high < 10 - 1e-6) | (checked.high - checked.low < 1 - 1e-6)).sum())


def _asked(before: Published, after: Published) -> pd.DataFrame:
    """The cells the joint rule covers: small before, or small now and hidden before."""
    b = before.pattern.cells
    a = after.pattern.cells
    on = ["level", "area_code", "category"]
    b = b.astype(dict.fromkeys(on, object))
    a = a.astype(dict.fromkeys(on, object))
    small_before = b[b.reason.astype(str) == "primary"][on].assign(release="previous")
    hidden_before = b[b.suppressed][on]
    small_now = a[a.reason.astype(str) == "primary"][on].merge(hidden_before, on=on)
    return pd.concat([small_before, small_now.assign(release="current")], ignore_index=True)


def test_a_pattern_survives_saving_and_loading(tmp_path: Path) -> None:
    before = suppress(MONTH_N)
    before.pattern.save(tmp_path / "pattern.parquet")
    loaded = Pattern.load(tmp_path / "pattern.parquet")
    assert loaded.k == before.pattern.k
    assert loaded.protection == before.pattern.protection
    again = suppress(MONTH_N1, previous=loaded, max_change=0)
    direct = suppress(MONTH_N1, previous=before.pattern, max_change=0)
    assert (again.table.suppressed == direct.table.suppressed).all()
    (tmp_path / "other.parquet").write_bytes(b"not parquet")
    with pytest.raises(ValidationError, match="not a suppression pattern"):
        Pattern.load(tmp_path / "other.parquet")


def test_verify_refuses_a_table_that_shows_what_it_should_hide() -> None:
    published = suppress(MONTH_N)
    verify(published)
    shown = published.table.copy()
    hidden = shown.index[shown.suppressed][0]
    shown.loc[hidden, "value"] = 3
    shown.loc[hidden, "suppressed"] = False
    with pytest.raises(UnsafeTable, match="shows a count"):
        verify(type(published)(table=shown, pattern=published.pattern, summary=published.summary))


def test_verify_refuses_a_pattern_with_too_few_complements() -> None:
    published = suppress(MONTH_N)
    cells = published.pattern.cells.copy()
    complement = cells.index[cells.reason.astype(str) == "complementary"][0]
    cells.loc[complement, "suppressed"] = False
    table = published.table.copy()
    table.loc[complement, "suppressed"] = False
    table.loc[complement, "value"] = cells.loc[complement, "value"]
    pattern = Pattern(
        cells=cells,
        columns=published.pattern.columns,
        k=published.pattern.k,
        protection=published.pattern.protection,
    )
    with pytest.raises(UnsafeTable, match="narrowed beyond the rule"):
        verify(type(published)(table=table, pattern=pattern, summary=published.summary))


# Month N hides (100101, a) = 6 and (100102, a) = 4 together; in month N+1 the 4 has left
# (a zero is published) and nothing else changed, so the 6 has no partner left to trade
# persons with that month N did not pin.
EMPTIED_N = _cells(
    [
        ("100101", "a", 6),
        ("100101", "b", 40),
        ("100102", "a", 4),
        ("100102", "b", 35),
        ("100103", "a", 30),
        ("100103", "b", 50),
    ]
)
EMPTIED_N1 = EMPTIED_N.assign(persons=[6, 40, 0, 35, 30, 50])


@pytest.mark.parametrize(("max_change", "totals_hidden"), [(0, True), (5, False)])
def test_a_partner_that_empties_costs_what_the_model_demands(
    max_change: int, totals_hidden: bool
) -> None:
    before = suppress(EMPTIED_N)
    after = suppress(EMPTIED_N1, previous=before.pattern, max_change=max_change)
    table = after.table
    national = table[(table.area_code == "TH") & table.category.isna()]
    # Sure that nothing changed, an outsider can only be kept from the 6 by hiding the
    # totals above it; allowing 5 persons of doubt, month N's pattern is enough.
    assert bool(national.suppressed.item()) is totals_hidden
    change = EMPTIED_N1.assign(
        bound=np.maximum(max_change, (EMPTIED_N1.persons - EMPTIED_N.persons).abs()),
        area_code=EMPTIED_N1.subdistrict_code,
    )
    assert _narrowed(before, after, change) == 0


def test_a_release_differencing_still_narrows_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import sitthi.disclosure.publish as publish

    before = suppress(EMPTIED_N)
    monkeypatch.setattr(publish, "JOINT_ROUNDS", 1)
    with pytest.raises(UnsafeTable, match="differencing this release"):
        suppress(EMPTIED_N1, previous=before.pattern, max_change=0)


def test_releases_with_other_categories_are_not_compared() -> None:
    before = suppress(MONTH_N)
    other = MONTH_N.rename(columns={"category": "group"})
    with pytest.raises(ValidationError, match="releases compared must have the same"):
        suppress(other, category_columns=("group",), previous=before.pattern)
