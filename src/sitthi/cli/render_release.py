"""Terminal output for releases."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

from sitthi.releases.publish import Published

console = Console()


def print_published(published: Published) -> None:
    """The release made: its number, day, lineage in brief and what it holds."""
    m = published.manifest
    lineage = m["lineage"]
    console.print(
        f"[bold]เผยแพร่ชุดข้อมูลที่ {published.number} (release {published.number})[/bold]: "
        f"ข้อมูล ณ วันที่ {m['as_of']} (as of), {published.seconds:,.1f} s"
    )
    table = Table(box=box.SIMPLE, show_header=True)
    table.add_column("ตาราง (table)")
    table.add_column("แถว (rows)", justify="right")
    for name, count in m["tables"].items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    sources = sorted({b["source"] for b in lineage["batches"]})
    console.print(
        f"ที่มา (lineage): {len(lineage['batches'])} batches from {', '.join(sources)}; "
        f"link run {lineage['link_run']['run_id']}; rights run {lineage['rights_run']['run_id']}; "
        f"code {lineage['code_version']}"
    )
    console.print(f"folder: {published.path}")
