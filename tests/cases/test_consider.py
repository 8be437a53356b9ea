"""Proposed decisions, each hand-checked: who gets which scheme's amount, who is referred
or refused and why, and the caps and exclusions that keep a household from being aided
twice for one need."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from sitthi.cases.consider import fiscal_year_start, propose
from sitthi.cases.intake import HelpRequest, receive
from sitthi.cases.schemes import load_schemes
from sitthi.cases.workflow import Desk
from sitthi.operations.audit import Actor
from sitthi.operations.case_models import AidDecision, Case
from sitthi.operations.models import utcnow
from sitthi.operations.roles import Role
from sitthi.operations.store import OperationsStore
from sitthi.registry.profile import PROFILE_COLUMNS
from tests.cases.test_intake import SECRET
from tests.cases.test_intake import release as _names  # noqa: F401  (the name index)

TODAY = dt.date(2026, 12, 2)
# person, household, age, welfare card, annual income, disability card, poor
PROFILES = [
    ("P1", "H1", 76, True, 20000.0, False, True),
    ("P2", "H2", 46, False, 300000.0, False, False),
    ("P3", "H3", 56, False, None, True, True),
]


@pytest.fixture
def release(_names: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:  # noqa: F811
    con = _names
    con.execute("drop table profiles")
    cols = ", ".join(f"{c} {t}" for c, (t, _) in PROFILE_COLUMNS.items())
    con.execute(f"create table profiles ({cols})")
    con.execute("create table person_poverty (person_id varchar, poor boolean)")
    for p, hh, age, card, income, dcard, poor in PROFILES:
        con.execute(
            """insert into profiles (person_id, household_id, age, thai, alive, welfare_card,
                   annual_income, disability_card_valid, province_code, district_code,
                   subdistrict_code)
               values (?, ?, ?, true, true, ?, ?, ?, '84', '8401', '840101')""",
            [p, hh, age, card, income, dcard],
        )
        con.execute("insert into person_poverty values (?, ?)", [p, poor])
    return con


@pytest.fixture
def store(tmp_path: Path) -> Iterator[OperationsStore]:
    with OperationsStore.open(f"sqlite:///{tmp_path / 'ops.sqlite'}") as store:
        yield store


def _desk(store: OperationsStore) -> Desk:
    return Desk(store, Actor("hotline", "user", Role.CASEWORKER), "test")


def _receive(
    store: OperationsStore, release: duckdb.DuckDBPyConnection, *asks: dict[str, str]
) -> list[int]:
    requests = [HelpRequest.model_validate({"area_code": "840101", **a}) for a in asks]
    got = receive(_desk(store), (1, release), requests, channel="hotline", secret=SECRET)
    return [g.case_id for g in got]


def _grant(
    store: OperationsStore, case_id: int, scheme: str, household: str, person: str, days_ago: int
) -> None:
    with store.session() as s:
        s.add(
            AidDecision(
                case_id=case_id,
                outcome="grant",
                scheme=scheme,
                department="dsdw",
                amount=3000,
                reasons=[],
                person_id=person,
                household_id=household,
                need="emergency_cash",
                state="approved",
                proposed_by="a",
                checked_by="b",
                checked_at=utcnow() - dt.timedelta(days=days_ago),
                proposed_at=utcnow() - dt.timedelta(days=days_ago),
            )
        )


def test_the_fiscal_year_begins_on_1_october() -> None:
    assert fiscal_year_start(dt.date(2026, 9, 30)) == dt.date(2025, 10, 1)
    assert fiscal_year_start(dt.date(2026, 10, 1)) == dt.date(2026, 10, 1)


def test_each_request_gets_the_decision_its_person_and_history_call_for(
    store: OperationsStore, release: duckdb.DuckDBPyConnection
) -> None:
    ids = _receive(
        store,
        release,
        {
            "first_name": "สมศรี",
            "last_name": "ใจดี",
            "birth_date": "1950-03-09",
            "help_type": "elderly_hardship",
        },
        {
            "first_name": "มานะ",
            "last_name": "รักไทย",
            "birth_date": "1980-01-01",
            "help_type": "emergency_cash",
        },
        {"first_name": "ไม่มี", "last_name": "ในทะเบียน", "help_type": "emergency_cash"},
        {
            "first_name": "สมศรี",
            "last_name": "ใจดี",
            "birth_date": "1950-03-09",
            "help_type": "elderly_hardship",
        },
        {
            "first_name": "สมศรี",
            "last_name": "ใจดี",
            "birth_date": "1950-03-09",
            "help_type": "shelter",
        },
    )
    got = {p.case_id: p for p in propose(_desk(store), release, load_schemes(), today=TODAY)}
    elderly, working, nobody, twice, shelter = (got[i] for i in ids)
    # 76, a welfare card: the older persons' department's hardship aid, in full.
    assert (elderly.outcome, elderly.scheme, elderly.amount) == ("grant", "dop_hardship_aid", 3000)
    assert "อายุ 60 ปีขึ้นไป" in elderly.reasons
    # 46 with 300,000 baht a year: neither emergency scheme; every failed rule in Thai.
    assert working.outcome == "refuse"
    assert any(
        "ไม่เข้าเงื่อนไข — อายุ 60 ปีขึ้นไป; ประสบความเดือดร้อนด้านการยังชีพ" in r for r in working.reasons
    )
    assert any(
        r.startswith("เงินอุดหนุนเพื่อช่วยเหลือผู้ประสบปัญหาทางสังคมกรณีฉุกเฉิน: ไม่เข้าเงื่อนไข")
        for r in working.reasons
    )
    assert (nobody.outcome, twice.outcome) == ("refer", "refuse")
    assert f"คำร้องเลขที่ {ids[0]}" in twice.reasons[0]
    # Shelter: the emergency scheme answers it too; P1 qualifies.
    assert (shelter.outcome, shelter.scheme) == ("grant", "dsdw_emergency_aid")
    with store.snapshot() as s:
        assert {c.status for c in s.query(Case)} == {"assessed"}
        assert s.query(AidDecision).filter_by(state="proposed").count() == 5
    assert propose(_desk(store), release, load_schemes(), today=TODAY) == []  # nothing new


def test_a_household_aided_by_another_department_for_the_need_is_not_aided_again(
    store: OperationsStore, release: duckdb.DuckDBPyConnection
) -> None:
    [earlier, now] = _receive(
        store,
        release,
        {
            "first_name": "สมศรี",
            "last_name": "ใจดี",
            "birth_date": "1950-03-09",
            "help_type": "emergency_cash",
        },
        {
            "first_name": "สมศรี",
            "last_name": "ใจดี",
            "birth_date": "1950-03-09",
            "help_type": "elderly_hardship",
        },
    )
    _grant(store, earlier, "dsdw_emergency_aid", "H1", "P1", days_ago=10)
    [p] = propose(_desk(store), release, load_schemes(), case_ids=[now], today=TODAY)
    assert p.outcome == "refuse"
    assert "(พส.) 3,000 บาท" in p.reasons[0]
    assert "ภายใน 30 วัน" in p.reasons[0]


def test_the_times_cap_of_a_fiscal_year_is_kept(
    store: OperationsStore, release: duckdb.DuckDBPyConnection
) -> None:
    ids = _receive(
        store,
        release,
        *[
            {
                "first_name": "สมศรี",
                "last_name": "ใจดี",
                "birth_date": "1950-03-09",
                "help_type": "elderly_hardship",
            }
        ]
        * 1,
    )
    for days in (40, 50, 60):  # three this fiscal year (it began 1 October)
        _grant(store, ids[0], "dop_hardship_aid", "H1", "P1", days_ago=days)
    [p] = propose(_desk(store), release, load_schemes(), today=TODAY)
    assert p.outcome == "refuse"
    assert "ได้รับครบ 3 ครั้งในปีงบประมาณนี้แล้ว" in p.reasons[-1]


def test_a_second_person_confirms_and_the_caps_hold_on_both_sides(
    store: OperationsStore, release: duckdb.DuckDBPyConnection
) -> None:
    from sitthi.cases.decisions import confirm, mark_paid, propose_by_hand
    from sitthi.cases.workflow import CaseError

    schemes = load_schemes()
    [auto, manual] = _receive(
        store,
        release,
        {
            "first_name": "สมศรี",
            "last_name": "ใจดี",
            "birth_date": "1950-03-09",
            "help_type": "elderly_hardship",
        },
        {
            "first_name": "สมศรี",
            "last_name": "ใจดี",
            "birth_date": "1950-03-09",
            "help_type": "home_adaptation",
        },
    )
    propose(_desk(store), release, schemes, case_ids=[auto], today=TODAY)
    checker = Desk(store, Actor("somsri", "user", Role.CASEWORKER), "test")
    done = confirm(checker, auto, schemes)
    assert (done.status, done.amount) == ("decided", 3000)
    assert mark_paid(checker, auto).status == "paid"

    maker = Desk(store, Actor("wichai", "user", Role.CASEWORKER), "test")
    with pytest.raises(
        CaseError, match="50,000 baht is above the cap of dep_home_adaptation: 40,000"
    ):
        propose_by_hand(
            maker,
            manual,
            schemes,
            outcome="grant",
            scheme="dep_home_adaptation",
            amount=50000,
            reason="ทางลาด",
        )
    with store.snapshot() as s:
        assert s.query(AidDecision).filter_by(case_id=manual).count() == 0  # nothing changed
    propose_by_hand(
        maker,
        manual,
        schemes,
        outcome="grant",
        scheme="dep_home_adaptation",
        amount=38000,
        reason="ทางลาดและห้องน้ำ",
    )
    with pytest.raises(
        CaseError, match="wichai proposed this decision; a second person must confirm it"
    ):
        confirm(maker, manual, schemes)
    assert confirm(checker, manual, schemes).status == "decided"
    with pytest.raises(CaseError, match="no proposed decision"):
        confirm(checker, manual, schemes)
