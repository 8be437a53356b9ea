"""A release's area statistics: suppressed, and checked against the previous release."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from sitthi.config import Settings
from sitthi.context import Context
from sitthi.releases.publish import publish

pytestmark = pytest.mark.slow  # each publish with statistics solves LPs per indicator


def test_two_releases_with_statistics_never_publish_an_unsafe_table(store: Path) -> None:
    ctx = Context(settings=Settings(), db=store)
    first = publish(ctx)
    assert first.manifest["suppression_k"] == 10
    assert first.manifest["tables"]["area_statistics"] > 0
    assert list(first.path.glob("pattern-*.parquet"))
    # one person's entitlement goes: a small cell changes between the two releases
    con = duckdb.connect(str(store))
    con.execute(
        "delete from entitlements where person_id = (select min(person_id) from entitlements)"
    )
    con.close()
    second = publish(ctx)
    manifest = json.loads((second.path / "manifest.json").read_text(encoding="utf-8"))
    withheld = manifest["statistics_withheld"]
    rel = duckdb.connect(str(second.path / "release.duckdb"), read_only=True)
    published = {
        i for (i,) in rel.execute("select distinct indicator from area_statistics").fetchall()
    }
    small = rel.execute(
        "select count(*) from area_statistics where not suppressed and persons between 1 and 9"
    ).fetchone()[0]
    hidden_with_value = rel.execute(
        "select count(*) from area_statistics where suppressed and persons is not null"
    ).fetchone()[0]
    rel.close()
    assert not set(withheld) & published, "a withheld indicator has no cells at all"
    assert small == 0
    assert hidden_with_value == 0
    # every indicator still has a pattern, so a third release is checked against it
    names = {p.name for p in first.path.glob("pattern-*.parquet")}
    assert names <= {p.name for p in second.path.glob("pattern-*.parquet")}
