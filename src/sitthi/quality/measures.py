"""The measures of the data quality report, each one set-based query over the store.

* completeness: share of loaded records with each identity field, per agency;
* duplicates: persons who appear more than once in one agency's list;
* conflicts: golden-record disagreements between agencies (from ``conflicts``), the dead
  still present in other agencies' lists after their death, and people paid a disability
  allowance whom the disability registry does not list;
* overlap: persons in each pair of agencies' lists;
* linkage: records per linkage stage, and the review queue.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sitthi.engines.duckdb import dict_rows, one, rows

if TYPE_CHECKING:
    import duckdb

#: Identity fields measured for completeness (source_records column → label).
FIELDS = {
    "pid_hash": "เลขประจำตัวประชาชน (national ID)",
    "first_name": "ชื่อ (first name)",
    "last_name": "นามสกุล (surname)",
    "sex": "เพศ (sex)",
    "birth_date": "วันเกิด (birth date)",
    "subdistrict_code": "ที่อยู่ (address area)",
    "house_code": "รหัสบ้าน (house code)",
    "phone": "โทรศัพท์ (phone)",
}


def completeness(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per agency: records, the share (0-1) of records with each field, and the fields
    none of its records has (``not_in_list``: the agency does not collect them)."""
    shares = ", ".join(f"avg(({c} is not null)::int) as {c}" for c in FIELDS)
    found = dict_rows(
        con,
        f"""select source, count(*) as records, {shares}
            from source_records group by 1 order by 1""",
    )
    collected = _collected(con)
    return [
        {**r, "not_in_list": [c for c in FIELDS if not r[c] and c not in collected[r["source"]]]}
        for r in found
    ]


#: The spec fields (as an ingest report names them) that give each measured field.
SPEC_FIELDS = {
    "pid_hash": ("national_id",),
    "first_name": ("first_name", "full_name"),
    "last_name": ("last_name", "full_name"),
    "sex": ("sex", "title", "full_name"),
    "birth_date": ("birth_date",),
    "subdistrict_code": ("subdistrict", "address", "subdistrict_code"),
    "house_code": ("house_code",),
    "phone": ("phone",),
}


def _collected(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Per agency, the measured fields its spec maps, from the ingest reports: a field it
    maps but that every row leaves blank is missing data, not a field it lacks."""
    mapped: dict[str, set[str]] = defaultdict(set)
    for source, report in rows(con, "select source, report from batches"):
        mapped[source] |= set(json.loads(report).get("completeness", {}))
    return defaultdict(
        set,
        {
            source: {f for f, names in SPEC_FIELDS.items() if mapped[source] & set(names)}
            for source in mapped
        },
    )


def duplicates(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per agency: persons listed more than once for one period, and the extra records.

    A payment list has a row per person, programme and month; rows of different months or
    programmes are not duplicates, so records are grouped by the period their facts are
    dated with and by the programme they enrol the person in (the programmes' enrolment
    indicators).
    """
    from sitthi.rights.programme import load_programmes

    enrolment = sorted(
        {i for p in load_programmes().values() if (i := p.enrolment.indicator) is not None}
    )
    return dict_rows(
        con,
        """with period as (
               select source, record_id, max(valid_from) as period,
                      max(value) filter (list_contains($enrolment, indicator)) as programme
               from facts group by all)
           select source, count(distinct person_id) as persons, sum(n - 1) as extra_records
           from (select p.source, p.person_id, d.period, d.programme, count(*) as n
                 from person_records p left join period d using (source, record_id)
                 group by all)
           where n > 1 group by 1 order by 1""",
        {"enrolment": enrolment},
    )


def conflicts(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Disagreements between agencies, by field and pair of sources."""
    found = dict_rows(
        con,
        """select field, chosen_source, other_source, count(distinct person_id) as persons
           from conflicts group by all order by persons desc""",
    )
    from sitthi.registry.rules import load_rules

    # The authority for deaths (the civil registry), as the survivorship rules name it.
    civil = list(load_rules().fields["death_date"].authority) or ["dopa"]
    dead = dict_rows(
        con,
        # A record speaks for the period its facts are dated with (a payment list's month),
        # else for its extract's date: a July payment of someone who died in August is fine.
        """with period as (
               select source, record_id, max(valid_from) as period from facts group by all)
           select s.source as other_source, count(distinct p.person_id) as persons
           from persons g
           join person_records p using (person_id)
           join source_records s on s.source = p.source and s.record_id = p.record_id
           join batches b on b.batch_id = s.batch_id
           left join period d on d.source = s.source and d.record_id = s.record_id
           where g.death_date is not null and coalesce(d.period, b.extract_date) > g.death_date
             and s.source not in $civil
           group by 1 order by 2 desc""",
        {"civil": civil},
    )
    found += [{"field": "dead_still_listed", "chosen_source": civil[0], **d} for d in dead]
    return found + _disability_unregistered(con)


def _disability_unregistered(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Disabled in one list, not in another: paid the disability allowance (its enrolment
    fact, from the programme file) by a source, but not in the registry that issues the
    disability card (the authority the survivorship rules name)."""
    from sitthi.registry.rules import load_rules
    from sitthi.rights.service import run_programmes

    registry = load_rules().fields["disability_card_no"].authority
    # The programmes the last rights run judged whose rules ask for a valid disability
    # card: being paid one says the person is disabled.
    enrolments = [
        p.enrolment
        for p in run_programmes(con).values()
        if p.enrolment.indicator is not None
        and any("disability_card_valid" in c.when for c in p.eligibility.values())
    ]
    if not enrolments or not registry:
        return []
    found: list[dict[str, Any]] = []
    for enrolment in enrolments:
        found += _paid_without_card(con, registry[0], enrolment.indicator, enrolment.value)
    return found


def _paid_without_card(
    con: duckdb.DuckDBPyConnection, registry: str, indicator: str | None, value: str | None
) -> list[dict[str, Any]]:
    return dict_rows(
        con,
        """select 'disability' as field, $registry as chosen_source, f.source as other_source,
                  count(distinct p.person_id) as persons
           from facts f
           join person_records p on p.source = f.source and p.record_id = f.record_id
           where f.indicator = $indicator and f.value = $value
             and not exists (select 1 from person_records r
                             where r.person_id = p.person_id and r.source = $registry)
             and exists (select 1 from batches where source = $registry)
           group by all""",
        {"registry": registry, "indicator": indicator, "value": value},
    )


def overlap(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Persons in each pair of agencies' lists (the diagonal: persons in one list)."""
    return dict_rows(
        con,
        """with s as (select distinct source, person_id from person_records)
           select a.source as source_a, b.source as source_b, count(*) as persons
           from s a join s b using (person_id)
           where a.source <= b.source group by all order by 1, 2""",
    )


def duplicate_registrations(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per agency: persons found under two valid IDs (ซ้ำซ้อน), merged or for review."""
    present = one(
        con,
        "select count(*) from duckdb_tables() where table_name = 'duplicate_registrations'"
        " and database_name = current_database()",
    )
    if not present:  # a store linked before duplicate registrations were looked for
        return []
    return dict_rows(
        con,
        """select source_l as source, decision, count(*) as pairs
           from duplicate_registrations where source_l = source_r
           group by all
           union all
           select 'ต่างหน่วยงาน (across agencies)', decision, count(*)
           from duplicate_registrations where source_l <> source_r
           group by all
           order by 1, 2""",
    )


def linkage(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Records per linkage stage, persons, and the review queue by reason."""
    return {
        "stages": dict_rows(
            con, "select stage, count(*) as records from person_records group by 1 order by 2 desc"
        ),
        "persons": int(one(con, "select count(distinct person_id) from person_records")),
        "review_queue": dict_rows(
            con, "select reason, count(*) as pairs from review_queue group by 1 order by 2 desc"
        ),
        "quarantined": dict_rows(
            con,
            # A rejected row sent again (the same list re-sent) is one row held, not two.
            """select source, count(*) as rows
               from (select distinct source, reasons, raw from quarantine)
               group by 1 order by 1""",
        ),
    }
