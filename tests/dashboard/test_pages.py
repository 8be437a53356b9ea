"""The dashboard as its users see it: sign-in, roles, Thai and English, the overview, the
map's drill-down, a person revealed and audited, a list exported, the other pages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.dashboard.conftest import TABLET, Browser, Server, follow, ready

from sitthi.operations.audit import show
from sitthi.operations.reviews import decisions

pytestmark = pytest.mark.browser

PURPOSE = "ตรวจสอบสิทธิเบี้ยยังชีพตามคำร้อง"


def _api(server: Server, role: str, path: str, **params: Any) -> Any:
    token = httpx.post(
        f"{server.base}/oauth2/user/token",
        data={"grant_type": "password", "username": role, "password": server.passwords[role]},
    ).json()["access_token"]
    got = httpx.get(
        f"{server.base}{path}", params=params, headers={"Authorization": f"Bearer {token}"}
    )
    assert got.status_code == 200, got.text
    return got.json()


def _last(server: Server, action: str) -> Any:
    """The newest audit record of ``action``."""
    return next(e.entry for e in show(server.ctx.operations, limit=20) if e.entry.action == action)


def _nav(page: Any) -> list[str]:
    return [a.get_attribute("href") for a in page.query_selector_all("header nav a")]


def test_sign_in_lands_on_the_overview_in_thai_with_buddhist_era_dates(
    web: Browser, server: Server
) -> None:
    page = web.sign_in("analyst")
    assert page.get_attribute("html", "lang") == "th"
    assert page.inner_text("h1") == "ภาพรวมประเทศ"
    release = _api(server, "analyst", "/api/v1/statistics", level="national")
    year = int(release["as_of"][:4])
    assert str(year + 543) in page.inner_text("#as-of")  # พ.ศ.
    population = next(c for c in release["cells"] if c["indicator"] == "population")
    assert f"{population['persons']:,}" in page.inner_text("#groups + .cards")
    # every programme of the release has a row, and the four gaps their table
    assert page.locator("#coverage-table tbody tr").count() == len(
        _api(server, "analyst", "/api/v1/programmes")["programmes"]
    )
    assert page.locator("#gaps-table tbody tr").count() >= 1
    assert page.locator("#tpmap + ol li").count() == 4
    # the lineage is one click away
    page.click("#lineage summary")
    page.wait_for_selector("#lineage-body table")
    assert "dopa_civil_registry.csv" in page.inner_text("#lineage-body")


def test_the_language_switch_is_on_every_page_and_is_kept(web: Browser, server: Server) -> None:
    page = web.sign_in("caseworker")
    for path in ("/app/", "/app/map", "/app/programme", "/app/lists", "/app/person", "/app/review"):
        page.goto(f"{server.base}{path}")
        ready(page)
        assert page.is_visible("#lang"), path
    page.goto(f"{server.base}/app/map?indicator=elderly")
    ready(page)
    follow(page, "#lang")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("h1") == "Indicator map"
    assert "indicator=elderly" in page.url  # the filters stay
    release = _api(server, "caseworker", "/api/v1/statistics", level="national")
    assert release["as_of"][:4] in page.inner_text("#as-of")  # the common era in English
    page.goto(f"{server.base}/app/")
    ready(page)
    assert page.inner_text("h1") == "National overview"  # kept across pages
    follow(page, "#lang")
    assert page.inner_text("h1") == "ภาพรวมประเทศ"


@pytest.mark.parametrize(
    ("role", "pages"),
    [
        ("analyst", ["/app/", "/app/map", "/app/programme", "/app/quality"]),
        ("admin", ["/app/", "/app/map", "/app/programme", "/app/quality"]),
        (
            "caseworker",
            ["/app/", "/app/map", "/app/programme", "/app/lists", "/app/person", "/app/review"],
        ),
        ("auditor", []),
    ],
)
def test_each_role_sees_only_its_pages(
    web: Browser, server: Server, role: str, pages: list[str]
) -> None:
    page = web.sign_in(role)
    assert _nav(page) == pages
    if role == "auditor":
        assert "ไม่ได้เปิดให้บทบาท" in page.inner_text("main")
        return
    if role != "caseworker":
        page.goto(f"{server.base}/app/person")
        ready(page)
        assert "ไม่ได้เปิดให้บทบาท" in page.inner_text("main")
        assert page.locator("#national-id").count() == 0
        # and the API itself refuses, whatever a page would do
        web.problems.allowed += ["/api/v1/persons/lookup", "status of 403"]
        status = page.evaluate(
            """async () => (await fetch('/api/v1/persons/lookup', {method: 'POST',
                 headers: {'Authorization': 'Bearer ' + sessionStorage.getItem('sitthi.token'),
                           'Content-Type': 'application/json'},
                 body: JSON.stringify({national_id: '1101700203158',
                                       purpose: 'ทดสอบสิทธิ์'})})).status"""
        )
        assert status == 403
    else:
        page.goto(f"{server.base}/app/quality")
        ready(page)
        assert "ไม่ได้เปิดให้บทบาท" in page.inner_text("main")


def test_a_wrong_password_is_said_and_signing_out_ends_the_session(
    web: Browser, server: Server
) -> None:
    web.problems.allowed += ["/oauth2/user/token", "status of 401"]
    page = web.page()
    page.goto(f"{server.base}/app/map")
    page.wait_for_url(re.compile(r"/app/login\?next="))
    page.fill("#username", "analyst")
    page.fill("#password", "not the password")
    page.click("#signin")
    page.wait_for_selector("#login-message .error")
    assert "ไม่ถูกต้อง" in page.inner_text("#login-message")
    page.fill("#password", server.passwords["analyst"])
    page.press("#password", "Enter")
    page.wait_for_url(re.compile(r"/app/map$"))  # back where they were going
    ready(page)
    page.click("#signout")  # back to sign-in, and the token is gone
    page.wait_for_url(re.compile(r"/app/login"))
    page.goto(f"{server.base}/app/")
    page.wait_for_url(re.compile(r"/app/login"))


def _rows(page: Any) -> list[list[str]]:
    return [
        [c.inner_text().strip() for c in row.query_selector_all("th, td")]
        for row in page.query_selector_all("#areas tbody tr")
    ]


def _check_suppression(page: Any, server: Server, level: str, within: str | None) -> None:
    """The table shows exactly the API's cells: suppressed ones as such, never as 0."""
    params = {"level": level, "indicator": "elderly", "limit": 10000}
    if within:
        params["within"] = within
    cells = _api(server, "analyst", "/api/v1/statistics", **params)["cells"]
    rows = _rows(page)
    assert len(rows) == len(cells)
    hidden = [r for r in rows if r[2] == "ปกปิด"]
    assert len(hidden) == sum(c["suppressed"] for c in cells)
    shown = sorted(int(r[2].replace(",", "")) for r in rows if r[2] != "ปกปิด")
    assert shown == sorted(c["persons"] for c in cells if not c["suppressed"])


def test_the_map_drills_from_the_country_to_a_subdistrict_and_back(
    web: Browser, server: Server
) -> None:
    page = web.sign_in("analyst")
    page.goto(f"{server.base}/app/map?indicator=elderly&measure=count")
    ready(page)
    if page.locator("#choropleth").count():
        assert int(page.get_attribute("#choropleth", "data-drawn") or 0) == 77
    _check_suppression(page, server, "province", None)
    # down to the province with the most elderly people, then its first district
    follow(page, "#areas tbody tr:first-child a")
    province = re.search(r"within=(\d{2})(&|$)", page.url).group(1)  # type: ignore[union-attr]
    assert "indicator=elderly" in page.url
    assert page.input_value("#indicator") == "elderly"
    assert page.locator(".breadcrumb li").count() == 2
    _check_suppression(page, server, "district", province)
    follow(page, "#areas tbody tr:first-child a")
    district = re.search(r"within=(\d{4})", page.url).group(1)  # type: ignore[union-attr]
    assert district.startswith(province)
    assert page.input_value("#indicator") == "elderly"
    assert page.locator(".breadcrumb li").count() == 3
    _check_suppression(page, server, "subdistrict", district)
    assert page.locator("#areas tbody a").count() == 0  # a subdistrict is the last level
    # and back up by the breadcrumb, the filter kept
    follow(page, ".breadcrumb li:nth-child(2) a")
    assert f"within={province}" in page.url
    assert "indicator=elderly" in page.url
    follow(page, ".breadcrumb li:first-child a")
    assert "within" not in page.url
    _check_suppression(page, server, "province", None)


def test_shares_and_rates_never_show_a_hidden_cell(web: Browser, server: Server) -> None:
    page = web.sign_in("analyst")
    page.goto(f"{server.base}/app/map?indicator=disabled&measure=per1000")
    ready(page)
    rows = _rows(page)
    assert rows
    for r in rows:
        assert r[2] == "ปกปิด" or re.fullmatch(r"[\d,]+\.\d", r[2]), r
        if r[3] == "ปกปิด":
            assert r[2] == "ปกปิด"


def test_a_case_worker_finds_a_person_reveals_a_field_and_the_reveal_is_audited(
    web: Browser, server: Server
) -> None:
    page = web.sign_in("caseworker")
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(f"{server.base}/app/person")
    ready(page)
    page.fill("#national-id", server.national_id)
    page.fill("#purpose-id", PURPOSE)
    page.click("#lookup")
    page.wait_for_selector("#person-name")
    assert f"id={server.person_id}" in page.url
    assert not any(server.national_id in u for u in urls), "the ID went into a URL"
    masked = page.locator("td.masked").count()
    assert masked >= 1
    assert page.locator("#reveal input[type=checkbox]").count() >= 1
    page.fill("#purpose-reveal", "ประเมินเงินสงเคราะห์ฉุกเฉิน")
    page.click("#reveal-button")
    page.wait_for_selector("main .ok")
    assert page.locator("td.masked").count() == 0
    assert page.locator("#reveal").count() == 0
    entry = _last(server, "reveal")
    assert entry.actor == "caseworker"
    assert entry.purpose == "ประเมินเงินสงเคราะห์ฉุกเฉิน"
    assert {"income", "phone"} <= set(entry.fields)
    # the record's sections: rights, gaps, link history, household
    for section in ("#rights", "#person-gaps", "#links"):
        assert page.locator(section).count() == 1, section
    # the family record: every member with their names, the household's facts
    follow(page, "#household-link a")
    assert page.locator("#household-facts").count() == 1
    members = page.locator("#members tbody tr")
    assert members.count() >= 1
    assert all(cell != "—" for cell in members.locator("td:nth-child(3)").all_inner_texts())
    assert _last(server, "read").route == "GET /api/v1/households/{household_id}"


def test_a_case_worker_exports_a_list_of_their_area(
    web: Browser, server: Server, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    page = web.sign_in("caseworker")
    page.goto(f"{server.base}/app/lists?kind=gaps&area={server.province}")
    ready(page)
    page.fill("#purpose", "ออกเยี่ยมบ้านผู้ตกหล่นสิทธิ")
    with page.expect_download() as done:
        page.click("#export-xlsx")
    download = done.value
    assert download.suggested_filename == f"sitthi-gaps-{server.province}-release1.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    book = load_workbook(saved, read_only=True)
    assert "เกี่ยวกับ" in book.sheetnames
    page.wait_for_selector("#export-status .ok")
    entry = _last(server, "export")
    assert entry.actor == "caseworker"
    assert entry.purpose == "ออกเยี่ยมบ้านผู้ตกหล่นสิทธิ"


def test_programme_quality_and_review_pages(web: Browser, server: Server) -> None:
    page = web.sign_in("analyst")
    page.goto(f"{server.base}/app/programme")
    ready(page)
    assert page.locator("#programmes li").count() == 4
    follow(page, "#programmes a[href$='old_age_allowance']")
    assert page.inner_text("h1") == "เบี้ยยังชีพผู้สูงอายุ"
    assert "อายุ 60 ปีบริบูรณ์ขึ้นไป" in page.inner_text("#rules")
    assert page.locator("#gaps-by-area tbody tr").count() >= 1
    # entitled, paid and each gap with its persons and its baht a month
    assert page.locator("#numbers tbody tr").count() >= 3
    assert "บาท" in page.locator("#numbers tbody tr").first.inner_text()
    assert page.locator("#trend-table tbody tr").count() == 1
    page.goto(f"{server.base}/app/quality")
    ready(page)
    quality = _api(server, "analyst", "/api/v1/quality")["quality"]
    assert page.locator("#completeness tbody tr").count() == len(quality["completeness"])
    assert page.locator("#stages tbody tr").count() == len(quality["linkage"]["stages"])
    worker = web.sign_in("caseworker")
    worker.goto(f"{server.base}/app/review")
    ready(worker)
    assert worker.locator("main article, main .notice").count() >= 1


def test_a_reviewer_decides_a_pair_and_the_decision_persists(web: Browser, server: Server) -> None:
    page = web.sign_in("caseworker")
    page.goto(f"{server.base}/app/review")
    ready(page)
    pairs = page.locator("main article")
    assert pairs.count() >= 1, "the case worker's area has no pair to review"
    first = pairs.first
    pair_id = str(first.get_attribute("id")).removeprefix("pair-")
    # the evidence side by side, by comparison, with readable labels and weights
    assert first.locator("tbody tr").count() >= 4
    assert "ชื่อ" in first.inner_text()
    first.get_by_role("button", name="คนเดียวกัน").click()
    page.wait_for_selector(f"#pair-{pair_id} .ok")
    made = decisions(server.ctx.operations)[-1]
    assert (made.decision, made.decided_by) == ("same", "caseworker")
    entry = _last(server, "change")
    assert entry.route == "POST /api/v1/review/{pair_id}/decision"
    # a fresh page shows the pair as decided, not as a question
    page.reload()
    ready(page)
    again = page.locator(f"#pair-{pair_id}")
    assert "ตัดสินแล้ว" in again.inner_text()
    assert again.get_by_role("button", name="คนเดียวกัน").is_disabled()


def test_the_pages_fit_a_tablet(web: Browser, server: Server) -> None:
    page = web.sign_in("caseworker", viewport=TABLET)
    for path in ("/app/", "/app/map?indicator=elderly", "/app/programme?id=old_age_allowance"):
        page.goto(f"{server.base}{path}")
        ready(page)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= TABLET["width"], (path, width)
