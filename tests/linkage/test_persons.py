"""Stable person IDs across runs and loads; reviewers' decisions; merge and split events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb

from sitthi.engines.duckdb import rows
from sitthi.linkage.review import decide, list_queue
from sitthi.linkage.service import LinkReport, link_store
from tests.linkage.conftest import NOW
from tests.linkage.helpers import KEY, person_of, store_with, valid_id, write_csv

Opener = Callable[[Path], duckdb.DuckDBPyConnection]


def _persons(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    return {
        (s, r): p
        for s, r, p in rows(con, "select source, record_id, person_id from person_records")
    }


def test_a_second_run_keeps_every_person_id(
    linked: tuple[Path, LinkReport], copy_of: Opener
) -> None:
    path, first = linked
    con = copy_of(path)
    before = _persons(con)
    again = link_store(con, now=NOW + dt.timedelta(days=1))
    assert _persons(con) == before
    assert again.events == {"kept": first.persons, "merged": 0, "retired": 0, "moved": 0}
    assert rows(con, "select count(distinct run_id) from link_runs") == [(2,)]


def test_a_new_load_joins_existing_persons(tmp_path: Path) -> None:
    somchai = {"first_name": "สมชาย", "last_name": "ใจดี", "sex": "ชาย", "birth_date": "12/03/2510"}
    malee = {"first_name": "มาลี", "last_name": "ศรีสุข", "sex": "หญิง", "birth_date": "01/01/2500"}
    id_a, id_b = valid_id("110170020315"), valid_id("310060012345")
    con = store_with(
        tmp_path,
        {
            "civil": [
                {"record_id": "c1", "national_id": id_a, **somchai},
                {"record_id": "c2", "national_id": id_b, **malee},
            ]
        },
    )
    link_store(con)
    before = _persons(con)
    # Next month the allowance list arrives: one known person, one without an ID, one new.
    from sitthi.ingest.service import ingest_file
    from sitthi.linkage.quick import quick_spec

    path = write_csv(
        tmp_path / "lao.csv",
        [
            {"record_id": "l1", "national_id": id_a, **somchai},
            {"record_id": "l2", "national_id": "", **malee},
            {
                "record_id": "l3",
                "national_id": valid_id("150990012345"),
                "first_name": "ใหม่",
                "last_name": "มาใหม่",
                "birth_date": "01/02/2530",
            },
        ],
    )
    ingest_file(
        con, quick_spec().model_copy(update={"source": "lao"}), path, key=KEY, key_version=1
    )
    report = link_store(con)
    after = _persons(con)
    assert {k: after[k] for k in before} == before
    assert after[("lao", "l1")] == before[("civil", "c1")]
    assert after[("lao", "l2")] == before[("civil", "c2")]
    assert after[("lao", "l3")] not in before.values()
    assert report.events["created"] == 1
    assert report.events["kept"] == 2


def test_accepting_a_pair_links_it_from_then_on(
    linked: tuple[Path, LinkReport], copy_of: Opener
) -> None:
    path, _ = linked
    con = copy_of(path)
    _, items = list_queue(con, reason="uncertain", limit=50)
    item = next(i for i in items if i.left["person_id"] != i.right["person_id"])
    decide(con, item.pair_id, "same", decided_by="tester", note="same mother's name")
    report = link_store(con)
    a = person_of(con, item.left["source"], item.left["record_id"])
    b = person_of(con, item.right["source"], item.right["record_id"])
    assert a == b
    assert report.by_stage.get("review", 0) >= 1
    # The record either left its old person (moved) or brought it along (merged).
    assert report.events["merged"] + report.events["moved"] >= 1
    changed = rows(
        con,
        "select person_id from link_events where event in ('merged', 'moved') and run_id = ?",
        [report.run_id],
    )
    assert (a,) in changed
    # The pair never comes back to the queue, and the decision holds on the next run too.
    assert item.pair_id not in {i.pair_id for i in list_queue(con, limit=10_000)[1]}
    link_store(con)
    assert person_of(con, item.left["source"], item.left["record_id"]) == person_of(
        con, item.right["source"], item.right["record_id"]
    )


def test_rejecting_a_linked_pair_splits_it(
    linked: tuple[Path, LinkReport], copy_of: Opener
) -> None:
    path, _ = linked
    con = copy_of(path)
    _, items = list_queue(con, reason="competing_persons", limit=500)
    item = next(i for i in items if i.left["person_id"] == i.right["person_id"])
    decide(con, item.pair_id, "different", decided_by="tester")
    link_store(con)
    assert person_of(con, item.left["source"], item.left["record_id"]) != person_of(
        con, item.right["source"], item.right["record_id"]
    )


def test_households_group_people_at_one_house(linked: tuple[Path, LinkReport]) -> None:
    from sitthi.engines.duckdb import connect

    path, report = linked
    con = connect(path, read_only=True)
    assert rows(con, "select count(*) from households") == [(report.households,)]
    # A household's members all give its house code on their registry record.
    bad = rows(
        con,
        """select count(*) from person_households ph
           join households h using (household_id)
           where h.house_code is not null and not exists (
               select 1 from person_records p join source_records s
                 on s.source = p.source and s.record_id = p.record_id
               where p.person_id = ph.person_id and s.house_code = h.house_code)""",
    )
    assert bad == [(0,)]
    assert rows(con, "select max(members) > 1 from households") == [(True,)]
    assert rows(con, "select count(*) - count(distinct person_id) from person_households") == [(0,)]


def test_incremental_run_matches_a_new_batch_with_the_last_model(
    world: Path, tmp_path: Path
) -> None:
    import json

    from sitthi.config import Settings
    from sitthi.engines.duckdb import connect
    from sitthi.ingest.service import ingest_file
    from sitthi.ingest.spec import load_spec
    from sitthi.linkage.evaluate import evaluate_store

    settings = Settings()
    manifest = json.loads((world / "manifest.json").read_text(encoding="utf-8"))
    extracts = {e["source"]: world / e["file"] for e in manifest["extracts"]}
    load_date = dt.date.fromisoformat(manifest["as_of"])
    con = connect(tmp_path / "store.duckdb")

    def load(source: str) -> None:
        ingest_file(
            con,
            load_spec(source),
            extracts[source],
            key=settings.pseudonym_secret(),
            key_version=1,
            load_date=load_date,
            extract_date=load_date,
        )

    for source in extracts:
        if source != "nhso":
            load(source)
    first = link_store(con, now=NOW)
    before = _persons(con)
    load("nhso")  # the health list arrives next month
    report = link_store(con, incremental=True, now=NOW + dt.timedelta(days=30))
    assert report.mode == "incremental"
    assert report.model == "reused"
    after = _persons(con)
    # Nobody's ID changed, except where the new list joined two known persons into one: the
    # new records carry evidence the first run lacked, and the merge is an event.
    changed = {k: (before[k], after[k]) for k in before if after[k] != before[k]}
    merged = set(
        rows(
            con,
            "select other_person_id, person_id from link_events "
            "where event = 'merged' and run_id = $run",
            {"run": report.run_id},
        )
    )
    assert set(changed.values()) <= merged
    assert len(changed) < 0.002 * len(before)
    nhso = [p for (s, _), p in after.items() if s == "nhso"]
    assert len(set(nhso) - set(before.values())) < 0.05 * len(nhso)  # most are known people
    # every person of the first run is kept, or merged into another by the new list
    assert report.events["kept"] + report.events["merged"] == first.persons
    assert report.events["merged"] == len({old for old, _ in changed.values()})
    accuracy = evaluate_store(con, world / "truth" / "linkage_truth.csv")
    assert accuracy.precision >= 0.999
    assert accuracy.recall >= 0.995


def test_incremental_needs_an_earlier_run(tmp_path: Path) -> None:
    import pytest

    from sitthi.errors import SitthiError

    con = store_with(tmp_path, {"civil": [{"record_id": "c1", "first_name": "สมชาย"}]})
    with pytest.raises(SitthiError, match="without --incremental"):
        link_store(con, incremental=True)
