"""``sitthi ingest`` and ``sitthi spec``: load agency extracts; check source specs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sitthi.cli.options import parse_date_option
from sitthi.errors import SitthiError, ValidationError

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
        str | None,
        typer.Option(help="Day the extract describes (YYYY-MM-DD; default: the load date)."),
    ] = None,
    load_date: Annotated[
        str | None,
        typer.Option(
            help="Day recorded as the load's (default: today). The DSA must be in force "
            "on it and on the real day."
        ),
    ] = None,
    stop_on_error: Annotated[
        bool, typer.Option(help="Stop at the first file that fails (the rest are not tried).")
    ] = False,
) -> None:
    """Load extracts into the store: validated, pseudonymised, with every rejected row kept.

    Each file is its own batch: loading the same records again changes nothing, a failed
    file leaves nothing behind, and one file's error does not keep the others out.
    """
    from sitthi.cli.progress import rows_per_second
    from sitthi.cli.render import print_ingest_failures, print_ingest_results
    from sitthi.config import get_settings
    from sitthi.context import Context
    from sitthi.ingest.service import IngestResult, check_dsa, ingest_files
    from sitthi.ingest.spec import load_spec

    settings = get_settings()
    source_spec = load_spec(spec)
    paths = files or ([] if source_spec.read.format == "sql" else None)
    if paths is None:
        raise ValidationError(f"spec {source_spec.source!r} reads files: give at least one FILE")
    key = settings.pseudonym_secret()
    load_day = parse_date_option(load_date, "--load-date")
    extract_day = parse_date_option(extract_date, "--extract-date")
    check_dsa(source_spec, load_day)  # before the store is touched (or created)
    con = Context(settings=settings, db=db).store()
    with rows_per_second() as progress:
        outcomes = ingest_files(
            con,
            source_spec,
            paths or [Path(".")],
            key=key,
            key_version=settings.pseudonym_key_version,
            load_date=load_day,
            extract_date=extract_day,
            stop_on_error=stop_on_error,
            progress=progress,
        )
    loaded = [o for o in outcomes if isinstance(o, IngestResult)]
    if len(outcomes) == 1 and not loaded:
        raise SitthiError(outcomes[0].error)  # type: ignore[union-attr]
    if loaded:
        print_ingest_results(loaded)
    failed = [o for o in outcomes if not isinstance(o, IngestResult)]
    if failed:
        print_ingest_failures(failed)
        raise SitthiError(
            f"{len(failed)} of {len(outcomes)} files not loaded (nothing of them is in the store)"
        )


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
