"""``sitthi cases …``: help requests from import to payment, for MSDHS offices."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sitthi.cli.options import DbOption

if TYPE_CHECKING:
    import duckdb

    from sitthi.cases.workflow import Desk
    from sitthi.context import Context

app = typer.Typer(help="Help requests (M-Smart cases): import, list, propose, decide, pay.")


def _desk(ctx: Context, command: str) -> Desk:
    from sitthi.cases.workflow import Desk
    from sitthi.operations.audit import anchor_key_from, local_actor

    return Desk(
        ctx.operations,
        local_actor(),
        f"sitthi cases {command}",
        anchor_key_from(ctx.settings.pseudonym_secret()),
    )


@contextmanager
def _release(ctx: Context) -> Iterator[tuple[int, duckdb.DuckDBPyConnection]]:
    from sitthi.releases.catalog import ReleaseCatalog

    catalog = ReleaseCatalog(ctx.releases_dir)
    try:
        found, cur = catalog.cursor(None)
        yield found.number, cur
    finally:
        catalog.close()


@app.command("import")
def cases_import(
    spec: Annotated[str, typer.Argument(help="A packaged spec (bma_ecase) or a spec YAML file.")],
    file: Annotated[Path, typer.Argument(help="The exported file: .csv (UTF-8) or .xlsx.")],
    db: DbOption = None,
) -> None:
    """Receive every good row of another system's file as a case (tied to a person of the
    newest release, routed and assigned); keep every bad row with its reasons."""
    from sitthi.cases.imports import import_cases, load_case_spec
    from sitthi.context import Context

    ctx = Context(db=db)
    chosen = load_case_spec(spec)
    with _release(ctx) as release:
        done = import_cases(
            _desk(ctx, "import"), release, chosen, file, secret=ctx.settings.pseudonym_secret()
        )
    matched = sum(r.person_id is not None for r in done.received)
    dupes = sum(r.duplicate_of is not None for r in done.received)
    typer.echo(
        f"{file}: {done.rows:,} rows; {done.new:,} new cases "
        f"({len(done.received) - done.new:,} received before), {matched:,} tied to a person, "
        f"{dupes:,} duplicates; {done.rejected:,} rows rejected"
        + (" (sitthi cases rejects)" if done.rejected else "")
    )


@app.command("list")
def cases_list(
    status: Annotated[str | None, typer.Option(help="Statuses, comma-separated.")] = None,
    department: Annotated[str | None, typer.Option(help="A department code: dop, dep, …")] = None,
    areas: Annotated[str | None, typer.Option(help="DOPA area codes.")] = None,
    assigned_to: Annotated[str | None, typer.Option(help="A case worker's name.")] = None,
    overdue: Annotated[bool, typer.Option(help="Only cases past their SLA.")] = False,
    db: DbOption = None,
) -> None:
    """The cases, the most urgent first, with their SLA."""
    from sitthi.cases.workflow import STATUS_TH, CaseFilter, is_overdue, list_cases
    from sitthi.context import Context
    from sitthi.operations.roles import parse_area_list

    ctx = Context(db=db)
    found = list_cases(
        ctx.operations,
        CaseFilter(
            areas=tuple(parse_area_list(areas)),
            status=tuple(s.strip() for s in status.split(",")) if status else (),
            department=department,
            assigned_to=assigned_to,
            overdue=overdue,
        ),
    )
    if not found:
        typer.echo("no cases")
        return
    typer.echo(
        f"{'case':>6}  {'status':<10} {'help type':<20} {'area':<6} {'dept':<5} "
        f"{'due (UTC)':<16} worker"
    )
    for c in found:
        late = " overdue" if is_overdue(c) else ""
        typer.echo(
            f"{c.id:>6}  {c.status:<10} {c.help_type:<20} {c.area_code:<6} {c.department:<5} "
            f"{c.due_at:%Y-%m-%d %H:%M} {c.assigned_to or '-'}{late}  ({STATUS_TH[c.status]})"
        )
    typer.echo(f"{len(found):,} cases")


@app.command("propose")
def cases_propose(db: DbOption = None) -> None:
    """Propose a decision for every undecided case from the aid schemes (each waits for a
    person to confirm it with `sitthi cases decide`)."""
    from sitthi.cases.consider import propose
    from sitthi.cases.schemes import load_schemes
    from sitthi.context import Context

    ctx = Context(db=db)
    with _release(ctx) as (_, cur):
        done = propose(_desk(ctx, "propose"), cur, load_schemes())
    for p in done:
        amount = f" {p.amount:,} บาท" if p.amount else ""
        typer.echo(f"case {p.case_id}: {p.outcome}{amount} {p.scheme or ''} — {p.reasons[0]}")
    typer.echo(f"{len(done):,} proposals")


@app.command("decide")
def cases_decide(
    case: Annotated[int, typer.Argument(help="The case number.")],
    approve: Annotated[
        bool, typer.Option("--approve/--return", help="Confirm, or send back.")
    ] = True,
    note: Annotated[str | None, typer.Option(help="Why (kept with the decision).")] = None,
    db: DbOption = None,
) -> None:
    """Confirm (or return) a case's proposed decision; you must not be its proposer."""
    from sitthi.cases.decisions import confirm
    from sitthi.cases.schemes import load_schemes
    from sitthi.context import Context

    ctx = Context(db=db)
    done = confirm(_desk(ctx, "decide"), case, load_schemes(), approve=approve, note=note)
    amount = f" {done.amount:,} baht" if done.amount else ""
    verb = "confirmed" if approve else "returned"
    typer.echo(f"case {case}: {done.outcome}{amount} {verb}; the case is {done.status}")


@app.command("pay")
def cases_pay(
    case: Annotated[int, typer.Argument(help="The case number.")],
    db: DbOption = None,
) -> None:
    """Record that a case's confirmed grant was paid."""
    from sitthi.cases.decisions import mark_paid
    from sitthi.context import Context

    done = mark_paid(_desk(Context(db=db), "pay"), case)
    typer.echo(f"case {case}: {done.amount or 0:,} baht paid; the case is {done.status}")
