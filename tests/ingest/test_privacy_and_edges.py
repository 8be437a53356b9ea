"""Crafted files: the raw ID never leaves the identity table; odd files load or fail clearly."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import openpyxl
import pytest

from sitthi.errors import SourceSpecError
from sitthi.ingest.service import IngestResult
from sitthi.ingest.spec import SourceSpec, parse_spec
from sitthi.thai.digits import to_thai_digits

Load = Callable[..., IngestResult]

IDS = ["1101700203158", "3100600145677", "1509900123453"]
SPEC = """
source: crafted
title: crafted test source
version: 1
read: {format: csv}
record_id: rid
fields:
  national_id: {column: nid}
  first_name: {column: fn, required: true}
facts:
  - {column: inc, dimension: income, indicator: income, type: number}
  - {column: secret, dimension: health, indicator: diagnosis}
dsa:
  id: DSA-TEST-1
  agency: test
  purpose: test
  legal_basis: PDPA s.24(4)
  fields_allowed: [national_id, first_name, income]
  retention_days: 30
  valid_from: 2025-01-01
  valid_to: 2030-01-01
"""


def spec(text: str = SPEC, **read: object) -> SourceSpec:
    s = parse_spec(text, "crafted.yaml")
    return s.model_copy(update={"read": s.read.model_copy(update=read)}) if read else s


def everything_but_identities(con: duckdb.DuckDBPyConnection) -> str:
    tables = ("source_records", "facts", "quarantine", "batches")
    return " ".join(
        con.execute(f"select coalesce(string_agg(t::varchar, ' '), '') from {t} t").fetchall()[0][0]
        for t in tables
    )


def test_no_form_of_a_national_id_is_stored_outside_the_identity_table(
    store: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path
) -> None:
    dashed = f"{IDS[1][0]}-{IDS[1][1:5]}-{IDS[1][5:10]}-{IDS[1][10:12]}-{IDS[1][12]}"
    lines = [
        "rid,nid,fn,inc,secret",
        f"1,{IDS[0]},สมชาย,1000,HIV",
        f"2,{dashed},สมศรี,2000,TB",
        f"3,{to_thai_digits(IDS[2])},มานี,x,DM",
        f"4,{IDS[0]},สมชาย,1000,HIV,extra,fields",  # unreadable row with an ID and a secret
        # (7777700: digits no batch timestamp or hash in the store will happen to hold)
        "5,7777700,ชูใจ,3,HT",  # an invalid ID: kept only in the identity table too
    ]
    path = tmp_path / "a.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = load(store, spec(), path)
    assert result.rows_read == 5 == result.rows_loaded + result.rows_quarantined
    stored = everything_but_identities(store)
    for raw_id in [*IDS, dashed, to_thai_digits(IDS[2]), "7777700"]:
        assert raw_id not in stored, raw_id
    for secret in ("HIV", "TB", "DM", "HT"):
        assert secret not in stored, secret  # a column outside the DSA, also in broken rows
    identities = {r[0] for r in store.execute("select national_id from identities").fetchall()}
    assert set(IDS) | {"7777700"} <= identities
    reasons = store.execute("select line, reasons from quarantine").fetchall()
    assert reasons == [(5, ["too_many_fields"])]
    assert result.report["facts"]["income:bad_number"] == 1


def test_one_files_rejects_do_not_follow_the_next_file(
    store: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"rid,nid,fn,inc,secret\n1,{IDS[0]},ก,1,x\n2,{IDS[1]},ข,1,x,extra\n", encoding="utf-8"
    )
    good = tmp_path / "good.csv"
    good.write_text(
        f"rid,nid,fn,inc,secret\n7,{IDS[2]},ค,1,x\n8,{IDS[0]},ง,1,x\n", encoding="utf-8"
    )
    first = load(store, spec(), bad)
    second = load(store, spec(), good)
    assert (first.rows_read, first.rows_quarantined) == (2, 1)
    assert (second.rows_read, second.rows_loaded, second.rows_quarantined) == (2, 2, 0)
    lines = store.execute(
        "select line from source_records where batch_id = $b order by line", {"b": second.batch_id}
    ).fetchall()
    assert lines == [(2,), (3,)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            "  - {column: inc, dimension: income, indicator: income, type: number}",
            "  - {column: nid, dimension: income, indicator: income, type: number}",
        ),
        (
            "  first_name: {column: fn, required: true}",
            "  first_name: {column: fn, required: true}\n  phone: {column: nid}",
        ),
        ("record_id: rid", "record_id: nid"),
    ],
)
def test_a_spec_cannot_store_the_id_column_any_other_way(
    change: tuple[str, str], message: str
) -> None:
    text = SPEC.replace(change, message)
    if change == "record_id: rid":
        text = text.replace("fields_allowed: [national_id, ", "fields_allowed: [")
    with pytest.raises(SourceSpecError, match="national ID"):
        parse_spec(text, "crafted.yaml")


def test_an_id_written_two_ways_is_one_record_when_rows_are_keyed_by_the_id(
    store: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path
) -> None:
    text = SPEC.replace("record_id: rid", "record_id: nid")
    path = tmp_path / "keyed.csv"
    path.write_text(
        f"rid,nid,fn,inc,secret\n1,{IDS[0]},ก,1,x\n2,{IDS[0][0]}-{IDS[0][1:]},ก,1,x\n",
        encoding="utf-8",
    )
    result = load(store, spec(text), path)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert store.execute("select reasons from quarantine").fetchall() == [
        (["record_id:duplicate"],)
    ]


def test_odd_workbook_headers_load_without_losing_a_column(
    store: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([])
    sheet.append([None])
    sheet.append(["rid", "nid", "fn", "inc", "  ", "fn"])  # header on row 3, a blank, a repeat
    sheet.append(["1", IDS[0], "สมชาย", "5", "a", "b"])
    path = tmp_path / "odd.xlsx"
    book.save(path)
    result = load(store, spec(format="xlsx"), path)
    assert result.rows_loaded == 1
    line, first = store.execute("select line, first_name from source_records").fetchall()[0]
    assert (line, first) == (4, "สมชาย")  # the first "fn" column, on its sheet row
    assert store.execute("select raw_columns from batches").fetchall()[0][0] == [
        "rid",
        "nid",
        "fn",
        "inc",
    ]


def test_json_keys_with_quotes_and_header_only_files(
    store: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path
) -> None:
    path = tmp_path / "q.jsonl"
    row = {"rid": "1", "nid": IDS[0], "fn": "ก", "inc": "1", 'we"ird': "x"}
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    assert load(store, spec(format="jsonl"), path).rows_loaded == 1
    header_only = tmp_path / "h.csv"
    header_only.write_text("rid,nid,fn,inc,secret\n", encoding="utf-8")
    with pytest.raises(SourceSpecError, match="header but no data rows"):
        load(store, spec(), header_only)


def test_street_postcode_and_other_id_are_normalised(
    store: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path
) -> None:
    crafted = parse_spec(
        """
source: crafted
title: crafted
version: 1
read: {format: csv}
record_id: rid
fields:
  first_name: {column: fn}
  street: {column: road}
  postcode: {column: zip}
  other_id: {column: passport}
dsa:
  id: DSA-X
  agency: x
  purpose: x
  legal_basis: x
  fields_allowed: [first_name, street, postcode, other_id]
  retention_days: 1
  valid_from: 2025-01-01
  valid_to: 2030-01-01
""",
        "crafted.yaml",
    )
    path = tmp_path / "a.csv"
    path.write_text(
        "rid,fn,road,zip,passport\n"
        "1,John,  Stanley   Street. ,๑๐๒๓๐,ab-123 456\n"
        "2,สมชาย,ถนน พหลโยธิน,10 400,\n",
        encoding="utf-8",
    )
    load(store, crafted, path)
    got = store.execute(
        "select record_id, first_name_phonetic, street, street_key, postcode, other_id "
        "from source_records order by 1"
    ).fetchall()
    assert got[0][1] == "JAN"  # NYSIIS for a name in Latin letters
    assert got[0][2:] == ("stanley street", "stanley street", "10230", "AB123456")
    assert got[1][2] == "ถนน พหลโยธิน"
    assert got[1][3] is not None
    assert len(got[1][3]) == len("ถนน พหลโยธิน")
    assert got[1][4:] == ("10400", None)
