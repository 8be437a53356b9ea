"""Accuracy floors on a small synthetic world: a regression in any stage fails CI."""

from __future__ import annotations

from pathlib import Path

from sitthi.engines.duckdb import connect, run
from sitthi.linkage.evaluate import evaluate_store, load_truth, pairwise_accuracy
from sitthi.linkage.prepare import prepare_records
from sitthi.linkage.service import LinkReport


def test_linkage_beats_the_floors(world: Path, linked: tuple[Path, LinkReport]) -> None:
    path, report = linked
    con = connect(path, read_only=True)
    accuracy = evaluate_store(con, world / "truth" / "linkage_truth.csv")
    assert accuracy.precision >= 0.999
    assert accuracy.recall >= 0.995
    assert accuracy.purity >= 0.999
    assert accuracy.records == report.records
    # One person's records in one agency (who can be paid twice) are found together, and a
    # person's records are one person, nobody else's.
    assert accuracy.within_source_recall >= 0.99
    assert accuracy.kept_whole_share >= 0.995
    # Exact valid IDs alone (the floor) miss what the later stages find.
    run(
        con,
        """create or replace temp table floor as
           select rid, case when id_valid then pid_hash else 'r' || rid end as cluster
           from link_input""",
    )
    floor = pairwise_accuracy(con, "truth", "floor")
    assert floor.recall < accuracy.recall - 0.01
    assert accuracy.f1 > floor.f1


def test_every_stage_does_work(linked: tuple[Path, LinkReport]) -> None:
    _, report = linked
    assert report.by_stage["national_id"] > 0.9 * report.records
    assert report.by_stage["id_repair"] > 0
    assert report.by_stage["probabilistic"] > 0
    assert report.id_repairs["invalid_id"] > 0
    assert sum(report.by_stage.values()) == report.records
    assert report.persons < report.records
    assert report.households > 0


def test_repairs_point_at_the_right_person(world: Path, linked: tuple[Path, LinkReport]) -> None:
    path, _ = linked
    con = connect(path, read_only=True)
    prepare_records(con)
    load_truth(con, world / "truth" / "linkage_truth.csv")
    # Every repaired record sits with the true person's civil-registry record.
    wrong = con.execute(
        """
        select count(*) from id_repairs r
        join link_input li on li.source = r.source and li.record_id = r.record_id
        join truth t on t.rid = li.rid
        join person_records p on p.source = r.source and p.record_id = r.record_id
        where not exists (
            select 1 from person_records q
            join link_input lq on lq.source = q.source and lq.record_id = q.record_id
            join truth tq on tq.rid = lq.rid
            where q.person_id = p.person_id and tq.entity = t.entity
              and (q.source, q.record_id) <> (p.source, p.record_id))
        """
    ).fetchall()[0][0]
    assert wrong == 0


def test_duplicate_registrations_are_found(world: Path, linked: tuple[Path, LinkReport]) -> None:
    # The civil registry holds some persons twice, under two valid IDs (a re-issued ID):
    # every pair of its records of one true person is a duplicate registration.
    path, report = linked
    con = connect(path, read_only=True)
    prepare_records(con)
    load_truth(con, world / "truth" / "linkage_truth.csv")
    ((planted, found),) = con.execute(
        """
        with r as (select t.rid, t.entity, p.person_id from truth t
                   join link_input li on li.rid = t.rid
                   join person_records p
                       on p.source = li.source and p.record_id = li.record_id
                   where li.source = 'dopa')
        select count(*), count(*) filter (a.person_id = b.person_id)
        from r a join r b on a.entity = b.entity and a.rid < b.rid
        """
    ).fetchall()
    assert planted > 0
    assert found / planted >= 0.95
    assert report.duplicate_registrations.get("merged", 0) >= found
