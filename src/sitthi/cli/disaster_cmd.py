"""``sitthi disaster …``: the vulnerable people of a disaster's areas, for field teams."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sitthi.cli.options import DbOption

app = typer.Typer(help="Disaster response (ศบปภ.): who to reach first in the affected areas.")


@app.command("list")
def disaster_list(
    areas: Annotated[
        str,
        typer.Option(
            "--areas", help="Affected areas: DOPA province, district or subdistrict codes."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The file: .csv or .xlsx.")],
    hazard: Annotated[
        str | None, typer.Option(help="What struck: flood, storm, landslide, fire, …")
    ] = None,
    purpose: Annotated[str | None, typer.Option(help="Why the list is needed (audited).")] = None,
    release: Annotated[int | None, typer.Option(help="A release number (default: newest).")] = None,
    db: DbOption = None,
) -> None:
    """Write one row per vulnerable person living in the areas, most vulnerable first
    (bedridden, dependent disabled, elderly living alone, children under 5, …), with
    address, phone and a household contact; audited before it is written."""
    from sitthi.cli.render_disaster import render_counts
    from sitthi.context import Context
    from sitthi.disaster.export import PURPOSE, export_disaster_list
    from sitthi.operations.roles import parse_area_list

    done = export_disaster_list(
        Context(db=db),
        parse_area_list(areas),
        out,
        purpose=purpose or PURPOSE,
        hazard=hazard,
        release=release,
    )
    typer.echo(
        f"{done.path}: {done.rows:,} persons, most vulnerable first (release {done.release})"
    )
    typer.echo(render_counts(done.counts))
