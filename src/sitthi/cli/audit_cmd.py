"""``sitthi audit``: verify the hash-chained audit log, read it, answer access requests."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sitthi.config import Settings
    from sitthi.operations.audit import LoggedEntry
    from sitthi.operations.store import OperationsStore

app = typer.Typer(
    help="The audit log of every read of person-level data: verify it, show it, and "
    "answer a person's request to know who saw their record (PDPA s.30).",
    no_args_is_help=True,
)

#: Recorded with the lookups this module makes itself (they are reads of a person too).
_ACCESS_REQUEST = "คำขอเข้าถึงข้อมูลส่วนบุคคลของเจ้าของข้อมูล (PDPA s.30)"


def _context() -> tuple[Settings, OperationsStore]:
    from sitthi.context import Context

    context = Context()
    return context.settings, context.operations


def _anchor_key(settings: Settings) -> bytes:
    from sitthi.operations.audit import anchor_key_from

    return anchor_key_from(settings.pseudonym_secret())


@app.command("verify")
def verify(
    previous_key_file: Annotated[
        list[Path] | None,
        typer.Option(
            "--previous-key-file",
            help="A pseudonym key used before a rotation, to check the anchors signed "
            "under it (repeatable).",
        ),
    ] = None,
) -> None:
    """Walk the whole chain; exit 0 with a one-line summary if intact, 1 naming the first
    bad record otherwise (edited, deleted, inserted, reordered, rewritten or truncated).

    Anchors are checked with the key derived from SITTHI_PSEUDONYM_KEY (or _FILE).
    """
    from sitthi.errors import ConfigError
    from sitthi.operations.audit import AuditBroken, anchor_key_from
    from sitthi.operations.audit import verify as verify_chain
    from sitthi.yaml_models import read_user_file

    settings, store = _context()
    keys = [_anchor_key(settings)]
    for path in previous_key_file or ():
        old = read_user_file(path, ConfigError, what="previous pseudonym key", limit=4096)
        keys.append(anchor_key_from(old.strip().encode("utf-8")))
    with store:
        result = verify_chain(store, keys)
    if not result.ok:
        raise AuditBroken(result.summary())
    typer.echo(result.summary())


@app.command("anchor")
def anchor() -> None:
    """Sign the chain's head now (before a backup, after a verify): a log cut short after
    its newest anchor could not be told from one that ended there."""
    from sitthi.operations.audit import anchor as anchor_head

    settings, store = _context()
    with store:
        made = anchor_head(store, _anchor_key(settings))
    typer.echo(f"anchored seq {made.seq} hash {made.hash}" if made else "the log is empty")


@app.command("show")
def show(
    person: Annotated[
        str | None,
        typer.Option("--person", help="Only records naming this pseudonym (pid_hash)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many records.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """The newest records of the log, newest first."""
    from sitthi.errors import ValidationError
    from sitthi.operations.audit import is_pseudonym
    from sitthi.operations.audit import show as show_entries

    pid_hash = person.strip().lower() if person is not None else None
    if pid_hash is not None and not is_pseudonym(pid_hash):
        raise ValidationError("--person: a pseudonym (pid_hash) is 64 hex digits")
    settings, store = _context()
    with store:
        if pid_hash is not None:
            _log_lookup(settings, store, pid_hash, "sitthi audit show --person")
        entries = show_entries(store, person=pid_hash, limit=limit)
    _print(entries, as_json, title="บันทึกการเข้าถึงข้อมูล (audit log), newest first")


@app.command("person")
def person(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Who looked at one person's record: the national ID is read from stdin or a hidden
    prompt (never an argument: it would stay in the shell's history and process list)."""
    from sitthi.errors import ValidationError
    from sitthi.ingest.pseudonym import pseudonym
    from sitthi.operations.audit import subject_accesses
    from sitthi.thai.national_id import normalize_national_id

    raw = (
        typer.prompt("เลขประจำตัวประชาชน (national ID)", hide_input=True, err=True)
        if sys.stdin.isatty()
        else sys.stdin.readline()
    )
    national_id = normalize_national_id(raw.strip())
    if national_id is None:
        raise ValidationError("not a national ID: expected 13 digits")
    settings, store = _context()
    pid_hash = pseudonym(settings.pseudonym_secret(), national_id)
    with store:
        _log_lookup(settings, store, pid_hash, "sitthi audit person")
        entries = subject_accesses(store, pid_hash)
    typer.echo(f"ID ending {national_id[-4:]}: pid_hash {pid_hash}", err=True)
    _print(entries, as_json, title="ผู้ที่เข้าถึงข้อมูลของบุคคลนี้ (who accessed this person)")


def _log_lookup(settings: Settings, store: OperationsStore, pid_hash: str, command: str) -> None:
    """Looking up who read a person is itself a read of that person: audited first."""
    from sitthi.operations.audit import AuditEntry, append, local_actor

    append(
        store,
        AuditEntry.by(
            local_actor(), action="read", route=command, purpose=_ACCESS_REQUEST, persons=[pid_hash]
        ),
        anchor_key=_anchor_key(settings),
    )


def _print(entries: list[LoggedEntry], as_json: bool, *, title: str) -> None:
    if as_json:
        for e in entries:
            typer.echo(json.dumps(e.entry.document(e.seq) | {"hash": e.hash}, ensure_ascii=False))
        return
    from rich import box
    from rich.console import Console
    from rich.table import Table

    if not entries:
        Console().print(f"{title}: none")
        return
    table = Table(title=title, box=box.SIMPLE_HEAD)
    columns = ("seq", "at (UTC)", "actor", "role", "action", "route", "DSA", "persons", "status")
    for column in columns:
        table.add_column(column, no_wrap=column in ("seq", "at (UTC)"))
    for e in entries:
        a = e.entry
        table.add_row(
            str(e.seq),
            f"{a.at:%Y-%m-%d %H:%M:%S}",
            a.actor,
            a.role or "",
            a.action,
            a.route,
            a.dsa_id or "",
            str(len(a.persons)),
            str(a.status),
        )
    Console().print(table)
