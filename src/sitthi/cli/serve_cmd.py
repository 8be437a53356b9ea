"""``sitthi serve``: the API (and later the dashboard) over the published releases."""

from __future__ import annotations

from typing import Annotated

import typer

from sitthi.cli.options import DbOption


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    db: DbOption = None,
) -> None:
    """Serve the API of the newest release (`sitthi publish`) until Ctrl-C.

    Releases are read from the folder beside the store (SITTHI_RELEASES_DIR), accounts and
    the audit log from the operational store (SITTHI_OPERATIONS_URL). A new release is
    served as soon as it is published; older ones answer with ``?release=N``.
    """
    import os

    import uvicorn

    from sitthi.api.app import create_app
    from sitthi.context import Context

    ctx = Context(db=db)
    app = create_app(ctx)  # refuses unsafe settings before listening
    state = app.state.sitthi
    numbers = state.catalog.numbers()
    newest = f"release {numbers[-1]}" if numbers else "no release yet: run `sitthi publish`"
    typer.echo(f"Sitthi API on http://{host}:{port} ({newest}); docs at /docs", err=True)
    # Logs carry the route template only: a URL never holds a national ID by design, and
    # the access log is off so that no query string is ever written out.
    options = {"host": host, "port": port, "access_log": False, "log_level": "warning"}
    if workers == 1:
        uvicorn.run(app, **options)  # type: ignore[arg-type]
        return
    # Several processes: uvicorn imports the app in each, so each builds it from the same
    # settings (the store given here included).
    state.catalog.close()
    if db is not None:
        os.environ["SITTHI_DB"] = str(db)
    uvicorn.run(
        "sitthi.api.app:app_from_settings",
        factory=True,
        workers=workers,
        **options,  # type: ignore[arg-type]
    )
