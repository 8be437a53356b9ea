"""The audit chain: appended in order, verified, and every kind of tampering caught."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from sitthi.cli.main import app
from sitthi.config import Settings
from sitthi.operations.audit import (
    GENESIS,
    AuditEntry,
    AuditEntryRefused,
    AuditUnavailable,
    anchor,
    anchor_key_from,
    append,
    canonical_json,
    chain_hash,
    find_national_id,
    show,
    subject_accesses,
    verify,
)
from sitthi.operations.chain import VerifyResult, check_chain
from sitthi.operations.roles import Role
from sitthi.operations.store import OperationsStore

KEY = anchor_key_from(Settings().pseudonym_secret())  # what `sitthi audit verify` uses
ALICE = hashlib.sha256(b"alice").hexdigest()
BOB = hashlib.sha256(b"bob").hexdigest()
NATIONAL_ID = "1101700203158"  # a checksum-valid ID (the one in sitthi.thai's examples)


def entry(n: int = 0, **changes: object) -> AuditEntry:
    details: dict[str, object] = {
        "actor": "somsri",
        "actor_kind": "user",
        "role": Role.CASEWORKER,
        "action": "read",
        "route": "GET /persons/{pid}",
        "purpose": "ติดตามสิทธิเบี้ยยังชีพผู้สูงอายุ",
        "query": {"n": n, "area": "840101"},
        "persons": [ALICE],
        "fields": ["first_name", "last_name"],
    }
    details.update(changes)
    return AuditEntry(**details)  # type: ignore[arg-type]


def fill(store: OperationsStore, n: int = 5) -> None:
    for i in range(n):
        assert append(store, entry(i)) == i + 1


def sql(store: OperationsStore, *statements: str, **params: object) -> None:
    with store.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), params)


def broken(store: OperationsStore) -> VerifyResult:
    result = verify(store, [KEY])
    assert not result.ok, result.summary()
    return result


def cli_verify(store_url: str, settings_env: Callable[[str], None]) -> tuple[int, str]:
    settings_env(store_url)
    result = CliRunner().invoke(app, ["audit", "verify"])
    return result.exit_code, str(result.exception or "") + result.output


# --- appending and verifying -------------------------------------------------------------


def test_appends_make_one_intact_chain(store: OperationsStore) -> None:
    fill(store, 5)
    result = verify(store, [KEY])
    assert result.ok
    assert result.records == 5
    assert result.head_seq == 5
    assert result.summary().startswith("audit log intact: 5 records, head seq 5 hash ")
    with store.engine.connect() as connection:
        rows = connection.execute(
            text("select seq, prev_hash, hash, entry from audit_log order by seq")
        ).all()
    assert rows[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash
    assert all(r.hash == chain_hash(r.prev_hash, r.entry) for r in rows)


def test_an_empty_log_is_intact(store: OperationsStore) -> None:
    result = verify(store)
    assert result.ok
    assert result.records == 0
    assert result.head_hash is None


def test_an_entry_comes_back_as_it_was_written(store: OperationsStore) -> None:
    written = entry(7, dsa_id="DSA-DEP-2569-001", release=3, status=200)
    append(store, written)
    [logged] = show(store)
    assert logged.entry == written


def test_the_entry_is_canonical_json_holding_its_seq(store: OperationsStore) -> None:
    at = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)
    append(store, entry(1, at=at))
    with store.engine.connect() as connection:
        stored = connection.execute(text("select entry from audit_log")).scalar_one()
    assert stored == canonical_json(entry(1, at=at).document(1))
    assert '"seq":1' in stored
    assert '"at":"2026-10-01T09:00:00.000000Z"' in stored
    assert "ติดตามสิทธิ" in stored  # UTF-8, not \\u escapes


def test_anchors_every_n_records(store: OperationsStore) -> None:
    for i in range(7):
        append(store, entry(i), anchor_key=KEY, anchor_every=3)
    with store.engine.connect() as connection:
        seqs = connection.execute(text("select seq from audit_anchors order by seq")).scalars()
        assert list(seqs) == [3, 6]
    assert verify(store, [KEY]).ok


def test_shown_newest_first_and_by_person(store: OperationsStore) -> None:
    append(store, entry(1, persons=[ALICE]))
    append(store, entry(2, persons=[BOB]))
    append(store, entry(3, persons=[BOB, ALICE], actor="DEP", actor_kind="client"))
    assert [e.seq for e in show(store, limit=2)] == [3, 2]
    assert [e.seq for e in show(store, person=BOB)] == [3, 2]
    accesses = subject_accesses(store, ALICE)
    assert [(e.seq, e.entry.actor) for e in accesses] == [(1, "somsri"), (3, "DEP")]
    assert subject_accesses(store, hashlib.sha256(b"carol").hexdigest()) == []


# --- national IDs never enter the log ----------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"query": {"national_id": NATIONAL_ID}},
        {"query": {"q": {"nested": ["x", "1-1017-00203-15-8"]}}},
        {"query": {"q": "๑๑๐๑๗๐๐๒๐๓๑๕๘"}},  # Thai digits
        {"purpose": f"ตรวจสอบ {NATIONAL_ID}"},
        {"route": f"GET /persons/{NATIONAL_ID}"},
        {"query": {"ids": f"2490 {NATIONAL_ID}"}},
        {"actor": f"x{NATIONAL_ID}y"},
        {"query": {"q": f"\x19{NATIONAL_ID}"}},  # JSON writes \u0019: digits of its own
        {"query": {"n": int(NATIONAL_ID)}},
    ],
)
def test_a_national_id_anywhere_in_an_entry_is_refused(
    store: OperationsStore, changes: dict[str, object]
) -> None:
    with pytest.raises(AuditEntryRefused, match=r"holds a national ID \(\*{9}3158\)") as caught:
        append(store, entry(**changes))
    assert NATIONAL_ID not in str(caught.value)
    assert isinstance(caught.value, AuditUnavailable)  # so the API answers nothing either
    assert show(store) == []


def test_numbers_that_are_not_national_ids_pass(store: OperationsStore) -> None:
    holds_digits = NATIONAL_ID + "a" * 51  # a pseudonym may hold 13 digits by chance
    append(store, entry(query={"bad_checksum": "1101700203159", "phone": "0812345678"}))
    append(store, entry(persons=[holds_digits]))
    assert len(show(store)) == 2
    assert find_national_id(holds_digits) is None


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"action": "delete"}, "action 'delete'"),
        ({"actor": ""}, "no actor"),
        ({"at": dt.datetime(2026, 1, 1)}, "a naive time"),
        ({"persons": [NATIONAL_ID]}, "1 persons not given as pseudonyms"),
        ({"query": {"x": object()}}, "not JSON"),
        ({"query": {"x": float("nan")}}, "not JSON"),
    ],
)
def test_a_malformed_entry_is_refused(
    store: OperationsStore, changes: dict[str, object], says: str
) -> None:
    with pytest.raises(AuditEntryRefused, match=says):
        append(store, entry(**changes))


# --- tampering ---------------------------------------------------------------------------


def test_an_edited_record(
    store: OperationsStore, store_url: str, settings_env: Callable[[str], None]
) -> None:
    fill(store)
    sql(
        store, "update audit_log set entry = replace(entry, '\"read\"', '\"export\"') where seq = 3"
    )
    result = broken(store)
    assert (result.first_bad_seq, result.problem) == (3, "edited")
    code, output = cli_verify(store_url, settings_env)
    assert code != 0
    assert "broken at seq 3 (edited)" in output


def test_a_deleted_record(
    store: OperationsStore, store_url: str, settings_env: Callable[[str], None]
) -> None:
    fill(store)
    sql(store, "delete from audit_log where seq = 3")
    result = broken(store)
    assert (result.first_bad_seq, result.problem) == (3, "deleted")
    assert "seq 3 missing" in result.detail
    code, output = cli_verify(store_url, settings_env)
    assert code != 0
    assert "broken at seq 3 (deleted)" in output


def _forge(store: OperationsStore, seq: int, prev_hash: str) -> None:
    """A record as a tamperer who knows the format would write it (its own hash right)."""
    forged = canonical_json(entry(99, actor="nobody").document(seq))
    sql(
        store,
        "insert into audit_log (seq, at, actor, actor_kind, action, entry, prev_hash, hash) "
        "values (:seq, :at, 'nobody', 'user', 'read', :entry, :prev, :hash)",
        seq=seq,
        at=dt.datetime.now(dt.UTC),
        entry=forged,
        prev=prev_hash,
        hash=chain_hash(prev_hash, forged),
    )


def _hash_of(store: OperationsStore, seq: int) -> str:
    with store.engine.connect() as connection:
        return str(
            connection.execute(
                text("select hash from audit_log where seq = :s"), {"s": seq}
            ).scalar_one()
        )


def test_a_record_inserted_in_the_middle(
    store: OperationsStore, store_url: str, settings_env: Callable[[str], None]
) -> None:
    fill(store)
    # Make room at seq 3 (in two steps: seq is unique), then slip a forged record in. It
    # cannot link to seq 2: the record after seq 2 already does, and prev_hash is unique.
    sql(
        store,
        "update audit_log set seq = seq + 1000 where seq >= 3",
        "update audit_log set seq = seq - 999 where seq >= 1000",
    )
    _forge(store, 3, hashlib.sha256(b"made up").hexdigest())
    result = broken(store)
    assert (result.first_bad_seq, result.problem) == (3, "inserted")
    code, output = cli_verify(store_url, settings_env)
    assert code != 0
    assert "broken at seq 3 (inserted)" in output


def test_a_record_inserted_where_prev_hash_is_not_unique() -> None:
    # Without the unique constraint (dropped by whoever tampers), a forged record could
    # link to seq 2; the record after it still links to seq 2 too, which names the forgery.
    rows, prev = [], GENESIS
    for seq in (1, 2, 3):
        entry_json = canonical_json(entry(seq).document(seq))
        rows.append((seq, prev, chain_hash(prev, entry_json), entry_json))
        prev = rows[-1][2]
    forged_json = canonical_json(entry(99).document(3))
    forged = (3, rows[1][2], chain_hash(rows[1][2], forged_json), forged_json)
    shifted = [(4, *rows[2][1:])]  # the real seq 3, renumbered
    result = check_chain([rows[0], rows[1], forged, *shifted], [])
    assert (result.first_bad_seq, result.problem) == (3, "inserted")
    assert "seq 4 links to seq 2" in result.detail


def test_a_record_forged_at_the_end(store: OperationsStore) -> None:
    fill(store)
    _forge(store, 6, hashlib.sha256(b"made up").hexdigest())
    result = broken(store)
    assert (result.first_bad_seq, result.problem) == (6, "inserted")


def test_two_records_swapped(
    store: OperationsStore, store_url: str, settings_env: Callable[[str], None]
) -> None:
    fill(store)
    sql(
        store,
        "update audit_log set seq = -1 where seq = 2",
        "update audit_log set seq = 2 where seq = 4",
        "update audit_log set seq = 4 where seq = -1",
    )
    result = broken(store)
    assert (result.first_bad_seq, result.problem) == (2, "reordered")
    assert "written as seq 4" in result.detail
    code, output = cli_verify(store_url, settings_env)
    assert code != 0
    assert "broken at seq 2 (reordered)" in output


def test_the_log_cut_short_after_an_anchor(
    store: OperationsStore, store_url: str, settings_env: Callable[[str], None]
) -> None:
    fill(store)
    made = anchor(store, KEY)
    assert made is not None
    assert made.seq == 5
    sql(store, "delete from audit_log where seq >= 4")
    result = broken(store)
    assert (result.first_bad_seq, result.problem) == (4, "truncated")
    assert "reach seq 5" in result.detail
    code, output = cli_verify(store_url, settings_env)
    assert code != 0
    assert "broken at seq 4 (truncated)" in output


def test_a_chain_rebuilt_after_an_edit_is_caught_by_its_anchor(store: OperationsStore) -> None:
    fill(store)
    anchor(store, KEY)
    with store.engine.connect() as connection:
        rows = connection.execute(text("select seq, entry from audit_log order by seq")).all()
    # Rewrite seq 3 and rehash everything after it: the chain itself is consistent again.
    sql(store, "delete from audit_log where seq >= 3")
    prev = _hash_of(store, 2)
    for seq, entry_json in rows[2:]:
        changed = entry_json.replace('"read"', '"export"') if seq == 3 else entry_json
        digest = chain_hash(prev, changed)
        sql(
            store,
            "insert into audit_log (seq, at, actor, actor_kind, action, entry, prev_hash, hash) "
            "values (:seq, :at, 'x', 'user', 'read', :entry, :prev, :hash)",
            seq=seq,
            at=dt.datetime.now(dt.UTC),
            entry=changed,
            prev=prev,
            hash=digest,
        )
        prev = digest
    result = broken(store)
    assert (result.first_bad_seq, result.problem) == (5, "rewritten")


def test_a_forged_anchor(store: OperationsStore) -> None:
    fill(store)
    anchor(store, anchor_key_from(b"someone else's key, not ours"))
    result = broken(store)
    assert (result.first_bad_seq, result.problem) == (5, "anchor")
    sql(store, "update audit_anchors set key_id = :k, signature = :s", k="0" * 16, s="0" * 64)
    result = verify(store, [anchor_key_from(b"someone else's key, not ours")])
    assert not result.ok
    assert result.problem == "anchor"
    assert verify(store).ok
    assert not verify(store).signatures_checked


# --- writers never fork the chain --------------------------------------------------------


def test_concurrent_appends_from_threads_keep_one_chain(store: OperationsStore) -> None:
    threads, each = 8, 15
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            start.wait()
            for i in range(each):
                append(store, entry(i, actor=f"worker-{worker}"))
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=write, args=(w,)) for w in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    result = verify(store)
    assert result.ok
    assert result.records == threads * each == result.head_seq


_WRITER = """
import sys
from sitthi.operations.audit import AuditEntry, append
from sitthi.operations.store import OperationsStore
with OperationsStore.open(sys.argv[1]) as store:
    for i in range(int(sys.argv[2])):
        append(store, AuditEntry(actor=sys.argv[3], actor_kind="client", action="export",
                                 route="GET /exports", query={"i": i}))
"""


def test_concurrent_appends_from_processes_keep_one_chain(
    store: OperationsStore, store_url: str
) -> None:
    processes, each = 3, 10
    running = [
        subprocess.Popen([sys.executable, "-c", _WRITER, store_url, str(each), f"client-{p}"])
        for p in range(processes)
    ]
    assert [p.wait(timeout=120) for p in running] == [0] * processes
    result = verify(store)
    assert result.ok
    assert result.records == processes * each


# --- no audit record, no answer ----------------------------------------------------------


def test_a_dropped_table_makes_append_unavailable(store: OperationsStore) -> None:
    sql(store, "drop table audit_log")
    with pytest.raises(AuditUnavailable, match=r"the audit log cannot be written: .*audit_log"):
        append(store, entry())


def test_a_read_only_sqlite_store_makes_append_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "operations.sqlite"
    with OperationsStore.open(f"sqlite:///{path}") as store:
        fill(store, 2)
    with OperationsStore.open(f"sqlite:///file:{path}?mode=ro&uri=true") as read_only:
        with pytest.raises(AuditUnavailable, match="readonly database"):
            append(read_only, entry())
        assert verify(read_only).records == 2  # reading still works; nothing was added


@pytest.mark.postgres
def test_a_revoked_insert_makes_append_unavailable(request: pytest.FixtureRequest) -> None:
    server = request.getfixturevalue("postgres_server")
    url = server.new_database()
    database = url.rsplit("/", 1)[1]
    with OperationsStore.open(url) as owner:
        fill(owner, 2)
    server.execute(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'reader') "
        "THEN CREATE ROLE reader LOGIN; END IF; END $$",
        f"GRANT CONNECT ON DATABASE {database} TO reader",
    )
    server.execute(
        "GRANT USAGE ON SCHEMA public TO reader",
        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader",
        database=database,
    )
    with OperationsStore.open(url.replace("sitthi@", "reader@")) as reader:
        with pytest.raises(AuditUnavailable, match="permission denied"):
            append(reader, entry())
        assert verify(reader).records == 2
