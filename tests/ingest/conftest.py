"""A small synthetic world and helpers shared by the ingest tests."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from sitthi.engines.duckdb import connect
from sitthi.ingest.service import IngestResult, ingest_file
from sitthi.ingest.spec import SourceSpec, load_spec
from sitthi.synth.world import generate_world

KEY = b"test-pseudonym-key-0123456789"
LOAD_DATE = dt.date(2026, 10, 1)


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ingest-world")
    generate_world(out, persons=3000, seed=5)
    return out


def extract_path(world: Path, source: str) -> Path:
    manifest = json.loads((world / "manifest.json").read_text(encoding="utf-8"))
    return world / next(e["file"] for e in manifest["extracts"] if e["source"] == source)


def ingest(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec | str, path: Path, **kwargs: object
) -> IngestResult:
    spec = load_spec(spec) if isinstance(spec, str) else spec
    options: dict[str, object] = {"key": KEY, "key_version": 1, "load_date": LOAD_DATE}
    options.update(kwargs)
    return ingest_file(con, spec, path, **options)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    return connect(tmp_path / "store.duckdb")


@pytest.fixture(scope="session")
def extract(world: Path) -> Callable[[str], Path]:
    """The path of a source's extract in the test world."""
    return lambda source: extract_path(world, source)


@pytest.fixture(scope="session")
def load() -> Callable[..., IngestResult]:
    """`ingest_file` with the test key and load date."""
    return ingest
