"""Quick mode: link plain files without a store, for any user with a few lists.

``sitthi link A.csv B.csv --out links.csv`` loads each file into a throwaway in-memory
store (with a random pseudonym key, so nothing about the IDs outlives the run), links
them with the same stages as the store, and writes ``source,record_id,person_id`` for
every input record. Files in other shapes come with their own source spec (``--spec``).
"""

from __future__ import annotations

import csv
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from sitthi.csv_header import csv_header
from sitthi.engines.duckdb import connect, rows
from sitthi.errors import ValidationError
from sitthi.ingest.service import IngestResult, ingest_file
from sitthi.ingest.spec import SourceSpec, load_spec, parse_spec
from sitthi.linkage.cluster import Thresholds
from sitthi.linkage.service import LinkReport, link_store

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class QuickResult:
    """The links written, and what happened on the way."""

    out: Path
    written: int
    unlinked_rows: int  # rows that could not be read into a record (see the ingest report)
    ingest: list[IngestResult]
    link: LinkReport


def quick_spec() -> SourceSpec:
    """The packaged spec of the quick-mode CSV columns."""
    text = files("sitthi.linkage").joinpath("quick.yaml").read_text(encoding="utf-8")
    return parse_spec(text, "linkage/quick.yaml")


def _quick_columns() -> tuple[str, ...]:
    spec = quick_spec()
    return (str(spec.record_id), *(f.column for f in spec.fields.values()))


#: The quick-mode columns, as the packaged spec reads them.
QUICK_COLUMNS = _quick_columns()


def _check_header(path: Path) -> None:
    try:
        header = csv_header(path)
    except ValidationError as exc:
        raise ValidationError(f"{exc} (give a --spec for files in another shape)") from exc
    missing = [c for c in QUICK_COLUMNS if c not in header]
    extra = [c for c in header if c not in QUICK_COLUMNS]
    if missing or extra:
        parts = [
            f"missing: {', '.join(missing)}" if missing else "",
            f"unexpected: {', '.join(extra)}" if extra else "",
        ]
        raise ValidationError(
            f"{path}: row 1: quick mode needs exactly the columns {','.join(QUICK_COLUMNS)} "
            f"({'; '.join(p for p in parts if p)}); use --spec for other shapes"
        )


def _specs_for(paths: Sequence[Path], specs: Sequence[str]) -> list[SourceSpec]:
    if specs and len(specs) not in (1, len(paths)):
        raise ValidationError(
            f"give one --spec for all files or one per file ({len(paths)} files, "
            f"{len(specs)} specs)"
        )
    out = []
    for i, path in enumerate(paths):
        if specs:
            spec = load_spec(specs[0] if len(specs) == 1 else specs[i])
        else:
            _check_header(path)
            spec = quick_spec()
        # The file's stem names the source, so two files with one spec stay two sources.
        out.append(spec.model_copy(update={"source": path.stem}))
    stems = [s.source for s in out]
    if len(set(stems)) != len(stems):
        raise ValidationError(f"two files share a name ({', '.join(stems)}): rename one")
    return out


def quick_link(
    paths: Sequence[Path],
    out: Path,
    *,
    specs: Sequence[str] = (),
    thresholds: Thresholds | None = None,
    progress: Callable[[str], None] | None = None,
) -> QuickResult:
    """Link ``paths`` and write ``out`` (``source,record_id,person_id``, one row per record).

    A row the reader could not make into a record (see the ingest report) is written with
    an empty ``person_id``, so the output still has a row for every input row it can name.
    """
    if not paths:
        raise ValidationError("give at least one file to link")
    source_specs = _specs_for(paths, specs)
    con = connect(None)
    key = secrets.token_bytes(32)
    results = [
        ingest_file(con, spec, path, key=key, key_version=1)
        for spec, path in zip(source_specs, paths, strict=True)
    ]
    report = link_store(con, thresholds=thresholds, progress=progress)
    written, unlinked = _write(con, out)
    return QuickResult(out, written, unlinked, results, report)


def _write(con: duckdb.DuckDBPyConnection, out: Path) -> tuple[int, int]:
    # Records keyed by the ID carry the pseudonym as record ID in the store: write the ID
    # the file gave instead, which is what the user knows the record by.
    linked = rows(
        con,
        """
        select p.source, coalesce(i.national_id, p.record_id), p.person_id
        from person_records p
        left join identities i on i.pid_hash = p.record_id
        order by 1, 2
        """,
    )
    held = rows(
        con,
        "select source, coalesce(record_id, 'line ' || line::varchar), null from quarantine "
        "order by 1, 2",
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["source", "record_id", "person_id"])
        writer.writerows(linked)
        writer.writerows(held)
    return len(linked), len(held)
