"""The quality report as a reader sees it: rendered by headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sitthi.quality.report import build_quality_report, write_html

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Chromium on a closed network: no background calls, a fresh profile, no sandbox as root.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed: run `make test-browser`, which installs it")
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_report_renders_with_thai_text_and_charts(rights_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    con, _ = rights_store
    page = tmp_path / "quality.html"
    write_html(build_quality_report(con), page)
    dom = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr
    assert "รายงานคุณภาพข้อมูล" in dom.stdout
    assert dom.stdout.count("<svg") >= 2
    assert "ทะเบียนราษฎร (dopa)" in dom.stdout  # agencies by their Thai names
    shot = tmp_path / "quality.png"
    done = _chromium(tmp_path, "--window-size=1200,2400", f"--screenshot={shot}", page.as_uri())
    assert done.returncode == 0, done.stderr
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 2400)
    colours = image.getcolors(maxcolors=1 << 20) or []
    # The bar charts are drawn: many pixels of the bars' blue (#2b6cb0).
    blue = sum(n for n, (r, g, b) in colours if (r, g, b) == (0x2B, 0x6C, 0xB0))
    assert blue > 5_000
    # The completeness table is shaded from red to green.
    greens = sum(n for n, (r, g, b) in colours if g > r + 40 and g > b + 40)
    assert greens > 5_000
