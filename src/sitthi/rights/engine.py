"""Entitlements and gaps: every programme for every person in a few set-based statements.

For each programme the checked rules become one SELECT over ``profiles``: whether each
condition holds, the amount, and the list of conditions that fail. Payments come from the
enrolment facts of the linked records. Comparing the two gives the four gaps:

* ``eligible_not_receiving`` (exclusion): eligible and alive, with no payment in the
  window; only for programmes whose payment or enrolment list is in the store;
* ``receiving_not_eligible`` (inclusion): paid in the window but not eligible in the last
  month paid for, with the conditions that fail (a death is its own gap, below);
* ``paid_twice``: paid for one month by two or more authorities;
* ``paid_after_death``: paid for a month that began after the death date.

``gaps.amount`` is baht per month at stake (the right missed, the payment not due, the
extra payer's payment), except for ``paid_after_death``, where it is the total paid
after the death (to recover).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitthi.engines.duckdb import quote_literal, rows, run
from sitthi.registry.profile import profile_sql
from sitthi.rights.expressions import compile_expression
from sitthi.rights.programme import Programme

if TYPE_CHECKING:
    import duckdb

#: A payment this recent counts as "receiving" on the day of the profile.
RECEIVING_WINDOW_DAYS = 92


@dataclass(frozen=True)
class RightsResult:
    """Counts per programme: entitled persons and gaps by type."""

    as_of: dt.date
    entitled: dict[str, int]
    gaps: dict[tuple[str, str], int]


def _eligibility_sql(programme: Programme, dialect: str, profiles: str = "profiles") -> str:
    checked = programme.checked()
    conditions = {n: compile_expression(checked[n], dialect) for n in programme.eligibility}
    failed = ", ".join(
        f"case when not coalesce(({sql}), false) then {quote_literal(name)} end"
        for name, sql in conditions.items()
    )
    met = " and ".join(f"coalesce(({sql}), false)" for sql in conditions.values())
    amount = compile_expression(checked["amount"], dialect)
    return f"""
        select person_id, as_of, {quote_literal(programme.id)} as programme, ({met}) as eligible,
               case when ({met}) then ({amount}) end as amount,
               list_filter([{failed}], lambda x: x is not null) as failed
        from {profiles}"""


def _payments_sql(programme: Programme) -> str:
    e = programme.enrolment
    if e.profile is not None:
        # Membership shown by the profile itself: one "payment" on the profile's day.
        return f"""
            select person_id, {quote_literal(programme.id)} as programme, 'profile' as source,
                   null as record_id, as_of as month, null::double as amount,
                   null as payer
            from profiles where coalesce({e.profile}, false)"""
    indicators = [i for i in (e.indicator, e.amount, e.payer) if i]
    return f"""
        select p.person_id, {quote_literal(programme.id)} as programme, f.source, f.record_id,
               max(f.valid_from) as month,
               max(f.value_number) filter (f.indicator = {quote_literal(e.amount or "")}) as amount,
               max(f.value) filter (f.indicator = {quote_literal(e.payer or "")}) as payer
        from facts f
        join person_records p on p.source = f.source and p.record_id = f.record_id
        where f.indicator in ({", ".join(quote_literal(i) for i in indicators)})
        group by p.person_id, f.source, f.record_id, f.batch_id
        having max(f.value) filter (f.indicator = {quote_literal(e.indicator or "")})
               = {quote_literal(e.value or "")}"""


def compute_rights(
    con: duckdb.DuckDBPyConnection,
    programmes: dict[str, Programme],
    as_of: dt.date,
    dialect: str = "duckdb",
) -> RightsResult:
    """Write ``eligibility``, ``entitlements``, ``payments`` and ``gaps`` from ``profiles``."""
    run(
        con,
        "create or replace table eligibility as "
        + " union all ".join(_eligibility_sql(p, dialect) for p in programmes.values()),
    )
    run(
        con,
        """create or replace table entitlements as
           select e.person_id, e.programme, e.amount, e.as_of
           from eligibility e where e.eligible""",
        {"as_of": as_of},
    )
    run(
        con,
        "create or replace table payments as "
        + " union all ".join(_payments_sql(p) for p in programmes.values()),
    )
    params = {"as_of": as_of, "window": RECEIVING_WINDOW_DAYS}
    # A payment is judged on the month it paid for: a card that expired after the last
    # paid month, or a birthday after it, makes no wrong payment.
    run(
        con,
        """
        create or replace temp table paid_days as
        select person_id, max(month) as day from payments
        where month <= $as_of::date and month > $as_of::date - to_days($window::integer)
        group by 1
        """,
        params,
    )
    run(con, "create or replace temp table paid_profiles as " + profile_sql("d.day", "paid_days"))
    run(
        con,
        "create or replace temp table paid_eligibility as "
        + " union all ".join(
            _eligibility_sql(p, dialect, "paid_profiles") for p in programmes.values()
        ),
    )
    run(
        con,
        """
        create or replace table gaps as
        with receiving as (
            select person_id, programme, arg_max(amount, month) as amount from payments
            where month <= $as_of::date and month > $as_of::date - to_days($window::integer)
            group by all),
        listed as (select distinct programme from payments),
        deaths as (select person_id, death_date from profiles where death_date is not null)
        select e.person_id, e.programme, 'eligible_not_receiving' as gap,
               e.amount, null as detail
        from eligibility e
        join listed using (programme)
        left join receiving r using (person_id, programme)
        where e.eligible and r.person_id is null
        union all
        select e.person_id, e.programme, 'receiving_not_eligible', r.amount,
               array_to_string(e.failed, ',')
        from paid_eligibility e join receiving r using (person_id, programme)
        where not e.eligible and e.failed <> ['alive']
        union all
        -- the amount is what the extra payers pay in the month
        select person_id, programme, 'paid_twice', sum(amount) - max(amount),
               string_agg(distinct payer, ',' order by payer)
        from payments
        group by person_id, programme, month
        having count(distinct payer) > 1
        union all
        select p.person_id, p.programme, 'paid_after_death', sum(p.amount),
               'died ' || strftime(any_value(d.death_date), '%Y-%m-%d')
        from payments p join deaths d using (person_id)
        where p.month > d.death_date and p.source <> 'profile'
        group by p.person_id, p.programme
        """,
        params,
    )
    # One row per person, programme and gap (paid twice in several months is one gap).
    run(
        con,
        """create or replace table gaps as
           select person_id, programme, gap, max(amount) as amount, max(detail) as detail
           from gaps group by all""",
    )
    entitled = dict(rows(con, "select programme, count(*) from entitlements group by 1"))
    gaps = {
        (str(p), str(g)): int(n)
        for p, g, n in rows(con, "select programme, gap, count(*) from gaps group by all")
    }
    return RightsResult(
        as_of=as_of, entitled={str(k): int(v) for k, v in entitled.items()}, gaps=gaps
    )
