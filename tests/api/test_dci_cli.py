"""``sitthi dci``: registering a partner's sender, keys and callbacks from the shell."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sitthi.api.dci.senders import current_keys, get_sender
from sitthi.cli.main import app
from sitthi.config import get_settings
from sitthi.operations.accounts import add_client
from sitthi.operations.store import OperationsStore


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[OperationsStore, str]]:
    url = f"sqlite:///{tmp_path / 'operations.sqlite'}"
    monkeypatch.setenv("SITTHI_OPERATIONS_URL", url)
    monkeypatch.setenv("SITTHI_ENVIRONMENT", "development")
    get_settings.cache_clear()
    opened = OperationsStore.open(url)
    client, _ = add_client(opened, "DEP", "analyst")
    yield opened, client.client_id
    opened.close()
    get_settings.cache_clear()


def _rsa_pem() -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output + (
        str(result.exception or "") if result.exit_code else ""
    )


def test_a_partner_is_registered_rotated_and_listed(
    store: tuple[OperationsStore, str], tmp_path: Path
) -> None:
    operations, client_id = store
    code, out = _run("dci", "key", "generate", "--out", str(tmp_path / "partner.pem"))
    assert code == 0, out
    assert (tmp_path / "partner.pem").stat().st_mode & 0o777 == 0o600
    public = tmp_path / "partner.pem.pub"
    code, out = _run("dci", "sender", "add", "dep.go.th", "--client-id", client_id,
                     "--public-key-file", str(public), "--key-id", "2026-10",
                     "--callback-uri", "https://dep.go.th/dci/on-search", "--json")  # fmt: skip
    assert code == 0, out
    made = json.loads(out)
    assert made["key_ids"] == ["2026-10"]
    assert made["callback_uris"] == ["https://dep.go.th/dci/on-search"]
    # rotation: a second key, then the first revoked
    _run("dci", "key", "generate", "--out", str(tmp_path / "next.pem"))
    code, out = _run("dci", "key", "add", "dep.go.th", "--public-key-file",
                     str(tmp_path / "next.pem.pub"), "--key-id", "2027-04")  # fmt: skip
    assert code == 0, out
    assert sorted(current_keys(operations, "dep.go.th") or ()) == ["2026-10", "2027-04"]
    assert _run("dci", "key", "revoke", "dep.go.th", "2026-10")[0] == 0
    assert sorted(current_keys(operations, "dep.go.th") or ()) == ["2027-04"]
    code, out = _run("dci", "sender", "list", "--json")
    listed = json.loads(out)["senders"][0]
    assert [(k["key_id"], k["revoked"]) for k in listed["keys"]] == [
        ("2026-10", True),
        ("2027-04", False),
    ]
    assert _run("dci", "callback", "add", "dep.go.th", "https://dep.go.th/v2/on-search")[0] == 0
    assert _run("dci", "callback", "remove", "dep.go.th", "https://dep.go.th/dci/on-search")[0] == 0
    sender = get_sender(operations, "dep.go.th")
    assert sender is not None
    assert sender.callback_uris == ["https://dep.go.th/v2/on-search"]
    assert _run("dci", "sender", "disable", "dep.go.th")[0] == 0
    assert current_keys(operations, "dep.go.th") is None


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "partner.pem", "private key"),
        (lambda d: (d / "junk.pub").write_text("not a key") and d / "junk.pub", "32 bytes"),
        (lambda d: (d / "rsa.pub").write_bytes(_rsa_pem()) and d / "rsa.pub", "not an Ed25519"),
    ],
)
def test_a_private_key_or_garbage_is_refused_in_one_line(
    store: tuple[OperationsStore, str], tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    _, client_id = store
    _run("dci", "key", "generate", "--out", str(tmp_path / "partner.pem"))
    code, out = _run("dci", "sender", "add", "dep.go.th", "--client-id", client_id,
                     "--public-key-file", str(make(tmp_path)))  # fmt: skip
    assert code != 0
    assert message in out


def test_an_unknown_client_and_a_bad_callback_are_refused(
    store: tuple[OperationsStore, str], tmp_path: Path
) -> None:
    _, client_id = store
    _run("dci", "key", "generate", "--out", str(tmp_path / "partner.pem"))
    public = str(tmp_path / "partner.pem.pub")
    code, out = _run("dci", "sender", "add", "x", "--client-id", "sitthi-nobody",
                     "--public-key-file", public)  # fmt: skip
    assert code != 0
    assert "no API client" in out
    code, out = _run("dci", "sender", "add", "x", "--client-id", client_id,
                     "--public-key-file", public, "--callback-uri", "ftp://x/y")  # fmt: skip
    assert code != 0
    assert "absolute" in out
