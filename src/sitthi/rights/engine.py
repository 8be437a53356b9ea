"""Entitlements and gaps: every programme for every person in a few set-based statements.

For each programme the checked rules become one SELECT over ``profiles``: whether each
condition holds, the amount, and the list of conditions that fail. Payments come from the
enrolment facts of the linked records. Comparing the two gives the four gaps:

* ``eligible_not_receiving`` (exclusion): eligible and alive, not paid for either of the
  last two months the programme's payment lists cover (up to the day), and eligible
  already in the latest of them (someone who turned 60 last week is not yet due a
  payment); only for programmes whose payment or enrolment list is in the store. A day
  after the lists end is judged on the last month they cover, not on months no list
  has reached yet;
* ``receiving_not_eligible`` (inclusion): paid in the window but not eligible in the last
  month paid for, with the conditions that fail; only the living (a death is its own
  gap, below, or a matter for the quality report's "dead, still listed");
* ``paid_twice``: one month paid on two or more payment records: by two authorities, or
  twice by one; for a list that names no payer (the child support grant), its records
  are the payers;
* ``paid_after_death``: paid for a month that began after the death date, or, for a
  membership the profile shows (the welfare card), still a member after it.

A month paid for is judged on its first day: the payment for month M was due to a person
who met every condition on M's first day, as a profile of that day shows it (an age, a
card's validity, a pension started or a care-home admission taken place by then: every
dated fact holds from its own day). The one exception is death: the month in which a
person dies is due, because it began while they were alive (docs/RIGHTS.md, "The month
paid for").

Payments for months after the day are not read: a past day sees what was known then.

``gaps.unknown`` names the profile columns a judgement rests on that no loaded source
knows (a government pension before CGD's roll is loaded): such a gap is a lead to check,
not a finding.

``gaps.amount`` is baht per month at stake (the right missed, the payment not due, the
extra payments), except for ``paid_after_death``, where it is the total paid
after the death (to recover); a card still active after a death has no amount (its
credit lapses each month: the card is to be cancelled, not recovered). A list that gives
no amount paid the programme's amount for the month (its rule on that month's profile).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from sitthi.engines.duckdb import quote_literal, rows, run
from sitthi.errors import RuleError
from sitthi.registry.profile import DatedField, dated_fields, profile_sql
from sitthi.rights.expressions import ExpressionError, compile_expression, rule_text, show_value
from sitthi.rights.programme import Programme

if TYPE_CHECKING:
    from collections.abc import Callable

    import duckdb

#: The four gaps, as ``gaps.gap`` names them.
GAP_TYPES = ("eligible_not_receiving", "receiving_not_eligible", "paid_twice", "paid_after_death")

#: Paid for one of the last this-many months the lists cover counts as "receiving":
#: one authority's list may lag a month behind the others'.
RECEIVING_MONTHS = 2


@dataclass(frozen=True)
class RightsResult:
    """Counts per programme: entitled persons and gaps by type."""

    as_of: dt.date
    entitled: dict[str, int]
    gaps: dict[tuple[str, str], int]
    #: The last month each programme's payment or enrolment lists cover, up to the day.
    lists_end: dict[str, dt.date]


def _youngest(tree: exp.Expr) -> exp.Expr:
    """The rule with ``age`` read as ``age_min``, the youngest a partial birth date allows."""
    return tree.copy().transform(
        lambda node: (
            exp.column("age_min") if isinstance(node, exp.Column) and node.name == "age" else node
        )
    )


def _eligibility_sql(programme: Programme, dialect: str, profiles: str = "profiles") -> str:
    checked = programme.checked()
    conditions = {n: compile_expression(checked[n], dialect) for n in programme.eligibility}
    failed = ", ".join(
        f"case when not coalesce(({sql}), false) then {quote_literal(name)} end"
        for name, sql in conditions.items()
    )
    met = " and ".join(f"coalesce(({sql}), false)" for sql in conditions.values())
    amount = compile_expression(checked["amount"], dialect)
    used = sorted({c.name for n in programme.eligibility for c in checked[n].find_all(exp.Column)})
    unknown = [f"case when {c} is null then {quote_literal(c)} end" for c in used]
    # Why a person is entitled: the values the rules read, e.g. "age=72, thai=true, …".
    reason = (
        "concat_ws(', ', "
        + ", ".join(f"{quote_literal(c + '=')} || coalesce({c}::varchar, '?')" for c in used)
        + ")"
    )
    if "age" in used:
        # A year-only birth date counts from 1 January; where the youngest the person could
        # be gives another verdict, the verdict rests on the unknown day of birth.
        youngest = " and ".join(
            f"coalesce(({compile_expression(_youngest(checked[n]), dialect)}), false)"
            for n in programme.eligibility
        )
        unknown.append(f"case when ({met}) <> ({youngest}) then 'birth_date' end")
    return f"""
        select person_id, as_of, {quote_literal(programme.id)} as programme, ({met}) as eligible,
               case when ({met}) then ({amount}) end as amount,
               list_filter([{failed}], lambda x: x is not null) as failed,
               list_filter([{", ".join(unknown)}]::varchar[], lambda x: x is not null)
                   as unknown,
               case when ({met}) then {reason} end as reason
        from {profiles}"""


def _union(programmes: dict[str, Programme], select: Callable[[Programme], str]) -> str:
    """One SELECT per programme, in one UNION ALL; a rule that cannot be compiled (nested
    too deep for the stack at hand) names its programme."""
    parts = []
    for p in programmes.values():
        try:
            parts.append(select(p))
        except (ExpressionError, RecursionError) as exc:
            why = exc if isinstance(exc, ExpressionError) else "a rule is nested too deep"
            raise RuleError(f"programme {p.id}: {why}") from None
    return " union all ".join(parts)


def _check_amounts(con: duckdb.DuckDBPyConnection, programmes: dict[str, Programme]) -> None:
    """Refuse the run when an amount is not a finite number ≥ 0 for someone: the rule
    check's sample profiles cannot stand for every real one. An entitled person without an
    amount (a division by zero, or a value the amount reads is missing) is refused too: the
    notice would tell them neither how much nor anything (its text would be NULL)."""
    bad = rows(
        con,
        """
        with amounts as (
            select programme, person_id, amount, true as due from eligibility where eligible
            union all
            select programme, person_id, amount, false from payments where source = 'profile'),
        bad as (
            select distinct programme, person_id, amount from amounts
            where (due and amount is null) or not isfinite(amount::double) or amount < 0)
        select programme, count(*) over (partition by programme), person_id, amount from bad
        qualify row_number() over (partition by programme order by person_id) = 1
        order by programme limit 1
        """,
    )
    if bad:
        ((programme, persons, person_id, amount),) = bad
        rule = rule_text(programmes[programme].checked()["amount"])
        shown = "none" if amount is None else show_value(amount)
        raise RuleError(
            f"programme {programme}: amount {rule} is not a finite number of baht ≥ 0 for "
            f"{persons:,} {'person' if persons == 1 else 'persons'} (e.g. {person_id}: {shown})"
        )


def _payments_sql(programme: Programme, dialect: str) -> str:
    e = programme.enrolment
    if e.profile is not None:
        # Membership shown by the profile itself: one "payment" on the profile's day, of
        # the amount the programme's rule gives (the card's monthly credit).
        amount = compile_expression(programme.checked()["amount"], dialect)
        return f"""
            select person_id, {quote_literal(programme.id)} as programme, 'profile' as source,
                   null as record_id, as_of as month, ({amount})::double as amount,
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


def _price_unpriced(
    con: duckdb.DuckDBPyConnection,
    programmes: dict[str, Programme],
    dialect: str,
    dated: tuple[DatedField, ...],
) -> None:
    """Give a payment whose list names no amount (a programme with no ``amount``
    indicator, such as the child support grant) the programme's amount for its month:
    the amount rule on the profile of that month, if it is a finite number ≥ 0."""
    unpriced = [p for p in programmes.values() if p.enrolment.indicator and not p.enrolment.amount]
    if not unpriced:
        return
    ids = ", ".join(quote_literal(p.id) for p in unpriced)
    run(
        con,
        f"""create or replace temp table rate_days as
            select distinct person_id, month as day from payments
            where programme in ({ids}) and month is not null""",
    )
    run(
        con,
        "create or replace temp table rate_profiles as " + profile_sql("d.day", "rate_days", dated),
    )
    rates = " union all ".join(
        f"""select person_id, as_of, {quote_literal(p.id)} as programme,
                   ({compile_expression(p.checked()["amount"], dialect)})::double as amount
            from rate_profiles"""
        for p in unpriced
    )
    run(
        con,
        f"""update payments set amount = r.amount
            from ({rates}) r
            where payments.person_id = r.person_id and payments.programme = r.programme
              and payments.month = r.as_of and payments.amount is null
              and isfinite(r.amount) and r.amount >= 0""",
    )


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
        + _union(programmes, lambda p: _eligibility_sql(p, dialect)),
    )
    run(
        con,
        """create or replace table entitlements as
           select e.person_id, e.programme, e.amount, e.reason, e.as_of
           from eligibility e where e.eligible""",
        {"as_of": as_of},
    )
    run(
        con,
        "create or replace table payments as "
        + _union(programmes, lambda p: _payments_sql(p, dialect)),
    )
    dated = dated_fields(con)
    _price_unpriced(con, programmes, dialect, dated)
    _check_amounts(con, programmes)
    params = {"as_of": as_of, "months": RECEIVING_MONTHS}
    run(
        con,
        """create or replace temp table lists_end as
           select programme, max(month) as day from payments
           where month <= $as_of::date group by 1""",
        params,
    )
    run(
        con,
        """
        create or replace table receiving as
        select p.person_id, p.programme, arg_max(p.amount, p.month) as amount,
               max(p.month) as day
        from payments p join lists_end l using (programme)
        where p.month <= l.day and p.month > l.day - to_months($months::integer)
        group by all
        """,
        params,
    )
    # A payment is judged on the month it paid for: a card that expired after the last
    # paid month, or a birthday after it, makes no wrong payment.
    run(
        con,
        "create or replace temp table paid_days as select distinct person_id, day from receiving",
    )
    run(
        con,
        "create or replace temp table paid_profiles as " + profile_sql("d.day", "paid_days", dated),
    )
    run(
        con,
        "create or replace temp table paid_eligibility as "
        + _union(programmes, lambda p: _eligibility_sql(p, dialect, "paid_profiles")),
    )
    # An exclusion must also hold in the latest month the lists cover: a right that began
    # after it has had no payment day yet. Judged only for the few eligible and unpaid.
    run(
        con,
        """
        create or replace temp table unpaid as
        select e.person_id, e.programme, e.amount, e.unknown, l.day
        from eligibility e
        join lists_end l using (programme)
        anti join receiving r using (person_id, programme)
        where e.eligible
        """,
    )
    run(con, "create or replace temp table due_days as select distinct person_id, day from unpaid")
    run(
        con,
        "create or replace temp table due_profiles as " + profile_sql("d.day", "due_days", dated),
    )
    run(
        con,
        "create or replace temp table due_eligibility as "
        + _union(programmes, lambda p: _eligibility_sql(p, dialect, "due_profiles")),
    )
    run(
        con,
        """
        create or replace table gaps as
        with deaths as (select person_id, death_date from profiles where death_date is not null)
        select u.person_id, u.programme, 'eligible_not_receiving' as gap,
               u.amount, null as detail, array_to_string(u.unknown, ',') as unknown
        from unpaid u
        join due_eligibility d
          on d.person_id = u.person_id and d.programme = u.programme and d.as_of = u.day
        where d.eligible
        union all
        select e.person_id, e.programme, 'receiving_not_eligible', r.amount,
               array_to_string(e.failed, ','), array_to_string(e.unknown, ',')
        from receiving r
        join paid_eligibility e
          on e.person_id = r.person_id and e.programme = r.programme and e.as_of = r.day
        -- the dead are the death gap's business, whatever else they fail
        where not e.eligible and not list_contains(e.failed, 'alive')
        union all
        -- two payment records for one month, whoever paid them (two local authorities,
        -- or one that registered the person twice; a list without a payer counts its
        -- records); the amount is what the extra payments pay in the month
        select person_id, programme, 'paid_twice', sum(amount) - max(amount),
               string_agg(coalesce(payer, source || ' ' || record_id), ','
                          order by coalesce(payer, source || ' ' || record_id)), null
        from payments
        where month <= $as_of::date and source <> 'profile'
        group by person_id, programme, month
        having count(distinct (source, record_id)) > 1
        union all
        select p.person_id, p.programme, 'paid_after_death',
               sum(p.amount) filter (p.source <> 'profile'),
               'died ' || strftime(any_value(d.death_date), '%Y-%m-%d'), null
        from payments p join deaths d using (person_id)
        where p.month > d.death_date and p.month <= $as_of::date
        group by p.person_id, p.programme
        """,
        params,
    )
    # One row per person, programme and gap (paid twice in several months is one gap).
    run(
        con,
        """create or replace table gaps as
           select person_id, programme, gap, max(amount) as amount, max(detail) as detail,
                  nullif(max(unknown), '') as unknown
           from gaps group by all""",
    )
    entitled = dict(rows(con, "select programme, count(*) from entitlements group by 1"))
    gaps = {
        (str(p), str(g)): int(n)
        for p, g, n in rows(con, "select programme, gap, count(*) from gaps group by all")
    }
    return RightsResult(
        as_of=as_of,
        entitled={str(k): int(v) for k, v in entitled.items()},
        gaps=gaps,
        lists_end={str(p): d for p, d in rows(con, "select programme, day from lists_end")},
    )
