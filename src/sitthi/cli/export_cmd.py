"""``sitthi export``: an area's gap or outreach list from a release, as CSV or Excel."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sitthi.cli.options import DbOption


def export(
    kind: Annotated[str, typer.Argument(help="gaps or outreach")],
    area: Annotated[
        str, typer.Option("--area", help="A DOPA province, district or subdistrict code.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The file: .csv or .xlsx.")],
    purpose: Annotated[str, typer.Option("--purpose", help="Why the list is needed (audited).")],
    programme: Annotated[str | None, typer.Option(help="Gaps of this programme only.")] = None,
    gap: Annotated[str | None, typer.Option(help="Gaps of this type only.")] = None,
    real_ids: Annotated[
        bool, typer.Option("--real-ids", help="Real national IDs instead of pseudonyms.")
    ] = False,
    release: Annotated[int | None, typer.Option(help="A release number (default: newest).")] = None,
    db: DbOption = None,
) -> None:
    """Write an area's list: who misses a right or holds one wrongly (gaps), or the
    members of poor households without a welfare card (outreach). Audited before it is
    written, with everyone it names; pseudonymised unless --real-ids."""
    from sitthi.context import Context
    from sitthi.registry.export import export_list
    from sitthi.registry.lists import ListRequest

    wanted = ListRequest(kind, area, programme, gap)  # type: ignore[arg-type]
    done = export_list(
        Context(db=db), wanted, out, purpose=purpose, real_ids=real_ids, release=release
    )
    typer.echo(
        f"{done.path}: {done.rows:,} rows, {done.persons:,} persons, release {done.release}"
        + (" (real national IDs: keep it safe)" if real_ids else " (pseudonymised)")
    )
