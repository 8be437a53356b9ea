"""read = records in the file = loaded + quarantined, on any CSV a tester can write.

Random extracts mix encodings, byte order marks, line endings (LF, CRLF and CR in one
file), quoted fields with delimiters, doubled quotes and line breaks, ragged rows, stray
quotes, NUL and undefined bytes, blank lines, and sizes on both sides of the reader's
chunk boundary (made small here). The generator knows what each record is, so the counts
are checked against it, not against the reader.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import duckdb
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sitthi.errors import SourceSpecError
from sitthi.ingest import csv_split
from sitthi.ingest.service import ingest_file
from sitthi.ingest.spec import SourceSpec, parse_spec

from .conftest import KEY

SPEC = """
source: accounting
title: ทดสอบ (row accounting)
version: 1
read: {{format: csv, encoding: {encoding}}}
fields:
  first_name: {{column: ชื่อ}}
  last_name: {{column: นามสกุล}}
facts:
  - {{column: หมายเหตุ, dimension: civil, indicator: note}}
dsa:
  id: DSA-TEST-1
  agency: test
  purpose: test
  legal_basis: s.24(4)
  fields_allowed: [first_name, last_name, note]
  retention_days: 30
  valid_from: 2020-01-01
  valid_to: 2099-12-31
"""
HEADER = "ชื่อ,นามสกุล,หมายเหตุ"

text = st.text(alphabet='กขคงสมชายใจดีabc 12,"', min_size=0, max_size=8)


@dataclass
class Record:
    lines: list[str]  # physical lines, without line endings
    good: bool  # loaded as it is (three fields, balanced quoting, defined bytes)
    raw_bytes: bytes = b""  # bytes to append to the record's first line (bad bytes)


def _field(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n') else value


@st.composite
def records(draw: st.DrawFn) -> Record:
    kind = draw(st.sampled_from(["good", "good", "good", "multiline", "ragged", "stray", "bytes"]))
    values = [draw(text) for _ in range(3)]
    if kind == "multiline":
        values[2] = draw(text) + "\n" + draw(text)
    if kind == "ragged":
        values = values[: draw(st.sampled_from([1, 2]))] or [*values, "x", "y"]
    line = ",".join(_field(v) for v in values)
    if kind == "stray":  # a quote inside an unquoted field: an odd number of quotes
        return Record([line + ',a"b'] if line.count('"') % 2 == 0 else [line], False)
    if kind == "bytes":
        return Record([line], False, raw_bytes=b"\x00\xdb\xff")
    # A record of one empty first name is an empty line: not a record at all.
    return Record(line.split("\n"), kind != "ragged" and line != "")


@dataclass
class Extract:
    data: bytes
    records: int
    good: int


@st.composite
def extracts(draw: st.DrawFn, encoding: str) -> Extract:
    found = draw(st.lists(records(), min_size=1, max_size=40))
    found = [r for r in found if r.lines != [""]]
    bad_bytes = [r for r in found if r.raw_bytes]
    if len(bad_bytes) * 2 >= len(found):  # mostly undecodable: refused as a wrong encoding
        found = [r for r in found if not r.raw_bytes] or [Record(["ก,ข,ค"], True)]
    ending = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    out = [b"\xef\xbb\xbf"] if encoding == "utf-8-sig" or draw(st.booleans()) else []
    codec = "cp874" if encoding == "cp874" else "utf-8"
    for i, record in enumerate([Record([HEADER], False), *found]):
        if i and draw(st.integers(0, 9)) == 0:
            out.append(b"\n")  # a blank line between records
        for j, line in enumerate(record.lines):
            end = draw(st.sampled_from(["\n", "\r\n", "\r"])) if ending == "mixed" else ending
            extra = record.raw_bytes if j == 0 else b""
            out.append(line.encode(codec) + extra + end.encode())
    if draw(st.booleans()):  # no line end after the last record
        out[-1] = out[-1].rstrip(b"\r\n")
    good = sum(r.good for r in found)
    return Extract(b"".join(out), len(found), good)


def _spec(encoding: str) -> SourceSpec:
    return parse_spec(SPEC.format(encoding=encoding), "accounting.yaml")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp874"])
@settings(max_examples=25)
@given(data=st.data(), chunk=st.sampled_from([7, 64, 333, 1 << 20]))
def test_read_equals_records_equals_loaded_plus_quarantined(
    encoding: str, data: st.DataObject, chunk: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    extract = data.draw(extracts(encoding))
    path = tmp_path_factory.mktemp("accounting") / "extract.csv"
    path.write_bytes(extract.data)
    con = duckdb.connect()
    with mock.patch.object(csv_split, "CHUNK_BYTES", chunk):
        result = ingest_file(con, _spec(encoding), path, key=KEY, key_version=1)
    assert result.rows_read == extract.records
    assert result.rows_loaded + result.rows_quarantined == extract.records
    assert result.rows_loaded == extract.good


@example(data=b"1,2,3\r\n4,5,6\n7,8,9\r10,11,12")
@example(data=b'1,"2\r\n3",4\n5,"6,7\n')
@settings(max_examples=40)
@given(data=st.binary(max_size=300))
def test_any_bytes_are_read_or_refused_with_a_clear_error(
    data: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("split") / "any.csv"
    path.write_bytes("ชื่อ,นามสกุล,หมายเหตุ\n".encode() + data)
    con = duckdb.connect()
    try:
        result = ingest_file(con, _spec("utf-8"), path, key=KEY, key_version=1)
    except SourceSpecError as exc:  # a user error naming the file, never a crash
        refusal = str(exc)
    else:
        refusal = ""
    if refusal:
        assert refusal.startswith(str(path))
        return
    assert result.rows_read == result.rows_loaded + result.rows_quarantined
    lines = max(1, data.count(b"\n") + data.count(b"\r") + 1)
    assert all(
        2 <= line <= lines + 1 for (line,) in con.execute("select line from quarantine").fetchall()
    )


def test_the_staging_file_has_no_name(tmp_path: Path) -> None:
    """Nothing to find in the store's folder while it is used, nothing left after."""
    with csv_split.private_file(tmp_path) as (fd, path):
        os.write(fd, b"secret")
        assert Path(path).read_bytes() == b"secret"
        assert list(tmp_path.iterdir()) == []
    assert list(tmp_path.iterdir()) == []
