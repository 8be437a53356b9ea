"""The operational store: migrated on opening, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text

from sitthi.context import Context
from sitthi.operations.models import Base, User
from sitthi.operations.store import MIGRATIONS, OperationsStore, OperationsStoreError, safe_url

TABLES = {
    "users",
    "api_clients",
    "dsas",
    "audit_log",
    "audit_anchors",
    "notice_deliveries",
    "review_decisions",
}


def _head() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def test_an_empty_store_is_migrated_to_head(empty_url: str) -> None:
    with OperationsStore.open(empty_url) as store, store.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == _head()
        assert set(inspect(connection).get_table_names()) >= TABLES


def test_the_migrations_make_what_the_models_describe(store: OperationsStore) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_the_placeholder_tables_have_their_indexes(store: OperationsStore) -> None:
    inspector = inspect(store.engine)
    assert {i["name"] for i in inspector.get_indexes("review_decisions")} >= {
        "ix_review_decisions_pair"
    }
    assert {i["name"] for i in inspector.get_indexes("notice_deliveries")} >= {
        "ix_notice_deliveries_status"
    }


def test_opening_again_keeps_what_is_there(store_url: str) -> None:
    with OperationsStore.open(store_url) as store, store.session() as session:
        session.add(User(name="somsri", role="analyst", password_hash="x", areas=[]))
    with OperationsStore.open(store_url) as again, again.session() as session:
        assert session.scalars(select(User.name)).all() == ["somsri"]


def test_a_session_rolls_back_when_its_block_raises(store: OperationsStore) -> None:
    def add_then_fail() -> None:
        with store.session() as session:
            session.add(User(name="somsri", role="analyst", password_hash="x", areas=[]))
            session.flush()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        add_then_fail()
    with store.session() as session:
        assert session.scalars(select(User)).all() == []


def test_times_come_back_in_utc(store: OperationsStore) -> None:
    with store.session() as session:
        session.add(User(name="somsri", role="analyst", password_hash="x", areas=["84"]))
    with store.session() as session:
        user = session.scalars(select(User)).one()
    assert user.created_at.utcoffset() is not None
    assert user.areas == ["84"]


@pytest.mark.postgres
def test_the_url_never_shows_the_password(request: pytest.FixtureRequest) -> None:
    server = request.getfixturevalue("postgres_server")
    url = server.new_database().replace("sitthi@", "sitthi:s3cret-pw@")  # trust: accepted
    with OperationsStore.open(url) as store:
        assert "s3cret-pw" not in store.url
        assert "s3cret-pw" not in repr(store)
        assert store.url.startswith("postgresql+psycopg://sitthi:***@127.0.0.1")


def test_an_unreachable_store_is_one_line_naming_it_without_its_password() -> None:
    with pytest.raises(OperationsStoreError) as caught:
        OperationsStore.open("postgresql+psycopg://sitthi:s3cret@127.0.0.1:1/none")
    message = str(caught.value)
    assert "s3cret" not in message
    assert message.startswith("postgresql+psycopg://sitthi:***@127.0.0.1:1/none")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://u@h/db", "runs on postgresql, sqlite, not mysql"),
        ("not a url", "not a SQLAlchemy URL"),
    ],
)
def test_an_unsupported_url_is_refused(url: str, says: str) -> None:
    with pytest.raises(OperationsStoreError, match=says):
        OperationsStore.open(url)


def test_safe_url_hides_the_password() -> None:
    assert safe_url("postgresql+psycopg://a:b@h/d") == "postgresql+psycopg://a:***@h/d"


def test_sqlite_has_foreign_keys_and_wal(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x' / 'ops.sqlite'}"
    with OperationsStore.open(url) as store, store.engine.connect() as connection:
        assert connection.execute(text("pragma foreign_keys")).scalar() == 1
        assert connection.execute(text("pragma journal_mode")).scalar() == "wal"


def test_the_context_puts_the_store_beside_the_analytics_store(tmp_path: Path) -> None:
    from sitthi.config import Settings

    context = Context(settings=Settings(operations_url=None), db=tmp_path / "sitthi.duckdb")
    with context.operations as store:
        assert store.url == f"sqlite:///{tmp_path / 'sitthi.operations.sqlite'}"
    assert (tmp_path / "sitthi.operations.sqlite").exists()
