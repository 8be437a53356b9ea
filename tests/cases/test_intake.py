"""Help requests: tied to the right person (or to nobody when unsure), routed, assigned,
clocked, deduplicated and audited — on a release of a few hand-made persons."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from pydantic import ValidationError as PydanticError
from sqlalchemy import func, select

from sitthi.cases.intake import HelpRequest, receive
from sitthi.cases.workflow import CaseError, CaseFilter, Desk, list_cases, set_status
from sitthi.ingest.pseudonym import pseudonym
from sitthi.operations.accounts import add_user
from sitthi.operations.audit import Actor
from sitthi.operations.case_models import Case, CaseEvent
from sitthi.operations.models import AuditRecord
from sitthi.operations.roles import Role
from sitthi.operations.store import OperationsStore
from sitthi.thai.names import normalize_name
from sitthi.thai.phonetic import phonetic_key
from sitthi.thai.similarity import sim_key

SECRET = b"test-secret-for-cases-0123456789abcdef"
SOMSRI_ID = "1101700203158"  # a valid check digit
# person, household, first, last, birth date, province
PEOPLE = [
    ("P1", "H1", "สมศรี", "ใจดี", dt.date(1950, 3, 9), "84"),
    ("P2", "H2", "มานะ", "รักไทย", dt.date(1980, 1, 1), "84"),
    ("P3", "H3", "สมชาย", "มีสุข", dt.date(1970, 5, 5), "84"),
    ("P4", "H4", "สมชาย", "มีสุข", dt.date(1970, 5, 5), "84"),  # a namesake born the same day
    ("P5", "H5", "มานะ", "รักไทย", dt.date(1980, 1, 1), "50"),  # another province
]


@pytest.fixture
def release() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create table person_ids (pid_hash varchar, person_id varchar, records bigint)")
    con.execute(
        """create table person_names (person_id varchar, first_name_key varchar,
               last_name_key varchar, first_name_phonetic varchar,
               last_name_phonetic varchar, birth_date date)"""
    )
    con.execute(
        "create table profiles (person_id varchar, household_id varchar, province_code varchar)"
    )
    for p, hh, first, last, born, province in PEOPLE:
        f, s = normalize_name(first), normalize_name(last)
        con.execute(
            "insert into person_names values (?, ?, ?, ?, ?, ?)",
            [p, sim_key(f), sim_key(s), phonetic_key(f), phonetic_key(s), born],
        )
        con.execute("insert into profiles values (?, ?, ?)", [p, hh, province])
    con.execute("insert into person_ids values (?, 'P1', 3)", [pseudonym(SECRET, SOMSRI_ID)])
    return con


@pytest.fixture
def store(tmp_path: Path) -> OperationsStore:
    store = OperationsStore.open(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    add_user(store, "somsri", Role.CASEWORKER, ["84"])
    add_user(store, "wichai", Role.CASEWORKER, ["8401"])
    yield store
    store.close()


def _desk(store: OperationsStore) -> Desk:
    return Desk(store, Actor("operator", "user", Role.CASEWORKER), "POST /api/v1/cases")


def _ask(**given: object) -> HelpRequest:
    return HelpRequest.model_validate(
        {"help_type": "elderly_hardship", "area_code": "840101", **given}
    )


def test_a_national_id_in_the_release_ties_the_request_for_certain(
    store: OperationsStore, release: duckdb.DuckDBPyConnection
) -> None:
    [got] = receive(
        _desk(store), (1, release), [_ask(national_id=SOMSRI_ID)], channel="api", secret=SECRET
    )
    assert (got.match, got.person_id, got.department) == ("national_id", "P1", "dop")
    with store.snapshot() as s:
        case = s.get(Case, got.case_id)
        assert case is not None
        assert case.household_id == "H1"
        assert case.match_confidence == 1.0
        assert case.pid_hash == pseudonym(SECRET, SOMSRI_ID)
        assert SOMSRI_ID not in str(case.claimant)


def test_names_and_birth_date_tie_one_clear_candidate_of_the_province(
    store: OperationsStore, release: duckdb.DuckDBPyConnection
) -> None:
    # P5 has the same names and birth date, but lives in another province.
    [got] = receive(
        _desk(store),
        (1, release),
        [
            _ask(
                first_name="มานะ",
                last_name="รักไทย",
                birth_date="1980-01-01",
                help_type="emergency_cash",
            )
        ],
        channel="hotline",
        secret=SECRET,
    )
    assert (got.match, got.person_id, got.department) == ("linkage", "P2", "dsdw")
    with store.snapshot() as s:
        case = s.get(Case, got.case_id)
        assert case is not None
        assert case.match_confidence == 1.0


def test_two_equally_good_candidates_leave_the_request_unmatched_with_both(
    store: OperationsStore, release: duckdb.DuckDBPyConnection
) -> None:
    [got] = receive(
        _desk(store),
        (1, release),
        [_ask(first_name="สมชาย", last_name="มีสุข", birth_date="1970-05-05")],
        channel="form",
        secret=SECRET,
    )
    assert got.match == "unmatched"
    assert got.person_id is None
    with store.snapshot() as s:
        case = s.get(Case, got.case_id)
        assert case is not None
        assert [c["person_id"] for c in case.candidates] == ["P3", "P4"]


def test_the_same_need_through_a_second_channel_is_a_duplicate_of_the_first(
    store: OperationsStore, release: duckdb.DuckDBPyConnection
) -> None:
    desk = _desk(store)
    [first] = receive(
        desk, (1, release), [_ask(national_id=SOMSRI_ID)], channel="hotline", secret=SECRET
    )
    [second, other_need] = receive(
        desk,
        (1, release),
        [
            _ask(first_name="สมศรี", last_name="ใจดี", birth_date="1950-03-09"),
            _ask(national_id=SOMSRI_ID, help_type="home_adaptation"),
        ],
        channel="form",
        secret=SECRET,
    )
    assert first.duplicate_of is None
    assert second.person_id == "P1"
    assert second.duplicate_of == first.case_id
    assert other_need.duplicate_of is None  # another need is another request


def test_a_request_is_routed_assigned_and_clocked_by_its_urgency(
    store: OperationsStore, release: duckdb.DuckDBPyConnection
) -> None:
    at = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    [a, b] = receive(
        _desk(store),
        (1, release),
        [
            _ask(national_id=SOMSRI_ID, urgency="critical", received_at=at.isoformat()),
            _ask(
                first_name="มานะ", last_name="รักไทย", area_code="840201", help_type="child_support"
            ),
        ],
        channel="import",
        secret=SECRET,
    )
    # 840101 is in both workers' areas and neither has a case: the first by name;
    # 840201 is outside wichai's district.
    assert (a.assigned_to, b.assigned_to) == ("somsri", "somsri")
    assert a.office.endswith("สุราษฎร์ธานี")
    assert b.department == "dcy"
    with store.snapshot() as s:
        case = s.get(Case, a.case_id)
        assert case is not None
        assert case.due_at == at + dt.timedelta(hours=24)
    [c] = receive(
        _desk(store),
        (1, release),
        [_ask(first_name="ก", last_name="ข")],
        channel="form",
        secret=SECRET,
    )
    assert c.assigned_to == "wichai"  # now the one with fewer open cases


def test_the_same_external_id_twice_is_received_once(
    store: OperationsStore, release: duckdb.DuckDBPyConnection
) -> None:
    ask = [_ask(national_id=SOMSRI_ID, external_id="EC-1")]
    [first] = receive(
        _desk(store), (1, release), ask, channel="import", secret=SECRET, source_system="ecase"
    )
    [again] = receive(
        _desk(store), (1, release), ask, channel="import", secret=SECRET, source_system="ecase"
    )
    assert first.new
    assert not again.new
    assert again.case_id == first.case_id
    with store.snapshot() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 1


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ({"help_type": "free_money"}, "unknown help type 'free_money'"),
        ({"urgency": "yesterday"}, "unknown urgency"),
        ({"area_code": "99"}, "no such province"),
        ({"national_id": "1101700203159"}, "not a valid national ID"),
        ({"national_id": None}, "needs the national ID, or a first and a last name"),
    ],
)
def test_a_bad_request_is_refused_with_its_reason(given: dict[str, object], says: str) -> None:
    with pytest.raises(PydanticError) as caught:
        _ask(**({"national_id": SOMSRI_ID} | given))
    messages = " ".join(e["msg"] for e in caught.value.errors())
    assert says in messages
    assert "1101700203159" not in messages  # what a user sees names no ID


def test_every_change_is_an_event_with_its_audit_record_and_the_workflow_holds(
    store: OperationsStore, release: duckdb.DuckDBPyConnection
) -> None:
    desk = _desk(store)
    [got] = receive(desk, (1, release), [_ask(national_id=SOMSRI_ID)], channel="api", secret=SECRET)
    with store.snapshot() as s:
        before = s.scalar(select(func.count()).select_from(AuditRecord))
    with pytest.raises(CaseError, match="it can move to assessed, closed, not paid"):
        set_status(desk, got.case_id, "paid")
    set_status(desk, got.case_id, "assessed", note="visited")
    with store.snapshot() as s:
        assert s.scalar(select(func.count()).select_from(AuditRecord)) == before + 1
        moves = s.scalars(select(CaseEvent.to_status).where(CaseEvent.case_id == got.case_id)).all()
        assert moves == ["received", "assessed"]


def test_overdue_cases_are_listed_most_late_first(
    store: OperationsStore, release: duckdb.DuckDBPyConnection
) -> None:
    old = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    asks = [
        _ask(first_name="ก", last_name="ข", urgency="normal", received_at=old.isoformat()),
        _ask(first_name="ค", last_name="ง", urgency="critical", received_at=old.isoformat()),
        _ask(first_name="จ", last_name="ฉ"),  # received now: not late
    ]
    got = receive(_desk(store), (1, release), asks, channel="hotline", secret=SECRET)
    late = list_cases(store, CaseFilter(overdue=True, areas=("84",)))
    assert [c.id for c in late] == [got[1].case_id, got[0].case_id]
    assert list_cases(store, CaseFilter(overdue=True, areas=("50",))) == []
