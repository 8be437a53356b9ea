"""One synthetic world shared by the synth tests (they only read it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitthi.synth.world import generate_world

PERSONS = 6000


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth-world")
    generate_world(out, persons=PERSONS, seed=7)
    return out
