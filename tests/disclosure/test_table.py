"""The table `suppress` publishes: every level, every margin, and refusals of bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitthi.disclosure import suppress
from sitthi.disclosure.table import Columns, build_table
from sitthi.errors import ValidationError


def _cells(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["subdistrict_code", "category", "persons"])


GOOD = _cells(
    [
        ("100101", "elderly", 40),
        ("100101", "disabled", 12),
        ("100102", "elderly", 35),
        ("110201", "disabled", 20),
    ]
)


def test_every_level_and_margin_is_published_and_adds_up() -> None:
    table = suppress(GOOD).table
    assert table.level.value_counts().to_dict() == {
        "national": 3,
        "province": 6,
        "district": 6,
        "subdistrict": 9,
    }
    value = table.set_index(["area_code", "category"], drop=False)["value"]
    # A missing row counts zero, and totals are sums at every level.
    assert value[("110201", "elderly")] == 0
    assert value[("1001", "elderly")] == 75
    assert value[("10", "disabled")] == 12
    assert table[(table.area_code == "TH") & table.category.isna()].value.item() == 107
    assert not table.suppressed.any()


def test_two_category_columns_cross_with_all_their_margins() -> None:
    cells = pd.DataFrame(
        {
            "subdistrict_code": ["100101"] * 4,
            "programme": ["allowance", "allowance", "card", "card"],
            "gap": ["missing", "wrong", "missing", "wrong"],
            "persons": [30, 40, 50, 60],
        }
    )
    table = suppress(cells, category_columns=("programme", "gap")).table
    # 4 levels × (programme: 2 + total) × (gap: 2 + total)
    assert len(table) == 4 * 3 * 3
    national = table[table.level == "national"]
    missing = national[national.programme.isna() & (national.gap == "missing")]
    assert missing.value.item() == 80
    assert national[national.programme.isna() & national.gap.isna()].value.item() == 180


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("persons", -1, "'persons': -1 is not a count"),
        ("persons", 2.5, "'persons': 2.5 is not a count"),
        ("persons", None, "'persons'"),
        ("subdistrict_code", "10010", "'10010' is not a 6-digit DOPA subdistrict code"),
        ("subdistrict_code", "1001011", "'1001011' is not a 6-digit"),
        ("subdistrict_code", "10O101", "'10O101' is not a 6-digit"),
        ("subdistrict_code", "100100", "'100100' is an area's own code"),
        ("subdistrict_code", "100001", "'100001' is an area's own code"),
        ("category", None, "column 'category': row 0 has no category"),
    ],
)
def test_bad_input_is_refused_naming_the_column_and_value(
    column: str, value: object, message: str
) -> None:
    cells = GOOD.astype({"persons": "object"})
    cells.loc[0, column] = value
    with pytest.raises(ValidationError, match=message):
        suppress(cells)


def test_a_district_code_column_must_be_the_subdistrict_prefix() -> None:
    cells = GOOD.assign(district_code=["1001", "1001", "1002", "1102"])
    with pytest.raises(ValidationError, match=r"'district_code': '1002' is not the district of"):
        suppress(cells)
    cells = GOOD.assign(province_code=["10", "10", "10", "10"])
    with pytest.raises(ValidationError, match=r"'province_code': '10' is not the province"):
        suppress(cells)
    suppress(GOOD.assign(district_code=["1001", "1001", "1001", "1102"]))


def test_the_same_cell_twice_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"the cell .*'100101'.*'elderly'.* more than once"):
        suppress(pd.concat([GOOD, GOOD.iloc[:1]]))


def test_missing_columns_and_empty_tables_are_refused() -> None:
    with pytest.raises(ValidationError, match="column 'persons' is missing"):
        suppress(GOOD.rename(columns={"persons": "count"}))
    with pytest.raises(ValidationError, match="no rows"):
        suppress(GOOD.iloc[:0])
    with pytest.raises(ValidationError, match="k=1"):
        suppress(GOOD, k=1)
    with pytest.raises(ValidationError, match="max_change"):
        suppress(GOOD, max_change=-1)


def test_integer_codes_and_other_column_names_are_read() -> None:
    cells = GOOD.rename(columns={"subdistrict_code": "tambon", "persons": "n"}).astype(
        {"tambon": "int64"}
    )
    table = suppress(cells, area_column="tambon", value_column="n").table
    assert "100101" in set(table.area_code)


def test_groups_are_the_sums_of_the_table() -> None:
    table = build_table(GOOD, Columns())
    for g in range(table.n_groups):
        members = table.group_members(g)
        assert table.value[members[0]] == table.value[members[1:]].sum()
    assert np.all(np.diff(table.member_ptr) >= 1)


@settings(max_examples=40)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["100101", "100102", "100201", "110101", "110102", "960101"]),
            st.sampled_from(["a", "b", "c"]),
            st.integers(0, 10_000),
        ),
        min_size=1,
        max_size=18,
        unique_by=lambda r: (r[0], r[1]),
    )
)
def test_every_total_is_the_sum_of_its_parts(rows: list[tuple[str, str, int]]) -> None:
    cells = _cells(rows)
    table = build_table(cells, Columns())
    for g in range(table.n_groups):
        members = table.group_members(g)
        assert table.value[members[0]] == table.value[members[1:]].sum()
    assert table.value[0] == cells.persons.sum()
    keys = table.keys()
    assert (keys.level == "subdistrict").sum() == cells.subdistrict_code.nunique() * (
        cells.category.nunique() + 1
    )
