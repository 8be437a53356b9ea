"""Every store test runs on SQLite and on a real PostgreSQL 15 started for the session.

The PostgreSQL server is made from scratch (``initdb`` in a temporary folder, listening
on a free port of 127.0.0.1, its socket in that folder), each test gets a database of
its own, and the server is stopped at the end. PostgreSQL refuses to run as root, so as
root it runs as the ``postgres`` user (or ``nobody``) through ``runuser``. The postgres
tests are marked ``postgres``: ``make test-postgres`` runs them (and CI, via .ci/run).
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from sitthi.config import get_settings
from sitthi.operations import accounts
from sitthi.operations.models import Base
from sitthi.operations.store import OperationsStore

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]
DSAS = Path(__file__).parents[2] / "src" / "sitthi" / "operations" / "dsas"
DEP_DSA = DSAS / "dep-disability-registry.yaml"
LAO_DSA = DSAS / "lao-old-age-allowance.yaml"
_SUPERUSER = "sitthi"
_TEMPLATE = "sitthi_migrated"
_TABLES = [t.name for t in Base.metadata.sorted_tables]


@dataclass
class PostgresServer:
    """A throwaway PostgreSQL cluster; `new_database` makes an empty database."""

    port: int
    _names: Iterator[int]
    _clean: list[str] = field(default_factory=list)

    def admin_url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{_SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def execute(self, *statements: str, database: str = "postgres") -> None:
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user={_SUPERUSER} dbname={database}"
        with psycopg.connect(dsn, autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement.encode())

    def new_database(self, *, migrated: bool = True) -> str:
        """An empty database, or (faster than migrating each) a copy of one migrated once."""
        name = f"sitthi_test_{next(self._names)}"
        template = _TEMPLATE if migrated else "template0"
        self.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        return self.admin_url(name)

    def lend(self) -> str:
        """A migrated database holding nothing: one given back, emptied, else a new one
        (making a database costs a third of a second; emptying one, a hundredth)."""
        return self.admin_url(self._clean.pop()) if self._clean else self.new_database()

    def give_back(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        try:
            self.execute(f"TRUNCATE {', '.join(_TABLES)} RESTART IDENTITY CASCADE", database=name)
        except psycopg.Error:  # a test that dropped a table: not worth mending
            return
        self._clean.append(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _unprivileged_user() -> str:
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    pytest.fail("running as root, but there is no 'postgres' or 'nobody' user to run PostgreSQL")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    missing = [b for b in ("initdb", "pg_ctl", "postgres") if shutil.which(b) is None]
    if missing:
        pytest.fail(f"PostgreSQL binaries not on PATH: {', '.join(missing)}")
    # Not under pytest's tmp folder: it is private to the user running pytest (0700), and
    # the server may have to run as another user.
    root = Path(tempfile.mkdtemp(prefix="sitthi-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        user = _unprivileged_user()
        entry = pwd.getpwnam(user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
        prefix = ["runuser", "-u", user, "--"]
    data = root / "data"

    def run(*args: str) -> None:
        done = subprocess.run(
            [*prefix, *args], cwd=root, capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
            pytest.fail(f"{args[0]} failed: {done.stderr or done.stdout}\n{log[-2000:]}")

    started = time.monotonic()
    try:
        run(
            "initdb", "-D", str(data), "-U", _SUPERUSER, "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-sync", "--no-instructions",
        )  # fmt: skip
        port = _free_port()
        # Durability is not what these tests test: without fsync a database is made in ms.
        options = (
            f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=100"
        )
        run("pg_ctl", "-D", str(data), "-l", str(root / "server.log"), "-w", "-t", "60",
            "-o", options, "start")  # fmt: skip
        server = PostgresServer(port, itertools.count(1))
        server.execute(f"CREATE DATABASE {_TEMPLATE}")
        OperationsStore.open(server.admin_url(_TEMPLATE)).close()
        print(f"PostgreSQL on port {port}, ready in {time.monotonic() - started:.1f} s")
        yield server
    finally:
        _stop(data)
        shutil.rmtree(root, ignore_errors=True)


def _stop(data: Path) -> None:
    """Stop the server at once (SIGQUIT: PostgreSQL's immediate shutdown); pg_ctl's own
    stop polls once a second, which is most of a short test run's teardown."""
    try:
        pid = int((data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return
    os.kill(pid, signal.SIGQUIT)
    # The server removes its pid file as it exits (the process itself may linger as a
    # zombie until whoever adopted it reaps it, which can take seconds).
    deadline = time.monotonic() + 30
    while (data / "postmaster.pid").exists() and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "operations.sqlite"
    OperationsStore.open(f"sqlite:///{path}").close()
    return path


@pytest.fixture
def store_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a store of its own, migrated and holding nothing."""
    if backend == "sqlite":
        path = tmp_path / "operations.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.lend()
    yield url
    server.give_back(url)


@pytest.fixture
def empty_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a store with nothing in it, not even a schema."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty' / 'operations.sqlite'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database(migrated=False)


@pytest.fixture
def store(store_url: str) -> Iterator[OperationsStore]:
    with OperationsStore.open(store_url) as opened:
        yield opened


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at its lightest: the tests check that hashes are used, not their cost
    (a test of rehashing puts the real parameters back)."""
    monkeypatch.setattr(
        accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Point the settings (read once per process) at a store, for CLI tests."""

    def point_at(url: str) -> None:
        monkeypatch.setenv("SITTHI_OPERATIONS_URL", url)
        monkeypatch.setenv("SITTHI_ENVIRONMENT", "development")
        get_settings.cache_clear()

    yield point_at
    get_settings.cache_clear()
