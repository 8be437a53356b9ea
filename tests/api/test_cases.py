"""Help requests through the API, with its roles: sent, tied, read, proposed, confirmed by
a second person; refusals are problems and change nothing."""

from __future__ import annotations

from sitthi.operations.accounts import add_client
from sitthi.operations.case_models import AidDecision
from tests.api.conftest import Api


def _area(api: Api) -> str:
    return api.people[0].province + "01"  # a district of the case worker's province


def _send(api: Api, account: str, **body: object) -> dict[str, object]:
    got = api.client.post("/api/v1/cases", json=body, headers=api.headers(account))
    assert got.status_code == 201, got.text
    return dict(got.json())


def test_a_request_is_tied_routed_read_proposed_and_confirmed(api: Api) -> None:
    person = api.people[0]
    sent = _send(
        api, "caseworker", national_id=person.national_id, help_type="emergency_cash",
        area_code=_area(api), channel="hotline", urgency="high",
    )  # fmt: skip
    assert (sent["match"], sent["person_id"], sent["department"]) == (
        "national_id", person.person_id, "dsdw",
    )  # fmt: skip
    worker = api.headers("caseworker")
    inbox = api.client.get("/api/v1/cases", headers=worker).json()
    assert [c["case_id"] for c in inbox["cases"]] == [sent["case_id"]]
    case = api.client.get(f"/api/v1/cases/{sent['case_id']}", headers=worker).json()
    assert [e["to"] for e in case["events"]] == ["received"]
    assert person.national_id not in str(case)

    too_much = api.client.post(
        f"/api/v1/cases/{sent['case_id']}/proposal",
        json={
            "outcome": "grant",
            "scheme": "dsdw_emergency_aid",
            "amount": 5000,
            "reason": "ไฟไหม้บ้าน",
        },
        headers=worker,
    )
    assert too_much.status_code == 409
    assert too_much.headers["content-type"] == "application/problem+json"
    assert "above the cap of dsdw_emergency_aid: 3,000" in too_much.json()["title"]
    with api.ctx.operations.snapshot() as s:
        assert s.query(AidDecision).count() == 0  # nothing changed
    made = api.client.post(
        f"/api/v1/cases/{sent['case_id']}/proposal",
        json={
            "outcome": "grant",
            "scheme": "dsdw_emergency_aid",
            "amount": 3000,
            "reason": "ไฟไหม้บ้าน",
        },
        headers=worker,
    )
    assert made.status_code == 201, made.text
    twice = api.client.post(
        f"/api/v1/cases/{sent['case_id']}/decision", json={"approve": True}, headers=worker
    )
    assert twice.status_code == 409
    assert "a second person must confirm it" in twice.json()["title"]
    client, secret = add_client(
        api.ctx.operations, "second worker", "caseworker", areas=[person.province]
    )
    api.credentials["second"] = (client.client_id, secret)
    done = api.client.post(
        f"/api/v1/cases/{sent['case_id']}/decision",
        json={"approve": True},
        headers=api.headers("second"),
    )
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["amount"]) == ("decided", 3000)


def test_a_partner_system_sends_but_does_not_learn_who_is_in_the_registry(api: Api) -> None:
    sent = _send(
        api, "agency", national_id=api.people[1].national_id, help_type="disability_aids",
        area_code=_area(api), external_id="DEP-77",
    )  # fmt: skip
    assert sent["match"] is None
    assert sent["person_id"] is None
    assert sent["department"] == "dep"
    again = _send(
        api,
        "agency",
        national_id=api.people[1].national_id,
        help_type="disability_aids",
        area_code=_area(api),
        external_id="DEP-77",
    )
    assert again["case_id"] == sent["case_id"]
    assert again["new"] is False
    read = api.client.get("/api/v1/cases", headers=api.headers("agency"))
    assert read.status_code == 403


def test_bad_requests_are_problems_naming_the_parameter(api: Api) -> None:
    worker = api.headers("caseworker")
    got = api.client.post(
        "/api/v1/cases",
        json={
            "help_type": "free_money",
            "area_code": _area(api),
            "first_name": "ก",
            "last_name": "ข",
        },
        headers=worker,
    )
    assert got.status_code == 422
    assert got.headers["content-type"] == "application/problem+json"
    assert got.json()["parameter"] == "help_type"
    outside = api.client.post(
        "/api/v1/cases",
        json={
            "help_type": "shelter",
            "area_code": "10" if not _area(api).startswith("10") else "50",
            "first_name": "ก",
            "last_name": "ข",
        },
        headers=worker,
    )
    assert outside.status_code == 403
    assert (
        api.client.post("/api/v1/cases", json={}, headers=api.headers("analyst")).status_code == 403
    )
    assert api.client.get("/api/v1/cases/999", headers=worker).status_code == 404
