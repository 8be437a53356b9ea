"""Persons through the API: scope, masking, purpose, agreements, and audit before answer."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from sitthi.operations.models import AuditRecord
from tests.api.conftest import Api

PURPOSE = "ติดตามสิทธิเบี้ยยังชีพตามคำร้อง"


def _lookup(api: Api, account: str, national_id: str, **extra: object) -> object:
    return api.client.post(
        "/api/v1/persons/lookup",
        json={"national_id": national_id, "purpose": PURPOSE, **extra},
        headers=api.headers(account),
    )


def _audit_rows(api: Api) -> list[dict[str, object]]:
    with api.ctx.operations.session() as session:
        found = session.scalars(
            __import__("sqlalchemy").select(AuditRecord).order_by(AuditRecord.seq)
        ).all()
        return [json.loads(r.entry) for r in found]


def test_a_caseworker_finds_a_person_of_their_area_with_sensitive_fields_masked(
    api: Api,
) -> None:
    person = api.people[0]
    got = _lookup(api, "caseworker", person.national_id)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["person_id"] == person.person_id
    assert body["release"] == 1
    assert "first_name" in body["fields"]
    assert "age" in body["fields"]
    assert {"health", "income", "disability", "phone", "address"} <= set(body["masked"])
    assert "health" not in body["fields"]
    assert "income" not in body["fields"]
    assert all(v["field"] not in ("annual_income", "phone") for v in body["values"])
    assert "entitlements" in body
    # the read was audited, with the pseudonym of the ID, never the ID itself
    entry = _audit_rows(api)[-1]
    assert entry["action"] == "read"
    assert entry["route"] == "POST /api/v1/persons/lookup"
    assert entry["purpose"] == PURPOSE
    assert len(entry["persons"][0]) == 64
    assert person.national_id not in json.dumps(_audit_rows(api))


def test_revealing_a_sensitive_field_is_its_own_audited_act(api: Api) -> None:
    person = api.people[0]
    got = api.client.post(
        f"/api/v1/persons/{person.person_id}/reveal",
        json={"fields": ["income", "health"], "purpose": PURPOSE},
        headers=api.headers("caseworker"),
    )
    assert got.status_code == 200, got.text
    body = got.json()
    assert "income" in body["fields"]
    assert "health" in body["fields"]
    assert "income" not in body["masked"]
    entry = _audit_rows(api)[-1]
    assert entry["action"] == "reveal"
    assert sorted(entry["fields"]) == ["health", "income"]


def test_a_caseworker_must_say_why(api: Api) -> None:
    person = api.people[0]
    got = api.client.post(
        "/api/v1/persons/lookup",
        json={"national_id": person.national_id},
        headers=api.headers("caseworker"),
    )
    assert got.status_code == 422
    assert got.json()["parameter"] == "purpose"


def test_a_person_outside_the_caseworkers_areas_is_refused_and_audited(api: Api) -> None:
    home = api.people[0].province
    elsewhere = next(p for p in api.people if p.province != home)
    got = _lookup(api, "caseworker", elsewhere.national_id)
    assert got.status_code == 403
    assert got.json()["type"] == "urn:sitthi:problem:outside-area"
    assert _audit_rows(api)[-1]["action"] == "refused"


def test_an_unknown_id_is_404_and_a_malformed_one_is_not_echoed(api: Api) -> None:
    from sitthi.thai.national_id import check_digit

    first12 = "110170020315"
    valid_unknown = first12 + str(check_digit(first12))
    got = _lookup(api, "caseworker", valid_unknown)
    assert got.status_code == 404
    bad = "1101700203150" if valid_unknown[-1] != "0" else "1101700203151"
    got = _lookup(api, "caseworker", bad)
    assert got.status_code == 422
    assert got.headers["content-type"] == "application/problem+json"
    assert got.json()["parameter"] == "national_id"
    assert bad not in got.text


def test_an_agency_sees_only_what_its_agreement_allows(api: Api) -> None:
    disabled = next((p for p in api.people if p.disabled), None)
    if disabled is None:
        pytest.skip("no disabled person among the sample")
    got = _lookup(api, "agency", disabled.national_id)
    assert got.status_code == 200, got.text
    body = got.json()
    # DSA-DEP-2569-001 allows sex, age, area codes, disability, entitlements and gaps only
    assert set(body["fields"]) <= {
        "sex",
        "age",
        "province_code",
        "district_code",
        "subdistrict_code",
        "disability",
    }
    assert "first_name" not in body["fields"]
    assert body["masked"] == []
    entry = _audit_rows(api)[-1]
    assert entry["dsa_id"] == "DSA-DEP-2569-001"
    assert entry["purpose"].startswith("วางแผน")
    # someone outside the agreement's population (people with a disability) is refused
    able = next(p for p in api.people if not p.disabled)
    assert _lookup(api, "agency", able.national_id).status_code == 403


def test_an_agreement_out_of_force_allows_nothing(api: Api) -> None:
    from sitthi.operations.models import Dsa

    with api.ctx.operations.session() as session:
        dsa = session.get(Dsa, "DSA-DEP-2569-001")
        assert dsa is not None
        dsa.yaml = dsa.yaml.replace("valid_from: 2026-10-01", "valid_from: 2020-01-01").replace(
            "valid_to: 2027-09-30", "valid_to: 2020-12-31"
        )
    got = _lookup(api, "agency", api.people[0].national_id)
    assert got.status_code == 403
    assert "not in force" in got.json()["title"]


def test_no_audit_no_answer(api: Api) -> None:
    token = api.headers("caseworker")
    with api.ctx.operations.session() as session:
        session.execute(text("drop table audit_log"))
    got = api.client.post(
        "/api/v1/persons/lookup",
        json={"national_id": api.people[0].national_id, "purpose": PURPOSE},
        headers=token,
    )
    assert got.status_code == 503
    assert got.headers["content-type"] == "application/problem+json"
    assert api.people[0].person_id not in got.text
    assert "fields" not in got.json()


def test_a_caseworker_searches_by_name_and_birth_date_within_their_areas(api: Api) -> None:
    import duckdb

    person = api.people[0]
    rel = duckdb.connect(str(api.ctx.releases_dir / "1" / "release.duckdb"), read_only=True)
    first, last, born = rel.execute(
        "select first_name, last_name, birth_date from persons where person_id = ?",
        [person.person_id],
    ).fetchone()
    rel.close()
    got = api.client.post(
        "/api/v1/persons/search",
        json={"first_name": first, "last_name": last, "birth_date": str(born), "purpose": PURPOSE},
        headers=api.headers("caseworker"),
    )
    assert got.status_code == 200, got.text
    candidates = got.json()["candidates"]
    assert candidates[0]["person_id"] == person.person_id
    assert candidates[0]["score"] >= 1.0
    assert all(c["province_code"] == person.province for c in candidates)
    assert _audit_rows(api)[-1]["persons"]
    # an analyst never searches persons
    refused = api.client.post(
        "/api/v1/persons/search",
        json={"first_name": first, "last_name": last, "purpose": PURPOSE},
        headers=api.headers("analyst"),
    )
    assert refused.status_code == 403


def test_an_entitlements_reason_shows_only_what_the_caller_may_see(api: Api) -> None:
    from sitthi.registry.access import shown_detail, shown_reason

    reason = "age=72, annual_income=12000.0, thai=true"
    assert shown_reason(reason, {"age", "nationality"}) == "age=72, thai=true"
    assert shown_reason(reason, {"sex"}) is None
    assert shown_reason("free text, not pairs", {"age"}) is None
    assert shown_detail("died 2025-03-28", {"age"}) is None
    assert shown_detail("died 2025-03-28", {"death_date"}) == "died 2025-03-28"
    # through the API: a case worker's masked income never appears in a reason
    person = api.people[0]
    got = api.client.get(
        f"/api/v1/persons/{person.person_id}",
        params={"purpose": PURPOSE},
        headers=api.headers("caseworker"),
    ).json()
    for e in got.get("entitlements", []):
        assert "annual_income" not in (e.get("reason") or "")
        assert "deposit_balance" not in (e.get("reason") or "")


def test_a_record_holds_the_household_the_link_history_and_the_poverty_verdict(
    api: Api,
) -> None:
    import duckdb

    release = duckdb.connect(str(api.ctx.releases_dir / "1" / "release.duckdb"), read_only=True)
    with release:
        found = release.execute(
            """select m.person_id, h.members from person_households m
               join households h using (household_id) join profiles f using (person_id)
               where h.members >= 3 and f.province_code = ? order by m.person_id limit 1""",
            [api.people[0].province],
        ).fetchone()
        assert found is not None
        person_id, members = found
        sources = {
            s
            for (s,) in release.execute(
                "select source from person_links where person_id = ?", [person_id]
            ).fetchall()
        }
    got = api.client.get(
        f"/api/v1/persons/{person_id}",
        params={"purpose": PURPOSE},
        headers=api.headers("caseworker"),
    )
    assert got.status_code == 200, got.text
    body = got.json()
    household = body["household"]
    assert household["size"] == members
    others = household["members"]
    assert len(others) == members - 1
    assert all({"person_id", "first_name", "age"} <= set(m) for m in others)
    assert {r["source"] for r in body["links"]["records"]} == sources
    # the civil registry keys its records by the ID's pseudonym: never shown
    assert all(
        r["record_id"] is None or len(r["record_id"]) != 64 for r in body["links"]["records"]
    )
    assert body["links"]["events"]
    assert set(body["poverty"]) >= {"poor", "target_poor", "outreach", "failed_indicators"}
    # every member the answer names is in its audit record
    entry = _audit_rows(api)[-1]
    assert len(entry["persons"]) == members
