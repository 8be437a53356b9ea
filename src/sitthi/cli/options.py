"""Parsing shared by several commands."""

from __future__ import annotations

import datetime as dt

from sitthi.errors import ValidationError


def parse_date_option(value: str | None, option: str) -> dt.date | None:
    """An ISO date given on the command line, or a one-line error naming the option."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(f"{option} must be a date like 2026-10-01, got {value!r}") from exc
