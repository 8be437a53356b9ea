"""Idempotent by content: a record sent again is the same record, however the file is written.

A record is (source, record ID). Sent again unchanged — in another file, with other line
endings, encoding or a byte order mark — it changes nothing; changed, it is a new version
that replaces the old one in every later stage (the old one is kept in the history).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from sitthi.config import Settings
from sitthi.engines.duckdb import connect
from sitthi.ingest.service import IngestResult, ingest_file
from sitthi.ingest.spec import load_spec
from sitthi.linkage.service import link_store
from sitthi.rights.service import run_rights

Load = Callable[..., IngestResult]
Extract = Callable[[str], Path]


def _lao_three_ways(lao: Path, out: Path) -> list[tuple[str, Path]]:
    """The LAO payment list (cp874, CRLF) as LF, with a UTF-8 BOM, and in UTF-8."""
    data = lao.read_bytes()
    lf = out / "lao_lf.csv"
    lf.write_bytes(data.replace(b"\r\n", b"\n"))
    bom = out / "lao_bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + data.decode("cp874").encode("utf-8"))
    utf8 = out / "lao_utf8.csv"
    utf8.write_bytes(data.decode("cp874").encode("utf-8").replace(b"\r\n", b"\n"))
    return [("cp874", lf), ("utf-8-sig", bom), ("utf-8", utf8)]


def _mof_with(mof: Path, out: Path, last_name: str) -> tuple[str, Path]:
    """The MOF list written again by Python's csv module, the third row's last name set."""
    with mof.open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    table[3][4] = last_name
    with out.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(table)
    return table[3][0], out


def test_a_list_sent_again_in_other_bytes_changes_nothing(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract, tmp_path: Path
) -> None:
    first = load(store, "lao", extract("lao"))
    before = store.execute("select count(*) from source_records").fetchall()
    facts = store.execute("select count(*) from facts").fetchall()
    spec = load_spec("lao")
    for encoding, path in _lao_three_ways(extract("lao"), tmp_path):
        variant = spec.model_copy(
            update={"read": spec.read.model_copy(update={"encoding": encoding})}
        )
        again = load(store, variant, path)
        assert not again.skipped  # other bytes: a new batch …
        assert again.report["rows"]["unchanged"] == first.rows_loaded  # … of known rows
        assert again.report["rows"]["new"] == again.report["rows"]["changed"] == 0
        assert again.report["completeness"] == first.report["completeness"]
    assert store.execute("select count(*) from source_records").fetchall() == before
    assert store.execute("select count(*) from facts").fetchall() == facts


def test_a_changed_row_is_a_new_version_and_the_old_one_is_kept_apart(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract, tmp_path: Path
) -> None:
    load(store, "mof", extract("mof"))
    # Rewritten with other quoting, and one last name changed.
    record, path = _mof_with(extract("mof"), tmp_path / "mof_november.csv", "ZZZ")
    result = load(store, "mof", path, extract_date=dt.date(2026, 11, 1))
    assert result.report["rows"]["changed"] == 1
    assert result.report["rows"]["unchanged"] == result.rows_loaded - 1
    current = store.execute(
        "select last_name, batch_id from source_records where source = 'mof' and record_id = ?",
        [record],
    ).fetchall()
    assert current == [("ZZZ", result.batch_id)]
    old = store.execute(
        "select superseded_by from source_records_history where record_id = ?", [record]
    ).fetchall()
    assert old == [(result.batch_id,)]
    facts = store.execute(
        "select count(distinct batch_id) from facts where record_id = ?", [record]
    ).fetchall()
    assert facts == [(1,)]  # the old version's facts are history too


def test_an_earlier_extract_loaded_late_does_not_replace_the_newer(
    store: duckdb.DuckDBPyConnection, load: Load, extract: Extract, tmp_path: Path
) -> None:
    newer = load(store, "mof", extract("mof"), extract_date=dt.date(2026, 11, 1))
    record, path = _mof_with(extract("mof"), tmp_path / "mof_september.csv", "OLD")
    result = load(store, "mof", path, extract_date=dt.date(2026, 9, 1))
    assert result.report["rows"]["older"] == 1
    assert store.execute(
        "select batch_id from source_records where record_id = ?", [record]
    ).fetchall() == [(newer.batch_id,)]
    assert store.execute(
        "select last_name, superseded_by from source_records_history where record_id = ?",
        [record],
    ).fetchall() == [("OLD", newer.batch_id)]


@pytest.mark.slow
def test_rights_are_unchanged_when_a_payment_list_is_sent_again_three_ways(
    world: Path, ingested: Path, tmp_path: Path
) -> None:
    """Before: paid-after-death and paid-twice baht doubled or tripled on a re-sent list."""
    as_of = dt.date.fromisoformat(
        json.loads((world / "manifest.json").read_text(encoding="utf-8"))["as_of"]
    )

    def gaps(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
        link_store(con)
        run_rights(con, as_of)
        return con.execute(
            "select programme, gap, count(*), sum(amount) from gaps group by all order by all"
        ).fetchall()

    path = tmp_path / "store.duckdb"
    shutil.copy(ingested, path)
    con = connect(path)
    before = gaps(con)
    manifest = json.loads((world / "manifest.json").read_text(encoding="utf-8"))
    lao = world / next(e["file"] for e in manifest["extracts"] if e["source"] == "lao")
    spec = load_spec("lao")
    for encoding, resent in _lao_three_ways(lao, tmp_path):
        variant = spec.model_copy(
            update={"read": spec.read.model_copy(update={"encoding": encoding})}
        )
        settings = Settings()  # the key the session's store was made with
        ingest_file(
            con,
            variant,
            resent,
            key=settings.pseudonym_secret(),
            key_version=settings.pseudonym_key_version,
            load_date=as_of,
            extract_date=as_of,
        )
    assert gaps(con) == before
    assert any(gap == "paid_after_death" for _, gap, _, _ in before)
