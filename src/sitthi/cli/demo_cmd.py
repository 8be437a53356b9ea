"""``sitthi demo``: the main job on the embedded default, for a first look."""

from __future__ import annotations

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
    """Generate a synthetic Thailand and summarise it for a policy analyst.

    Later stages (ingest, linkage, rights) join this command as they are built.
    """
    from sitthi.cli.progress import steps
    from sitthi.cli.render import print_world_summary
    from sitthi.synth.world import STEPS, generate_world

    with steps("synthetic world", total=STEPS) as step:
        summary = generate_world(out / "world", persons=persons, seed=seed, progress=step)
    print_world_summary(summary)
