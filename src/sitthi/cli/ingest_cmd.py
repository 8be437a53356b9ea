"""``sitthi ingest`` and ``sitthi spec``: load agency extracts; check source specs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sitthi.cli.options import parse_date_option
from sitthi.errors import ValidationError

spec_app = typer.Typer(help="Check and list agency source specs.", no_args_is_help=True)


def ingest(
    spec: Annotated[
        str, typer.Argument(help="A spec file, or a packaged spec name (dopa, dep, …).")
    ],
    files: Annotated[
        list[Path] | None, typer.Argument(help="Extract files (none for a database spec).")
    ] = None,
    db: Annotated[Path | None, typer.Option(help="The store (default: SITTHI_DB).")] = None,
    extract_date: Annotated[
        str | None, typer.Option(help="Day the extract describes (YYYY-MM-DD; default: today).")
    ] = None,
    load_date: Annotated[
        str | None, typer.Option(help="Day to check the DSA against (default: today).")
    ] = None,
) -> None:
    """Load extracts into the store: validated, pseudonymised, with every rejected row kept.

    Loading the same file again changes nothing; a failed load leaves nothing behind.
    """
    from sitthi.cli.render import print_ingest_results
    from sitthi.config import get_settings
    from sitthi.engines.duckdb import connect
    from sitthi.ingest.service import ingest_file
    from sitthi.ingest.spec import load_spec

    settings = get_settings()
    source_spec = load_spec(spec)
    paths = files or ([] if source_spec.read.format == "sql" else None)
    if paths is None:
        raise ValidationError(f"spec {source_spec.source!r} reads files: give at least one FILE")
    key = settings.pseudonym_secret()
    con = connect(db or settings.db, memory_limit=settings.duckdb_memory_limit)
    results = [
        ingest_file(
            con,
            source_spec,
            path,
            key=key,
            key_version=settings.pseudonym_key_version,
            load_date=parse_date_option(load_date, "--load-date"),
            extract_date=parse_date_option(extract_date, "--extract-date"),
        )
        for path in (paths or [Path(".")])
    ]
    print_ingest_results(results)


@spec_app.command("check")
def check(
    files: Annotated[
        list[str], typer.Argument(help="Spec files (or packaged spec names) to validate.")
    ],
) -> None:
    """Validate spec files; every mistake is named by file, line and field.

    Warns (on stderr) when a DSA has expired, expires within 30 days or is not yet in force.
    """
    import datetime as dt

    from sitthi.ingest.spec import load_spec

    # Text, not Path: Path("./dep") is "dep", and only a bare name is a packaged spec.
    for path in files:
        spec = load_spec(path)
        if warning := spec.dsa.warning(dt.date.today()):
            typer.secho(f"warning: {path}: {warning}", fg=typer.colors.YELLOW, err=True)
        mapped = set(spec.fields) | {f.indicator for f in spec.facts}
        outside = sorted(mapped - spec.allowed)
        note = (
            f" ({', '.join(outside)} mapped but not allowed by the DSA: never stored)"
            if outside
            else ""
        )
        typer.echo(
            f"{path}: ok: {spec.source} v{spec.version}, DSA {spec.dsa.id} "
            f"{spec.dsa.valid_from}..{spec.dsa.valid_to}{note}"
        )


@spec_app.command("list")
def list_specs() -> None:
    """List the specs shipped with Sitthi."""
    from sitthi.ingest.spec import load_spec, packaged_specs

    for name in packaged_specs():
        spec = load_spec(name)
        typer.echo(f"{name}\t{spec.read.format}/{spec.read.encoding}\t{spec.title}")
