"""Every page passes axe-core (no serious or critical violation) in both languages, and the
main flows work from the keyboard alone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests.dashboard.conftest import Browser, Server, ready

pytestmark = pytest.mark.browser

#: Each page as the role it is made for.
PAGES = [
    ("analyst", "/app/"),
    ("analyst", "/app/map?indicator=elderly"),
    ("analyst", "/app/map?indicator=disabled&measure=share&level=district&within={province}"),
    ("analyst", "/app/programme"),
    ("analyst", "/app/programme?id=old_age_allowance"),
    ("analyst", "/app/quality"),
    ("caseworker", "/app/lists?kind=gaps&area={province}"),
    ("caseworker", "/app/person"),
    ("caseworker", "/app/review"),
]


def axe(page: Any, server: Server) -> list[str]:
    """Serious and critical axe-core violations of the page, one line each."""
    page.add_script_tag(url=f"{server.base}/app/static/vendor/axe.min.js")
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .filter(v => v.impact === 'serious' || v.impact === 'critical')
             .map(v => `${v.id} (${v.impact}): ` +
                       v.nodes.map(n => n.target.join(' ')).join(', '))"""
    )
    return list(found)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_every_page_passes_axe(web: Browser, server: Server, lang: str) -> None:
    signed: dict[str, Any] = {}
    found: dict[str, list[str]] = {}
    login = web.page(lang=lang)
    login.goto(f"{server.base}/app/login")
    ready(login)
    found["/app/login"] = axe(login, server)
    for role, path in PAGES:
        if role not in signed:
            signed[role] = web.sign_in(role, lang=lang)
        page = signed[role]
        url = path.format(province=server.province)
        page.goto(f"{server.base}{url}")
        ready(page)
        found[url] = axe(page, server)
    worker = signed["caseworker"]
    worker.goto(f"{server.base}/app/person")
    ready(worker)
    worker.fill("#national-id", server.national_id)
    worker.fill("#purpose-id", "ตรวจสอบสิทธิเบี้ยยังชีพตามคำร้อง")
    worker.click("#lookup")
    worker.wait_for_selector("#person-name")
    found["person record"] = axe(worker, server)
    bad = {page: v for page, v in found.items() if v}
    assert not bad, bad


def _tab_to(page: Any, selector: str, limit: int = 300) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def test_the_main_flows_work_from_the_keyboard(web: Browser, server: Server) -> None:
    page = web.page()
    page.goto(f"{server.base}/app/login")
    ready(page)
    page.keyboard.type("caseworker")  # the name field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(server.passwords["caseworker"])
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.base}/app/")
    ready(page)
    # the first Tab reaches the skip link, which moves the focus to the content
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # the map: down a level from the ranked table, back up by the breadcrumb
    page.goto(f"{server.base}/app/map")
    ready(page)
    _tab_to(page, "#areas tbody a")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"within=\d{2}"))
    ready(page)
    _tab_to(page, ".breadcrumb a")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"level=province"))
    ready(page)
    # a person: the ID and the purpose typed, the form sent with Enter; then a reveal
    page.goto(f"{server.base}/app/person")
    ready(page)
    _tab_to(page, "#national-id")
    page.keyboard.type(server.national_id)
    page.keyboard.press("Tab")
    page.keyboard.type("ตรวจสอบสิทธิเบี้ยยังชีพตามคำร้อง")
    page.keyboard.press("Enter")
    page.wait_for_selector("#person-name")
    _tab_to(page, "#purpose-reveal")
    page.keyboard.type("ประเมินเงินสงเคราะห์ฉุกเฉิน")
    page.keyboard.press("Enter")
    page.wait_for_selector("main .ok")
    assert page.locator("td.masked").count() == 0
    # the language switch is a button like any other
    _tab_to(page, "#lang")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
