"""Errors as ``application/problem+json`` (RFC 9457), in Thai and in English.

Every error names the route and, where one is at fault, the parameter; none repeats a
submitted value (it could be a national ID) and none carries a traceback.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"

#: The body of every error, as the OpenAPI document describes it.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "title_th", "status", "instance"],
    "properties": {
        "type": {"type": "string", "description": "urn:sitthi:problem:<code>"},
        "title": {"type": "string", "description": "What went wrong, in English."},
        "title_th": {"type": "string", "description": "What went wrong, in Thai."},
        "status": {"type": "integer"},
        "instance": {"type": "string", "description": "The route's path."},
        "parameter": {"type": "string", "description": "The parameter at fault, if one is."},
    },
}
_WHY = {
    400: "A request that cannot be read (a form or body that does not parse).",
    401: "No token, or a token that is not valid or has expired.",
    403: "The role, the areas or the agreement do not reach this (refusals are audited).",
    404: "No such person, release or route.",
    409: "The change conflicts with where the record stands (a case's workflow, caps, "
    "maker–checker); nothing was changed.",
    413: "A body over 64 KiB.",
    422: "A parameter that does not parse; the problem names it.",
    429: "Too many requests: wait for Retry-After seconds.",
    503: "The audit log cannot be written (no audit, no answer), or nothing is published.",
}


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses, each a problem+json."""
    return {
        code: {"description": _WHY[code], "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}}
        for code in statuses
    }


_log = logging.getLogger("sitthi.api")
# Thirteen digits, however grouped: any national ID an exception's text carries.
_DIGITS = re.compile(r"\d(?:[ \-.]?\d){12}")


class Problem(Exception):
    """An error the API answers with: a status, a code and the message in both languages."""

    def __init__(
        self,
        status: int,
        code: str,
        th: str,
        en: str,
        *,
        parameter: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(en)
        self.status, self.code, self.th, self.en = status, code, th, en
        self.parameter = parameter
        self.headers = headers

    def body(self, instance: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"urn:sitthi:problem:{self.code}",
            "title": self.en,
            "title_th": self.th,
            "status": self.status,
            "instance": instance,
        }
        if self.parameter:
            body["parameter"] = self.parameter
        return body


def response(problem: Problem, request: Request) -> JSONResponse:
    return JSONResponse(
        problem.body(request.url.path),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=problem.headers,
    )


async def on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return response(exc, request)


async def on_invalid(request: Request, exc: Exception) -> JSONResponse:
    """A request FastAPI could not parse: name the first bad parameter, never its value."""
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    # ("body", 0) is a character position in a body that is not JSON: no parameter
    where = [
        str(p)
        for p in first.get("loc", ())
        if isinstance(p, str) and p not in ("body", "query", "path")
    ]
    parameter = ".".join(where) or None
    what = first.get("type", "invalid")
    problem = Problem(
        422,
        "invalid-request",
        f"คำขอไม่ถูกต้อง: {parameter or 'เนื้อหาคำขอ'} ({what})",
        f"invalid request: {parameter or 'the body'} ({what}: {first.get('msg', '')})",
        parameter=parameter,
    )
    return response(problem, request)


_STATUS = {
    400: ("bad-request", "คำขอไม่ถูกต้อง", "bad request"),
    401: ("unauthenticated", "ต้องยืนยันตัวตนก่อน", "authentication required"),
    403: ("forbidden", "ไม่มีสิทธิ์เข้าถึง", "not permitted"),
    404: ("not-found", "ไม่พบสิ่งที่ขอ", "not found"),
    405: ("method-not-allowed", "ไม่รองรับวิธีเรียกนี้", "method not allowed"),
    406: ("not-acceptable", "ไม่มีรูปแบบที่ขอ", "not acceptable"),
    413: ("too-large", "คำขอมีขนาดใหญ่เกินไป", "request too large"),
    415: ("unsupported-media-type", "ไม่รองรับชนิดเนื้อหานี้", "unsupported media type"),
    429: ("too-many-requests", "เรียกบ่อยเกินไป โปรดรอสักครู่", "too many requests"),
}


async def on_http(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own errors (an unknown route, a wrong method) as problems too."""
    assert isinstance(exc, StarletteHTTPException)
    code, th, en = _STATUS.get(exc.status_code, ("error", "เกิดข้อผิดพลาด", "error"))
    headers = dict(exc.headers) if exc.headers else None
    return response(Problem(exc.status_code, code, th, en, headers=headers), request)


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    """A bug: a 500 that says so, without the exception's text (it may hold data)."""
    problem = Problem(500, "internal-error", "ระบบขัดข้อง", "internal error")
    # The operator needs the traceback; a national ID in it is blanked first.
    text = "".join(traceback.format_exception(exc))
    _log.error(
        "internal error on %s %s\n%s", request.method, _route(request), _DIGITS.sub("[ID]", text)
    )
    return response(problem, request)


def _route(request: Request) -> str:
    route = request.scope.get("route")
    return str(getattr(route, "path", None) or "(unknown route)")
