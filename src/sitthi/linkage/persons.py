"""Stable person IDs: a person keeps their ``person_id`` from run to run.

Each person of the previous run "homes" to the new cluster that holds most of its records;
each new cluster takes the homed ID holding most of its records (ties go to the smaller
key, so the answer never depends on row order). That makes a one-to-one match, and what it
leaves over is exactly the events to record:

* a cluster with no homed ID gets a new ID: ``created``, or ``split`` when its records
  belonged to an existing person;
* an old ID homed to a cluster that kept another ID: ``merged`` into it;
* an old ID none of whose records remain: ``retired``;
* records that went from one kept person to another: ``moved`` (a reviewer's decision,
  or new evidence, placed them better).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitthi.engines.duckdb import one, rows, run

if TYPE_CHECKING:
    import duckdb

PREFIX = "P"
DIGITS = 10


def assign_person_ids(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Fill ``person_ids`` (``person_key``, ``person_id``, ``event``, ``other_person_id``)
    and ``retired`` (``person_id``) from ``clusters`` and the stored ``person_records``.

    Returns the number of clusters per event (``kept`` for those that keep their ID), and
    of records ``moved`` between kept persons.
    """
    run(
        con,
        """
        create or replace temp table id_cells as
        select c.person_key, p.person_id, count(*) as n
        from clusters c
        join link_input li using (rid)
        join person_records p on p.source = li.source and p.record_id = li.record_id
        group by all
        """,
    )
    run(
        con,
        """
        create or replace temp table homes as
        select person_id, person_key, n from (
            select *, row_number() over (partition by person_id order by n desc, person_key) as k
            from id_cells)
        where k = 1
        """,
    )
    run(
        con,
        """
        create or replace temp table kept_ids as
        select person_key, person_id from (
            select *, row_number() over (partition by person_key order by n desc, person_id) as k
            from homes)
        where k = 1
        """,
    )
    # Issued IDs are in the ledger; the records' own IDs cover a ledger lost or reset.
    last = one(
        con,
        f"""select coalesce(max(cast(substr(person_id, {len(PREFIX) + 1}) as bigint)), 0)
            from (select person_id from person_ledger
                  union all select person_id from person_records)""",
    )
    run(
        con,
        """
        create or replace temp table person_ids as
        with keys as (select person_key, min(rid) as first_rid from clusters group by 1),
        fresh as (
            select k.person_key,
                   row_number() over (order by k.first_rid) as seq
            from keys k left join kept_ids using (person_key)
            where kept_ids.person_id is null),
        origin as (
            select person_key, person_id from (
                select *, row_number() over (partition by person_key
                                             order by n desc, person_id) as k
                from id_cells)
            where k = 1)
        select k.person_key,
               coalesce(kept.person_id,
                        $prefix || lpad(($last + f.seq)::varchar, $digits, '0')) as person_id,
               case when kept.person_id is not null then 'kept'
                    when o.person_id is not null then 'split'
                    else 'created' end as event,
               case when kept.person_id is null then o.person_id end as other_person_id
        from keys k
        left join kept_ids kept using (person_key)
        left join fresh f using (person_key)
        left join origin o using (person_key)
        """,
        {"prefix": PREFIX, "last": last, "digits": DIGITS},
    )
    # Old IDs that lost their home: merged into another person, or gone with their records.
    run(
        con,
        """
        create or replace temp table merged_ids as
        select h.person_id as other_person_id, k.person_id, h.n
        from homes h
        join kept_ids k using (person_key)
        where h.person_id <> k.person_id
        """,
    )
    run(
        con,
        """
        create or replace temp table retired as
        select person_id from person_ledger
        where status = 'active'
          and person_id not in (select person_id from id_cells)
        """,
    )
    run(
        con,
        """
        create or replace temp table moved_records as
        select k.person_id, c.person_id as other_person_id, c.n
        from id_cells c
        join person_ids k using (person_key)
        where k.event = 'kept' and c.person_id <> k.person_id
          and c.person_id in (select person_id from kept_ids)
        """,
    )
    counts = dict(rows(con, "select event, count(*) from person_ids group by 1"))
    counts["moved"] = int(one(con, "select coalesce(sum(n), 0) from moved_records"))
    counts["merged"] = int(one(con, "select count(*) from merged_ids"))
    counts["retired"] = int(one(con, "select count(*) from retired"))
    return {k: int(v) for k, v in counts.items()}
