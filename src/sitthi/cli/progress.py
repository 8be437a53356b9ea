"""A progress display for services that report named steps."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from sitthi.synth.world import Progress as StepCallback

console = Console(stderr=True)


@contextmanager
def steps(title: str, total: int) -> Iterator[StepCallback]:
    """Yield a callback that advances a progress bar by one named step per call."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(title, total=total)
        started = False

        def step(name: str) -> None:
            nonlocal started
            if started:
                bar.advance(task)
            started = True
            bar.update(task, description=f"{title}: {name}")

        yield step
        bar.update(task, completed=total)
