"""The main job, stage by stage: the service behind ``sitthi demo``.

Each stage is its own service (`sitthi.synth`, `sitthi.ingest`, …); this module only runs
them in order on one store, so the CLI and tests share one path through the pipeline.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sitthi.config import Settings
from sitthi.errors import ValidationError
from sitthi.ingest.service import IngestResult, ingest_file
from sitthi.ingest.spec import load_spec

if TYPE_CHECKING:
    import duckdb


def ingest_world(
    con: duckdb.DuckDBPyConnection,
    world: Path,
    settings: Settings,
    progress: Callable[[str], None] | None = None,
) -> list[IngestResult]:
    """Load every extract of a synthetic world with its packaged spec.

    The load date and the extract date are the world's as-of date, so the demo gives the
    same answer whatever day it is run.
    """
    try:
        manifest = json.loads((world / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(
            f"{world}: not a synthetic world (no readable manifest.json)"
        ) from exc
    as_of = dt.date.fromisoformat(manifest["as_of"])
    key = settings.pseudonym_secret()
    results = []
    for extract in manifest["extracts"]:
        if progress:
            progress(f"ingest {extract['source']}")
        results.append(
            ingest_file(
                con,
                load_spec(extract["source"]),
                world / extract["file"],
                key=key,
                key_version=settings.pseudonym_key_version,
                load_date=as_of,
                extract_date=as_of,
            )
        )
    return results
