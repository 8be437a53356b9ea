"""Profiles change with the day they describe: ages, deaths, card validity."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from sitthi.engines.duckdb import connect, rows
from sitthi.linkage.service import LinkReport
from sitthi.registry.golden import build_golden
from sitthi.registry.profile import PROFILE_COLUMNS, build_profiles
from sitthi.registry.rules import load_rules


def test_the_day_decides(linked: tuple[Path, LinkReport], tmp_path: Path) -> None:
    path, _ = linked
    shutil.copy(path, tmp_path / "s.duckdb")
    con = connect(tmp_path / "s.duckdb")
    build_golden(con, load_rules())
    ((person, birth, death),) = rows(
        con,
        """select person_id, birth_date, death_date from persons
           where death_date is not null and birth_precision = 'day'
             and strftime(birth_date, '%m-%d') <> '02-29'
           order by person_id limit 1""",
    )
    ((card_person, issued, expiry),) = rows(
        con,
        "select person_id, disability_card_issued, disability_card_expiry from persons "
        "where disability_card_issued is not null order by person_id limit 1",
    )

    def profile(day: dt.date, who: str) -> tuple[object, ...]:
        build_profiles(con, day)
        return rows(
            con,
            "select age, alive, disability_card_valid from profiles where person_id = ?",
            [who],
        )[0]

    birthday = birth.replace(year=death.year - 1)
    age_before = profile(birthday - dt.timedelta(days=1), person)[0]
    assert profile(birthday, person)[0] == age_before + 1
    assert profile(death - dt.timedelta(days=1), person)[1] is True
    assert profile(death, person)[1] is False
    assert profile(issued - dt.timedelta(days=1), card_person)[2] is False
    assert profile(issued, card_person)[2] is True
    assert profile(expiry + dt.timedelta(days=1), card_person)[2] is False
    assert [r[0] for r in rows(con, "describe profiles")] == list(PROFILE_COLUMNS)
    # Before a birth there is no one to profile: no negative ages, no unborn entitled.
    build_profiles(con, birth - dt.timedelta(days=1))
    assert rows(con, "select count(*) from profiles where person_id = ?", [person]) == [(0,)]
    assert rows(con, "select count(*) from profiles where age < 0") == [(0,)]


def test_household_profiles_add_up(linked: tuple[Path, LinkReport], tmp_path: Path) -> None:
    from sitthi.registry.profile import build_household_profiles

    path, _ = linked
    shutil.copy(path, tmp_path / "h.duckdb")
    con = connect(tmp_path / "h.duckdb")
    build_golden(con, load_rules())
    build_profiles(con, dt.date(2026, 10, 1))
    households = build_household_profiles(con)
    assert households == rows(con, "select count(*) from households")[0][0]
    ((members, alive),) = rows(
        con,
        """select (select sum(members) from household_profiles),
                  (select count(*) from profiles where alive and household_id is not null)""",
    )
    assert members == alive
    assert rows(con, "select count(*) from household_profiles where elderly > members") == [(0,)]
