"""The ``sitthi`` command line. Commands parse, call a service, format: nothing more."""

from __future__ import annotations

import sys
from typing import Annotated, NoReturn

import typer

from sitthi.errors import SitthiError

#: Exit codes: a user error (bad input, option, file or setting), a usage error (typer's
#: own, such as an unknown option), a bug (BSD sysexits' EX_SOFTWARE), Ctrl-C (128 + SIGINT).
EXIT_USER, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 1, 2, 70, 130
_HINT = "(run with --debug for details)"

app = typer.Typer(
    name="sitthi",
    help="Sitthi (สิทธิ): link Thai agency lists into one registry and find missed rights.",
    epilog="Exit codes: 1 an error in the input (one line on stderr), 2 a usage error, "
    "70 an internal error (a bug: run with --debug and report it), 130 Ctrl-C.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Markdown joins a docstring's wrapped lines, so help reflows to the terminal.
    rich_markup_mode="markdown",
)


@app.callback()
def _main(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback when a command fails.")
    ] = False,
) -> None:
    """Options for every command (``--debug`` is read by `run`, before parsing)."""


def _register() -> None:
    # Imported here so each command module stays small and heavy imports stay lazy.
    from sitthi.cli import (
        admin_cmd,
        audit_cmd,
        cases_cmd,
        dci_cmd,
        demo_cmd,
        disaster_cmd,
        export_cmd,
        ingest_cmd,
        keys_cmd,
        link_cmd,
        publish_cmd,
        rights_cmd,
        serve_cmd,
        synth_cmd,
        thai_cmd,
    )

    app.command("synth")(synth_cmd.synth)
    app.command("ingest")(ingest_cmd.ingest)
    app.add_typer(ingest_cmd.spec_app, name="spec")
    app.command("link")(link_cmd.link)
    app.command("evaluate")(link_cmd.evaluate)
    app.add_typer(link_cmd.review_app, name="review")
    app.command("explain")(link_cmd.explain)
    app.command("duplicates")(link_cmd.duplicates)
    app.command("rights")(rights_cmd.rights)
    app.command("profile")(rights_cmd.profile)
    app.add_typer(rights_cmd.report_app, name="report")
    app.command("publish")(publish_cmd.publish)
    app.command("export")(export_cmd.export)
    app.command("serve")(serve_cmd.serve)
    app.command("demo")(demo_cmd.demo)
    app.add_typer(thai_cmd.app, name="thai")
    app.add_typer(keys_cmd.app, name="keys")
    app.add_typer(admin_cmd.app, name="admin")
    app.add_typer(audit_cmd.app, name="audit")
    app.add_typer(dci_cmd.app, name="dci")
    app.add_typer(cases_cmd.app, name="cases")
    app.add_typer(disaster_cmd.app, name="disaster")


_register()


def _is_interrupt(exc: Exception) -> bool:
    """Ctrl-C inside a query reaches us as DuckDB's error, not as KeyboardInterrupt."""
    import duckdb

    return isinstance(exc, duckdb.InterruptException) or str(exc) == "Query interrupted"


def _stop_interrupted(debug: bool) -> None:
    if debug:
        raise
    _fail("interrupted (Ctrl-C)", EXIT_INTERRUPTED)


def _fail(message: str, code: int) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    sys.exit(code)


def run() -> None:
    """Entry point: run the app, print a `SitthiError` as one line and exit 1.

    Typer handles its own usage errors (exit 2) in standalone mode. An `OSError` naming a
    file is the user's (a path that cannot be created or read): exit 1 too. Anything else
    that escapes is a bug: exit 70, shown briefly unless ``--debug`` asks for the traceback.
    """
    debug = "--debug" in sys.argv
    try:
        app()
    except SitthiError as exc:
        if debug:
            raise
        _fail(f"error: {exc}", EXIT_USER)
    except KeyboardInterrupt:
        _stop_interrupted(debug)
    except OSError as exc:
        if debug:
            raise
        if exc.filename is None:
            _fail(f"internal error: {type(exc).__name__}: {exc} {_HINT}", EXIT_INTERNAL)
        _fail(f"error: {exc.filename}: {exc.strerror or type(exc).__name__}", EXIT_USER)
    except Exception as exc:
        if _is_interrupt(exc):
            _stop_interrupted(debug)
        if debug:
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} {_HINT}", EXIT_INTERNAL)
