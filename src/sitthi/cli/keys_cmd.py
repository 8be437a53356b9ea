"""``sitthi keys``: the store's pseudonym keys."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sitthi.ingest.keys import RotationReport

app = typer.Typer(
    help="The store's pseudonym keys: move the store to a new key.", no_args_is_help=True
)


def rotate(
    new_key_file: Annotated[
        Path,
        typer.Option(help="A file holding the new key (never on the command line: it would leak)."),
    ],
    new_version: Annotated[
        int,
        typer.Option(help="The new SITTHI_PSEUDONYM_KEY_VERSION, above the current one."),
    ],
    db: Annotated[Path | None, typer.Option(help="The store (default: SITTHI_DB).")] = None,
) -> None:
    """Re-pseudonymise the store under a new key, in one transaction.

    The current key is the configured one (SITTHI_PSEUDONYM_KEY or _FILE, and
    SITTHI_PSEUDONYM_KEY_VERSION) and must be the store's. Every pseudonym (identities,
    records, facts, quarantine, links, persons, review, rights outputs) is recomputed; the
    counts per column before and after must agree, or nothing changes. Afterwards, set the
    new key and version for every later command.
    """
    from sitthi.config import get_settings
    from sitthi.context import Context
    from sitthi.ingest.keys import read_key_file, rotate_keys

    settings = get_settings()
    old_key = settings.pseudonym_secret()
    new_key = read_key_file(new_key_file, production=settings.environment == "production")
    ctx = Context(settings=settings, db=db)
    con = ctx.store(must_exist=True)
    report = rotate_keys(
        con,
        old_key=old_key,
        old_version=settings.pseudonym_key_version,
        new_key=new_key,
        new_version=new_version,
    )
    con.close()
    _print_report(report, new_key_file)


app.command("rotate")(rotate)


def _print_report(report: RotationReport, key_file: Path) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"เปลี่ยนกุญแจนามแฝง (key rotation) {report.old_version} → {report.new_version}",
        caption="นับก่อนและหลังตรงกัน (counted before and after: equal)",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("ตาราง\n(table.column)", no_wrap=True)
    for name in ("แถว\n(rows)", "มีนามแฝง\n(with pseudonym)", "ไม่ซ้ำ\n(distinct)"):
        table.add_column(name, justify="right")
    for c in report.columns:
        # Every pair agrees, or the rotation was rolled back: one figure says both.
        table.add_row(f"{c.table}.{c.column}", *(f"{n[1]:,}" for n in c.counts))
    console = Console()
    console.print(table)
    if report.emptied:
        console.print(
            f"{report.emptied:,} pseudonyms in quarantined rows the reader could not split "
            "resolve to no identity: emptied, not left under the old key"
        )
    console.print(f"{report.store}: rotated in {report.seconds:.1f} s. From now on:")
    console.print(
        f"  SITTHI_PSEUDONYM_KEY_FILE={key_file} SITTHI_PSEUDONYM_KEY_VERSION={report.new_version}"
    )
