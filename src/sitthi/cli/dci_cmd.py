"""``sitthi dci``: the partner systems that may send DCI envelopes, their keys and callbacks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from sitthi.context import Context

app = typer.Typer(
    help="DCI social-registry API partners (docs/DCI.md): senders, Ed25519 keys, callbacks.",
    no_args_is_help=True,
)
sender_app = typer.Typer(
    help="Partner systems, as a DCI header's sender_id, each of one API client.",
    no_args_is_help=True,
)
key_app = typer.Typer(help="The Ed25519 public keys a sender signs with.", no_args_is_help=True)
callback_app = typer.Typer(
    help="Where asynchronous answers may be posted (no other URI is ever called).",
    no_args_is_help=True,
)
app.add_typer(sender_app, name="sender")
app.add_typer(key_app, name="key")
app.add_typer(callback_app, name="callback")

_JSON = typer.Option("--json", help="Print one JSON object (for scripts).")
_KEY_FILE = typer.Option(
    "--public-key-file",
    help="The sender's Ed25519 public key: a PEM file, or its 32 bytes in base64.",
)
_KEY_ID = typer.Option(
    "--key-id",
    help="The key's id in the signature's kidId (default: a fingerprint of the key).",
)
_SENDER = typer.Argument(help="The sender_id its envelopes carry, e.g. dep.go.th.")
#: A public key file is a few hundred bytes; anything bigger is not one.
_MAX_KEY_FILE = 10_000


def _context() -> Context:
    from sitthi.context import Context

    return Context()


def _public_key(path: Path) -> Ed25519PublicKey:
    from sitthi.api.dci.senders import SenderError
    from sitthi.api.dci.signature import read_public_key
    from sitthi.cli.options import input_file

    checked = input_file(path, "--public-key-file")
    assert checked is not None
    data = checked.read_bytes()[: _MAX_KEY_FILE + 1]
    if len(data) > _MAX_KEY_FILE:
        raise SenderError(f"--public-key-file {path}: too big for a public key")
    try:
        return read_public_key(data)
    except ValueError as exc:
        raise SenderError(f"--public-key-file {path}: {exc}") from None


def _emit(record: dict[str, Any]) -> None:
    typer.echo(json.dumps(record, ensure_ascii=False))


@sender_app.command("add")
def sender_add(
    sender_id: Annotated[str, _SENDER],
    client_id: Annotated[
        str, typer.Option("--client-id", help="The API client (sitthi-…) it belongs to.")
    ],
    public_key_file: Annotated[Path, _KEY_FILE],
    key_id: Annotated[str | None, _KEY_ID] = None,
    name: Annotated[str | None, typer.Option("--name", help="What the system is.")] = None,
    callback_uri: Annotated[
        list[str] | None,
        typer.Option(
            "--callback-uri",
            help="A URI its /registry/on-search answers may be posted to (repeatable; "
            "https only in production).",
        ),
    ] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Register a sender for an API client, with its first public key."""
    from sitthi.api.dci.senders import add_sender
    from sitthi.operations.audit import local_actor

    key = _public_key(public_key_file)
    ctx = _context()
    with ctx.operations as store:
        sender = add_sender(
            store,
            sender_id,
            client_id=client_id,
            public_key=key,
            key_id=key_id,
            name=name,
            callback_uris=callback_uri or (),
            production=ctx.production,
            actor=local_actor(),
        )
        keys = _keys_of(store, sender.sender_id)
    record = {
        "sender_id": sender.sender_id,
        "client_id": sender.client_id,
        "key_ids": keys,
        "callback_uris": sender.callback_uris,
    }
    if as_json:
        _emit(record)
        return
    typer.echo(f"sender {sender.sender_id}: client {sender.client_id}, key {', '.join(keys)}")
    for uri in sender.callback_uris:
        typer.echo(f"callback: {uri}")


@sender_app.command("list")
def sender_list(as_json: Annotated[bool, _JSON] = False) -> None:
    """List senders with their keys (current and revoked) and callbacks."""
    from sitthi.api.dci.senders import list_senders

    with _context().operations as store:
        found = list_senders(store)
    rows: list[dict[str, Any]] = [
        {
            "sender_id": s.sender_id,
            "client_id": s.client_id,
            "name": s.name,
            "keys": [
                {
                    "key_id": k.key_id,
                    "revoked": k.revoked_at is not None,
                    "public_key": k.public_key,
                }
                for k in keys
            ],
            "callback_uris": s.callback_uris,
            "disabled": s.disabled,
        }
        for s, keys in found
    ]
    if as_json:
        _emit({"senders": rows})
        return
    if not rows:
        typer.echo("senders: none")
    for row in rows:
        listed = ", ".join(k["key_id"] + (" (revoked)" * k["revoked"]) for k in row["keys"])
        state = " (disabled)" if row["disabled"] else ""
        typer.echo(f"{row['sender_id']}{state}: client {row['client_id']}; keys {listed}")
        for uri in row["callback_uris"]:
            typer.echo(f"  callback: {uri}")


@sender_app.command("disable")
def sender_disable(sender_id: Annotated[str, _SENDER]) -> None:
    """Refuse every later envelope of a sender."""
    from sitthi.api.dci.senders import disable_sender
    from sitthi.operations.audit import local_actor

    with _context().operations as store:
        disable_sender(store, sender_id, actor=local_actor())
    typer.echo(f"sender {sender_id}: disabled")


@key_app.command("add")
def key_add(
    sender_id: Annotated[str, _SENDER],
    public_key_file: Annotated[Path, _KEY_FILE],
    key_id: Annotated[str | None, _KEY_ID] = None,
) -> None:
    """Add a public key to a sender (to rotate: add the new one, then revoke the old)."""
    from sitthi.api.dci.senders import add_key
    from sitthi.operations.audit import local_actor

    key = _public_key(public_key_file)
    with _context().operations as store:
        added = add_key(store, sender_id, key, key_id=key_id, actor=local_actor())
    typer.echo(f"sender {sender_id}: key {added} added")


@key_app.command("revoke")
def key_revoke(
    sender_id: Annotated[str, _SENDER],
    key_id: Annotated[str, typer.Argument(help="The key's id.")],
) -> None:
    """Stop a key verifying anything from now on."""
    from sitthi.api.dci.senders import revoke_key
    from sitthi.operations.audit import local_actor

    with _context().operations as store:
        revoke_key(store, sender_id, key_id, actor=local_actor())
    typer.echo(f"sender {sender_id}: key {key_id} revoked")


@key_app.command("generate")
def key_generate(
    out: Annotated[
        Path, typer.Option("--out", help="Where to write the private key (PEM, owner-only).")
    ],
) -> None:
    """Make an Ed25519 key pair for a partner: the private key to --out, the public key
    beside it (``.pub``) and on the screen. The private key stays with the partner."""
    import os

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from sitthi.api.dci.signature import key_fingerprint, public_key_text

    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never overwrite a key
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    public = private.public_key()
    pub = out.with_name(out.name + ".pub")
    pub.write_bytes(
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    typer.echo(f"private key: {out} (keep it with the partner; never send it)")
    typer.echo(f"public key: {pub}")
    typer.echo(f"public key (base64url): {public_key_text(public)}")
    typer.echo(f"fingerprint (default key id): {key_fingerprint(public)}")


@callback_app.command("add")
def callback_add(
    sender_id: Annotated[str, _SENDER],
    uri: Annotated[str, typer.Argument(help="The callback URI, exactly as it will be called.")],
) -> None:
    """Allow answers of asynchronous searches to be posted to a URI."""
    from sitthi.api.dci.senders import set_callbacks
    from sitthi.operations.audit import local_actor

    ctx = _context()
    with ctx.operations as store:
        uris = set_callbacks(
            store, sender_id, add=[uri], production=ctx.production, actor=local_actor()
        )
    typer.echo(f"sender {sender_id}: callbacks {', '.join(uris)}")


@callback_app.command("remove")
def callback_remove(
    sender_id: Annotated[str, _SENDER],
    uri: Annotated[str, typer.Argument(help="The callback URI to forget.")],
) -> None:
    """Stop posting answers to a URI."""
    from sitthi.api.dci.senders import set_callbacks
    from sitthi.operations.audit import local_actor

    with _context().operations as store:
        uris = set_callbacks(store, sender_id, remove=[uri], actor=local_actor())
    typer.echo(f"sender {sender_id}: callbacks {', '.join(uris) or 'none'}")


def _keys_of(store: Any, sender_id: str) -> list[str]:
    from sitthi.api.dci.senders import current_keys

    return sorted(current_keys(store, sender_id) or ())
