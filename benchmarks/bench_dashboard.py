"""How fast the One Map dashboard's pages are drawn, measured in a real browser.

    .venv/bin/python benchmarks/bench_dashboard.py            # the 10M release of bench_api
    .venv/bin/python benchmarks/bench_dashboard.py --releases DIR --store STORE

Starts `sitthi serve` (one worker) over a published release with a fresh SQLite
operational store and an analyst, signs in through the login page in headless Debian
Chromium (Playwright), then opens each page several times: the national overview, the
province map, a province's districts and a district's subdistricts (the map's drill-down
is a page of its own, with its filters in the URL). A page counts as interactive when its
module has drawn it: `boot` marks ``sitthi:ready`` (a `performance.mark`, in
milliseconds from the navigation's start), after every API call it waits for. The first
opening of each page is reported apart (a cold browser cache: ECharts and the map
geometry are fetched); the figure is the median and p95 of the others. JSON lines out.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
VENV_BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CACHE = Path(os.environ.get("SITTHI_BENCH_CACHE", "/work/bench-cache/api"))
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 300) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"sitthi serve stopped with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/api/v1/ready", timeout=5) as r:
                if r.status == 200:
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.2)
    raise SystemExit("sitthi serve was not ready in time")


def _pages(province: str, district: str) -> dict[str, str]:
    gap = "gap%3Aold_age_allowance%3Aeligible_not_receiving"
    return {
        "overview": "/app/",
        "map: provinces": "/app/map?indicator=population&level=province",
        "map: districts of a province": (
            f"/app/map?indicator=population&level=district&within={province}"
        ),
        "map: subdistricts of a district": (
            f"/app/map?indicator=population&level=subdistrict&within={district}"
        ),
        "map: a gap per 1,000, districts": (
            f"/app/map?indicator={gap}&measure=per1000&level=district&within={province}"
        ),
        "programme": "/app/programme?id=old_age_allowance",
    }


def _open(page: Any, url: str) -> float:
    page.goto(url)
    page.wait_for_function("() => document.body.dataset.ready === '1'", timeout=60_000)
    mark = page.evaluate("performance.getEntriesByName('sitthi:ready')[0].startTime")
    errors = page.evaluate("document.querySelectorAll('.notice.error').length")
    if errors:
        raise SystemExit(f"{url}: the page shows an error")
    return float(mark)


def emit(row: dict[str, Any]) -> None:
    print(json.dumps(row, ensure_ascii=False), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--store", type=Path, default=CACHE / "base-100000-42-x100" / "store.duckdb"
    )
    parser.add_argument("--releases", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    releases = args.releases or args.store.parent / "releases"
    from playwright.sync_api import sync_playwright

    from _measure import machine
    from sitthi.config import Settings
    from sitthi.context import Context
    from sitthi.operations.accounts import add_user

    work = Path(tempfile.mkdtemp(prefix="sitthi-bench-dashboard-"))
    ops = f"sqlite:///{work / 'operations.sqlite'}"
    ctx = Context(settings=Settings(operations_url=ops, releases_dir=releases), db=args.store)
    _, password = add_user(ctx.operations, "bench-analyst", "analyst", [])
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITTHI_")}
    env.update(SITTHI_DB=str(args.store), SITTHI_RELEASES_DIR=str(releases),
               SITTHI_OPERATIONS_URL=ops, SITTHI_SIGNING_KEYS_DIR=str(work / "keys"))  # fmt: skip
    proc = subprocess.Popen(
        [str(VENV_BIN / "sitthi"), "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        start = _ready(base, proc)
        newest = json.load(urllib.request.urlopen(f"{base}/api/v1/ready"))
        emit({"step": "machine", "machine": machine(), "server_ready_s": round(start, 1),
              "ready": newest})  # fmt: skip
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="th-TH")
            page = context.new_page()
            page.goto(f"{base}/app/login")
            page.fill("#username", "bench-analyst")
            page.fill("#password", password)
            page.click("#signin")
            page.wait_for_url(f"{base}/app/")
            province, district = "30", "3001"  # Nakhon Ratchasima: the most districts
            for name, path in _pages(province, district).items():
                cold = _open(page, base + path)
                warm = sorted(_open(page, base + path) for _ in range(args.repeats))
                p95 = warm[min(len(warm) - 1, round(0.95 * (len(warm) - 1)))]
                emit({"step": "page", "page": name, "path": path, "first_ms": round(cold),
                      "median_ms": round(statistics.median(warm)), "p95_ms": round(p95),
                      "max_ms": round(warm[-1]), "repeats": len(warm)})  # fmt: skip
            browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()


if __name__ == "__main__":
    main()
