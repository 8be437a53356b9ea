"""Shape and truth hold at a larger size (slow: run by `make test-slow` and CI)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sitthi.synth.world import generate_world


@pytest.mark.slow
def test_a_200k_world_keeps_thailands_shape_and_complete_truth(tmp_path: Path) -> None:
    summary = generate_world(tmp_path, persons=200_000, seed=11)
    pop = summary.population
    assert 0.18 <= pop["share_60_plus"] <= 0.22
    assert 0.14 <= pop["share_under_15"] <= 0.18
    assert 0.03 <= pop["with_disability"] / summary.persons <= 0.04
    assert 0.004 <= pop["died_in_last_two_years"] / summary.persons / 2 <= 0.012
    # About a fifth to a quarter of people hold a state welfare card (14.6M of 66M).
    assert 0.18 <= pop["welfare_card_registered"] / summary.persons <= 0.30
    truth = pd.read_csv(tmp_path / "truth" / "linkage_truth.csv", dtype=str)
    assert len(truth) == sum(int(str(e["rows"])) for e in summary.extracts)
    assert not truth.duplicated(["source", "record_id"]).any()
    errors = pd.read_csv(tmp_path / "truth" / "welfare_errors.csv")
    assert set(errors["error_type"]) == {
        "eligible_not_receiving",
        "receiving_not_eligible",
        "paid_twice",
        "paid_after_death",
    }
