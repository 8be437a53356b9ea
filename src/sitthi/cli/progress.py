"""A progress display for services that report named steps."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

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


@contextmanager
def rows_per_second() -> Iterator[Callable[[Path], Callable[[int, int], None]]]:
    """Yield a factory of per-file row callbacks: one bar per file, with rows per second."""
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[speed]}"),
        TimeElapsedColumn(),
    )
    # Off when stderr is not a terminal: a log or a pipe gets the report, not bars.
    with Progress(
        *columns, console=console, transient=True, disable=not console.is_terminal
    ) as bar:

        def for_file(path: Path) -> Callable[[int, int], None]:
            task = bar.add_task(f"ingest {path.name}", total=None, speed="")

            def advance(done: int, total: int) -> None:
                elapsed = bar.tasks[task].elapsed or 0.0
                speed = f"{done / elapsed:,.0f} rows/s" if elapsed > 0 else ""
                bar.update(task, completed=done, total=total, speed=speed)

            return advance

        yield for_file
