"""Gap and outreach lists through the API: each caller's columns and people, real IDs only
under an agreement that allows them, Excel and CSV, audited before the first row."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from pathlib import Path

import duckdb
import openpyxl
from sqlalchemy import select, text

from sitthi.ingest.pseudonym import pseudonym
from sitthi.operations.accounts import add_client
from sitthi.operations.models import AuditRecord
from sitthi.thai.national_id import parse_national_id
from tests.api.conftest import Api

PURPOSE = "ออกเยี่ยมบ้านผู้ตกหล่นสิทธิในตำบล"


def _audit(api: Api) -> list[dict[str, object]]:
    with api.ctx.operations.session() as session:
        return [json.loads(r.entry) for r in session.scalars(select(AuditRecord))]


def _release(api: Api) -> duckdb.DuckDBPyConnection:
    path = api.ctx.releases_dir / "1" / "release.duckdb"
    return duckdb.connect(str(path), read_only=True)


def _rows(got: object) -> list[dict[str, str]]:
    body = got.content.decode("utf-8")  # type: ignore[attr-defined]
    assert body.startswith("\ufeff")  # Excel reads Thai CSV right only with the BOM
    return list(csv.DictReader(io.StringIO(body[1:])))


def _export(api: Api, account: str, kind: str, **params: str) -> object:
    return api.client.get(f"/api/v1/exports/{kind}", params=params, headers=api.headers(account))


def test_a_caseworker_exports_the_gaps_of_their_province(api: Api) -> None:
    province = api.people[0].province
    got = _export(api, "caseworker", "gaps", area=province, purpose=PURPOSE)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("text/csv")
    assert f"sitthi-gaps-{province}-release1.csv" in got.headers["content-disposition"]
    rows = _rows(got)
    with _release(api) as con:
        expected = con.execute(
            "select count(*), count(distinct person_id) from gaps join profiles using (person_id) "
            "where province_code = ?",
            [province],
        ).fetchone()
    assert expected is not None
    assert expected[0] > 0
    assert len(rows) == expected[0]
    assert {r["province_code"] for r in rows} == {province}
    # a case worker's key is the person ID; masked fields (phone, address) stay out
    assert "person_id" in rows[0]
    assert "first_name" in rows[0]
    assert not {"pid_hash", "national_id", "phone", "house_no"} & set(rows[0])
    assert {r["gap_th"] for r in rows} <= {
        "มีสิทธิแต่ยังไม่ได้รับ",
        "ได้รับโดยไม่มีสิทธิ",
        "ได้รับซ้ำซ้อน",
        "จ่ายหลังเสียชีวิต",
    }
    entry = _audit(api)[-1]
    assert entry["action"] == "export"
    assert entry["route"] == "GET /api/v1/exports/{kind}"
    assert entry["purpose"] == PURPOSE
    assert entry["query"] == {"list": "gaps", "area": province, "format": "csv", "real_ids": False}
    assert len(entry["persons"]) == expected[1]  # type: ignore[arg-type]


def test_a_filtered_list_holds_only_the_programme_and_gap_asked_for(api: Api) -> None:
    province = api.people[0].province
    got = _export(
        api,
        "caseworker",
        "gaps",
        area=province,
        purpose=PURPOSE,
        programme="old_age_allowance",
        gap="eligible_not_receiving",
    )
    assert got.status_code == 200, got.text
    rows = _rows(got)
    assert rows, "the test world has elderly people missing the allowance in this province"
    assert {(r["programme"], r["gap"]) for r in rows} == {
        ("old_age_allowance", "eligible_not_receiving")
    }


def test_a_caseworker_must_say_why_and_stay_in_their_areas(api: Api) -> None:
    home = api.people[0].province
    elsewhere = next(p.province for p in api.people if p.province != home)
    assert _export(api, "caseworker", "gaps", area=home).status_code == 422
    got = _export(api, "caseworker", "gaps", area=elsewhere, purpose=PURPOSE)
    assert got.status_code == 403
    assert got.headers["content-type"] == "application/problem+json"
    assert _audit(api)[-1]["action"] == "refused"


def test_an_agency_gets_pseudonyms_and_only_its_agreements_fields_and_people(api: Api) -> None:
    with _release(api) as con:
        found = con.execute(
            "select f.province_code from gaps join profiles f using (person_id) "
            "where f.disability group by 1 order by count(*) desc limit 1"
        ).fetchone()
    assert found is not None, "the test world has disabled people with a gap"
    got = _export(api, "agency", "gaps", area=found[0])
    assert got.status_code == 200, got.text
    rows = _rows(got)
    assert rows
    # the disability agreement: pseudonyms, sex, age, areas, gaps; no names, no real ID
    assert "pid_hash" in rows[0]
    assert not {"national_id", "first_name", "last_name", "person_id", "title"} & set(rows[0])
    with _release(api) as con:
        disabled = {
            pid
            for (pid,) in con.execute(
                "select i.pid_hash from person_ids i join profiles f using (person_id) "
                "where f.disability or exists (select 1 from entitlements e "
                "where e.person_id = f.person_id and e.programme = 'disability_allowance')"
            ).fetchall()
        }
    assert {r["pid_hash"] for r in rows} <= disabled
    assert _audit(api)[-1]["purpose"].startswith("วางแผนและติดตามการเข้าถึงสิทธิของคนพิการ")


def test_a_list_whose_field_the_agreement_lacks_is_refused_and_audited(api: Api) -> None:
    got = _export(api, "agency", "outreach", area=api.people[0].province)
    assert got.status_code == 403
    assert "poverty" in got.json()["title"]
    assert "poverty" in got.json()["title_th"]
    assert _audit(api)[-1]["action"] == "refused"


def test_real_ids_only_under_an_agreement_that_allows_them(api: Api, tmp_path: Path) -> None:
    dsa = tmp_path / "real.yaml"
    dsa.write_text(
        textwrap.dedent(
            """\
            id: DSA-TEST-REAL-IDS
            name: ข้อตกลงทดสอบเลขประจำตัวจริง
            partner: องค์การบริหารส่วนตำบลทดสอบ
            purpose: แจ้งผู้มีสิทธิที่ยังไม่ได้รับเบี้ยยังชีพให้มาลงทะเบียน
            legal_basis:
              pdpa_section: PDPA s.24(4)
              law: พระราชบัญญัติผู้สูงอายุ พ.ศ. 2546 มาตรา 11
            real_ids: true
            population:
              groups: [all]
            areas: [all]
            valid_from: 2026-01-01
            valid_to: 2030-12-31
            fields: [national_id, first_name, last_name, province_code, gaps]
            """
        ),
        encoding="utf-8",
    )
    client, secret = add_client(api.ctx.operations, "real ids", "agency", dsa_path=dsa)
    api.credentials["real"] = (client.client_id, secret)
    got = _export(api, "real", "gaps", area=api.people[0].province)
    assert got.status_code == 200, got.text
    rows = _rows(got)
    assert rows
    assert next(iter(rows[0])) == "national_id"
    key = api.ctx.settings.pseudonym_secret()
    with _release(api) as con:
        holders = {p for (p,) in con.execute("select pid_hash from person_ids").fetchall()}
    for r in rows:
        assert parse_national_id(r["national_id"]).valid
        assert pseudonym(key, r["national_id"]) in holders
    # the audit names the people by pseudonym, never by the IDs the file carried
    assert rows[0]["national_id"] not in json.dumps(_audit(api))


def test_an_excel_list_has_thai_labels_and_says_what_it_is(api: Api, tmp_path: Path) -> None:
    province = api.people[0].province
    got = _export(api, "caseworker", "outreach", area=province, purpose=PURPOSE, format="xlsx")
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("application/vnd.openxmlformats")
    path = tmp_path / "list.xlsx"
    path.write_bytes(got.content)
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["รายชื่อ", "เกี่ยวกับ"]
    rows = list(book["รายชื่อ"].iter_rows(values_only=True))
    assert rows[0][:4] == ("รหัสบุคคล", "คำนำหน้า", "ชื่อ", "นามสกุล")
    with _release(api) as con:
        outreach = con.execute(
            "select count(*) from person_poverty where outreach and province_code = ?", [province]
        ).fetchone()
    assert outreach is not None
    assert len(rows) - 1 == outreach[0]
    about = dict(book["เกี่ยวกับ"].iter_rows(values_only=True, max_col=2))
    assert about["พื้นที่ (area)"] == province
    assert about["ชุดข้อมูลเผยแพร่ (release)"].startswith("1 ณ วันที่")
    book.close()


def test_no_audit_no_list(api: Api) -> None:
    headers = api.headers("caseworker")
    with api.ctx.operations.session() as session:
        session.execute(text("drop table audit_log"))
    got = api.client.get(
        "/api/v1/exports/gaps",
        params={"area": api.people[0].province, "purpose": PURPOSE},
        headers=headers,
    )
    assert got.status_code == 503
    assert "first_name" not in got.text


def test_a_bad_area_or_gap_names_the_parameter(api: Api) -> None:
    got = _export(api, "caseworker", "gaps", area="99", purpose=PURPOSE)
    assert got.status_code in (403, 422)
    got = _export(
        api, "caseworker", "gaps", area=api.people[0].province, purpose=PURPOSE, gap="nope"
    )
    assert got.status_code == 422
    assert got.json()["parameter"] == "gap"
    assert got.json()["title_th"]
