"""The whole synthetic world loads at a larger size (slow: `make test-slow` and CI)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitthi.config import Settings
from sitthi.engines.duckdb import connect
from sitthi.pipeline import ingest_world
from sitthi.synth.world import generate_world


@pytest.mark.slow
def test_a_100k_world_loads_completely_and_only_once(tmp_path: Path) -> None:
    summary = generate_world(tmp_path / "world", persons=100_000, seed=3)
    con = connect(tmp_path / "store.duckdb")
    results = ingest_world(con, tmp_path / "world", Settings())
    assert [r.source for r in results] == [str(e["source"]) for e in summary.extracts]
    for r, e in zip(results, summary.extracts, strict=True):
        assert r.rows_read == e["rows"]
        assert r.rows_read == r.rows_loaded + r.rows_quarantined
        assert r.rows_quarantined <= 0.01 * r.rows_read  # only the truly unusable rows
    again = ingest_world(con, tmp_path / "world", Settings())
    assert all(r.skipped for r in again)
    total = sum(r.rows_read for r in results)
    stored = con.execute(
        "select (select count(*) from source_records) + (select count(*) from quarantine)"
    ).fetchall()[0][0]
    assert stored == total
