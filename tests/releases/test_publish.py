"""`sitthi publish`: numbered, immutable releases with their lineage, all or nothing."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import duckdb
import pytest

from sitthi.config import Settings
from sitthi.context import Context
from sitthi.errors import ValidationError
from sitthi.releases import publish as publish_module
from sitthi.releases.catalog import ReleaseCatalog, release_numbers
from sitthi.releases.content import TABLES
from sitthi.releases.publish import publish


def _ctx(store: Path) -> Context:
    # The mechanics of releases; the statistics have tests of their own (tests/api).
    return Context(settings=Settings(release_statistics=False), db=store)


def test_a_release_holds_the_registry_and_its_lineage(store: Path) -> None:
    published = publish(_ctx(store))
    assert published.number == 1
    assert published.path == store.parent / "releases" / "1"
    manifest = json.loads((published.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["release"] == 1
    lineage = manifest["lineage"]
    assert {b["source"] for b in lineage["batches"]} >= {"dopa", "lao", "dep"}
    assert all(len(b["file_sha256"]) == 64 for b in lineage["batches"])
    assert lineage["link_run"]["run_id"].startswith("link-")
    assert set(lineage["rights_run"]["programmes"]) >= {"old_age_allowance"}
    assert manifest["as_of"] == str(lineage["rights_run"]["as_of"])
    con = duckdb.connect(str(published.path / "release.duckdb"), read_only=True)
    live = duckdb.connect(str(store), read_only=True)
    for table in TABLES:
        assert (
            con.execute(f"select count(*) from {table}").fetchone()
            == live.execute(f"select count(*) from {table}").fetchone()
        ), table
        assert (
            manifest["tables"][table] == con.execute(f"select count(*) from {table}").fetchone()[0]
        )
    # Every person can be found by the pseudonym of a valid ID some record of theirs holds.
    unfindable = con.execute(
        """select count(*) from persons p
           where not exists (select 1 from person_ids i where i.person_id = p.person_id)"""
    ).fetchone()[0]
    with_valid_id = live.execute(
        """select count(distinct p.person_id) from person_records p
           join source_records s using (source, record_id) where s.national_id_valid"""
    ).fetchone()[0]
    assert con.execute("select count(*) from persons").fetchone()[0] - unfindable == with_valid_id


def test_releases_are_numbered_and_read_only(store: Path) -> None:
    ctx = _ctx(store)
    first, second = publish(ctx), publish(ctx)
    assert (first.number, second.number) == (1, 2)
    for f in second.path.iterdir():
        assert not f.stat().st_mode & 0o222, f  # nobody may write
        assert not f.stat().st_mode & 0o007, f  # others may not read person data


def test_a_changed_release_is_refused(store: Path) -> None:
    # File modes do not stop root: the manifest's hash is what makes a change visible.
    published = publish(_ctx(store))
    db = published.path / "release.duckdb"
    db.chmod(0o640)
    con = duckdb.connect(str(db))
    con.execute("delete from gaps")
    con.close()
    with pytest.raises(ValidationError, match="release 1 has changed since it was published"):
        ReleaseCatalog(published.path.parent).cursor(1)


def test_a_failed_publish_leaves_nothing(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = _ctx(store)
    publish(ctx)

    def broken(con: duckdb.DuckDBPyConnection, progress: object) -> dict[str, int]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(publish_module, "_freeze", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        publish(ctx)
    root = store.parent / "releases"
    assert release_numbers(root) == [1]
    assert sorted(p.name for p in root.iterdir() if not p.name.startswith(".publish")) == ["1"]


def test_two_publishers_at_once_take_two_numbers(store: Path) -> None:
    ctx = _ctx(store)
    made: list[int] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            made.append(publish(ctx).number)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(made) == [1, 2]


def test_a_store_without_rights_cannot_be_published(
    linked: tuple[Path, object], tmp_path: Path
) -> None:
    import shutil

    path = tmp_path / "linked.duckdb"
    shutil.copy(linked[0], path)
    with pytest.raises(ValidationError, match="run `sitthi link` and `sitthi rights` first"):
        publish(_ctx(path))
    assert release_numbers(tmp_path / "releases") == []


def test_the_catalog_serves_the_newest_and_keeps_the_old(store: Path) -> None:
    ctx = _ctx(store)
    publish(ctx)
    catalog = ReleaseCatalog(ctx.releases_dir)
    release, cur = catalog.cursor()
    assert release.number == 1
    persons = cur.execute("select count(*) from persons").fetchone()
    publish(ctx)
    assert catalog.newest() == 2
    old, cur = catalog.cursor(1)
    assert old.number == 1
    assert cur.execute("select count(*) from persons").fetchone() == persons
    with pytest.raises(ValidationError, match="no release 7 \\(published: 1, 2\\)"):
        catalog.cursor(7)
    catalog.close()


def test_the_real_ids_are_kept_apart_and_hashed_too(store: Path) -> None:
    published = publish(_ctx(store))
    ids = published.path / "identities.duckdb"
    assert ids.stat().st_mode & 0o777 == 0o400  # the server's own account only
    manifest = json.loads((published.path / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["identities_sha256"]) == 64
    con = duckdb.connect(str(ids), read_only=True)
    release = duckdb.connect(str(published.path / "release.duckdb"), read_only=True)
    held = release.execute("select count(distinct pid_hash) from person_ids").fetchone()
    assert con.execute("select count(*) from national_ids").fetchone() == held
    assert "national_ids" not in {t for (t,) in release.execute("show tables").fetchall()}
    con.close()
    ids.chmod(0o600)
    con = duckdb.connect(str(ids))
    con.execute(
        "delete from national_ids where pid_hash in (select pid_hash from national_ids limit 1)"
    )
    con.close()
    with pytest.raises(ValidationError, match="release 1 has changed since it was published"):
        ReleaseCatalog(published.path.parent).cursor(1)
