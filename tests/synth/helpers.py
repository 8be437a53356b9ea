"""Reading a generated world back: extracts, truth, persons, and a rate check."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd

from sitthi.thai.digits import to_ascii_digits


def manifest(world: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((world / "manifest.json").read_text(encoding="utf-8"))
    return data


def entry(world: Path, source: str) -> dict[str, str]:
    extracts = manifest(world)["extracts"]
    assert isinstance(extracts, list)
    found: dict[str, str] = next(e for e in extracts if e["source"] == source)
    return found


def read_extract(world: Path, source: str) -> pd.DataFrame:
    e = entry(world, source)
    path = world / e["file"]
    if e["format"] == "xlsx":
        return pd.read_excel(path, dtype=str).fillna("")
    return pd.read_csv(path, dtype=str, encoding=e["encoding"], keep_default_na=False)


def truth(world: Path) -> pd.DataFrame:
    return pd.read_csv(world / "truth" / "linkage_truth.csv", dtype=str, keep_default_na=False)


def persons(world: Path) -> pd.DataFrame:
    return pd.read_parquet(world / "truth" / "persons.parquet")


def rows_with_truth(world: Path, source: str) -> pd.DataFrame:
    """An extract's rows, each with its true person's ``person_id`` and ``planted`` codes."""
    frame = read_extract(world, source)
    t = truth(world)
    t = t[t["source"] == source].set_index("record_id")
    key = frame[entry(world, source)["key"]]
    return frame.assign(
        person_id=t.loc[key, "person_id"].to_numpy(), planted=t.loc[key, "planted"].to_numpy()
    )


def plain_id(value: str) -> str:
    """An ID as 13 ASCII digits, whatever digits and separators it was written with."""
    return re.sub(r"[\s\-]", "", to_ascii_digits(value))


def assert_rate(hits: int, eligible: int, rate: float, what: str) -> None:
    """``hits`` of ``eligible`` is about ``rate`` (within 4 standard deviations, plus 2)."""
    expected = eligible * rate
    slack = 4 * math.sqrt(max(expected * (1 - rate), 0.0)) + 2
    assert abs(hits - expected) <= slack, (
        f"{what}: {hits} of {eligible}, expected about {expected:.1f} ({rate:.2%})"
    )
    if expected >= 5:
        assert hits > 0, what
