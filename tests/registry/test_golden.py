"""Golden records: authority first, then recency; disagreements kept; rules validated."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from sitthi.engines.duckdb import connect, rows
from sitthi.errors import RuleError
from sitthi.ingest.service import ingest_file
from sitthi.ingest.spec import load_spec
from sitthi.linkage.quick import quick_spec
from sitthi.linkage.service import link_store
from sitthi.registry.golden import build_golden
from sitthi.registry.profile import build_profiles
from sitthi.registry.rules import load_rules, parse_rules
from tests.linkage.helpers import KEY, valid_id, write_csv

ID_A = valid_id("110170020315")
BASE = {
    "national_id": ID_A,
    "title": "นาย",
    "first_name": "สมชาย",
    "last_name": "ใจดี",
    "sex": "ชาย",
    "birth_date": "12/03/2510",
}


def _store(tmp_path: Path, loads: list[tuple[str, dict[str, str], dt.date]]):  # type: ignore[no-untyped-def]
    con = connect(tmp_path / "store.duckdb")
    for i, (source, record, extract_date) in enumerate(loads):
        path = write_csv(tmp_path / f"{source}-{i}.csv", [{"record_id": f"{source}1", **record}])
        spec = quick_spec().model_copy(update={"source": source})
        ingest_file(con, spec, path, key=KEY, key_version=1, extract_date=extract_date)
    link_store(con)
    return con


def test_the_authority_wins_over_a_newer_source(tmp_path: Path) -> None:
    con = _store(
        tmp_path,
        [
            ("dopa", {**BASE, "last_name": "ใจดี"}, dt.date(2025, 1, 1)),
            ("lao", {**BASE, "last_name": "ใจดีมาก"}, dt.date(2026, 1, 1)),
        ],
    )
    build_golden(con, load_rules())
    assert rows(con, "select last_name from persons") == [("ใจดี",)]
    assert rows(
        con, "select source, from_authority from person_values where field = 'last_name'"
    ) == [("dopa", True)]


def test_without_an_authority_the_newest_wins(tmp_path: Path) -> None:
    con = _store(
        tmp_path,
        [
            ("lao", {**BASE, "phone": "081-111-1111"}, dt.date(2025, 1, 1)),
            ("nhso", {**BASE, "phone": "082-222-2222"}, dt.date(2026, 1, 1)),
        ],
    )
    build_golden(con, load_rules())
    assert rows(con, "select phone from persons") == [("0822222222",)]


def test_disagreements_are_kept_and_partial_dates_are_no_disagreement(tmp_path: Path) -> None:
    con = _store(
        tmp_path,
        [
            ("dopa", BASE, dt.date(2025, 1, 1)),
            ("lao", {**BASE, "birth_date": "03/12/2510"}, dt.date(2026, 1, 1)),  # day-month swap
            ("nhso", {**BASE, "birth_date": "00/00/2510"}, dt.date(2026, 1, 1)),  # year only
        ],
    )
    result = build_golden(con, load_rules())
    assert rows(con, "select birth_date, birth_precision from persons") == [
        (dt.date(1967, 3, 12), "day")
    ]
    assert result.conflicts == {"birth_date": 1}
    assert rows(
        con, "select chosen_source, other_source, chosen_value, other_value from conflicts"
    ) == [("dopa", "lao", "1967-03-12", "1967-12-03")]


ID_B = valid_id("110170020316")


def test_a_complete_roll_says_no_for_everyone_it_does_not_list(tmp_path: Path) -> None:
    con = _store(
        tmp_path,
        [
            ("dopa", BASE, dt.date(2026, 9, 1)),
            ("nhso", {**BASE, "national_id": ID_B, "first_name": "สมหญิง"}, dt.date(2026, 9, 1)),
        ],
    )
    build_golden(con, load_rules())
    # Before CGD's roll is loaded nobody's pension is known.
    assert rows(con, "select count(*) from persons where government_pension is null") == [(2,)]
    roll = tmp_path / "cgd.csv"
    pd.DataFrame(
        [
            {
                "PENSIONER_NO": "G1",
                "PID": ID_A,
                "PRENAME": "นาย",
                "NAME": "สมชาย",
                "SURNAME": "ใจดี",
                "BIRTH_DATE": "2510-03-12",
                "PENSION_TYPE": "บำนาญปกติ",
                "PENSION_START": "2570-10-01",
                "MONTHLY_AMOUNT": "18,500",
                "STATUS": "ปกติ",
            }
        ]
    ).to_csv(roll, index=False)
    ingest_file(
        con, load_spec("cgd"), roll, key=KEY, key_version=1, extract_date=dt.date(2026, 9, 30)
    )
    link_store(con)
    build_golden(con, load_rules())
    assert rows(
        con,
        """select p.first_name, p.government_pension, p.pension_amount, v.source, v.record_id,
                  v.as_of
           from persons p join person_values v
             on v.person_id = p.person_id and v.field = 'government_pension'
           order by 1""",
    ) == [
        ("สมชาย", True, 18500.0, "cgd", "G1", dt.date(2027, 10, 1)),
        ("สมหญิง", False, None, "cgd", None, dt.date(2026, 9, 30)),
    ]
    # DSDW's list is not loaded: care-home residence stays unknown.
    assert rows(con, "select count(*) from persons where state_care_resident is null") == [(2,)]
    # The pension is dated: it holds from its start, 1 October 2027 (2570 BE), and the
    # roll's "no" covers the days before it.
    assert rows(
        con, "select field, value, valid_from, valid_to, rank from person_periods order by 1"
    ) == [
        ("government_pension", "true", dt.date(2027, 10, 1), None, 1),
        ("pension_amount", "18500.0", dt.date(2027, 10, 1), None, 1),
    ]

    def on(day: dt.date) -> list[tuple[object, ...]]:
        build_profiles(con, day)
        return rows(
            con,
            """select g.first_name, p.government_pension, p.state_care_resident
               from profiles p join persons g using (person_id) order by 1""",
        )

    assert on(dt.date(2027, 9, 30)) == [("สมชาย", False, None), ("สมหญิง", False, None)]
    assert on(dt.date(2027, 10, 1)) == [("สมชาย", True, None), ("สมหญิง", False, None)]


def test_the_synthetic_world(linked: tuple[Path, object], tmp_path: Path) -> None:
    import shutil

    path, _ = linked
    shutil.copy(path, tmp_path / "s.duckdb")
    con = connect(tmp_path / "s.duckdb")
    result = build_golden(con, load_rules())
    assert result.persons == rows(con, "select count(distinct person_id) from person_records")[0][0]
    # Deaths come from the civil registry, with the date.
    dead = rows(con, "select count(*), count(death_date) from persons where vital_status = 'ตาย'")
    assert dead[0][0] > 0
    assert dead[0][0] == dead[0][1]
    assert rows(con, "select count(*) from persons where first_name is null") == [(0,)]
    assert result.conflicts.get("birth_date", 0) > 0  # the planted day-month swaps


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "version: 1\nfields:\n  x: {from: somewhere, column: title}\n",
            "rules.yaml:3: fields.x.from: expected one of",
        ),
        (
            "version: 1\nfields:\n  x: {from: identity}\n",
            "rules.yaml:3: fields.x: Value error, an identity field names a `column`",
        ),
        (
            "version: 1\nfields:\n  x: {from: fact, indicator: y}\n",
            "rules.yaml:3: fields.x: Value error, a fact field names a `dimension`",
        ),
        (
            "version: 1\nfields:\n  x: {from: identity, column: salary}\n",
            "rules.yaml:3: fields.x.column: expected one of",
        ),
        (
            "version: 1\nfields:\n  x: {from: fact, dimension: income, indicator: y, absent: x}\n",
            "rules.yaml:3: fields.x: Value error, `absent` needs an `authority`",
        ),
        (
            "version: 1\nfields:\n  x: {from: identity, column: title, dated: true}\n",
            "rules.yaml:3: fields.x: Value error, only a fact is `dated`",
        ),
        ("- just a list\n", "rules.yaml:1: survivorship rules are a mapping"),
    ],
)
def test_bad_rules_name_the_file_line_and_field(text: str, message: str) -> None:
    with pytest.raises(RuleError) as err:
        parse_rules(text, "rules.yaml")
    assert message in str(err.value)
