"""Terminal output for releases."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console
from rich.table import Table

from sitthi.releases.publish import Published

if TYPE_CHECKING:
    from sitthi.context import Context

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


def print_demo_clients(clients: dict[str, Any], ctx: Context) -> None:
    """How to serve the release, get a token for each role and open the dashboard with
    the development users (development only)."""
    store = ctx.store_path
    console.print(
        f"\n[bold]ลองใช้ API (try the API)[/bold]: one client per role in "
        f"{store.parent / 'demo-clients.json'} (development only)"
    )
    console.print(f"  sitthi serve --db {store} --host 127.0.0.1 --port 8000")
    for role, c in clients.items():
        if role == "users":
            continue
        console.print(
            f"  {role:<10} curl -s -d grant_type=client_credentials "
            f"-u {c['client_id']}:{c['client_secret']} http://127.0.0.1:8000/oauth2/client/token",
            soft_wrap=True,  # a command must stay on one line to be copied
        )
    console.print(
        "  then: curl -H 'Authorization: Bearer TOKEN' http://127.0.0.1:8000/api/v1/programmes"
    )
    users = clients.get("users") or {}
    if users:
        console.print(
            "\n[bold]แดชบอร์ด (the dashboard)[/bold]: http://127.0.0.1:8000/app/ "
            "(development logins)"
        )
        for name, u in users.items():
            areas = f" ({', '.join(u['areas'])})" if u.get("areas") else ""
            console.print(
                f"  {u['role']:<10}{areas} user {name}  password {u['password']}", soft_wrap=True
            )
