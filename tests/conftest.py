"""Shared fixtures. Tests mirror the package: tests/thai for sitthi.thai, and so on.

A small synthetic world, ingested and linked once per session, is shared by the linkage
and registry tests; tests that change a store work on their own copy of the file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, settings

from sitthi.config import Settings
from sitthi.engines.duckdb import connect
from sitthi.linkage.service import LinkReport, link_store
from sitthi.pipeline import ingest_world
from sitthi.rights.service import run_rights
from sitthi.synth.world import generate_world

# CI machines are slow and shared: keep property tests thorough but bounded.
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
settings.register_profile("dev", max_examples=100, deadline=None, derandomize=True)
# Runs that gate a landing are repeatable (the same examples every time); explore new
# examples on purpose with HYPOTHESIS_PROFILE=explore, and pin what it finds with @example.
settings.register_profile("explore", max_examples=2000, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


NOW = dt.datetime(2026, 10, 1, 9, 0)


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("link-world")
    generate_world(out, persons=4000, seed=11)
    return out


@pytest.fixture(scope="session")
def ingested(world: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding every extract of the world, never linked."""
    path = tmp_path_factory.mktemp("link-store") / "ingested.duckdb"
    con = connect(path)
    ingest_world(con, world, Settings())
    con.close()
    return path


@pytest.fixture(scope="session")
def linked(ingested: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, LinkReport]:
    """The same store after one `sitthi link`, and that run's report."""
    path = tmp_path_factory.mktemp("linked") / "linked.duckdb"
    shutil.copy(ingested, path)
    con = connect(path)
    report = link_store(con, now=NOW)
    con.close()
    return path, report


@pytest.fixture(scope="session")
def registry_store(
    world: Path, linked: tuple[Path, LinkReport], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The linked store after `sitthi rights` (the whole service): what publish freezes."""
    path = tmp_path_factory.mktemp("registry") / "store.duckdb"
    shutil.copy(linked[0], path)
    as_of = json.loads((world / "manifest.json").read_text(encoding="utf-8"))["as_of"]
    con = connect(path)
    run_rights(con, dt.date.fromisoformat(as_of))
    con.close()
    return path


@pytest.fixture
def copy_of(tmp_path: Path) -> Callable[[Path], duckdb.DuckDBPyConnection]:
    """Open a private copy of a session store."""

    def open_copy(path: Path) -> duckdb.DuckDBPyConnection:
        target = tmp_path / path.name
        shutil.copy(path, target)
        return connect(target)

    return open_copy
