"""Parsing shared by several commands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from sitthi.errors import ValidationError

#: ``--db``: which analytics store a command works on.
DbOption = Annotated[Path | None, typer.Option(help="The store (default: SITTHI_DB).")]

#: A year this large is a Buddhist-era year (พ.ศ. = ค.ศ. + 543), as Thai users write it.
BE_FROM = 2400
BE_OFFSET = 543


def parse_date_option(value: str | None, option: str) -> dt.date | None:
    """An ISO date given on the command line, or a one-line error naming the option.

    A Buddhist-era year (2569-10-01) is read as such and said so on stderr: a day 543
    years ahead would make everyone old enough for every allowance.
    """
    if value is None:
        return None
    year, _, rest = value.partition("-")
    be = year.isdigit() and int(year) >= BE_FROM
    try:
        # The BE year is shifted before parsing: 2567-02-29 is a day, 2567 not a leap year.
        day = dt.date.fromisoformat(f"{int(year) - BE_OFFSET:04d}-{rest}" if be else value)
    except ValueError as exc:
        raise ValidationError(
            f"{option} must be a date like 2026-10-01 (or พ.ศ. 2569-10-01), got {value!r}"
        ) from exc
    if be:
        typer.echo(f"{option} {value}: พ.ศ. {year}, read as {day:%Y-%m-%d}", err=True)
    return day


def input_file(path: Path | None, option: str, *, folder: bool = False) -> Path | None:
    """``path``, unless it exists and is not a regular file (nor a folder, if ``folder``);
    ``option`` names it in the error (empty for an argument).

    A device such as /dev/zero would be read until memory runs out and a FIFO would block;
    a missing file is left to the reader, whose message says what it wanted.
    """
    if path is None or not path.exists() or path.is_file() or (folder and path.is_dir()):
        return path
    device = path.is_char_device() or path.is_block_device()
    kind = "a folder" if path.is_dir() else "a device" if device else "a pipe or a socket"
    raise ValidationError(f"{option} {path}: not a regular file ({kind})".lstrip())
