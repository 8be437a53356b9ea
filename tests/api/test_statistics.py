"""Area statistics through the API: suppressed exactly as published, for every caller."""

from __future__ import annotations

import duckdb

from tests.api.conftest import Api


def test_statistics_publish_no_small_cell_and_no_suppressed_value(api: Api) -> None:
    got = api.client.get(
        "/api/v1/statistics",
        params={"level": "district", "limit": 10_000},
        headers=api.headers("analyst"),
    )
    assert got.status_code == 200, got.text
    body = got.json()
    k = body["suppression_k"]
    assert k == 10
    cells = body["cells"]
    assert cells
    assert {c["level"] for c in cells} == {"district"}
    for c in cells:
        if c["suppressed"]:
            assert c["persons"] is None
        else:
            assert c["persons"] == 0 or c["persons"] >= k, c
    assert any(c["suppressed"] for c in cells), "a small world has small cells"
    # what is published is the true count
    rel = duckdb.connect(str(api.ctx.releases_dir / "1" / "release.duckdb"), read_only=True)
    truth = dict(
        rel.execute(
            """select district_code, count(*) from profiles where alive and age >= 60
               and subdistrict_code is not null group by 1"""
        ).fetchall()
    )
    rel.close()
    for c in cells:
        if c["indicator"] == "elderly" and not c["suppressed"]:
            assert c["persons"] == truth.get(c["area_code"], 0)


def test_statistics_page_and_filter(api: Api) -> None:
    headers = api.headers("caseworker")
    first = api.client.get(
        "/api/v1/statistics",
        params={"level": "subdistrict", "indicator": "population", "limit": 5},
        headers=headers,
    ).json()
    assert len(first["cells"]) == 5
    assert first["next_offset"] == 5
    assert {c["indicator"] for c in first["cells"]} == {"population"}
    province = first["cells"][0]["area_code"][:2]
    within = api.client.get(
        "/api/v1/statistics",
        params={"level": "subdistrict", "within": province, "limit": 10_000},
        headers=headers,
    ).json()
    assert all(c["area_code"].startswith(province) for c in within["cells"])
    bad = api.client.get("/api/v1/statistics", params={"level": "moo"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["parameter"] == "level"
    assert api.client.get("/api/v1/statistics", headers=api.headers("auditor")).status_code == 403


def test_the_quality_summary_comes_with_the_release(api: Api) -> None:
    got = api.client.get("/api/v1/quality", headers=api.headers("analyst"))
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["release"] == 1
    assert body["quality"], "the quality report's sections"
    assert api.client.get("/api/v1/quality", headers=api.headers("caseworker")).status_code == 403
    missing = api.client.get(
        "/api/v1/quality", params={"release": 9}, headers=api.headers("analyst")
    )
    assert missing.status_code == 404
