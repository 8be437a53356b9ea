"""Golden records: one value per person and field, chosen by the survivorship rules.

Every candidate value (from each linked record's identity columns and facts) is ranked:
a source that is an authority for the field first, in the rules' order; then the most
recent (the fact's own date, else the extract's date); then source and record ID, so the
choice never depends on row order. The winner goes to ``persons`` (one typed column per
field) and, with its source and date, to ``person_values``. Where agencies disagree on a
field marked ``conflicts: true``, every other value goes to ``conflicts``.

Values are compared as text at their own precision, and one value that extends the other
is no disagreement: a birth year 1950 agrees with 1950-03-12.

A field with ``absent`` comes from a complete roll (CGD's pensioners, DSDW's care-home
residents): once the authority's extract is loaded, a person it does not list gets the
``absent`` value, with the authority as source and no record. Before that the field stays
NULL, which the rights engine reports as unknown rather than as "no".

A ``dated`` field holds only over its fact's own period (a pension from its start, a
care-home residence from the admission). ``persons`` keeps the latest statement, as for
any field; ``person_periods`` keeps every value with its period, and a profile of a day
takes the best-ranked value in force then (`sitthi.registry.profile`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitthi.engines.duckdb import one, quote_literal, rows, run
from sitthi.ingest.store import latest_records_sql
from sitthi.registry.rules import FieldRule, SurvivorshipRules

if TYPE_CHECKING:
    import duckdb

_SQL_TYPES = {"text": "varchar", "date": "date", "number": "double", "boolean": "boolean"}


@dataclass(frozen=True)
class GoldenResult:
    """How many persons and conflicts the build wrote."""

    persons: int
    values: int
    conflicts: dict[str, int]


def _identity_value(column: str) -> str:
    if column == "birth_date":
        # At the precision the source knows: 1950, 1950-03 or 1950-03-12.
        return (
            "case r.birth_precision when 'year' then strftime(r.birth_date, '%Y') "
            "when 'month' then strftime(r.birth_date, '%Y-%m') "
            "else strftime(r.birth_date, '%Y-%m-%d') end"
        )
    return f"nullif(trim(r.{column}::varchar), '')"


def _fact_value(rule: FieldRule) -> str:
    if rule.type == "date":
        return "strftime(f.value_date, '%Y-%m-%d')"
    if rule.type == "number":
        return "f.value_number::varchar"
    return "nullif(trim(f.value), '')"


def _typed(rule: FieldRule, value: str) -> str:
    if rule.type == "date":
        # A partial date stands for its first day; its precision is kept beside it.
        return (
            f"coalesce(try_cast({value} as date), try_cast({value} || '-01' as date), "
            f"try_cast({value} || '-01-01' as date))"
        )
    return f"try_cast({value} as {_SQL_TYPES[rule.type]})"


def _absent_values(
    con: duckdb.DuckDBPyConnection, rules: SurvivorshipRules
) -> dict[str, tuple[str, str, str]]:
    """Field -> (absent value, authority, its latest extract date), for the fields whose
    complete roll is in the store."""
    loaded = dict(rows(con, "select source, max(extract_date)::varchar from batches group by 1"))
    out = {}
    for name, rule in rules.fields.items():
        if rule.absent is None:
            continue
        source = next((s for s in rule.authority if s in loaded), None)
        if source is not None:
            out[name] = (rule.absent, source, str(loaded[source]))
    return out


def _write_periods(
    con: duckdb.DuckDBPyConnection,
    rules: SurvivorshipRules,
    absent: dict[str, tuple[str, str, str]],
) -> None:
    """``person_periods``: every value of a ``dated`` field with the period it holds over
    and its rank (1 is the golden record's choice), so a profile can take the best value
    in force on its day; ``dated_fields``: those fields, their SQL type, and the value of
    a day none of them holds (the ``absent`` value once the complete roll is loaded, else
    NULL: unknown)."""
    dated = {name: rule for name, rule in rules.fields.items() if rule.dated}
    names = ", ".join(quote_literal(n) for n in dated) or "null"
    run(
        con,
        f"""
        create or replace table person_periods as
        select person_id, field, value, valid_from, valid_to, source, record_id, k as rank
        from golden_candidates where field in ({names})
        """,
    )
    run(
        con,
        "create or replace table dated_fields (field varchar, sql_type varchar, absent varchar)",
    )
    if dated:
        con.executemany(
            "insert into dated_fields values (?, ?, ?)",
            [
                (n, _SQL_TYPES[r.type], absent[n][0] if n in absent else None)
                for n, r in dated.items()
            ],
        )


def build_golden(con: duckdb.DuckDBPyConnection, rules: SurvivorshipRules) -> GoldenResult:
    """Rebuild ``persons``, ``person_values``, ``conflicts`` and the periods of dated
    fields (``person_periods``, ``dated_fields``) from the linked records."""
    run(
        con,
        f"""
        create or replace temp table golden_records as
        select p.person_id, r.*
        from person_records p
        join ({latest_records_sql(con)}) r on r.source = p.source and r.record_id = p.record_id
        """,
    )
    parts = []
    for name, rule in rules.fields.items():
        if rule.origin == "identity":
            parts.append(
                f"""select r.person_id, '{name}' as field, {_identity_value(str(rule.column))}
                           as value, r.source, r.record_id, r.extract_date as as_of,
                           null::date as valid_from, null::date as valid_to
                    from golden_records r"""
            )
        else:
            parts.append(
                f"""select p.person_id, '{name}', {_fact_value(rule)}, f.source, f.record_id,
                           coalesce(f.valid_from, b.extract_date), f.valid_from, f.valid_to
                    from facts f
                    join person_records p on p.source = f.source and p.record_id = f.record_id
                    join batches b on b.batch_id = f.batch_id
                    where f.dimension = '{rule.dimension}' and f.indicator = '{rule.indicator}'"""
            )
    authorities = [
        (name, source, i)
        for name, rule in rules.fields.items()
        for i, source in enumerate(rule.authority)
    ]
    run(
        con,
        "create or replace temp table golden_authority "
        "(field varchar, source varchar, rank integer)",
    )
    if authorities:
        con.executemany("insert into golden_authority values (?, ?, ?)", authorities)
    run(
        con,
        f"""
        create or replace temp table golden_candidates as
        select c.*, a.rank is not null as from_authority,
               row_number() over (
                   partition by c.person_id, c.field
                   order by a.rank nulls last, c.as_of desc nulls last,
                            c.source, c.record_id) as k
        from ({" union all ".join(parts)}) c
        left join golden_authority a using (field, source)
        where c.value is not null
        """,
    )
    absent = _absent_values(con, rules)
    columns = []
    for name, rule in rules.fields.items():
        value = f"max(value) filter (field = '{name}')"
        if name in absent:
            value = f"coalesce({value}, {quote_literal(absent[name][0])})"
        columns.append(f"{_typed(rule, value)} as {name}")
        if name == "birth_date":
            columns.append(
                f"case length({value}) when 4 then 'year' when 7 then 'month' "
                "when 10 then 'day' end as birth_precision"
            )
    run(con, "drop table if exists persons")
    run(
        con,
        f"""
        create table persons as
        select l.person_id, {", ".join(columns)}
        from (select distinct person_id from person_records) l
        left join (select * from golden_candidates where k = 1) g using (person_id)
        group by l.person_id
        """,
    )
    run(
        con,
        """
        create or replace table person_values as
        select person_id, field, value, source, record_id, as_of, from_authority
        from golden_candidates where k = 1
        """,
    )
    for name, (value, source, as_of) in absent.items():
        # Listed nowhere by a complete roll: the roll itself is the source of the value.
        run(
            con,
            """
            insert into person_values
            select p.person_id, $field, $value, $source, null, $as_of::date, true
            from persons p anti join golden_candidates c
              on c.person_id = p.person_id and c.field = $field and c.k = 1
            """,
            {"field": name, "value": value, "source": source, "as_of": as_of},
        )
    _write_periods(con, rules, absent)
    flagged = [name for name, rule in rules.fields.items() if rule.conflicts]
    run(
        con,
        """
        create or replace table conflicts as
        select w.person_id, w.field, w.value as chosen_value, w.source as chosen_source,
               o.value as other_value, o.source as other_source, o.record_id as other_record_id,
               o.as_of as other_as_of
        from golden_candidates w
        join golden_candidates o
          on o.person_id = w.person_id and o.field = w.field and o.k > 1
        where w.k = 1 and list_contains($flagged, w.field)
          and not starts_with(w.value, o.value) and not starts_with(o.value, w.value)
        """,
        {"flagged": flagged},
    )
    counts = dict(con.execute("select field, count(*) from conflicts group by 1").fetchall())
    return GoldenResult(
        persons=int(one(con, "select count(*) from persons")),
        values=int(one(con, "select count(*) from person_values")),
        conflicts={str(k): int(v) for k, v in counts.items()},
    )
