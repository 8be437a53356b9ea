"""The operational store: one SQLAlchemy engine, migrated to the newest schema on opening.

SQLite (a file beside the analytics store) in development, PostgreSQL in production
(``postgresql+psycopg://user:password@host:5432/sitthi``). What differs between the two
is declared once, in an `EngineAdapter` per engine; no service asks for the engine's name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from sitthi.errors import SitthiError

MIGRATIONS = Path(__file__).with_name("migrations")
#: An execution option: this transaction must exclude every other writer from its start.
_EXCLUSIVE = "sitthi_exclusive"
#: Seconds a SQLite writer waits for another to finish before giving up.
SQLITE_BUSY_SECONDS = 30


class OperationsStoreError(SitthiError):
    """The operational store cannot be opened or migrated (the URL is named, never its
    password)."""


class EngineAdapter:
    """What one engine needs to behave the same as the others (sqlmesh's EngineAdapter)."""

    #: Options for a transaction that must read one consistent snapshot of several tables.
    SNAPSHOT_OPTIONS: ClassVar[dict[str, Any]] = {}

    def engine_options(self) -> dict[str, Any]:
        return {}

    def prepare(self, engine: Engine) -> None:
        """Install connection hooks (pragmas, how transactions begin)."""

    def lock_writers(self, connection: Connection, name: str) -> None:
        """Hold until this transaction ends a lock that every writer of ``name`` takes."""


class SqliteAdapter(EngineAdapter):
    """SQLite: foreign keys on, WAL (readers never wait for the writer), and writers
    serialised by ``BEGIN IMMEDIATE``, which takes the write lock before the first read.

    pysqlite's own transaction handling (a ``BEGIN`` only before the first write, a
    ``COMMIT`` before DDL) would let two writers read the same head of the audit chain,
    so it is switched off and the transactions are begun here instead (SQLAlchemy's
    documented recipe).
    """

    def engine_options(self) -> dict[str, Any]:
        return {"connect_args": {"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False}}

    def prepare(self, engine: Engine) -> None:
        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we begin transactions ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            exclusive = connection.get_execution_options().get(_EXCLUSIVE, False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if exclusive else "BEGIN")


class PostgresAdapter(EngineAdapter):
    """PostgreSQL: writers serialised by a transaction-scoped advisory lock (released at
    commit or rollback, so a crashed writer never leaves it held); a repeatable-read
    transaction for snapshots."""

    SNAPSHOT_OPTIONS: ClassVar[dict[str, Any]] = {"isolation_level": "REPEATABLE READ"}

    def engine_options(self) -> dict[str, Any]:
        return {"pool_pre_ping": True}

    def lock_writers(self, connection: Connection, name: str) -> None:
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


_ADAPTERS: dict[str, type[EngineAdapter]] = {
    "sqlite": SqliteAdapter,
    "postgresql": PostgresAdapter,
}


def safe_url(url: str) -> str:
    """``url`` with its password replaced by ``***``, for messages and logs.

    Example:
        >>> safe_url("postgresql+psycopg://sitthi:s3cret@db:5432/sitthi")
        'postgresql+psycopg://sitthi:***@db:5432/sitthi'
    """
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an operational store URL that cannot be read)"


@dataclass
class OperationsStore:
    """The operational store. Open it with `OperationsStore.open`; close it when done.

    Example:
        >>> store = OperationsStore.open("sqlite://")  # in memory, for a quick look
        >>> with store.session() as session:
        ...     session.scalar(text("select count(*) from users"))
        0
        >>> store.close()
    """

    engine: Engine
    adapter: EngineAdapter
    _sessions: sessionmaker[Session] = field(repr=False)

    @classmethod
    def open(cls, url: str) -> OperationsStore:
        """Connect to ``url`` (any SQLAlchemy URL) and migrate it to the newest schema.

        Raises:
            OperationsStoreError: the URL is malformed, names an engine Sitthi does not
                support, or the store cannot be reached or migrated.
        """
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise OperationsStoreError(f"{safe_url(url)}: not a SQLAlchemy URL") from exc
        backend = parsed.get_backend_name()
        if backend not in _ADAPTERS:
            known = ", ".join(sorted(_ADAPTERS))
            raise OperationsStoreError(
                f"{safe_url(url)}: the operational store runs on {known}, not {backend}"
            )
        adapter = _ADAPTERS[backend]()
        if backend == "sqlite" and parsed.database and not parsed.query.get("uri"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        try:
            engine = create_engine(parsed, **adapter.engine_options())
        except (ArgumentError, ImportError) as exc:
            raise OperationsStoreError(f"{safe_url(url)}: {exc}") from exc
        adapter.prepare(engine)
        store = cls(engine, adapter, sessionmaker(engine, expire_on_commit=False))
        try:
            store._migrate()
        except SQLAlchemyError as exc:
            engine.dispose()
            raise OperationsStoreError(
                f"{store.url}: cannot open the operational store: {reason(exc)}"
            ) from exc
        except BaseException:
            engine.dispose()
            raise
        return store

    @property
    def url(self) -> str:
        """The store's URL without its password."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self, *, exclusive: str | None = None) -> Iterator[Session]:
        """A session committed when the block ends, rolled back if it raises.

        Args:
            exclusive: a lock name (``"audit_log"``): the transaction excludes every other
                transaction asking for that name from its start until it ends, so a
                read-then-write (the head of the audit chain) cannot interleave. SQLite
                has one write lock for the whole file, so there any name excludes all
                other writers.
        """
        with self._sessions() as session:
            try:
                if exclusive is not None:
                    connection = session.connection(execution_options={_EXCLUSIVE: True})
                    self.adapter.lock_writers(connection, exclusive)
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read-only session that sees one consistent state of every table."""
        with self._sessions() as session:
            try:
                session.connection(execution_options=self.adapter.SNAPSHOT_OPTIONS)
                yield session
            finally:
                session.rollback()

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> OperationsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        """Upgrade to the newest revision, one process at a time (two processes opening a
        new store together must not both create its tables)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        connection = self.engine.connect().execution_options(**{_EXCLUSIVE: True})
        with connection, connection.begin():
            self.adapter.lock_writers(connection, "sitthi.migrations")
            config.attributes["connection"] = connection
            command.upgrade(config, "head")


def reason(exc: SQLAlchemyError) -> str:
    """The database's own message, without SQLAlchemy's dump of the statement and its
    parameters (which could quote data)."""
    original = getattr(exc, "orig", None)
    message = str(original if original is not None else exc).strip().splitlines()
    return message[0] if message else type(exc).__name__
