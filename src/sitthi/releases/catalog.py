"""The published releases, as readers see them: the newest one, or any by number.

A release is a folder whose name is its number, holding ``manifest.json``,
``release.duckdb`` and ``persons.sqlite`` (see `sitthi.releases.publish`). Readers open it
read-only, one DuckDB connection and one card file per release shared by every request
(each request takes a cursor of its own), so a request answered from release N is answered
wholly from N, even while N+1 appears.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitthi.engines.duckdb import quote_literal
from sitthi.errors import ValidationError
from sitthi.registry.cards import CardFile

if TYPE_CHECKING:
    import duckdb

MANIFEST = "manifest.json"
RELEASE_DB = "release.duckdb"
#: The national IDs behind the release's pseudonyms, attached as ``identities``.
IDENTITIES_DB = "identities.duckdb"
QUALITY = "quality.json"
#: One compressed card per person for the person path (`sitthi.registry.cards`).
CARDS_DB = "persons.sqlite"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def release_numbers(root: Path) -> list[int]:
    """The numbers of the complete releases under ``root`` (a folder being built is hidden)."""
    if not root.is_dir():
        return []
    return sorted(
        int(p.name) for p in root.iterdir() if p.name.isdigit() and (p / MANIFEST).is_file()
    )


@dataclass(frozen=True)
class Release:
    number: int
    path: Path
    manifest: dict[str, Any]

    @property
    def as_of(self) -> str:
        return str(self.manifest["as_of"])


class ReleaseCatalog:
    """The releases of one folder, with a read-only connection per release opened once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._open: dict[int, tuple[Release, duckdb.DuckDBPyConnection, CardFile]] = {}
        self._listed: tuple[int, list[int]] = (-1, [])

    def numbers(self) -> list[int]:
        # Publishing renames a folder into the root, which changes the root's mtime: the
        # listing is read again only then, not on every request.
        try:
            stamp = self.root.stat().st_mtime_ns
        except FileNotFoundError:
            return []
        if stamp != self._listed[0]:
            self._listed = (stamp, release_numbers(self.root))
        return self._listed[1]

    def newest(self) -> int:
        found = self.numbers()
        if not found:
            raise ValidationError("no release has been published yet: run `sitthi publish`")
        return found[-1]

    def manifest(self, number: int) -> dict[str, Any]:
        """A release's manifest, read without opening (or checking) its database."""
        if number not in self.numbers():
            raise ValidationError(f"no release {number} (published: {self._published()})")
        found: dict[str, Any] = json.loads(
            (self.root / str(number) / MANIFEST).read_text(encoding="utf-8")
        )
        return found

    def quality(self, number: int) -> dict[str, Any]:
        """The data quality summary published with a release."""
        if number not in self.numbers():
            raise ValidationError(f"no release {number} (published: {self._published()})")
        path = self.root / str(number) / QUALITY
        if not path.exists():
            raise ValidationError(f"release {number} was published without a quality summary")
        found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return found

    def release(self, number: int | None = None) -> Release:
        return self._get(self.newest() if number is None else number)[0]

    def cursor(self, number: int | None = None) -> tuple[Release, duckdb.DuckDBPyConnection]:
        """The release (the newest by default) and a cursor of its own on it."""
        release, con, _ = self._get(self.newest() if number is None else number)
        return release, con.cursor()

    def cards(self, number: int | None = None) -> tuple[Release, CardFile]:
        """The release (the newest by default) and its person cards."""
        release, _, cards = self._get(self.newest() if number is None else number)
        return release, cards

    def _get(self, number: int) -> tuple[Release, duckdb.DuckDBPyConnection, CardFile]:
        with self._lock:
            if number not in self._open:
                self._open[number] = self._load(number)
            return self._open[number]

    def _load(self, number: int) -> tuple[Release, duckdb.DuckDBPyConnection, CardFile]:
        import duckdb

        path = self.root / str(number)
        if number not in self.numbers():
            raise ValidationError(f"no release {number} (published: {self._published()})")
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        # Nothing may change a release: a file whose hash is not the published one is not
        # served (file modes alone do not stop an administrator).
        ids = path / IDENTITIES_DB
        if not (path / CARDS_DB).exists():
            raise ValidationError(
                f"release {number} has no person cards ({CARDS_DB}): it was published by an "
                "older Sitthi; run `sitthi publish` again"
            )
        if (
            file_sha256(path / RELEASE_DB) != manifest.get("sha256")
            or (ids.exists() and file_sha256(ids) != manifest.get("identities_sha256"))
            or file_sha256(path / CARDS_DB) != manifest.get("cards_sha256")
        ):
            raise ValidationError(f"release {number} has changed since it was published: {path}")
        con = duckdb.connect(str(path / RELEASE_DB), read_only=True)
        if ids.exists():
            con.execute(f"attach if not exists {quote_literal(str(ids))} as identities (read_only)")
        return Release(number, path, manifest), con, CardFile(path / CARDS_DB)

    def _published(self) -> str:
        found = self.numbers()
        return ", ".join(map(str, found)) if found else "none"

    def close(self) -> None:
        with self._lock:
            for _, con, cards in self._open.values():
                con.close()
                cards.close()
            self._open.clear()
