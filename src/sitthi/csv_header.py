"""The header row of a user's CSV file, checked with an error that names file and row."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

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
