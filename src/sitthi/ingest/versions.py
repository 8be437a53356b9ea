"""Versions of a record: a record (source, record ID) sent again is the same record.

Unchanged (the same content hash as its newest version) it is not stored again; changed,
it is a new version, and the one it replaces moves to ``source_records_history`` and
``facts_history``; an older version than the store's (an earlier extract loaded late) goes
straight to the history. So ``source_records`` and ``facts`` hold each record's newest
version once, and every later stage counts it once.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sitthi.engines.duckdb import run
from sitthi.ingest.store import HISTORY

if TYPE_CHECKING:
    import duckdb


def classify(
    con: duckdb.DuckDBPyConnection, source: str, extract_date: dt.date, known: bool
) -> None:
    """``staged_state``: for each loadable staged row, whether it is a new record, the
    same content as the record's newest version (unchanged), a newer version (changed),
    or a version older than the one kept (an earlier extract loaded late)."""
    if not known:  # the source's first batch: every record is new, no join needed
        run(
            con,
            "create or replace temp table staged_state as select record_id, 'new' as state, "
            "cast(null as varchar) as current_batch from staged where len(reasons) = 0",
        )
        return
    run(
        con,
        """create or replace temp table staged_state as
        select s.record_id,
               case when c.record_id is null then 'new'
                    when c.row_hash = s.row_hash then 'unchanged'
                    when b.extract_date > $extract_date then 'older'
                    else 'changed' end as state,
               c.batch_id as current_batch
        from staged s
        left join source_records c on c.source = $source and c.record_id = s.record_id
        left join batches b on b.batch_id = c.batch_id
        where len(s.reasons) = 0""",
        {"source": source, "extract_date": extract_date},
    )


def retire_replaced(
    con: duckdb.DuckDBPyConnection, source: str, batch_id: str, states: dict[str, int]
) -> None:
    """Note the unchanged records of the chunk (``batch_unchanged``, for the report) and
    move the versions the changed ones replace to the history tables."""
    p = {"batch": batch_id, "source": source}
    if states.get("unchanged"):
        run(
            con,
            "insert into batch_unchanged select $source, record_id from staged_state "
            "where state = 'unchanged'",
            p,
        )
    if states.get("changed"):
        for table in HISTORY:
            run(
                con,
                f"""insert into {table}_history
                select t.*, $batch from {table} t
                where t.source = $source and t.record_id in
                      (select record_id from staged_state where state = 'changed')""",
                p,
            )
            run(
                con,
                f"""delete from {table} where source = $source and record_id in
                    (select record_id from staged_state where state = 'changed')""",
                p,
            )


def of_state(state: str, known: bool) -> str:
    """The staged rows of one state (every loadable row is new in a source's first batch:
    no join needed, which matters at 66 million rows)."""
    if not known:
        return "where len(s.reasons) = 0"
    return f"join staged_state v on v.record_id = s.record_id and v.state = '{state}' where true"
