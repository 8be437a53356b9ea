"""``sitthi demo``: the main job on the embedded default, for a first look."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer


def demo(
    persons: Annotated[int, typer.Option("--persons", "-n", help="Number of people.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 42,
    out: Annotated[Path, typer.Option("--out", "-o", help="Working directory.")] = Path(
        "demo-data"
    ),
) -> None:
    """The whole pipeline on a synthetic Thailand: extracts, ingest, link, rights, reports,
    a published release, and API clients to try `sitthi serve` with.

    Writes OUT/world (the extracts and the truth), OUT/sitthi.duckdb (the store), the data
    quality report (OUT/quality.html, .json), OUT/releases/N and, in development,
    OUT/demo-clients.json (one API client per role, and the dashboard's development
    users). Prints each step's summary, TPMAP's four answers, the linkage's and the gaps'
    accuracy against the synthetic truth, and how to serve the API and open the dashboard.
    Running it again regenerates the same world, finds its files already loaded, keeps
    every person ID and publishes the next release.
    """
    from sitthi.config import get_settings
    from sitthi.context import Context
    from sitthi.pipeline import run_demo

    settings = get_settings().model_copy(
        update={"operations_url": None, "releases_dir": None, "signing_keys_dir": None}
    )
    ctx = Context(settings=settings, db=out / "sitthi.duckdb")
    run_demo(ctx, out, persons=persons, seed=seed, reporter=_Terminal(ctx))


class _Terminal:
    """Progress bars while a stage runs, then its result printed for a reader."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.rights: Any = None

    def stage(self, name: str, total: int) -> AbstractContextManager[Callable[[str], None]]:
        return _bar(name, total)

    def show(self, name: str, result: Any) -> None:
        from sitthi.cli import render, render_link, render_release, render_rights

        printers: dict[str, Callable[[Any], None]] = {
            "world": render.print_world_summary,
            "ingest": render.print_ingest_results,
            "link": render_link.print_link_report,
            "link_accuracy": render_link.print_accuracy,
            "rights": render_rights.print_tpmap_answers,
            "gap_accuracy": lambda r: render_rights.print_gap_accuracy(*r),
            "quality": lambda p: typer.echo(f"quality report: {p}"),
            "release": render_release.print_published,
            "cases": _print_cases,
            "clients": lambda c: render_release.print_demo_clients(c, self.ctx),
        }
        printers[name](result)


def _print_cases(cases: list[Any]) -> None:
    """The demo's help requests and what the schemes proposed, in Thai."""
    from sitthi.cases.catalog import load_catalog

    catalog = load_catalog()
    typer.echo("\nคำร้องขอความช่วยเหลือ (พม. Smart) พิจารณาอัตโนมัติ ยืนยันโดยเจ้าหน้าที่คนที่สอง:")
    outcome_th = {"grant": "อนุมัติ", "refer": "ส่งต่อ", "refuse": "ไม่อนุมัติ"}
    for c in cases:
        p = c.proposal
        amount = f" {p.amount:,} บาท" if p.amount else ""
        typer.echo(
            f"  - {c.name}: {catalog.help_types[c.help_type].th} → {outcome_th[p.outcome]}{amount}"
        )
        typer.echo(f"      เหตุผล: {p.reasons[0]}")
    typer.echo("  (sitthi cases list; docs/CASES.md)")


@contextmanager
def _bar(name: str, total: int) -> Iterator[Callable[[str], None]]:
    from sitthi.cli.progress import steps

    with steps(name, total=total) as step:
        yield step
