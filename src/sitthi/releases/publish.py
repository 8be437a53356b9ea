"""`sitthi publish`: freeze the last runs' results as an immutable, numbered release.

A release is a folder ``releases/N`` holding ``release.duckdb`` (the tables the API and the
dashboard read, copied out of the store), ``persons.sqlite`` (the same rows as one card per
person, for lookups: `sitthi.registry.cards`) and ``manifest.json`` (its number, when, and its
lineage: the batches and their file hashes, the link run, the rights run with its as-of
day and programme versions, the code version). It is built in a hidden folder and renamed
into place, so a reader sees a whole release or none; its files are then made read-only.
The store goes on taking ingest and link runs: a release never changes after it is made.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitthi import __version__
from sitthi.engines.duckdb import connect, dict_rows, one, quote_literal, run, table_exists
from sitthi.errors import ValidationError
from sitthi.quality.report import build_quality_report, write_json
from sitthi.registry.cards import write_cards
from sitthi.releases.catalog import (
    CARDS_DB,
    IDENTITIES_DB,
    MANIFEST,
    QUALITY,
    RELEASE_DB,
    file_sha256,
    release_numbers,
)
from sitthi.releases.content import SORT_KEYS, TABLES, derived_tables
from sitthi.releases.statistics import build_statistics

if TYPE_CHECKING:
    import duckdb

    from sitthi.context import Context


@dataclass(frozen=True)
class Published:
    """What `publish` made."""

    number: int
    path: Path
    manifest: dict[str, Any]
    seconds: float


def publish(ctx: Context, *, progress: Callable[[str], None] | None = None) -> Published:
    """Freeze the store's current results into release N+1 (N: the newest release)."""
    clock = time.perf_counter()
    store = ctx.store(read_only=True)  # refuses a missing or foreign store, as every command
    store.close()
    root = ctx.releases_dir
    root.mkdir(parents=True, exist_ok=True)
    with _publish_lock(root):
        number = max(release_numbers(root), default=0) + 1
        work = root / f".building-{number}-{uuid.uuid4().hex[:8]}"
        work.mkdir()
        try:
            # The newest release with statistics: its patterns guard against differencing.
            previous = next(
                (
                    root / str(n)
                    for n in reversed(release_numbers(root))
                    if any((root / str(n)).glob("pattern-*.parquet"))
                ),
                None,
            )
            manifest = _build(
                ctx.store_path,
                work,
                number,
                progress,
                k=ctx.settings.suppression_k if ctx.settings.release_statistics else None,
                previous=previous,
            )
            _seal(work)
            # The rename is the publication: atomic on one file system.
            os.rename(work, root / str(number))
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    return Published(number, root / str(number), manifest, round(time.perf_counter() - clock, 2))


def _build(
    store: Path,
    work: Path,
    number: int,
    progress: Callable[[str], None] | None,
    *,
    k: int | None,
    previous: Path | None,
) -> dict[str, Any]:
    """Write ``release.duckdb``, the statistics' patterns and ``manifest.json`` into
    ``work``."""
    con = connect(work / RELEASE_DB, store=False)
    withheld: list[str] = []
    try:
        # The release is the main database; the store is only read.
        run(con, f"attach {quote_literal(str(store))} as store (read_only)")
        run(con, "use store")
        lineage = _lineage(con)
        counts = _freeze(con, progress)
        _freeze_identities(con, work / IDENTITIES_DB)
        # The quality report of the same store state, for the data teams (aggregates per
        # agency, no person): served by the API beside the release it describes.
        write_json(build_quality_report(con), work / QUALITY)
        run(con, "use release")
        run(con, "detach store")
        if progress:
            progress("person cards")
        counts["person_cards"] = write_cards(con, work / CARDS_DB, progress=progress)
        if k is not None:
            if progress:
                progress("area statistics")
            # From the frozen tables: the statistics say what the release says.
            counts["area_statistics"], withheld = build_statistics(
                con, k=k, work=work, previous=previous
            )
        run(con, "checkpoint")
    finally:
        con.close()
    manifest = {
        "release": number,
        "published_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "as_of": lineage["rights_run"]["as_of"],
        "tables": counts,
        "suppression_k": k,
        # indicators whose table could not be made safe against the previous release
        "statistics_withheld": withheld,
        "lineage": lineage,
        "sha256": file_sha256(work / RELEASE_DB),
        "identities_sha256": file_sha256(work / IDENTITIES_DB),
        "cards_sha256": file_sha256(work / CARDS_DB),
    }
    (work / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8"
    )
    return manifest


def _freeze(
    con: duckdb.DuckDBPyConnection, progress: Callable[[str], None] | None
) -> dict[str, int]:
    counts: dict[str, int] = {}
    copied = {t: f"select * from {t}" for t in TABLES}
    for name, sql in {**copied, **derived_tables()}.items():
        if progress:
            progress(name)
        order = f" order by {SORT_KEYS[name]}" if name in SORT_KEYS else ""
        run(con, f"create table release.main.{name} as select * from ({sql}){order}")
        counts[name] = int(one(con, f"select count(*) from release.main.{name}"))
    return counts


def _freeze_identities(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """The real IDs behind the release's pseudonyms, in a file of their own: only an
    export under an agreement with ``real_ids`` reads it (`ReleaseCatalog.cursor`)."""
    run(con, f"attach {quote_literal(str(path))} as release_ids")
    run(
        con,
        """create table release_ids.main.national_ids as
           select i.pid_hash, any_value(i.national_id) as national_id
           from store.main.identities i semi join release.main.person_ids r using (pid_hash)
           group by all""",
    )
    run(con, "detach release_ids")


def _lineage(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Where the release comes from; refuses a store whose runs are missing."""
    missing = [t for t in ("link_runs", "rights_runs", *TABLES) if not table_exists(con, t)]
    if missing:
        raise ValidationError(
            "the store has nothing to publish yet (no "
            + ", ".join(missing)
            + "): run `sitthi link` and `sitthi rights` first"
        )
    link = dict_rows(
        con,
        "select run_id, mode, started_at, finished_at, records, persons from link_runs "
        "order by finished_at desc limit 1",
    )
    rights = dict_rows(
        con,
        "select run_id, as_of, finished_at, programmes from rights_runs "
        "order by finished_at desc limit 1",
    )
    if not link or not rights:
        raise ValidationError(
            "the store has no link or rights run: run `sitthi link` and `sitthi rights`"
        )
    rights[0]["programmes"] = json.loads(rights[0]["programmes"])
    batches = dict_rows(
        con,
        """select batch_id, source, file_name, file_sha256, extract_date, load_date,
                  rows_loaded, rows_quarantined, key_version
           from batches order by finished_at""",
    )
    return {
        "batches": batches,
        "link_run": link[0],
        "rights_run": rights[0],
        "code_version": _code_version(),
    }


def _code_version() -> str:
    """The package version, with the git commit when run from a checkout."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=Path(__file__).parent,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return __version__
    return f"{__version__}+{commit}" if commit else __version__


def _seal(folder: Path) -> None:
    """Read-only files (owner and group: a release names people), synced to disk before the
    rename makes them visible."""
    for f in folder.iterdir():
        with f.open("rb") as handle:
            os.fsync(handle.fileno())
        # The real IDs are for the server's own account only.
        f.chmod(0o400 if f.name == IDENTITIES_DB else 0o440)
    folder.chmod(0o750)


@contextmanager
def _publish_lock(root: Path) -> Iterator[None]:
    """One publisher at a time, so two cannot take the same number."""
    with (root / ".publish.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
