"""Users and API clients: made once with a secret shown once, checked, disabled, audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, text

from sitthi.errors import ValidationError
from sitthi.operations import accounts
from sitthi.operations.accounts import (
    AccountError,
    add_client,
    add_user,
    disable_client,
    disable_user,
    get_dsa,
    list_clients,
    list_users,
    verify_client,
    verify_user,
)
from sitthi.operations.audit import Actor, show, verify
from sitthi.operations.dsa import DsaError
from sitthi.operations.models import Dsa, User
from sitthi.operations.roles import Role
from sitthi.operations.store import OperationsStore

from .conftest import DEP_DSA, LAO_DSA


def test_a_user_signs_in_with_the_password_they_were_given(store: OperationsStore) -> None:
    user, password = add_user(store, "สมศรี", Role.CASEWORKER, ["8401"])
    assert (user.name, user.role, user.areas) == ("สมศรี", "caseworker", ["8401"])
    assert len(password) >= 43
    signed_in = verify_user(store, "สมศรี", password)
    assert signed_in is not None
    assert signed_in.name == "สมศรี"


def test_a_wrong_password_an_unknown_name_and_a_disabled_user_are_refused(
    store: OperationsStore,
) -> None:
    _, password = add_user(store, "somsri", "analyst")
    assert verify_user(store, "somsri", password + "x") is None
    assert verify_user(store, "somchai", password) is None
    disable_user(store, "somsri")
    assert verify_user(store, "somsri", password) is None


def test_an_unknown_name_still_costs_a_hash(
    store: OperationsStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real = accounts._matches
    monkeypatch.setattr(accounts, "_matches", lambda h, s: checked.append(h) or real(h, s))
    assert verify_user(store, "nobody", "guess") is None
    assert verify_client(store, "sitthi-0000", "guess") is None
    assert len(checked) == 2
    assert all(h.startswith("$argon2id$") for h in checked)


def test_secrets_are_stored_only_as_argon2_hashes(store: OperationsStore) -> None:
    _, password = add_user(store, "somsri", "analyst")
    client, secret = add_client(store, "DEP", "agency", dsa_path=DEP_DSA)
    with store.engine.connect() as connection:
        dump = "\n".join(
            str(row)
            for table in ("users", "api_clients", "audit_log")
            for row in connection.execute(text(f"select * from {table}"))
        )
    assert password not in dump
    assert secret not in dump
    assert "$argon2id$" in dump
    assert password not in repr(list_users(store))
    assert secret not in repr(client)


def test_an_old_hash_is_upgraded_when_its_owner_signs_in(
    store: OperationsStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, password = add_user(store, "somsri", "analyst")  # the light test parameters
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=2, memory_cost=2048))
    with store.session() as session:
        before = session.scalars(select(User.password_hash)).one()
    assert verify_user(store, "somsri", password) is not None
    with store.session() as session:
        after = session.scalars(select(User.password_hash)).one()
    assert after != before
    assert "m=2048,t=2" in after
    assert verify_user(store, "somsri", password) is not None


def test_a_client_authenticates_with_its_secret(store: OperationsStore) -> None:
    client, secret = add_client(store, "ระบบทะเบียน พก.", "agency", dsa_path=DEP_DSA)
    assert client.client_id.startswith("sitthi-")
    assert client.dsa_id == "DSA-DEP-2569-001"
    verified = verify_client(store, client.client_id, secret)
    assert verified is not None
    assert verified.client_id == client.client_id
    assert verify_client(store, client.client_id, "wrong") is None
    assert verify_client(store, "sitthi-unknown", secret) is None
    disable_client(store, client.client_id)
    assert verify_client(store, client.client_id, secret) is None


def test_each_client_gets_its_own_id_and_secret(store: OperationsStore) -> None:
    a, secret_a = add_client(store, "DEP", "agency", dsa_path=DEP_DSA)
    b, secret_b = add_client(store, "DEP", "agency", dsa_path=DEP_DSA)  # the same DSA twice
    assert a.client_id != b.client_id
    assert secret_a != secret_b
    assert verify_client(store, b.client_id, secret_a) is None
    assert [c.client_id for c in list_clients(store)] == [a.client_id, b.client_id]


def test_the_dsa_is_kept_verbatim(store: OperationsStore) -> None:
    add_client(store, "LAO", "agency", dsa_path=LAO_DSA, areas=["840101"])
    with store.session() as session:
        row = session.get(Dsa, "DSA-LAO-840101-2569-001")
    assert row is not None
    assert row.yaml == LAO_DSA.read_text(encoding="utf-8")
    loaded = get_dsa(store, "DSA-LAO-840101-2569-001")
    assert loaded is not None
    assert loaded.real_ids
    assert get_dsa(store, "DSA-NONE") is None


def test_the_same_dsa_id_with_other_text_is_refused(store: OperationsStore, tmp_path: Path) -> None:
    add_client(store, "DEP", "agency", dsa_path=DEP_DSA)
    amended = tmp_path / "amended.yaml"
    amended.write_text(DEP_DSA.read_text(encoding="utf-8").replace("- gaps", "- notices"))
    with pytest.raises(DsaError, match=r"amended.yaml: id: DSA DSA-DEP-2569-001 is already"):
        add_client(store, "DEP 2", "agency", dsa_path=amended)
    assert len(list_clients(store)) == 1


@pytest.mark.parametrize(
    ("call", "says"),
    [
        (lambda s: add_user(s, "ann", "caseworker"), "user ann: role caseworker needs at least"),
        (lambda s: add_user(s, "ann", "agency", ["84"]), "acts only under a Data Sharing"),
        (lambda s: add_user(s, "ann", "boss"), "unknown role 'boss'"),
        (lambda s: add_user(s, "ann", "analyst", ["84", "8499"]), "area code '8499'"),
        (lambda s: add_user(s, "  ", "analyst"), "a user needs a name"),
        (lambda s: add_user(s, "a\x00b", "analyst"), "no control or invisible characters"),
        (lambda s: add_client(s, "DEP", "agency"), "client DEP: role agency acts only under"),
        (
            lambda s: add_client(s, "LAO", "agency", dsa_path=LAO_DSA, areas=["50"]),
            "area 50 lies outside DSA DSA-LAO-840101-2569-001's areas",
        ),
        (lambda s: add_client(s, "X", "agency", dsa_path="nowhere.yaml"), "no such DSA file"),
        (lambda s: disable_user(s, "nobody"), "no user 'nobody'"),
        (lambda s: disable_client(s, "sitthi-none"), "no client 'sitthi-none'"),
    ],
)
def test_a_user_error_is_one_clear_line(store: OperationsStore, call: object, says: str) -> None:
    with pytest.raises(ValidationError, match=says) as caught:
        call(store)  # type: ignore[operator]
    assert "\n" not in str(caught.value)
    assert list_users(store) == []
    assert list_clients(store) == []


def test_a_name_is_taken_once(store: OperationsStore) -> None:
    add_user(store, "สมศรี", "analyst")
    with pytest.raises(AccountError, match="user 'สมศรี' already exists"):
        add_user(store, "สมศรี", "auditor")
    assert [u.role for u in list_users(store)] == ["analyst"]


def test_every_change_is_in_the_audit_log(store: OperationsStore) -> None:
    admin = Actor("cli:root", "system")
    add_user(store, "somsri", "analyst", actor=admin)
    client, _ = add_client(store, "DEP", "agency", dsa_path=DEP_DSA, actor=admin)
    disable_user(store, "somsri", actor=admin)
    logged = show(store)
    assert [e.entry.route for e in logged] == [
        "admin user disable",
        "admin client add",
        "admin user add",
    ]
    assert all(e.entry.actor == "cli:root" and e.entry.action == "change" for e in logged)
    assert logged[1].entry.dsa_id == "DSA-DEP-2569-001"
    assert logged[1].entry.query["client_id"] == client.client_id
    assert verify(store).ok


def test_a_change_is_not_made_when_it_cannot_be_audited(store: OperationsStore) -> None:
    with store.engine.begin() as connection:
        connection.execute(text("drop table audit_log"))
    with pytest.raises(Exception, match="audit_log"):
        add_user(store, "somsri", "analyst")
    with store.session() as session:
        assert session.scalars(select(User)).all() == []


def test_a_client_id_never_looks_like_a_national_id(monkeypatch: pytest.MonkeyPatch) -> None:
    # 16 random hex digits hold 13 decimal digits in a row about once in a thousand; the
    # audit would then refuse the record of the client's creation.
    from sitthi.operations import accounts as module

    drawn = iter(["1101700203158abc", "1101700203158abc", "0123456789abcdef"])
    monkeypatch.setattr(module.secrets, "token_hex", lambda n: next(drawn))
    assert module.new_client_id() == "sitthi-0123456789abcdef"
