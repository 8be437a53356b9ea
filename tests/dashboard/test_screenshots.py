"""A screenshot of every page in both languages, on a laptop and (some) on a tablet.

They go to ``SITTHI_SCREENSHOTS_DIR`` when it is set (`make screenshots` writes
docs/screenshots/, which docs/DASHBOARD.md shows), else to the test's own folder; either
way each must be a real picture of a drawn page."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from tests.dashboard.conftest import TABLET, Browser, Server, follow, ready

pytestmark = pytest.mark.browser

SHOTS = [
    ("overview", "analyst", "/app/"),
    ("map-province", "analyst", "/app/map?indicator=elderly&measure=per1000"),
    ("map-district", "analyst", "/app/map?indicator=elderly&level=district&within={province}"),
    (
        "map-subdistrict",
        "analyst",
        "/app/map?indicator=population&level=subdistrict&within={district}",
    ),
    ("programme", "analyst", "/app/programme?id=old_age_allowance"),
    ("quality", "analyst", "/app/quality"),
    ("lists", "caseworker", "/app/lists?kind=gaps&area={province}"),
    ("person-search", "caseworker", "/app/person"),
    ("review", "caseworker", "/app/review"),
]


def _district(server: Server) -> str:
    import duckdb

    con = duckdb.connect(str(server.ctx.store_path), read_only=True)
    found = con.execute(
        "select district_code from profiles where province_code = ? "
        "group by 1 order by count(*) desc, 1 limit 1",
        [server.province],
    ).fetchone()
    con.close()
    return str(found[0])


def _shoot(page: Any, path: Path) -> None:
    from PIL import Image

    page.screenshot(path=str(path), full_page=True)
    image = Image.open(path)
    assert image.width >= 800
    colours = image.convert("RGB").resize((200, 200)).getcolors(maxcolors=40_000) or []
    assert len(colours) > 20, "a blank page"


@pytest.mark.parametrize("lang", ["th", "en"])
def test_screenshots_of_every_page(web: Browser, server: Server, lang: str, tmp_path: Path) -> None:
    out = Path(os.environ.get("SITTHI_SCREENSHOTS_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    values = {"province": server.province, "district": _district(server)}
    login = web.page(lang=lang)
    login.goto(f"{server.base}/app/login")
    ready(login)
    _shoot(login, out / f"login-{lang}.png")
    signed: dict[str, Any] = {}
    for name, role, path in SHOTS:
        if role not in signed:
            signed[role] = web.sign_in(role, lang=lang)
        page = signed[role]
        page.goto(f"{server.base}{path.format(**values)}")
        ready(page)
        _shoot(page, out / f"{name}-{lang}.png")
    worker = signed["caseworker"]
    worker.goto(f"{server.base}/app/person")
    ready(worker)
    worker.fill("#national-id", server.national_id)
    worker.fill("#purpose-id", "ตรวจสอบสิทธิเบี้ยยังชีพตามคำร้อง")
    worker.click("#lookup")
    worker.wait_for_selector("#person-name")
    worker.wait_for_load_state("networkidle")
    _shoot(worker, out / f"person-{lang}.png")
    follow(worker, "#household-link a")
    _shoot(worker, out / f"household-{lang}.png")
    tablet = web.sign_in("caseworker", lang=lang, viewport=TABLET)
    _shoot(tablet, out / f"overview-tablet-{lang}.png")
    tablet.goto(f"{server.base}/app/map?indicator=outreach")
    ready(tablet)
    _shoot(tablet, out / f"map-tablet-{lang}.png")
