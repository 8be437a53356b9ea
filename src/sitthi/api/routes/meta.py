"""Liveness, readiness, the token endpoints and the keys that verify tokens."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from sitthi.api.auth import client_credentials, guarded, limit_address, state, token_response
from sitthi.api.permissions import Permission
from sitthi.api.problems import Problem, documented
from sitthi.errors import ValidationError
from sitthi.operations.accounts import verify_client, verify_user

router = APIRouter()


@router.get("/api/v1/health", tags=["meta"])
def health() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/api/v1/ready", tags=["meta"], responses=documented(503))
def ready(request: Request) -> dict[str, Any]:
    """A release can be served and the operational store (the audit log) answers."""
    s = state(request)
    try:
        release = s.catalog.release()
    except ValidationError:
        raise Problem(503, "no-release", "ยังไม่มีชุดข้อมูลเผยแพร่", "no release published yet") from None
    try:
        with s.ctx.operations.session() as session:
            session.execute(text("select 1"))
    except Exception:
        raise Problem(
            503, "operations-unavailable", "ฐานข้อมูลปฏิบัติการไม่พร้อม", "operational store down"
        ) from None
    return {"status": "ready", "release": release.number, "as_of": release.as_of}


@router.get("/.well-known/jwks.json", tags=["auth"])
def jwks(request: Request) -> dict[str, Any]:
    """The public keys that verify Sitthi's access tokens (current and still-valid ones)."""
    return state(request).keys.jwks()


@router.post("/oauth2/client/token", tags=["auth"], responses=documented(400, 401, 413, 422, 429))
def client_token(
    request: Request, credentials: Annotated[tuple[str, str], Depends(client_credentials)]
) -> dict[str, Any]:
    """OAuth 2 client credentials (RFC 6749 §4.4): a short-lived bearer token."""
    limit_address(request)  # guessing secrets costs time
    s = state(request)
    client = verify_client(s.ctx.operations, *credentials)
    if client is None:
        raise Problem(
            401, "invalid-client", "client_id หรือ client_secret ไม่ถูกต้อง", "invalid client"
        )
    claims = {
        "sub": client.client_id,
        "kind": "client",
        "role": client.role,
        "areas": list(client.areas),
        "dsa": client.dsa_id,
    }
    return token_response(*s.keys.sign(claims, s.ctx.settings.token_minutes))


@router.post("/oauth2/user/token", tags=["auth"], responses=documented(400, 401, 413, 422, 429))
def user_token(
    request: Request,
    grant_type: Annotated[str, Form()],
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> dict[str, Any]:
    """A person signs in with name and password (the dashboard): a short-lived token."""
    if grant_type != "password":
        raise Problem(
            400,
            "unsupported-grant-type",
            "รองรับเฉพาะ grant_type=password",
            "only grant_type=password is supported here",
            parameter="grant_type",
        )
    limit_address(request)
    s = state(request)
    user = verify_user(s.ctx.operations, username, password)
    if user is None:
        raise Problem(401, "invalid-credentials", "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง", "wrong name or password")
    claims = {"sub": user.name, "kind": "user", "role": user.role, "areas": list(user.areas)}
    return token_response(*s.keys.sign(claims, s.ctx.settings.token_minutes))


@router.get(
    "/metrics",
    tags=["meta"],
    response_class=PlainTextResponse,
    **guarded(
        Permission.METRICS,
        responses={
            200: {"description": "Prometheus text format.", "content": {CONTENT_TYPE_LATEST: {}}}
        },
    ),
)
def metrics(request: Request) -> Response:
    """Prometheus metrics: requests and latency by route template and status."""
    return Response(state(request).metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
