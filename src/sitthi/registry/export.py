"""`sitthi export`: an area's list from a release into a file, audited first.

The data team's way to the lists the API exports (`sitthi.api.routes.exports`): the same
`AreaList`, the same files, the same audit record, by the operator at the shell.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sitthi.operations.audit import AuditEntry, anchor_key_from, append, local_actor
from sitthi.operations.dsa import REGISTRY_FIELDS
from sitthi.registry.list_files import about_list, write_list
from sitthi.registry.lists import LIST_TITLES, AreaList, ListRequest, ListScope
from sitthi.releases.catalog import ReleaseCatalog

if TYPE_CHECKING:
    from sitthi.context import Context

Format = Literal["csv", "xlsx"]


@dataclass(frozen=True)
class Exported:
    path: Path
    release: int
    rows: int
    persons: int


def export_list(
    ctx: Context,
    wanted: ListRequest,
    out: Path,
    *,
    purpose: str,
    real_ids: bool = False,
    release: int | None = None,
) -> Exported:
    """Write the list to ``out`` (CSV or Excel by its suffix); every registry field, with
    real national IDs only when ``real_ids``."""
    fmt: Format = "xlsx" if out.suffix.lower() == ".xlsx" else "csv"
    fields = frozenset(REGISTRY_FIELDS) - (set() if real_ids else {"national_id"})
    scope = ListScope(fields, real_ids=real_ids)
    catalog = ReleaseCatalog(ctx.releases_dir)
    try:
        found, cur = catalog.cursor(release)
        listed = AreaList(cur, wanted, scope)
        persons = listed.persons()
        actor = local_actor()
        query = {"list": wanted.kind, "area": wanted.area, "format": fmt, "real_ids": real_ids}
        query |= {k: v for k, v in (("programme", wanted.programme), ("gap", wanted.gap)) if v}
        with ctx.operations as store:
            append(
                store,
                AuditEntry.by(
                    actor,
                    action="export",
                    route="sitthi export",
                    purpose=purpose,
                    persons=persons,
                    fields=sorted({c.field for c in listed.columns}),
                    release=found.number,
                    query=query,
                ),
                anchor_key=anchor_key_from(ctx.settings.pseudonym_secret()),
            )
        about = about_list(
            title=LIST_TITLES[wanted.kind],
            area=wanted.area,
            release=found.number,
            as_of=found.as_of,
            filters={"programme": wanted.programme, "gap": wanted.gap},
            requested_by=actor.name,
            dsa_id=None,
            purpose=purpose,
            real_ids=real_ids,
        )
        rows = write_list(
            out,
            header=listed.header,
            labels_th=listed.labels_th,
            batches=listed.batches(),
            about=about,
        )
    finally:
        catalog.close()
    return Exported(out, found.number, rows, len(persons))
