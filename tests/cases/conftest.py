"""A private copy of the session's registry store for each test that publishes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def store(registry_store: Path, tmp_path: Path) -> Path:
    path = tmp_path / "store.duckdb"
    shutil.copy(registry_store, path)
    return path
