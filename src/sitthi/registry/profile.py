"""Profiles: each person's five dimensions as of a date, the columns programmes are written in.

The golden record holds what agencies said; a profile says what it means on a given day:
an age (birth dates change nothing, the day does), whether a disability card is still
valid, whether a death has happened yet, whether a pension has started or a care-home
admission taken place (the ``dated`` fields: each holds over its fact's own period).
``PROFILE_COLUMNS`` is the whole vocabulary a programme's rules may use; the rights
engine refuses anything else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitthi.engines.duckdb import one, quote_literal, rows, run

if TYPE_CHECKING:
    import duckdb

#: Column → (SQL type, meaning). The meanings are shown in docs and in rule errors.
PROFILE_COLUMNS: dict[str, tuple[str, str]] = {
    "person_id": ("varchar", "the person"),
    "as_of": ("date", "the day the profile describes"),
    "age": (
        "integer",
        "age in whole years on the day (NULL without a birth date; a year-only "
        "birth date counts from 1 January)",
    ),
    "age_min": ("integer", "the youngest the person can be on the day, given a partial birth date"),
    "sex": ("varchar", "M or F"),
    "thai": ("boolean", "Thai nationality (civil registry)"),
    "alive": ("boolean", "not dead on the day (civil registry)"),
    "death_date": ("date", "date of death, if any"),
    "province_code": ("varchar", "DOPA province code of the registered address"),
    "district_code": ("varchar", "DOPA district code"),
    "subdistrict_code": ("varchar", "DOPA subdistrict code"),
    "household_id": ("varchar", "the household (by registered address)"),
    "disability": ("boolean", "a disability is recorded (DEP)"),
    "disability_type": ("varchar", "type of disability (DEP)"),
    "disability_card_valid": ("boolean", "holds a disability card valid on the day (DEP)"),
    "welfare_card": ("boolean", "registered for the state welfare card (MOF)"),
    "annual_income": ("double", "annual income, baht (MOF registration)"),
    "deposit_balance": ("double", "savings, baht (MOF registration)"),
    "land_rai": ("double", "land held, rai (MOF registration)"),
    "household_income_per_person": ("double", "household income per person per year, baht (CDD)"),
    "occupation": ("varchar", "occupation (CDD household survey)"),
    "health_scheme": ("varchar", "health coverage scheme (NHSO: UCS, SSS, CSMBS, …)"),
    "bedridden": ("boolean", "bedridden (NHSO)"),
    "formally_employed": ("boolean", "insured under the Social Security Act (SSO status A)"),
    "insured_wage": ("double", "insured monthly wage, baht (SSO)"),
    "student": ("boolean", "enrolled in school (MOE)"),
    "class_level": ("varchar", "school level (MOE)"),
    "government_pension": ("boolean", "receives a government pension (CGD; NULL: roll not loaded)"),
    "state_care_resident": ("boolean", "lives in a state care home (DSDW; NULL: list not loaded)"),
}


@dataclass(frozen=True)
class DatedField:
    """A golden field that holds over its fact's own period (see ``dated`` in the
    survivorship rules): its SQL type, and its value on a day no period covers."""

    name: str
    sql_type: str
    absent: str | None  # the complete roll's "not listed" value once it is loaded


def dated_fields(con: duckdb.DuckDBPyConnection) -> tuple[DatedField, ...]:
    """The dated fields of the store's golden records (none before a golden build that
    wrote them)."""
    if not one(
        con,
        "select count(*) from duckdb_tables() where table_name = 'dated_fields' "
        "and database_name = current_database()",
    ):
        return ()
    found = rows(con, "select field, sql_type, absent from dated_fields order by field")
    return tuple(DatedField(str(f), str(t), a if a is None else str(a)) for f, t, a in found)


def _age(day: str, birth: str) -> str:
    """Whole years on ``day``: one less when the birthday has not come yet that year."""
    return (
        f"(year({day}) - year({birth}) - case when strftime({day}, '%m%d') "
        f"< strftime({birth}, '%m%d') then 1 else 0 end)::integer"
    )


def _in_force(day: str, dated: tuple[DatedField, ...], days: str | None) -> str:
    """SELECT of each person's (and, with ``days``, each day's) dated values in force on
    the day: the best-ranked value whose period holds it. A period is inclusive at both
    ends, and an unknown start or end does not bound it."""
    picks = ", ".join(
        f"arg_min(pp.value, pp.rank) filter (pp.field = {quote_literal(f.name)}) as {f.name}"
        for f in dated
    )
    if days:
        return f"""
            select pp.person_id, d.day, {picks}
            from person_periods pp join {days} d using (person_id)
            where coalesce(pp.valid_from <= {day}, true) and coalesce({day} <= pp.valid_to, true)
            group by pp.person_id, d.day"""
    return f"""
        select pp.person_id, {picks}
        from person_periods pp
        where coalesce(pp.valid_from <= {day}, true) and coalesce({day} <= pp.valid_to, true)
        group by pp.person_id"""


def profile_sql(day: str, days: str | None = None, dated: tuple[DatedField, ...] = ()) -> str:
    """SELECT of profiles over ``persons``, on the day ``day`` (an SQL date expression).

    With ``days`` (a table of ``person_id`` and ``day``), one profile per person and day
    listed there, so a payment can be judged on the month it was paid for. A person not yet
    born on the day has none. A ``dated`` field (`dated_fields`) takes the value in force on
    the day from ``person_periods``, or, where none is, its ``absent`` value.
    """
    source = f"persons p join {days} d using (person_id)" if days else "persons p"
    by_name = {f.name: f for f in dated}
    if dated:
        on = "v.person_id = p.person_id" + (" and v.day = d.day" if days else "")
        source += f" left join ({_in_force(day, dated, days)}) v on {on}"

    def col(name: str) -> str:
        """A golden field as the day sees it."""
        f = by_name.get(name)
        if f is None:
            return f"p.{name}"
        value = (
            f"v.{name}" if f.absent is None else f"coalesce(v.{name}, {quote_literal(f.absent)})"
        )
        return f"try_cast({value} as {f.sql_type})"

    # The last day a partial birth date can stand for: 31 December, or the month's end.
    latest = (
        "case p.birth_precision when 'year' then make_date(year(p.birth_date), 12, 31) "
        "when 'month' then last_day(p.birth_date) else p.birth_date end"
    )
    death = col("death_date")
    return f"""
        select p.person_id, {day} as as_of,
               {_age(day, "p.birth_date")} as age, {_age(day, latest)} as age_min,
               p.sex,
               {col("nationality")} = 'ไทย' as thai,
               not coalesce({death} <= {day}
                            or ({col("vital_status")} = 'ตาย' and {death} is null), false)
                   as alive,
               case when {death} <= {day} then {death} end as death_date,
               p.province_code, p.district_code, p.subdistrict_code, h.household_id,
               {col("disability_type")} is not null or {col("disability_card_no")} is not null
                   as disability,
               {col("disability_type")} as disability_type,
               coalesce({col("disability_card_issued")} <= {day}
                        and {day} <= {col("disability_card_expiry")}, false)
                   as disability_card_valid,
               coalesce({col("welfare_card_status")} = 'active', false) as welfare_card,
               {col("annual_income")} as annual_income,
               {col("deposit_balance")} as deposit_balance, {col("land_rai")} as land_rai,
               {col("household_income_per_person")} as household_income_per_person,
               {col("occupation")} as occupation, {col("health_scheme")} as health_scheme,
               {col("bedridden")} as bedridden,
               coalesce({col("sso_status")} = 'A', false) as formally_employed,
               {col("insured_wage")} as insured_wage,
               {col("class_level")} is not null as student, {col("class_level")} as class_level,
               {col("government_pension")} as government_pension,
               {col("state_care_resident")} as state_care_resident
        from {source}
        left join person_households h on h.person_id = p.person_id
        -- no one has a profile before they are born (a past day, or a wrong birth date)
        where p.birth_date is null or p.birth_date <= {day}"""


def build_profiles(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> int:
    """Rebuild ``profiles`` from ``persons`` and ``person_households`` for ``as_of``."""
    sql = profile_sql("$as_of::date", dated=dated_fields(con))
    run(con, "create or replace table profiles as " + sql, {"as_of": as_of})
    return int(one(con, "select count(*) from profiles"))


def build_household_profiles(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild ``household_profiles`` from ``profiles`` and ``households``.

    One row per household: its area, members alive on the profile's day, and the five
    dimensions summed over them (income per person from the household survey, members
    with a disability, bedridden, in formal work, at school, holding the welfare card).
    """
    run(
        con,
        """
        create or replace table household_profiles as
        select h.household_id, h.house_code, h.province_code, h.district_code,
               h.subdistrict_code, any_value(p.as_of) as as_of,
               count(*) filter (p.alive) as members,
               count(*) filter (p.alive and p.age < 6) as children_under_6,
               count(*) filter (p.alive and p.age >= 60) as elderly,
               count(*) filter (p.alive and p.disability) as with_disability,
               count(*) filter (p.alive and p.bedridden) as bedridden,
               count(*) filter (p.alive and p.formally_employed) as formally_employed,
               count(*) filter (p.alive and p.student) as students,
               count(*) filter (p.alive and p.welfare_card) as welfare_card_holders,
               max(p.household_income_per_person) as income_per_person
        from households h
        join profiles p on p.household_id = h.household_id
        group by all
        """,
    )
    return int(one(con, "select count(*) from household_profiles"))
