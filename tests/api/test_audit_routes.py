"""The audit log through the API: the auditor's view, the chain check, and a person's
"who looked at my record" answered from the ID in the body."""

from __future__ import annotations

import json

from sqlalchemy import text

from tests.api.conftest import Api

PURPOSE = "ติดตามสิทธิเบี้ยยังชีพตามคำร้อง"


def test_a_person_learns_who_read_their_record_and_why(api: Api) -> None:
    person = api.people[0]
    read = api.client.post(
        "/api/v1/persons/lookup",
        json={"national_id": person.national_id, "purpose": PURPOSE},
        headers=api.headers("caseworker"),
    )
    assert read.status_code == 200, read.text
    got = api.client.post(
        "/api/v1/audit/person",
        json={"national_id": person.national_id},
        headers=api.headers("auditor"),
    )
    assert got.status_code == 200, got.text
    accesses = got.json()["accesses"]
    first = accesses[0]
    assert first["route"] == "POST /api/v1/persons/lookup"
    assert first["role"] == "caseworker"
    assert first["purpose"] == PURPOSE
    assert "persons" not in first
    # the auditor's own lookup is an access too, and is listed
    assert accesses[-1]["route"] == "POST /api/v1/audit/person"
    assert person.national_id not in got.text


def test_the_auditor_reads_and_verifies_the_chain(api: Api) -> None:
    api.client.post(
        "/api/v1/persons/lookup",
        json={"national_id": api.people[1].national_id, "purpose": PURPOSE},
        headers=api.headers("caseworker"),
    )
    headers = api.headers("auditor")
    shown = api.client.get("/api/v1/audit", params={"limit": 5}, headers=headers)
    assert shown.status_code == 200, shown.text
    assert shown.json()["records"][0]["route"] == "POST /api/v1/persons/lookup"
    ok = api.client.get("/api/v1/audit/verify", headers=headers)
    assert ok.status_code == 200
    assert ok.json()["ok"] is True
    with api.ctx.operations.session() as session:
        edited = session.execute(
            text("select min(seq) from audit_log where entry like '%caseworker%'")
        ).scalar_one()
        session.execute(
            text("update audit_log set entry = replace(entry, 'caseworker', 'analyst')")
        )
    broken = api.client.get("/api/v1/audit/verify", headers=headers).json()
    assert broken["ok"] is False
    assert broken["first_bad_seq"] == edited
    assert f"broken at seq {edited}" in broken["summary"]


def test_only_the_auditor_reads_the_log(api: Api) -> None:
    for account in ("admin", "analyst", "caseworker", "agency"):
        got = api.client.get("/api/v1/audit", headers=api.headers(account))
        assert got.status_code == 403, account
    got = api.client.post(
        "/api/v1/audit/person",
        json={"national_id": api.people[0].national_id},
        headers=api.headers("caseworker"),
    )
    assert got.status_code == 403
    assert json.loads(got.text)["title_th"]


def test_a_person_without_a_national_id_is_named_by_person_id_apart(api: Api) -> None:
    from starlette.requests import Request

    from sitthi.api.auth import Principal
    from sitthi.operations.roles import Role

    state = api.client.app.state.sitthi  # type: ignore[attr-defined]
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": []})
    caller = Principal(subject="somsri", kind="user", role=Role.CASEWORKER, areas=("10",))
    entry = state.entry(caller, request, action="read", persons=["a" * 64, "P0000000042"])
    assert list(entry.persons) == ["a" * 64]
    assert entry.query["persons_without_id"] == ["P0000000042"]
    # and it can be written: the log refuses anything but pseudonyms as persons
    state.record(caller, request, action="read", persons=["P0000000042"])
