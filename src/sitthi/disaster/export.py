"""`sitthi disaster list`: the vulnerable people of affected areas into a file, audited
first with everyone it names (as `sitthi export` does for gap and outreach lists)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitthi.disaster.vulnerable import COLUMNS, DisasterList
from sitthi.operations.audit import (
    AuditEntry,
    anchor_key_from,
    append,
    is_pseudonym,
    local_actor,
)
from sitthi.registry.list_files import about_list, write_list
from sitthi.releases.catalog import ReleaseCatalog

if TYPE_CHECKING:
    from sitthi.context import Context

TITLE = "รายชื่อกลุ่มเปราะบางในพื้นที่ประสบภัย เรียงตามลำดับความเร่งด่วน"
#: The purpose audited when the operator names none.
PURPOSE = "ช่วยเหลือผู้ประสบภัยพิบัติ (ศูนย์บัญชาการเหตุการณ์)"


@dataclass(frozen=True)
class DisasterExport:
    path: Path
    release: int
    rows: int
    counts: list[dict[str, Any]]  # persons per district and group


def export_disaster_list(
    ctx: Context,
    areas: list[str],
    out: Path,
    *,
    purpose: str = PURPOSE,
    hazard: str | None = None,
    release: int | None = None,
) -> DisasterExport:
    """Write the list of ``areas`` to ``out`` (CSV or Excel by its suffix)."""
    catalog = ReleaseCatalog(ctx.releases_dir)
    try:
        found, cur = catalog.cursor(release)
        listed = DisasterList(cur, areas)
        persons = listed.persons()
        actor = local_actor()
        with ctx.operations as store:
            append(
                store,
                AuditEntry.by(
                    actor,
                    action="export",
                    route="sitthi disaster list",
                    purpose=purpose,
                    persons=[p for p in persons if is_pseudonym(p)],
                    fields=["first_name", "last_name", "age", "address", "phone", "household"],
                    release=found.number,
                    query={
                        "areas": listed.areas,
                        "hazard": hazard,
                        "persons_without_id": [p for p in persons if not is_pseudonym(p)],
                    },
                ),
                anchor_key=anchor_key_from(ctx.settings.pseudonym_secret()),
            )
        about = about_list(
            title=TITLE,
            area=", ".join(listed.areas),
            release=found.number,
            as_of=found.as_of,
            filters={"hazard": hazard},
            requested_by=actor.name,
            dsa_id=None,
            purpose=purpose,
            real_ids=False,
        )
        rows = write_list(
            out,
            header=[c for c, _ in COLUMNS],
            labels_th=[label for _, label in COLUMNS],
            batches=listed.batches(),
            about=about,
        )
        return DisasterExport(out, found.number, rows, listed.counts())
    finally:
        catalog.close()
