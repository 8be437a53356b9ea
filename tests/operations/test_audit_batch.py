"""Group commit: many threads' records in one transaction, each caller answered only once
its own record is committed; a wrong entry refused alone; a failed commit refuses all."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from sitthi.operations import audit_batch
from sitthi.operations.audit import AuditEntryRefused, AuditUnavailable, show, verify
from sitthi.operations.audit_batch import GroupCommit
from sitthi.operations.store import OperationsStore
from tests.operations.test_audit import KEY, NATIONAL_ID, entry, sql


def _threads(n: int, work: Callable[[int], None]) -> None:
    start = threading.Barrier(n)

    def run(i: int) -> None:
        start.wait()
        work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_concurrent_appends_form_one_unbroken_chain(store: OperationsStore) -> None:
    writer = GroupCommit(store, anchor_key=KEY)
    got: dict[int, int] = {}

    def work(i: int) -> None:
        for k in range(10):
            got[i * 10 + k] = writer.append(entry(i * 10 + k))

    _threads(16, work)
    assert sorted(got.values()) == list(range(1, 161))  # every record, one seq each
    result = verify(store, [KEY])
    assert result.ok
    assert result.records == 160
    # each caller's seq is the record holding its own entry
    logged = {e.seq: e.entry.query["n"] for e in show(store, limit=1000)}
    assert all(logged[seq] == n for n, seq in got.items())


def test_records_wait_together_for_one_commit(
    store: OperationsStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # While one commit is in flight the others queue: fewer transactions than records.
    batches: list[int] = []
    real = audit_batch.append_many

    def counting(store: OperationsStore, entries: list, **kw: object) -> list:  # type: ignore[type-arg]
        batches.append(len(entries))
        return real(store, entries, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(audit_batch, "append_many", counting)
    writer = GroupCommit(store)
    _threads(24, lambda i: [writer.append(entry(i * 5 + k)) for k in range(5)])
    assert sum(batches) == 120
    assert len(batches) < 120
    assert max(batches) > 1
    assert verify(store).ok


def test_a_wrong_entry_is_refused_alone(store: OperationsStore) -> None:
    writer = GroupCommit(store)
    outcomes: dict[int, object] = {}

    def work(i: int) -> None:
        bad = i % 4 == 0
        try:
            outcomes[i] = writer.append(
                entry(i, query={"national_id": NATIONAL_ID}) if bad else entry(i)
            )
        except AuditEntryRefused as exc:
            outcomes[i] = exc

    _threads(12, work)
    refused = sorted(i for i, o in outcomes.items() if isinstance(o, AuditEntryRefused))
    assert refused == [0, 4, 8]
    assert verify(store).records == 9
    assert NATIONAL_ID not in str([e.entry.query for e in show(store, limit=100)])


def test_a_failed_commit_refuses_every_request_of_the_batch(store: OperationsStore) -> None:
    writer = GroupCommit(store)
    writer.append(entry(0))
    sql(store, "drop table audit_log")
    failures: list[BaseException] = []

    def work(i: int) -> None:
        try:
            writer.append(entry(i))
        except AuditUnavailable as exc:
            failures.append(exc)

    _threads(8, work)
    assert len(failures) == 8
    assert all("cannot be written" in str(f) for f in failures)
