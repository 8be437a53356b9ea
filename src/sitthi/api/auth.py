"""Who is calling: OAuth 2 client credentials and user passwords give short-lived JWTs; a
route's permission is checked against the caller's role, and a refusal is audited too."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

import jwt
from fastapi import Depends, Form, Request

from sitthi.api.permissions import EXTRA, Permission, granted
from sitthi.api.problems import Problem, documented
from sitthi.operations.roles import Role

if TYPE_CHECKING:
    from sitthi.api.state import ApiState


@dataclass(frozen=True)
class Principal:
    """The caller, as its token says."""

    subject: str  # a user's name or a client's id
    kind: str  # "user" or "client"
    role: Role
    areas: tuple[str, ...] = ()
    dsa_id: str | None = None
    claims: dict[str, Any] = field(default_factory=dict, compare=False)


def state(request: Request) -> ApiState:
    from sitthi.api.state import ApiState

    found = request.app.state.sitthi
    assert isinstance(found, ApiState)
    return found


def _unauthenticated(en: str, th: str) -> Problem:
    return Problem(
        401, "unauthenticated", th, en, headers={"WWW-Authenticate": 'Bearer realm="sitthi"'}
    )


def limit_address(request: Request) -> None:
    """Rate-limit by the caller's address: before a token tells who is calling."""
    host = request.client.host if request.client else "unknown"
    state(request).limiter.check(f"address:{host}")


def principal(request: Request) -> Principal:
    """The caller of a bearer token; 401 without a valid one."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        limit_address(request)
        raise _unauthenticated("a bearer token is required", "ต้องแนบโทเค็น (Bearer token)")
    try:
        claims = state(request).keys.verify(token.strip())
        role = Role(claims["role"])
    except (jwt.InvalidTokenError, KeyError, ValueError):
        raise _unauthenticated(
            "the token is not valid or has expired", "โทเค็นไม่ถูกต้องหรือหมดอายุ"
        ) from None
    state(request).limiter.check(f"{claims.get('kind', 'client')}:{claims['sub']}")
    return Principal(
        subject=str(claims["sub"]),
        kind=str(claims.get("kind", "client")),
        role=role,
        areas=tuple(claims.get("areas") or ()),
        dsa_id=claims.get("dsa"),
        claims=claims,
    )


@cache
def require(permission: Permission) -> Any:
    """A dependency giving the caller, or 403 (audited) when the role lacks ``permission``.

    Cached per permission, so a route that both declares and uses it runs it once.
    """

    def check(request: Request, caller: Annotated[Principal, Depends(principal)]) -> Principal:
        if not granted(caller.role, permission):
            state(request).audit_refusal(caller, request, 403, f"role lacks {permission}")
            raise Problem(
                403,
                "forbidden",
                f"บทบาท {caller.role.value} ไม่มีสิทธิ์ {permission.value}",
                f"the role {caller.role.value} may not {permission.value}",
            )
        return caller

    return check


#: The security scheme of the OpenAPI document: a bearer JWT from the token endpoints.
BEARER = "bearer"
BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": "An EdDSA-signed JWT from POST /oauth2/client/token or /oauth2/user/token.",
}


def authorize(request: Request) -> None:
    """The route's own token and permission check, run where FastAPI answers before its
    dependencies do (a body it cannot parse): a caller without a token learns 401 and
    one without the permission 403, never what was wrong with the body."""
    route = request.scope.get("route")
    extra = getattr(route, "openapi_extra", None) or {}
    if EXTRA in extra:
        require(Permission(extra[EXTRA]))(request, principal(request))


def guarded(
    permission: Permission, responses: dict[int | str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Route keyword arguments declaring ``permission`` (checked, and shown in OpenAPI)."""
    return {
        "dependencies": [Depends(require(permission))],
        "openapi_extra": {EXTRA: permission.value, "security": [{BEARER: []}]},
        "responses": documented(400, 401, 403, 404, 413, 422, 429, 503) | (responses or {}),
    }


def token_response(token: str, seconds: int) -> dict[str, Any]:
    return {"access_token": token, "token_type": "Bearer", "expires_in": seconds}


def client_credentials(
    request: Request,
    grant_type: Annotated[str, Form()],
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
) -> tuple[str, str]:
    """The client's id and secret from HTTP Basic or from the form (RFC 6749 §2.3.1)."""
    if grant_type != "client_credentials":
        raise Problem(
            400,
            "unsupported-grant-type",
            "รองรับเฉพาะ grant_type=client_credentials",
            "only grant_type=client_credentials is supported",
            parameter="grant_type",
        )
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() == "basic" and encoded:
        try:
            cid, _, secret = base64.b64decode(encoded).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            cid = secret = ""
        client_id, client_secret = cid, secret
    if not client_id or not client_secret:
        raise _unauthenticated(
            "client_id and client_secret are required", "ต้องระบุ client_id และ client_secret"
        )
    return client_id, client_secret
