"""``link_store``: every stage of identity resolution over the store, in one transaction.

The CLI (`sitthi link`), the demo and the benchmarks call this; each stage lives in its own
module. A run reads ``source_records``, keeps what people decided in the review queue,
and writes persons, their records (with the stage and evidence), households, events and
the new review queue. If anything fails, the store is left as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from sitthi.engines.duckdb import one, run
from sitthi.errors import SitthiError
from sitthi.ingest.store import ensure_schema as ensure_ingest_schema
from sitthi.linkage.cluster import Thresholds, cluster_records
from sitthi.linkage.deterministic import resolve_ids
from sitthi.linkage.duplicates import find_duplicate_registrations
from sitthi.linkage.households import build_households
from sitthi.linkage.persons import assign_person_ids
from sitthi.linkage.prepare import prepare_records
from sitthi.linkage.probabilistic import id_weight_from_evidence_sql, model_json, score_unresolved
from sitthi.linkage.tables import ensure_schema

if TYPE_CHECKING:
    import duckdb

    from sitthi.context import Context

STEPS = 7


@dataclass
class LinkReport:
    """What a linkage run did: the numbers the CLI and the demo print."""

    run_id: str
    mode: str
    records: int
    persons: int
    households: int
    by_stage: dict[str, int]
    id_repairs: dict[str, int]
    id_conflicts: int
    duplicate_registrations: dict[str, int]  # merged (one person) and review
    pairs_scored: int
    model: str  # trained (on this run's records), reused (incremental) or packaged
    events: dict[str, int]
    review_queue: dict[str, int]
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    #: Reviewers' decisions brought in from the operational store before this run.
    decisions_imported: int = 0

    def as_json(self) -> str:
        """The report as stored in ``link_runs.summary``."""
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)


def link(
    ctx: Context,
    *,
    thresholds: Thresholds | None = None,
    progress: Callable[[str], None] | None = None,
    incremental: bool = False,
) -> LinkReport:
    """`link_store` over ``ctx``'s store, after bringing in the decisions reviewers made
    through the API (``ctx``'s operational store), so that each one applies from this
    run on."""
    from sitthi.linkage.decisions import import_decisions

    con = ctx.store(must_exist=True)
    try:
        imported = import_decisions(con, ctx.operations) if ctx.has_operations else 0
        report = link_store(
            con,
            thresholds=thresholds,
            memory_limit=ctx.settings.duckdb_memory_limit,
            progress=progress,
            incremental=incremental,
        )
    finally:
        con.close()
    report.decisions_imported = imported
    return report


def link_store(
    con: duckdb.DuckDBPyConnection,
    *,
    thresholds: Thresholds | None = None,
    memory_limit: str | None = None,
    progress: Callable[[str], None] | None = None,
    now: dt.datetime | None = None,
    incremental: bool = False,
) -> LinkReport:
    """Resolve every record in the store into persons and households.

    Args:
        con: the store.
        incremental: match only new and changed records (since the last run) against the
            persons there are, with the last run's model, instead of training a new model
            and scoring every unresolved record again. The deterministic stages, clustering
            and person IDs still cover every record: they are cheap SQL.
        thresholds: match probabilities for a link and for the review queue.
        memory_limit: DuckDB memory limit for the probabilistic stage's own database.
        progress: called with the name of each stage as it starts.
        now: the run's timestamp (tests and the demo fix it).

    Returns:
        A `LinkReport` with the counts per stage, events and review queue.
    """
    thresholds = thresholds or Thresholds()
    started = now or dt.datetime.now()
    clock = time.perf_counter()
    timings: dict[str, float] = {}

    def stage(name: str) -> None:
        timings[name] = time.perf_counter()
        if progress:
            progress(name)

    ensure_ingest_schema(con)  # a store from an older release gains the newer columns
    ensure_schema(con)
    if not one(con, "select count(*) from source_records"):
        raise SitthiError("the store has no records to link: run `sitthi ingest` first")
    run_id = f"link-{started:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
    # Row order never matters here (every order is explicit) and keeping it costs memory.
    run(con, "set preserve_insertion_order = false")
    model = _last_model(con) if incremental else None
    stage("prepare")
    records = prepare_records(con)
    stage("national_id")
    ids = resolve_ids(con)
    duplicates = find_duplicate_registrations(con)
    stage("probabilistic")
    if incremental:
        _mark_new_records(con)
    scored = score_unresolved(
        con,
        threshold=thresholds.review,
        memory_limit=memory_limit,
        model=model,
        new_records="new_records" if incremental else None,
    )
    if incremental:
        _add_stored_pairs(con, thresholds.review)
    stage("cluster")
    clustered = cluster_records(con, thresholds)
    stage("person_ids")
    events = assign_person_ids(con)
    run(
        con,
        """
        create or replace temp table final_links as
        select c.rid, p.person_id, c.stage, c.match_probability, c.linked_rid
        from clusters c join person_ids p using (person_key)
        """,
    )
    stage("households")
    households = build_households(con)
    stage("save")
    persons = int(one(con, "select count(*) from person_ids"))
    report = LinkReport(
        run_id=run_id,
        mode="incremental" if incremental else "full",
        records=records,
        persons=persons,
        households=households,
        by_stage=clustered.by_stage,
        id_repairs={"invalid_id": ids.repaired_invalid, "valid_typo": ids.repaired_valid_typo},
        id_conflicts=ids.id_conflicts,
        duplicate_registrations=duplicates,
        pairs_scored=int(one(con, "select count(*) from scored_pairs")),
        model=scored.model_origin,
        events=events,
        review_queue=clustered.review_queue,
        seconds=0.0,
    )
    _save(con, report, scored.model, started)
    names = list(timings)
    ends = [*(timings[n] for n in names[1:]), time.perf_counter()]
    report.timings = {n: round(e - timings[n], 3) for n, e in zip(names, ends, strict=True)}
    report.seconds = round(time.perf_counter() - clock, 3)
    run(
        con,
        "update link_runs set seconds = $s, summary = $summary, "
        "finished_at = started_at + to_microseconds(($s * 1e6)::bigint) where run_id = $run",
        {"s": report.seconds, "summary": report.as_json(), "run": run_id},
    )
    return report


def _last_model(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    found = one(con, "select model from link_runs order by finished_at desc limit 1")
    if not found:
        raise SitthiError(
            "no earlier `sitthi link` to continue from: run it once without --incremental"
        )
    model: dict[str, Any] = json.loads(found)
    return model


def _mark_new_records(con: duckdb.DuckDBPyConnection) -> None:
    """Records not linked before, or changed since (their row hash differs)."""
    run(
        con,
        """
        create or replace temp table new_records as
        select li.rid from link_input li
        left join person_records p
            on p.source = li.source and p.record_id = li.record_id and p.row_hash = li.row_hash
        where p.source is null
        """,
    )


def _add_stored_pairs(con: duckdb.DuckDBPyConnection, threshold: float) -> None:
    """The last runs' scores of pairs whose records have not changed."""
    run(
        con,
        f"""
        insert into scored_pairs
        select least(a.rid, b.rid), greatest(a.rid, b.rid), p.match_probability,
               p.match_weight, p.evidence, {id_weight_from_evidence_sql("p.evidence")}
        from link_pairs p
        join link_input a on a.source = p.source_l and a.record_id = p.record_id_l
        join link_input b on b.source = p.source_r and b.record_id = p.record_id_r
        where p.match_probability >= $threshold
          and a.rid not in (select rid from new_records)
          and b.rid not in (select rid from new_records)
          and not exists (select 1 from scored_pairs s
                          where s.rid_l = least(a.rid, b.rid) and s.rid_r = greatest(a.rid, b.rid))
        """,
        {"threshold": threshold},
    )


def _save(
    con: duckdb.DuckDBPyConnection, report: LinkReport, model: dict[str, Any], at: dt.datetime
) -> None:
    params = {"run": report.run_id, "at": at}
    run(con, "begin transaction")
    try:
        _write(con, report, model, params)
    except BaseException:
        run(con, "rollback")
        raise
    run(con, "commit")


def _write(
    con: duckdb.DuckDBPyConnection,
    report: LinkReport,
    model: dict[str, Any],
    params: dict[str, Any],
) -> None:
    run(con, "delete from person_records")
    run(
        con,
        """
        insert into person_records
        select li.source, li.record_id, f.person_id, f.stage, f.match_probability,
               lk.source, lk.record_id, li.row_hash, $run
        from final_links f
        join link_input li using (rid)
        left join link_input lk on lk.rid = f.linked_rid
        """,
        params,
    )
    # Persons: new ones, the ones kept, and what became of the others.
    run(
        con,
        """
        insert into person_ledger
        select person_id, $run, $run, 0, 'active' from person_ids where event <> 'kept'
        """,
        params,
    )
    run(
        con,
        """
        update person_ledger set last_run_id = $run, status = 'active', records = n.records
        from (select person_id, count(*) as records from final_links group by 1) n
        where person_ledger.person_id = n.person_id
        """,
        params,
    )
    run(
        con,
        "update person_ledger set status = 'merged', last_run_id = $run "
        "where person_id in (select other_person_id from merged_ids)",
        params,
    )
    run(
        con,
        "update person_ledger set status = 'retired', last_run_id = $run "
        "where person_id in (select person_id from retired)",
        params,
    )
    run(
        con,
        """
        insert into link_events
        select $run, event, person_id, other_person_id,
               (select count(*) from final_links f where f.person_id = p.person_id), $at
        from person_ids p where event in ('created', 'split')
        union all
        select $run, 'merged', person_id, other_person_id, n, $at from merged_ids
        union all
        select $run, 'retired', person_id, null, 0, $at from retired
        union all
        select $run, 'moved', person_id, other_person_id, n, $at from moved_records
        union all
        select $run, 'duplicate_registration', f.person_id, null, 2, $at
        from duplicate_registrations_found d join final_links f on f.rid = d.rid_l
        where d.decision = 'merged'
        """,
        params,
    )
    run(con, "delete from duplicate_registrations")
    run(
        con,
        """
        insert into duplicate_registrations
        select $run, a.source, a.record_id, b.source, b.record_id, d.pid_l, d.pid_r,
               d.decision, case when d.decision = 'merged' then f.person_id end
        from duplicate_registrations_found d
        join link_input a on a.rid = d.rid_l join link_input b on b.rid = d.rid_r
        join final_links f on f.rid = d.rid_l
        join final_links g on g.rid = d.rid_r
        -- a merge a reviewer has since refused is no duplicate
        where d.decision = 'review' or f.person_id = g.person_id
        """,
        params,
    )
    run(con, "delete from id_repairs")
    run(
        con,
        """
        insert into id_repairs
        select $run, li.source, li.record_id, l.repair, l.from_pid_hash, l.pid_hash
        from id_links l join link_input li using (rid) where l.repair is not null
        """,
        params,
    )
    run(con, "delete from link_pairs")
    run(
        con,
        """
        insert into link_pairs
        select a.source, a.record_id, b.source, b.record_id, p.match_probability,
               p.match_weight, p.evidence, $run
        from scored_pairs p
        join link_input a on a.rid = p.rid_l join link_input b on b.rid = p.rid_r
        """,
        params,
    )
    run(con, "delete from review_queue")
    run(
        con,
        """
        insert into review_queue
        select $run, a.source, a.record_id, b.source, b.record_id, r.reason,
               r.match_probability, r.match_weight, coalesce(r.evidence, '{}')
        from review_candidates r
        join link_input a on a.rid = r.rid_l join link_input b on b.rid = r.rid_r
        """,
        params,
    )
    run(con, "delete from households")
    run(
        con,
        """
        insert into households
        select household_id, house_code, address_key, province_code, district_code,
               subdistrict_code, members, $run
        from household_list
        """,
        params,
    )
    run(con, "delete from person_households")
    run(
        con,
        "insert into person_households select person_id, household_id, $run from household_members",
        params,
    )
    run(
        con,
        """
        insert into link_runs values ($run, $mode, $at, $at, 0, $records, $persons,
                                      $households, $model, $summary)
        """,
        {
            **params,
            "mode": report.mode,
            "records": report.records,
            "persons": report.persons,
            "households": report.households,
            "model": model_json(model),
            "summary": report.as_json(),
        },
    )
