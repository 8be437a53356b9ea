"""A list as a file: CSV streamed as it is read, or an Excel workbook written row by row.

CSV is UTF-8 with a byte-order mark (so that Excel reads Thai names right) and a header
of column names for scripts. The workbook's first sheet has Thai column labels; its second,
``เกี่ยวกับ`` (about), says what the list is: its release, as-of day, area, filters, who
asked and whether IDs are real or pseudonyms. xlsxwriter's constant-memory mode keeps one
row in memory, so a province's list costs no more memory than a village's.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

BOM = "\ufeff"


def about_list(
    *,
    title: str,
    area: str,
    release: int,
    as_of: str,
    filters: dict[str, str | None],
    requested_by: str,
    dsa_id: str | None,
    purpose: str | None,
    real_ids: bool,
) -> list[tuple[str, str]]:
    """The workbook's ``เกี่ยวกับ`` sheet: what the list is and who asked for it."""
    import datetime as dt

    return [
        ("รายการ (list)", title),
        ("พื้นที่ (area)", area),
        ("ชุดข้อมูลเผยแพร่ (release)", f"{release} ณ วันที่ {as_of}"),
        ("ตัวกรอง (filters)", ", ".join(f"{k}={v}" for k, v in filters.items() if v) or "-"),
        ("ผู้ขอ (requested by)", requested_by),
        ("ข้อตกลง (DSA)", dsa_id or "-"),
        ("วัตถุประสงค์ (purpose)", purpose or "-"),
        (
            "เลขประจำตัว (IDs)",
            "เลขประจำตัวประชาชนจริง (real IDs)" if real_ids else "นามแฝง (pseudonyms) หรือรหัสบุคคล",
        ),
        ("จัดทำเมื่อ (made at, UTC)", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
    ]


def csv_chunks(header: list[str], batches: Iterable[list[tuple[Any, ...]]]) -> Iterator[bytes]:
    """The CSV file, one chunk per batch of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(header)
    for batch in batches:
        writer.writerows(_cells(row) for row in batch)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def _cells(row: tuple[Any, ...]) -> list[Any]:
    return ["" if v is None else v for v in row]


def write_xlsx(
    path: Path,
    *,
    header: list[str],
    labels_th: list[str],
    batches: Iterable[list[tuple[Any, ...]]],
    about: list[tuple[str, str]],
    sheet: str = "รายชื่อ",
) -> int:
    """Write the workbook; return the number of rows written."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "remove_timezone": True})
    try:
        bold = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
        dates = book.add_format({"num_format": "yyyy-mm-dd"})
        rows_sheet = book.add_worksheet(sheet)
        rows_sheet.freeze_panes(1, 0)
        for col, label in enumerate(labels_th):
            rows_sheet.write_string(0, col, label, bold)
            rows_sheet.set_column(col, col, max(12, min(40, len(label) + 4)))
        written = 0
        for batch in batches:
            for row in batch:
                written += 1
                for col, value in enumerate(row):
                    _write(rows_sheet, written, col, value, dates)
        rows_sheet.autofilter(0, 0, max(written, 1), len(header) - 1)
        info = book.add_worksheet("เกี่ยวกับ")
        info.set_column(0, 0, 28)
        info.set_column(1, 1, 90)
        for r, (key, value) in enumerate(
            [*about, ("จำนวนแถว (rows)", f"{written:,}"), ("", "")], start=0
        ):
            info.write_string(r, 0, key, bold if key else None)
            info.write_string(r, 1, value)
        start = len(about) + 2
        info.write_string(start, 0, "คอลัมน์ (column)", bold)
        info.write_string(start, 1, "ความหมาย (meaning)", bold)
        for r, (name, label) in enumerate(zip(header, labels_th, strict=True), start=start + 1):
            info.write_string(r, 0, name)
            info.write_string(r, 1, label)
    finally:
        book.close()
    return written


def _write(sheet: Any, row: int, col: int, value: Any, dates: Any) -> None:
    import datetime as dt

    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), dates)
    else:
        # IDs and codes stay text: a leading zero or 13 digits must not become a number
        sheet.write_string(row, col, str(value))


def write_list(
    path: Path,
    *,
    header: list[str],
    labels_th: list[str],
    batches: Iterable[list[tuple[Any, ...]]],
    about: list[tuple[str, str]],
) -> int:
    """Write a list to ``path``: Excel for ``.xlsx``, CSV otherwise; the rows written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        return write_xlsx(path, header=header, labels_th=labels_th, batches=batches, about=about)
    written = 0

    def counted() -> Iterator[list[tuple[Any, ...]]]:
        nonlocal written
        for batch in batches:
            written += len(batch)
            yield batch

    with path.open("wb") as f:
        f.writelines(csv_chunks(header, counted()))
    return written
