"""The review queue over the API: a case worker sees the uncertain pairs of their areas,
decides one, and the next link run follows the decision."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from sqlalchemy import select

from sitthi.api.permissions import GRANTS, Permission
from sitthi.config import Settings
from sitthi.context import Context
from sitthi.linkage.decisions import import_decisions
from sitthi.linkage.service import link
from sitthi.operations.accounts import add_client
from sitthi.operations.models import AuditRecord, ReviewDecision
from sitthi.operations.roles import Role
from sitthi.releases.catalog import RELEASE_DB
from tests.api.conftest import Api

#: A pair of the queue whose records, and whose persons, lie in one province.
IN_ONE_PROVINCE = """
    select q.pair_id, q.province_code_l, q.source_l, q.record_id_l, q.source_r, q.record_id_r
    from review_pairs q
    join profiles fl on fl.person_id = q.person_id_l
    join profiles fr on fr.person_id = q.person_id_r
    where q.reason = 'uncertain' and q.person_id_l <> q.person_id_r
      and q.province_code_l = q.province_code_r
      and fl.province_code = q.province_code_l and fr.province_code = q.province_code_l
    order by q.pair_id limit 1
"""


def _audit(api: Api) -> list[dict[str, Any]]:
    with api.ctx.operations.session() as session:
        return [json.loads(r.entry) for r in session.scalars(select(AuditRecord))]


def _release(api: Api) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(api.ctx.releases_dir / "1" / RELEASE_DB), read_only=True)


def _pair(api: Api) -> tuple[str, str, tuple[str, str], tuple[str, str]]:
    with _release(api) as con:
        found = con.execute(IN_ONE_PROVINCE).fetchone()
    assert found is not None, "the test world has an uncertain pair within one province"
    pair_id, province, sl, rl, sr, rr = found
    return pair_id, province, (sl, rl), (sr, rr)


def _reviewer(api: Api, province: str) -> dict[str, str]:
    client, secret = add_client(
        api.ctx.operations, f"reviewer {province}", "caseworker", areas=[province]
    )
    api.credentials[f"reviewer {province}"] = (client.client_id, secret)
    return api.headers(f"reviewer {province}")


def test_only_caseworkers_review_links() -> None:
    assert {r for r, granted in GRANTS.items() if Permission.REVIEW_LINKS in granted} == {
        Role.CASEWORKER
    }


def test_a_caseworker_sees_the_pairs_of_their_areas_with_evidence(api: Api) -> None:
    pair_id, province, _, _ = _pair(api)
    headers = _reviewer(api, province)
    got = api.client.get("/api/v1/review", params={"limit": 200}, headers=headers)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["total"] >= 1
    assert pair_id in {p["pair_id"] for p in body["pairs"]} or body["total"] > 200
    with _release(api) as con:
        homes = dict(con.execute("select person_id, province_code from profiles").fetchall())
    for p in body["pairs"]:
        for side in ("left", "right"):
            assert p[side]["area"]["province_code"] == province
            assert homes[p[side]["person_id"]] == province
            assert "record_id" not in p[side]  # a civil registry's key is a pseudonym
        for comparison in p["evidence"].values():
            assert "weight" in comparison
            # a case worker sees no phone or house number until revealed
            assert not {"phone", "house_no", "street", "postcode", "other_id"} & set(comparison)
    assert any("masked" in c for p in body["pairs"] for c in p["evidence"].values())
    entry = _audit(api)[-1]
    assert entry["route"] == "GET /api/v1/review"
    named = len(entry["persons"]) + len(entry["query"].get("persons_without_id", []))
    shown = {p[s]["person_id"] for p in body["pairs"] for s in ("left", "right")}
    assert named == len(shown)


def test_the_queue_is_refused_outside_ones_areas_and_to_other_roles(api: Api) -> None:
    _, province, _, _ = _pair(api)
    headers = _reviewer(api, province)
    elsewhere = next(p.province for p in api.people if p.province != province)
    got = api.client.get("/api/v1/review", params={"area": elsewhere}, headers=headers)
    assert got.status_code == 403
    assert got.json()["parameter"] == "area"
    assert _audit(api)[-1]["action"] == "refused"
    for role in ("analyst", "agency", "admin", "auditor"):
        assert api.client.get("/api/v1/review", headers=api.headers(role)).status_code == 403
    # another case worker's areas hold none of this province's pairs
    other = api.client.get("/api/v1/review", headers=api.headers("caseworker")).json()
    if api.people[0].province != province:
        assert all(p["left"]["area"]["province_code"] != province for p in other["pairs"])


def test_a_decision_is_kept_with_its_audit_record(api: Api) -> None:
    pair_id, province, left, right = _pair(api)
    headers = _reviewer(api, province)
    got = api.client.post(
        f"/api/v1/review/{pair_id}/decision",
        json={"decision": "same", "note": "ชื่อและวันเกิดตรงกัน บ้านเลขที่เดียวกัน"},
        headers=headers,
    )
    assert got.status_code == 201, got.text
    assert got.json()["decision"] == "same"
    with api.ctx.operations.session() as session:
        (kept,) = session.scalars(select(ReviewDecision)).all()
        assert (kept.left_source, kept.left_record_id) == left
        assert (kept.right_source, kept.right_record_id) == right
        assert kept.decision == "accept"
        assert kept.note == "ชื่อและวันเกิดตรงกัน บ้านเลขที่เดียวกัน"
    entry = _audit(api)[-1]
    assert entry["action"] == "change"
    assert entry["route"] == "POST /api/v1/review/{pair_id}/decision"
    assert entry["query"] == {"pair_id": pair_id, "decision": "same"} | (
        {"persons_without_id": entry["query"]["persons_without_id"]}
        if "persons_without_id" in entry["query"]
        else {}
    )


def test_the_queue_shows_the_newest_decision_on_a_pair(api: Api) -> None:
    pair_id, province, _, _ = _pair(api)
    headers = _reviewer(api, province)

    def shown() -> dict[str, object] | None:
        got = api.client.get("/api/v1/review", params={"limit": 200}, headers=headers)
        assert got.status_code == 200, got.text
        (found,) = [p for p in got.json()["pairs"] if p["pair_id"] == pair_id]
        return found["decided"]  # type: ignore[no-any-return]

    assert shown() is None
    url = f"/api/v1/review/{pair_id}/decision"
    assert api.client.post(url, json={"decision": "same"}, headers=headers).status_code == 201
    assert api.client.post(url, json={"decision": "different"}, headers=headers).status_code == 201
    decided = shown()
    assert decided is not None
    assert decided["decision"] == "different"  # the newer of the two
    assert decided["decided_by"] in api.credentials[f"reviewer {province}"]


def test_a_wrong_decision_is_refused(api: Api) -> None:
    pair_id, province, _, _ = _pair(api)
    headers = _reviewer(api, province)
    url = f"/api/v1/review/{pair_id}/decision"
    bad = api.client.post(url, json={"decision": "maybe"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["parameter"] == "decision"
    missing = api.client.post(
        "/api/v1/review/0000000000/decision", json={"decision": "same"}, headers=headers
    )
    assert missing.status_code == 404
    outsider = api.client.post(
        url, json={"decision": "different"}, headers=_elsewhere(api, province)
    )
    assert outsider.status_code == 403
    assert _audit(api)[-1]["action"] == "refused"
    analyst = api.client.post(url, json={"decision": "same"}, headers=api.headers("analyst"))
    assert analyst.status_code == 403
    with api.ctx.operations.session() as session:
        assert session.scalars(select(ReviewDecision)).all() == []


def _elsewhere(api: Api, province: str) -> dict[str, str]:
    other = next(p.province for p in api.people if p.province != province)
    return _reviewer(api, other)


@pytest.mark.parametrize("decision", ["same", "different"])
def test_the_next_link_run_follows_a_decision_made_in_the_api(
    api: Api, tmp_path: Path, decision: str
) -> None:
    pair_id, province, left, right = _pair(api)
    got = api.client.post(
        f"/api/v1/review/{pair_id}/decision",
        json={"decision": decision, "note": None},
        headers=_reviewer(api, province),
    )
    assert got.status_code == 201, got.text
    store = tmp_path / "store.duckdb"
    shutil.copy(api.ctx.store_path, store)
    ctx = Context(settings=Settings(operations_url=api.ctx.settings.operations_url), db=store)
    report = link(ctx)
    assert report.decisions_imported == 1
    con = duckdb.connect(str(store))
    ends = {"sl": left[0], "rl": left[1], "sr": right[0], "rr": right[1]}
    try:
        found = {
            (source, record): person
            for source, record, person in con.execute(
                "select source, record_id, person_id from person_records "
                "where (source = $sl and record_id = $rl) or (source = $sr and record_id = $rr)",
                ends,
            ).fetchall()
        }
        assert set(found) == {left, right}
        assert (found[left] == found[right]) is (decision == "same")
        assert import_decisions(con, ctx.operations) == 0  # once only
        queued = con.execute(
            """select count(*) from review_queue
               where (source_l = $sl and record_id_l = $rl and source_r = $sr
                      and record_id_r = $rr)
                  or (source_l = $sr and record_id_l = $rr and source_r = $sl
                      and record_id_r = $rl)""",
            ends,
        ).fetchone()
        assert queued == (0,), "a decided pair leaves the queue"
    finally:
        con.close()
