"""``sitthi publish``: freeze the last runs as a numbered release for the API to serve."""

from __future__ import annotations

import typer

from sitthi.cli.options import DbOption


def publish(db: DbOption = None) -> None:
    """Freeze the results of the last `sitthi link` and `sitthi rights` as release N+1.

    The release (persons, households, profiles, entitlements with reasons, gaps, notices,
    poverty, area statistics, quality summary, with its lineage) never changes afterwards;
    `sitthi serve` switches to it at once, and older releases stay readable (`?release=N`).
    """
    from sitthi.cli.progress import steps
    from sitthi.cli.render_release import print_published
    from sitthi.context import Context
    from sitthi.releases.content import TABLES, derived_tables
    from sitthi.releases.publish import publish as publish_release

    ctx = Context(db=db)
    with steps("publish", total=len(TABLES) + len(derived_tables()) + 1) as step:
        published = publish_release(ctx, progress=step)
    print_published(published)
    typer.echo(f"serve it: sitthi serve --host 127.0.0.1 --port 8000 (release {published.number})")
