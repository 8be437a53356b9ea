"""One context for every service: the settings, the analytics store, the operational store.

The CLI, the API, a scheduler or a notebook builds one `Context` and passes it down; a
service takes what it needs from it and reads nothing else (no service reads the
environment or opens a store by a path of its own).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sitthi.config import Settings, get_settings

if TYPE_CHECKING:
    import duckdb

    from sitthi.operations.store import OperationsStore


@dataclass
class Context:
    """What a service runs against."""

    settings: Settings = field(default_factory=get_settings)
    db: Path | None = None  # the analytics store; default: the setting SITTHI_DB

    @property
    def store_path(self) -> Path:
        return self.db or self.settings.db

    def store(
        self, *, read_only: bool = False, must_exist: bool = False
    ) -> duckdb.DuckDBPyConnection:
        """A connection to the analytics store (DuckDB); only ingest may create one."""
        from sitthi.engines.duckdb import connect

        return connect(
            self.store_path,
            memory_limit=self.settings.duckdb_memory_limit,
            read_only=read_only,
            must_exist=must_exist,
        )

    @cached_property
    def operations(self) -> OperationsStore:
        """The operational store (SQLAlchemy), migrated to the newest schema on first use."""
        from sitthi.operations.store import OperationsStore

        url = self.settings.operations_url or _beside(self.store_path)
        return OperationsStore.open(url)

    @property
    def has_operations(self) -> bool:
        """Whether there is an operational store to read: one configured, or the default
        file beside the store (a command that only reads it must not create one)."""
        if self.settings.operations_url:
            return True
        return Path(_beside(self.store_path).removeprefix("sqlite:///")).exists()

    @property
    def releases_dir(self) -> Path:
        return self.settings.releases_dir or self.store_path.parent / "releases"

    @property
    def signing_keys_dir(self) -> Path:
        return self.settings.signing_keys_dir or self.store_path.parent / "signing-keys"

    @property
    def production(self) -> bool:
        return self.settings.environment == "production"


def _beside(store: Path) -> str:
    return f"sqlite:///{store.with_name(store.stem + '.operations.sqlite')}"
