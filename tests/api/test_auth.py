"""Tokens, roles and the rule that nothing is reachable without an explicit grant."""

from __future__ import annotations

import base64

import jwt
import pytest

from sitthi.api.permissions import GRANTS, PUBLIC, Permission, declared
from sitthi.operations.roles import Role
from tests.api.conftest import Api

ROLES = ["admin", "analyst", "caseworker", "agency", "auditor"]


def test_client_credentials_give_a_short_lived_token_verified_by_the_jwks(api: Api) -> None:
    cid, secret = api.credentials["caseworker"]
    basic = base64.b64encode(f"{cid}:{secret}".encode()).decode()
    got = api.client.post(
        "/oauth2/client/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 15 * 60
    jwks = api.client.get("/.well-known/jwks.json").json()
    key = jwt.PyJWK(jwks["keys"][0])
    claims = jwt.decode(body["access_token"], key, algorithms=["EdDSA"], audience="sitthi-api")
    assert claims["sub"] == cid
    assert claims["role"] == "caseworker"
    assert claims["exp"] - claims["iat"] == 15 * 60


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"}, 401),
        ({"grant_type": "password", "client_id": "x", "client_secret": "y"}, 400),
        ({"grant_type": "client_credentials"}, 401),
    ],
)
def test_bad_client_credentials_are_refused(api: Api, data: dict[str, str], status: int) -> None:
    got = api.client.post("/oauth2/client/token", data=data)
    assert got.status_code == status
    assert got.headers["content-type"] == "application/problem+json"
    assert got.json()["title_th"]


def test_a_wrong_secret_is_refused(api: Api) -> None:
    cid, _ = api.credentials["analyst"]
    got = api.client.post(
        "/oauth2/client/token",
        data={"grant_type": "client_credentials", "client_id": cid, "client_secret": "wrong"},
    )
    assert got.status_code == 401


def test_users_sign_in_with_their_password(api: Api) -> None:
    got = api.client.post(
        "/oauth2/user/token",
        data={"grant_type": "password", "username": "somsri", "password": api.passwords["somsri"]},
    )
    assert got.status_code == 200, got.text
    bad = api.client.post(
        "/oauth2/user/token",
        data={"grant_type": "password", "username": "somsri", "password": "nope"},
    )
    assert bad.status_code == 401


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        # signed by another key
        jwt.encode({"sub": "x", "role": "admin"}, "k" * 32, algorithm="HS256"),
    ],
)
def test_a_bad_token_is_refused(api: Api, token: str) -> None:
    got = api.client.get("/api/v1/programmes", headers={"Authorization": f"Bearer {token}"})
    assert got.status_code == 401
    assert got.headers["www-authenticate"].startswith("Bearer")


def test_an_expired_token_is_refused(make_api: object) -> None:
    api = make_api()  # type: ignore[operator]
    keys = api.client.app.state.sitthi.keys
    token, _ = keys.sign({"sub": "x", "role": "admin", "kind": "client"}, minutes=1)
    import datetime as dt

    expired = jwt.encode(
        {
            **jwt.decode(token, options={"verify_signature": False}),
            "exp": dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5),
        },
        keys.current.private,
        algorithm="EdDSA",
        headers={"kid": keys.current.kid},
    )
    got = api.client.get("/api/v1/programmes", headers={"Authorization": f"Bearer {expired}"})
    assert got.status_code == 401


def _call(api: Api, method: str, path: str, headers: dict[str, str]) -> int:
    url = path.replace("{person_id}", api.people[0].person_id).replace("{number}", "1")
    body = {"national_id": api.people[0].national_id, "purpose": "ทดสอบสิทธิ์ตามบทบาท"}
    if path.endswith("/reveal"):
        body = {"fields": ["health"], "purpose": "ทดสอบสิทธิ์ตามบทบาท"}
    params = {"purpose": "ทดสอบสิทธิ์ตามบทบาท"} if method == "GET" else None
    got = api.client.request(
        method, url, headers=headers, json=body if method == "POST" else None, params=params
    )
    return got.status_code


def test_every_route_declares_a_permission_and_every_role_gets_only_its_grants(
    api: Api,
) -> None:
    operations = declared(api.client.app.openapi())
    assert operations, "the OpenAPI document lists the routes"
    headers = {role: api.headers(role) for role in ROLES}
    for (method, path), permission in sorted(operations.items()):
        if path in PUBLIC:
            assert permission is None
            continue
        assert permission, f"{method} {path} declares no permission"
        assert _call(api, method, path, {}) == 401, f"{method} {path} without a token"
        for role in ROLES:
            allowed = Permission(permission) in GRANTS[Role(role)]
            status = _call(api, method, path, headers[role])
            if allowed:
                assert status != 403 or path.startswith("/api/v1/persons"), (
                    f"{role} refused {method} {path}"
                )
            else:
                assert status == 403, f"{role} reached {method} {path} ({status})"


def test_an_app_with_an_undeclared_route_does_not_start(api: Api) -> None:
    from sitthi.api.permissions import check_routes

    document = api.client.app.openapi()
    document["paths"]["/api/v1/secret"] = {"get": {"summary": "forgot its permission"}}
    with pytest.raises(RuntimeError, match="GET /api/v1/secret"):
        check_routes(document)


def test_a_caller_over_its_rate_is_told_to_wait(make_api: object) -> None:
    api = make_api(rate_limit_per_minute=12)  # type: ignore[operator]
    headers = api.headers("analyst")
    codes = [api.client.get("/api/v1/programmes", headers=headers).status_code for _ in range(12)]
    assert codes[:10] == [200] * 10  # the burst
    assert 429 in codes[10:]
    got = api.client.get("/api/v1/programmes", headers=headers)
    assert got.status_code == 429
    assert got.headers["content-type"] == "application/problem+json"
    assert int(got.headers["retry-after"]) >= 1
    # another caller is not held up by this one
    assert api.client.get("/api/v1/programmes", headers=api.headers("admin")).status_code == 200


def test_metrics_count_requests_by_route_template_never_by_value(api: Api) -> None:
    person = api.people[0]
    headers = api.headers("caseworker")
    api.client.get(
        f"/api/v1/persons/{person.person_id}",
        params={"purpose": "ทดสอบการนับคำขอ"},
        headers=headers,
    )
    got = api.client.get("/metrics", headers=api.headers("admin"))
    assert got.status_code == 200
    text = got.text
    assert 'route="/api/v1/persons/{person_id}"' in text
    assert person.person_id not in text
    assert "sitthi_request_seconds_bucket" in text
    assert api.client.get("/metrics", headers=headers).status_code == 403
    assert api.client.get("/metrics").status_code == 401
