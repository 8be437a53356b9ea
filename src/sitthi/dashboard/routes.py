"""The dashboard's pages at ``/app/``: static HTML and ES modules that read the API.

A page holds no data: each is one HTML shell naming its module, and the module fetches
everything from the API with the signed-in user's token, so the API alone decides what a
role sees. The pages are public like any static file; ``/app/static/`` holds the modules,
the styles, the translations and the pinned third-party files (``vendor/``, copied from
``node_modules`` by ``make assets``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles

STATIC = Path(str(files("sitthi.dashboard") / "static"))

#: Path under /app/ → the page's module (static/pages/NAME.js).
PAGES = {
    "": "overview",
    "login": "login",
    "map": "map",
    "programme": "programme",
    "lists": "lists",
    "person": "person",
    "household": "household",
    "review": "review",
    "quality": "quality",
}
#: Pages that draw charts load ECharts (and the map its provinces) as classic scripts.
CHARTS = {"map", "programme"}
_ECHARTS = '<script src="/app/static/vendor/echarts.min.js"></script>'
_MAP = '<script src="/app/static/vendor/thailand.js"></script>'

#: Only this origin's files and API: no CDN, no inline script, no framing.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@cache
def _shell() -> str:
    return (STATIC / "shell.html").read_text(encoding="utf-8")


def page_html(module: str) -> str:
    """The HTML shell of one page: its module, and ECharts where it draws charts."""
    scripts = ""
    if module in CHARTS:
        scripts = _ECHARTS + (_MAP if module == "map" else "")
    return _shell().replace("{page}", module).replace("{scripts}", scripts)


def _serve(module: str) -> Callable[[Request], Response]:
    def page(request: Request) -> Response:
        return HTMLResponse(page_html(module), headers=SECURITY_HEADERS)

    page.__name__ = f"dashboard_{module}"
    return page


def mount_dashboard(app: FastAPI) -> None:
    """Serve the dashboard under ``/app/`` beside the API (one process, one port).

    The page routes stay out of the OpenAPI document: they are files, not API.
    """
    app.mount("/app/static", StaticFiles(directory=STATIC), name="dashboard-static")

    def to_app(request: Request) -> Response:
        return RedirectResponse("/app/", status_code=307)

    app.add_api_route("/app", to_app, methods=["GET"], include_in_schema=False)
    for path, module in PAGES.items():
        app.add_api_route(
            f"/app/{path}",
            _serve(module),
            methods=["GET"],
            include_in_schema=False,
            response_class=HTMLResponse,
        )
