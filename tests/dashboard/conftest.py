"""The dashboard in a real browser: a real uvicorn over a published test release, users
of each role, and headless Debian Chromium driven by Playwright for Python.

Every page a test opens fails the test on a console error, an uncaught exception or a
failed request (`Browser.page`'s checks run when the test ends).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest
import uvicorn

from sitthi.api.app import create_app
from sitthi.config import Settings
from sitthi.context import Context
from sitthi.dashboard.routes import STATIC
from sitthi.operations.accounts import add_user
from sitthi.releases.publish import publish

CHROMIUM = "/usr/bin/chromium"
# Chromium on a closed network: no background calls, no sandbox as root.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAPTOP = {"width": 1366, "height": 900}
TABLET = {"width": 820, "height": 1180}
ROLES = ("caseworker", "analyst", "admin", "auditor")


@dataclass
class Server:
    base: str
    ctx: Context
    passwords: dict[str, str]  # role -> password (the user is named after the role)
    province: str  # the case worker's province (the most populous)
    person_id: str  # a person of that province with masked fields to reveal
    national_id: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _a_person(store: Path) -> tuple[str, str, str]:
    """The most populous province, and one of its people with a valid national ID."""
    con = duckdb.connect(str(store), read_only=True)
    province = con.execute(
        "select province_code from profiles where province_code is not null "
        "group by 1 order by count(*) desc, 1 limit 1"
    ).fetchone()[0]
    person_id, national_id = con.execute(
        """select p.person_id, any_value(i.national_id)
           from person_records p
           join source_records s using (source, record_id)
           join identities i on i.pid_hash = s.pid_hash
           join profiles f on f.person_id = p.person_id
           where p.source = 'dopa' and s.national_id_valid and f.province_code = ?
             and f.alive
           group by p.person_id order by p.person_id limit 1""",
        [province],
    ).fetchone()
    con.close()
    return str(province), str(person_id), str(national_id)


@pytest.fixture(scope="session")
def server(registry_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`sitthi serve`'s app on a free port, over one published release."""
    if not (STATIC / "vendor" / "echarts.min.js").exists():
        pytest.fail("the dashboard's assets are missing: run `make assets`")
    folder = tmp_path_factory.mktemp("dashboard")
    store = folder / "store.duckdb"
    shutil.copy(registry_store, store)
    ctx = Context(
        settings=Settings(
            operations_url=f"sqlite:///{folder / 'operations.sqlite'}",
            signing_keys_dir=folder / "keys",
            rate_limit_per_minute=100_000,  # a browser test is one fast user
        ),
        db=store,
    )
    publish(ctx)
    province, person_id, national_id = _a_person(store)
    passwords = {}
    for role in ROLES:
        areas = [province] if role == "caseworker" else []
        _, passwords[role] = add_user(ctx.operations, role, role, areas)
    port = _free_port()
    app = create_app(ctx)
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    for _ in range(400):
        if uv.started:
            break
        time.sleep(0.05)
    assert uv.started, "uvicorn did not start"
    yield Server(f"http://127.0.0.1:{port}", ctx, passwords, province, person_id, national_id)
    uv.should_exit = True
    thread.join(timeout=10)


@dataclass
class Problems:
    """What went wrong in the browser while a test ran."""

    items: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)  # substrings a test expects

    def add(self, text: str) -> None:
        if not any(a in text for a in self.allowed):
            self.items.append(text)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run `make test-browser`, which installs it")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


class Browser:
    """Open pages as a user; each page records console errors and failed requests."""

    def __init__(self, browser: Any, server: Server) -> None:
        self.browser, self.server = browser, server
        self.problems = Problems()
        self.contexts: list[Any] = []

    def page(self, viewport: dict[str, int] | None = None, lang: str | None = None) -> Any:
        context = self.browser.new_context(
            viewport=viewport or LAPTOP, locale="th-TH", accept_downloads=True
        )
        self.contexts.append(context)
        if lang:
            context.add_init_script(f"localStorage.setItem('sitthi.lang', '{lang}')")
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on(
            "console",
            lambda m: self.problems.add(f"console: {m.text}") if m.type == "error" else None,
        )
        page.on(
            "pageerror", lambda e: self.problems.add(f"page error on {page.url}: {e} {e.stack}")
        )
        page.on(
            "requestfailed",
            lambda r: self.problems.add(f"request failed: {r.method} {r.url} {r.failure}"),
        )
        page.on(
            "response",
            lambda r: (
                self.problems.add(f"HTTP {r.status}: {r.request.method} {r.url}")
                if r.status >= 400
                else None
            ),
        )
        # Nothing but this server: a CDN or any remote file fails the test.
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(self.server.base)
                or route.request.url.startswith(("data:", "blob:"))
                else (self.problems.add(f"remote request: {route.request.url}"), route.abort())
            ),
        )
        return page

    def sign_in(
        self, role: str, lang: str | None = None, viewport: dict[str, int] | None = None
    ) -> Any:
        page = self.page(viewport, lang)
        page.goto(f"{self.server.base}/app/login")
        page.fill("#username", role)
        page.fill("#password", self.server.passwords[role])
        page.click("#signin")
        page.wait_for_url(f"{self.server.base}/app/")
        ready(page)
        return page

    def close(self) -> None:
        for c in self.contexts:
            c.close()


def follow(page: Any, selector: str) -> None:
    """Click something that loads another page, and wait until that page is drawn."""
    with page.expect_navigation():
        page.click(selector)
    ready(page)


def ready(page: Any) -> None:
    """Wait until the page's module has drawn it (`boot` marks the body when done)."""
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    page.wait_for_load_state("networkidle")


@pytest.fixture
def web(browser: Any, server: Server) -> Iterator[Browser]:
    b = Browser(browser, server)
    yield b
    b.close()
    assert not b.problems.items, "\n".join(b.problems.items)
