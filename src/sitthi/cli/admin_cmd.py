"""``sitthi admin``: users and API clients of the operational store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from sitthi.operations.models import ApiClient, User
    from sitthi.operations.store import OperationsStore

app = typer.Typer(
    help="Accounts of the operational store (SITTHI_OPERATIONS_URL): users and API clients.",
    no_args_is_help=True,
)
user_app = typer.Typer(help="People who sign in with a password.", no_args_is_help=True)
client_app = typer.Typer(
    help="Systems that sign in with OAuth 2 client credentials.", no_args_is_help=True
)
app.add_typer(user_app, name="user")
app.add_typer(client_app, name="client")

_ROLE = typer.Option("--role", help="admin, analyst, caseworker, agency (clients only) or auditor.")
_AREAS = typer.Option(
    "--areas",
    help="DOPA area codes, comma-separated: 84 (province), 8401 (district), 840101 "
    "(subdistrict). A caseworker needs at least one.",
)
_JSON = typer.Option("--json", help="Print one JSON object (for scripts).")


def _store() -> OperationsStore:
    from sitthi.context import Context

    return Context().operations


def _emit(record: dict[str, Any]) -> None:
    typer.echo(json.dumps(record, ensure_ascii=False))


def _areas_text(areas: list[str], dsa: str | None = None) -> str:
    # No areas means every area, or for a client under a DSA, the agreement's areas.
    return ", ".join(areas) if areas else "the DSA's" if dsa else "all"


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="The sign-in name (unique; Thai is fine).")],
    role: Annotated[str, _ROLE],
    areas: Annotated[str | None, _AREAS] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Make a user and print their password, once: only its argon2 hash is kept."""
    from sitthi.operations.accounts import add_user
    from sitthi.operations.audit import local_actor
    from sitthi.operations.roles import parse_area_list

    with _store() as store:
        user, password = add_user(store, name, role, parse_area_list(areas), actor=local_actor())
    if as_json:
        _emit({"name": user.name, "role": user.role, "areas": user.areas, "password": password})
        return
    typer.echo(f"user {user.name}: {user.role}, areas {_areas_text(user.areas)}")
    typer.echo(f"password (shown once, stored only as a hash): {password}")


@client_app.command("add")
def client_add(
    name: Annotated[str, typer.Argument(help="What the client is, e.g. 'ระบบทะเบียน พก.'.")],
    role: Annotated[str, _ROLE],
    dsa: Annotated[
        Path | None,
        typer.Option("--dsa", help="The Data Sharing Agreement it acts under (a YAML file)."),
    ] = None,
    areas: Annotated[str | None, _AREAS] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Make an API client and print its client_id and client_secret, once.

    An agency client needs --dsa; the agreement is checked and kept in the store.
    """
    from sitthi.cli.options import input_file
    from sitthi.operations.accounts import add_client
    from sitthi.operations.audit import local_actor
    from sitthi.operations.roles import parse_area_list

    with _store() as store:
        client, secret = add_client(
            store,
            name,
            role,
            dsa_path=input_file(dsa, "--dsa"),
            areas=parse_area_list(areas),
            actor=local_actor(),
        )
    if as_json:
        _emit(
            {
                "client_id": client.client_id,
                "client_secret": secret,
                "name": client.name,
                "role": client.role,
                "areas": client.areas,
                "dsa": client.dsa_id,
            }
        )
        return
    typer.echo(
        f"client {client.name}: {client.role}, areas {_areas_text(client.areas, client.dsa_id)}"
        + (f", DSA {client.dsa_id}" if client.dsa_id else "")
    )
    typer.echo(f"client_id: {client.client_id}")
    typer.echo(f"client_secret (shown once, stored only as a hash): {secret}")


@user_app.command("list")
def user_list(as_json: Annotated[bool, _JSON] = False) -> None:
    """List users (never their passwords)."""
    from sitthi.operations.accounts import list_users

    with _store() as store:
        rows = [_user_row(u) for u in list_users(store)]
    if as_json:
        _emit({"users": rows})
        return
    _table("ผู้ใช้ (users)", ["name", "role", "areas", "created", "disabled"], rows)


@client_app.command("list")
def client_list(as_json: Annotated[bool, _JSON] = False) -> None:
    """List API clients (never their secrets)."""
    from sitthi.operations.accounts import list_clients

    with _store() as store:
        rows = [_client_row(c) for c in list_clients(store)]
    if as_json:
        _emit({"clients": rows})
        return
    columns = ["client_id", "name", "role", "dsa", "areas", "created", "disabled"]
    _table("ระบบที่เชื่อมต่อ (API clients)", columns, rows)


@user_app.command("disable")
def user_disable(name: Annotated[str, typer.Argument(help="The user's sign-in name.")]) -> None:
    """Refuse every later sign-in of a user (the account stays, for the audit log)."""
    from sitthi.operations.accounts import disable_user
    from sitthi.operations.audit import local_actor

    with _store() as store:
        user = disable_user(store, name, actor=local_actor())
    typer.echo(f"user {user.name}: disabled")


@client_app.command("disable")
def client_disable(
    client_id: Annotated[str, typer.Argument(help="The client's client_id.")],
) -> None:
    """Refuse every later token request of an API client."""
    from sitthi.operations.accounts import disable_client
    from sitthi.operations.audit import local_actor

    with _store() as store:
        client = disable_client(store, client_id, actor=local_actor())
    typer.echo(f"client {client.client_id} ({client.name}): disabled")


def _user_row(user: User) -> dict[str, Any]:
    return {
        "name": user.name,
        "role": user.role,
        "areas": user.areas,
        "created": user.created_at.isoformat(timespec="seconds"),
        "disabled": user.disabled,
    }


def _client_row(client: ApiClient) -> dict[str, Any]:
    return {
        "client_id": client.client_id,
        "name": client.name,
        "role": client.role,
        "dsa": client.dsa_id,
        "areas": client.areas,
        "created": client.created_at.isoformat(timespec="seconds"),
        "disabled": client.disabled,
    }


def _table(title: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, box=box.SIMPLE_HEAD)
    for column in columns:
        table.add_column(column, no_wrap=column in ("client_id", "created"))
    for row in rows:
        table.add_row(*(_cell(row[c], row.get("dsa")) for c in columns))
    Console().print(table if rows else f"{title}: none")


def _cell(value: object, dsa: str | None) -> str:
    if isinstance(value, list):
        return _areas_text(value, dsa)
    if isinstance(value, bool):
        return "yes" if value else ""
    return str(value or "")
