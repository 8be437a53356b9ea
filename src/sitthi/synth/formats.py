"""Vectorised writing of dates, IDs and names the way each agency writes them."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from sitthi.thai.dates import THAI_MONTHS_LONG, THAI_MONTHS_SHORT
from sitthi.thai.digits import to_thai_digits

DateStyle = Literal[
    "slash_be", "slash_ce", "iso_ce", "iso_be", "thai_short_be", "thai_long_be", "compact_be"
]


def format_dates(
    dates: pd.Series | np.ndarray,
    style: DateStyle,
    *,
    precision: np.ndarray | None = None,
    swap: np.ndarray | None = None,
    era_flip: np.ndarray | None = None,
) -> np.ndarray:
    """Dates as text in one agency style; ``NaT`` gives an empty string.

    ``precision`` ("day", "month", "year") writes unknown parts as ``00`` (or leaves them
    out in the Thai-word styles); ``swap`` writes month before day; ``era_flip`` writes the
    year in the other era than the column claims (the BE/CE mix-up).
    """
    idx = pd.DatetimeIndex(dates)
    n = len(idx)
    nat = np.asarray(idx.isna())
    be = style.endswith("_be")
    flip = np.zeros(n, dtype=bool) if era_flip is None else np.asarray(era_flip, dtype=bool)

    def part(values: pd.Index, default: int) -> np.ndarray:
        return np.nan_to_num(np.asarray(values, dtype=np.float64), nan=default).astype(np.int64)

    year = part(idx.year, 0) + np.where(be != flip, 543, 0)
    month, day = part(idx.month, 1), part(idx.day, 1)
    prec = (
        np.full(n, "day", dtype=object)
        if precision is None
        else np.asarray(precision, dtype=object)
    )
    if swap is not None:
        swap = np.asarray(swap, dtype=bool)
        day, month = np.where(swap, month, day), np.where(swap, day, month)
    y = pd.Series(year.astype(str))
    m = pd.Series(np.where(prec == "year", "00", pd.Series(month).astype(str).str.zfill(2)))
    d = pd.Series(np.where(prec == "day", pd.Series(day).astype(str).str.zfill(2), "00"))
    if style in ("slash_be", "slash_ce"):
        text = d + "/" + m + "/" + y
    elif style in ("iso_ce", "iso_be"):
        text = y + "-" + m + "-" + d
    elif style == "compact_be":
        text = d + m + y
    else:
        names = np.asarray(THAI_MONTHS_SHORT if style == "thai_short_be" else THAI_MONTHS_LONG)
        month_word = pd.Series(names[np.clip(month, 1, 12) - 1])
        text = pd.Series(
            np.select(
                [prec == "day", prec == "month"],
                [pd.Series(day).astype(str) + " " + month_word + " " + y, month_word + " " + y],
                default=y,
            )
        )
    return np.where(nat, "", text.to_numpy(dtype=object))


def dashed_id(ids: np.ndarray) -> np.ndarray:
    """``1234567890123`` as ``1-2345-67890-12-3`` (as printed on the ID card)."""
    s = pd.Series(ids, dtype=object).fillna("")
    ok = s.str.len() == 13
    dashed = s.str[0] + "-" + s.str[1:5] + "-" + s.str[5:10] + "-" + s.str[10:12] + "-" + s.str[12]
    return np.where(ok, dashed, s).astype(object)


def thai_digit_values(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Rewrite the picked values with Thai digits (as typed on a Thai keyboard)."""
    out = np.asarray(values, dtype=object).copy()
    out[mask] = [to_thai_digits(str(v)) for v in out[mask]]
    return out


def full_name(df: pd.DataFrame) -> np.ndarray:
    """Title, first and last name in one field; glued titles have no space after them."""
    title = df["title"].fillna("").astype(str)
    sep = np.where(df["title_glued"].to_numpy() | (title == ""), "", " ")
    return (
        title + sep + df["first_name"].astype(str) + " " + df["last_name"].astype(str)
    ).to_numpy(dtype=object)


def split_title_columns(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Title and first-name columns; a glued title moves into the first name."""
    glued = df["title_glued"].to_numpy()
    title = df["title"].fillna("").astype(str).to_numpy(dtype=object)
    first = df["first_name"].astype(str).to_numpy(dtype=object)
    first = np.where(glued, title + first, first)
    title = np.where(glued, "", title)
    return title, first
