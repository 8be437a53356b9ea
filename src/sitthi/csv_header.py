"""Users' CSV files: the header row checked with an error that names file and row, and
the CSV files Sitthi writes for people to open in Excel."""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sitthi.errors import ValidationError


def csv_header(path: Path) -> list[str]:
    """The column names in the first row of a UTF-8 CSV file (a BOM is allowed).

    Raises:
        ValidationError: the file cannot be read, or is not UTF-8.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            return next(csv.reader(f), [])
    except OSError as exc:
        raise ValidationError(f"{path}: cannot read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{path}: not UTF-8 text") from exc


def require_columns(path: Path, needed: Sequence[str]) -> list[str]:
    """The header of ``path``, which must hold every column in ``needed``."""
    header = csv_header(path)
    missing = [c for c in needed if c not in header]
    if missing:
        raise ValidationError(
            f"{path}: row 1: needs the columns {', '.join(needed)} (missing: {', '.join(missing)})"
        )
    return header


def write_csv(
    rows: Sequence[Mapping[str, Any]],
    path: Path,
    columns: Sequence[str] | None = None,
    *,
    private: bool = False,
) -> None:
    """Rows as UTF-8 CSV with a BOM, so Excel opens the Thai correctly.

    ``columns`` default to the first row's keys. ``private``: the file names people (their
    national IDs), so only its owner may read it, even if it was there before.

    Raises:
        ValidationError: the file cannot be written.
    """
    fields = list(columns or (rows[0] if rows else ["code"]))
    opener = (lambda p, flags: os.open(p, flags, 0o600)) if private else None
    try:
        with open(path, "w", encoding="utf-8-sig", newline="", opener=opener) as f:
            if private:
                os.fchmod(f.fileno(), 0o600)
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
    except OSError as exc:
        raise ValidationError(f"{path}: cannot write: {exc.strerror}") from exc
