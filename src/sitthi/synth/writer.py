"""Write an extract as its agency would: CSV in its encoding, or an Excel workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from sitthi.synth.agencies import Extract

# A fixed creation time keeps workbooks byte-identical for the same seed.
_WORKBOOK_TIME = dt.datetime(2026, 1, 1)


def write_extract(extract: Extract, directory: Path) -> Path:
    """Write ``extract`` under ``directory`` and return the path written."""
    path = directory / extract.file
    if extract.fmt == "csv":
        _write_csv(extract.frame, path, extract.encoding)
    elif extract.fmt == "xlsx":
        _write_xlsx(extract.frame, path, sheet=extract.sheet)
    else:  # pragma: no cover - AGENCIES only uses the two formats
        raise ValueError(f"unknown format {extract.fmt}")
    return path


def _write_csv(frame: pd.DataFrame, path: Path, encoding: str) -> None:
    # Arrow's CSV writer is several times faster than pandas' and writes nulls as empty.
    import pyarrow as pa
    import pyarrow.csv as pacsv

    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(quoting_style="needed"))
    data = sink.getvalue().to_pybytes()
    if encoding == "utf-8":
        path.write_bytes(data)
    elif encoding == "cp874":
        # TIS-620 files come from Windows Excel exports: Windows line ends too. No field
        # holds a line break, so every newline is a record end.
        path.write_bytes(data.decode("utf-8").replace("\n", "\r\n").encode(encoding))
    else:
        path.write_bytes(data.decode("utf-8").encode(encoding))


def _write_xlsx(frame: pd.DataFrame, path: Path, sheet: str) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_numbers": False}
    )
    workbook.set_properties({"created": _WORKBOOK_TIME, "title": sheet})
    ws = workbook.add_worksheet(sheet)
    ws.write_row(0, 0, list(frame.columns))
    for r, row in enumerate(frame.itertuples(index=False), start=1):
        # IDs stay text: Excel would turn 13 digits into 1.1E+12 and drop a leading zero.
        ws.write_row(r, 0, ["" if pd.isna(v) else v for v in row])
    workbook.close()
