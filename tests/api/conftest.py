"""A published release, an operational store with one account per role, and a client.

The app runs in-process through Starlette's TestClient (httpx), against the real
release files and a real SQLite operational store; nothing is mocked.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

from sitthi.api.app import create_app
from sitthi.config import Settings
from sitthi.context import Context
from sitthi.operations.accounts import add_client, add_user
from sitthi.releases.publish import publish

DEP_DSA = files("sitthi.operations") / "dsas" / "dep-disability-registry.yaml"


@dataclass
class Person:
    person_id: str
    national_id: str
    province: str
    disabled: bool


@dataclass
class Api:
    ctx: Context
    client: TestClient
    people: list[Person]
    credentials: dict[str, tuple[str, str]]  # account -> client id, secret
    passwords: dict[str, str]  # user name -> password

    def token(self, account: str) -> str:
        cid, secret = self.credentials[account]
        got = self.client.post(
            "/oauth2/client/token",
            data={"grant_type": "client_credentials", "client_id": cid, "client_secret": secret},
        )
        assert got.status_code == 200, got.text
        return str(got.json()["access_token"])

    def headers(self, account: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(account)}"}


def _people(store: Path) -> list[Person]:
    con = duckdb.connect(str(store), read_only=True)
    found = con.execute(
        """select p.person_id, any_value(i.national_id), any_value(f.province_code),
                  any_value(f.disability)
           from person_records p
           join source_records s using (source, record_id)
           join identities i on i.pid_hash = s.pid_hash
           join profiles f on f.person_id = p.person_id
           where p.source = 'dopa' and s.national_id_valid and f.province_code is not null
           group by p.person_id order by p.person_id limit 400"""
    ).fetchall()
    con.close()
    return [Person(*row) for row in found]


@pytest.fixture(scope="session")
def api_base(registry_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with one release, shared (read-only) by the API tests."""
    folder = tmp_path_factory.mktemp("api")
    store = folder / "store.duckdb"
    shutil.copy(registry_store, store)
    publish(Context(settings=Settings(), db=store))
    return store


@pytest.fixture
def make_api(api_base: Path, tmp_path: Path) -> Iterator[Callable[..., Api]]:
    """An app over the shared release with a fresh operational store and accounts."""
    made: list[TestClient] = []

    def make(**settings: object) -> Api:
        ops = f"sqlite:///{tmp_path / 'operations.sqlite'}"
        ctx = Context(
            settings=Settings(
                operations_url=ops,
                releases_dir=api_base.parent / "releases",
                signing_keys_dir=tmp_path / "keys",
                **settings,  # type: ignore[arg-type]
            ),
            db=api_base,
        )
        people = _people(api_base)
        province = people[0].province
        credentials = {}
        for account, role, kwargs in (
            ("admin", "admin", {}),
            ("analyst", "analyst", {}),
            ("caseworker", "caseworker", {"areas": [province]}),
            ("agency", "agency", {"dsa_path": DEP_DSA}),
            ("auditor", "auditor", {}),
        ):
            client, secret = add_client(ctx.operations, f"test {account}", role, **kwargs)
            credentials[account] = (client.client_id, secret)
        passwords = {}
        for name, role, areas in (("somsri", "caseworker", [province]), ("niran", "analyst", [])):
            _, passwords[name] = add_user(ctx.operations, name, role, areas)
        client = TestClient(create_app(ctx), raise_server_exceptions=False)
        made.append(client)
        return Api(ctx, client, people, credentials, passwords)

    yield make
    for c in made:
        c.close()


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    return make_api()
