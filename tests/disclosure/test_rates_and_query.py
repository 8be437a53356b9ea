"""Rates from published counts only, and publishing a DuckDB query."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from sitthi.disclosure import suppress, suppress_query
from sitthi.errors import ValidationError

CELLS = pd.DataFrame(
    [
        ("100101", "elderly", 40),
        ("100101", "disabled", 3),
        ("100102", "elderly", 35),
        ("100102", "disabled", 20),
        ("100201", "elderly", 60),
        ("100201", "disabled", 30),
    ],
    columns=["subdistrict_code", "category", "persons"],
)


def test_a_rate_of_a_suppressed_count_is_suppressed() -> None:
    published = suppress(CELLS)
    rates = published.rate({"category": "disabled"}).set_index("area_code")
    # 100101's 3 disabled persons are hidden, and so is its share.
    assert pd.isna(rates.loc["100101", "rate"])
    assert pd.isna(rates.loc["100101", "numerator"])
    # District 1002 is published: 30 of 90 persons.
    assert rates.loc["1002", "rate"] == pytest.approx(1000 * 30 / 90)
    assert rates.loc["TH", "rate"] == pytest.approx(1000 * 53 / 188)


def test_a_rate_never_reads_a_hidden_count() -> None:
    published = suppress(CELLS)
    rates = published.rate({"category": "elderly"}, denominator={"category": "disabled"}, per=1)
    hidden = published.table[published.table.suppressed]
    for code in set(hidden.area_code):
        row = rates[rates.area_code == code]
        assert row.rate.isna().all()


def test_a_rate_per_public_population() -> None:
    published = suppress(CELLS)
    rates = published.rate({"category": None}, population={"1002": 1800, "TH": 3760}, per=100)
    by = rates.set_index("area_code").rate
    assert by["1002"] == pytest.approx(5.0)
    assert by["TH"] == pytest.approx(5.0)
    assert pd.isna(by["1001"])  # no population given


def test_bad_rate_requests_are_refused() -> None:
    published = suppress(CELLS)
    with pytest.raises(ValidationError, match="'group' is not a category column"):
        published.rate({"group": "elderly"})
    with pytest.raises(ValidationError, match="has no value 'poor'"):
        published.rate({"category": "poor"})
    with pytest.raises(ValidationError, match="not both"):
        published.rate({}, denominator={}, population={"TH": 1})


def test_a_duckdb_query_is_published_through_the_same_door() -> None:
    con = duckdb.connect()
    con.register("cells", CELLS)
    published = suppress_query(
        con,
        "select subdistrict_code, category, persons from cells where persons >= $least",
        {"least": 0},
        k=5,
    )
    direct = suppress(CELLS, k=5)
    assert published.table.equals(direct.table)
    assert published.pattern.k == 5
