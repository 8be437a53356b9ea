"""Alembic's environment: migrate the connection `OperationsStore.open` hands over.

At run time there is no alembic.ini: the store builds Alembic's `Config` in code and
passes its open connection (already inside a transaction holding the migration lock) as
``config.attributes["connection"]``. For writing a new revision by hand with the
``alembic`` command, give the URL instead: ``-x url=sqlite:///scratch.sqlite``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from sitthi.operations import case_models, dci_models  # noqa: F401  (their tables join Base.metadata)
from sitthi.operations.models import Base


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run() -> None:
    given = context.config.attributes.get("connection")
    if isinstance(given, Connection):
        _migrate(given)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("give the store: alembic -x url=sqlite:///path/to/store.sqlite …")
    engine = create_engine(url)
    with engine.connect() as connection:
        _migrate(connection)
    engine.dispose()


_run()
