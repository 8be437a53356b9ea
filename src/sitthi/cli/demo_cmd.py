"""``sitthi demo``: the main job on the embedded default, for a first look."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer


def demo(
    persons: Annotated[int, typer.Option("--persons", "-n", help="Number of people.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 42,
    out: Annotated[Path, typer.Option("--out", "-o", help="Working directory.")] = Path(
        "demo-data"
    ),
) -> None:
    """The whole pipeline on a synthetic Thailand: extracts, ingest, link, rights, reports.

    Writes OUT/world (the extracts and the truth), OUT/sitthi.duckdb (the store) and the
    data quality report (OUT/quality.html, .json). Prints each step's summary, TPMAP's four
    answers, and the linkage's and the gaps' accuracy against the synthetic truth.
    Running it again regenerates the same world, finds its files already loaded, and
    keeps every person ID.
    """
    from sitthi.cli.progress import steps
    from sitthi.cli.render import print_ingest_results, print_world_summary
    from sitthi.cli.render_link import print_accuracy, print_link_report
    from sitthi.cli.render_rights import print_gap_accuracy, print_tpmap_answers
    from sitthi.config import get_settings
    from sitthi.engines.duckdb import connect
    from sitthi.linkage.evaluate import evaluate_store
    from sitthi.linkage.service import STEPS as LINK_STEPS
    from sitthi.linkage.service import link_store
    from sitthi.pipeline import ingest_world
    from sitthi.quality.report import build_quality_report, write_html, write_json
    from sitthi.rights.evaluate import evaluate_gaps
    from sitthi.rights.service import STEPS as RIGHTS_STEPS
    from sitthi.rights.service import run_rights
    from sitthi.synth.world import STEPS, generate_world

    with steps("synthetic world", total=STEPS) as step:
        summary = generate_world(out / "world", persons=persons, seed=seed, progress=step)
    print_world_summary(summary)
    con = connect(out / "sitthi.duckdb", memory_limit=get_settings().duckdb_memory_limit)
    with steps("ingest", total=len(summary.extracts)) as step:
        results = ingest_world(con, out / "world", get_settings(), progress=step)
    print_ingest_results(results)
    with steps("link", total=LINK_STEPS) as step:
        report = link_store(con, memory_limit=get_settings().duckdb_memory_limit, progress=step)
    print_link_report(report)
    truth = out / "world" / "truth"
    print_accuracy(evaluate_store(con, truth / "linkage_truth.csv"))
    with steps("rights", total=RIGHTS_STEPS) as step:
        rights = run_rights(con, dt.date.fromisoformat(summary.as_of), progress=step)
    print_tpmap_answers(rights)
    print_gap_accuracy(
        evaluate_gaps(con, truth / "welfare_errors.csv", truth / "linkage_truth.csv"), rights
    )
    quality = build_quality_report(con)
    write_json(quality, out / "quality.json")
    write_html(quality, out / "quality.html")
    typer.echo(f"quality report: {out / 'quality.html'}")
    typer.echo(f"store: {out / 'sitthi.duckdb'}")
