"""The FastAPI application: `create_app(ctx)` is what ``sitthi serve`` runs.

Routes parse, call a service, format; every one declares its permission (`permissions`),
every error is problem+json in Thai and English (`problems`), and every person-level
answer is audited before it leaves (`state.ApiState.record`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sitthi import __version__
from sitthi.api import problems
from sitthi.api.auth import BEARER, BEARER_SCHEME, authorize
from sitthi.api.dci import routes as dci_routes
from sitthi.api.limits import RateLimiter
from sitthi.api.metrics import Metrics, MetricsMiddleware
from sitthi.api.permissions import check_routes
from sitthi.api.problems import Problem
from sitthi.api.routes import (
    areas,
    audit,
    cases,
    exports,
    households,
    lists,
    meta,
    persons,
    registry,
    review,
    statistics,
)
from sitthi.api.signing import KeySet
from sitthi.api.state import ApiState
from sitthi.context import Context
from sitthi.dashboard.routes import mount_dashboard
from sitthi.operations.audit import anchor_key_from
from sitthi.releases.catalog import ReleaseCatalog

#: No request needs more: a lookup is a few hundred bytes, a DCI search a few kilobytes.
MAX_BODY_BYTES = 64 * 1024


def app_from_settings() -> FastAPI:
    """The API over the settings of the environment (``SITTHI_…``): the factory each
    worker process of ``sitthi serve --workers N`` builds its app with."""
    return create_app(Context())


def create_app(ctx: Context) -> FastAPI:
    """The API over ``ctx``'s releases and operational store; refuses unsafe settings."""
    secret = ctx.settings.pseudonym_secret()  # refuses the development key in production
    app = FastAPI(
        title="Sitthi API",
        version=__version__,
        summary="ทะเบียนกลางเพื่อสิทธิสวัสดิการ: the registry of rights, under roles, DSAs and audit",
        openapi_url="/openapi.json",
    )
    app.state.sitthi = ApiState(
        ctx=ctx,
        catalog=ReleaseCatalog(ctx.releases_dir),
        keys=KeySet.load(ctx.signing_keys_dir, production=ctx.production),
        anchor_key=anchor_key_from(secret),
        metrics=Metrics(),
        limiter=RateLimiter(
            per_minute=ctx.settings.rate_limit_per_minute,
            burst=max(10, ctx.settings.rate_limit_per_minute // 10),
        ),
    )
    routers = (
        meta.router,
        registry.router,
        statistics.router,
        areas.router,
        persons.router,
        households.router,
        exports.router,
        lists.router,
        review.router,
        cases.router,
        audit.router,
    )
    for router in routers:
        app.include_router(router)
    app.include_router(dci_routes.router)
    mount_dashboard(app)
    app.add_exception_handler(Problem, problems.on_problem)
    app.add_exception_handler(RequestValidationError, _after_authorizing(problems.on_invalid))
    app.add_exception_handler(StarletteHTTPException, _after_authorizing(problems.on_http))
    app.add_exception_handler(Exception, problems.on_unexpected)
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.add_middleware(MetricsMiddleware, metrics=app.state.sitthi.metrics)
    _describe_security(app)
    check_routes(app.openapi())
    return app


def _describe_security(app: FastAPI) -> None:
    """Name the bearer scheme the guarded operations refer to (``security: [bearer]``)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes[BEARER] = BEARER_SCHEME
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


Handler = Callable[[Request, Exception], Awaitable[Response]]


def _after_authorizing(handler: Handler) -> Handler:
    """FastAPI reads a request's body before any dependency runs, so a body it cannot
    parse would be answered before the token is looked at: check the token and the
    permission first, so that an unauthorised caller learns only that."""

    async def answer(request: Request, exc: Exception) -> Response:
        try:
            await run_in_threadpool(authorize, request)  # may write an audit record
        except Problem as refused:
            return problems.response(refused, request)
        return await handler(request, exc)

    return answer


class BodyLimit:
    """413 for a body over ``limit`` bytes, counted as it arrives (a false Content-Length
    or a chunked body cannot get past it)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await _too_large(scope, receive, send)


class _TooLarge(Exception):
    pass


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    problem = Problem(
        413,
        "too-large",
        f"คำขอใหญ่เกิน {MAX_BODY_BYTES // 1024} KiB",
        f"the body is over {MAX_BODY_BYTES // 1024} KiB",
    )
    request = Request(scope, receive)
    response: Response = problems.response(problem, request)
    await response(scope, receive, send)
