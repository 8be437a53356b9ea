"""A store after link and rights (the whole service), made once per session."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from sitthi.engines.duckdb import connect
from sitthi.linkage.service import LinkReport
from sitthi.rights.service import run_rights


@pytest.fixture(scope="session")
def registry_store(
    world: Path, linked: tuple[Path, LinkReport], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    path = tmp_path_factory.mktemp("registry") / "store.duckdb"
    shutil.copy(linked[0], path)
    as_of = json.loads((world / "manifest.json").read_text(encoding="utf-8"))["as_of"]
    con = connect(path)
    run_rights(con, dt.date.fromisoformat(as_of))
    con.close()
    return path


@pytest.fixture
def store(registry_store: Path, tmp_path: Path) -> Path:
    """A private copy, with its releases folder beside it in ``tmp_path``."""
    path = tmp_path / "store.duckdb"
    shutil.copy(registry_store, path)
    return path
