"""Who may call what: every route declares one permission, and roles grant permissions.

Deny by default: a role has only the permissions listed here, and `check_routes` refuses
to start an app with a route that declares none (public routes are named in `PUBLIC`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sitthi.operations.roles import Role


class Permission(StrEnum):
    READ_PROGRAMMES = "read:programmes"
    READ_RELEASES = "read:releases"
    READ_AGGREGATES = "read:aggregates"  # suppressed area statistics
    READ_QUALITY = "read:quality"
    READ_PERSON = "read:person"  # one named person (caseworker: own areas; agency: its DSA)
    SEARCH_PERSONS = "search:persons"  # by name and birth date
    REVEAL = "reveal:sensitive"  # unmask a person's sensitive fields, for a stated purpose
    EXPORT_LISTS = "export:lists"  # gap and outreach lists of an area
    REVIEW_LINKS = "review:links"  # the review queue's pairs of one's areas, and decisions
    READ_AUDIT = "read:audit"
    RECEIVE_CASES = "write:cases"  # send a help request (case workers, the 1300 desk, partners)
    READ_CASES = "read:cases"  # the cases of one's areas, with their person and history
    DECIDE_CASES = "decide:cases"  # propose and confirm decisions on cases of one's areas
    DCI_SEARCH = "dci:search"
    METRICS = "read:metrics"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(
        {
            Permission.READ_PROGRAMMES,
            Permission.READ_RELEASES,
            Permission.READ_AGGREGATES,
            Permission.READ_QUALITY,
            Permission.METRICS,
        }
    ),
    Role.ANALYST: frozenset(
        {
            Permission.READ_PROGRAMMES,
            Permission.READ_RELEASES,
            Permission.READ_AGGREGATES,
            Permission.READ_QUALITY,
        }
    ),
    Role.CASEWORKER: frozenset(
        {
            Permission.READ_PROGRAMMES,
            Permission.READ_RELEASES,
            Permission.READ_AGGREGATES,
            Permission.READ_PERSON,
            Permission.SEARCH_PERSONS,
            Permission.REVEAL,
            Permission.EXPORT_LISTS,
            Permission.REVIEW_LINKS,
            Permission.RECEIVE_CASES,
            Permission.READ_CASES,
            Permission.DECIDE_CASES,
        }
    ),
    Role.AGENCY: frozenset(
        {
            Permission.READ_PROGRAMMES,
            Permission.READ_RELEASES,
            Permission.READ_PERSON,
            Permission.EXPORT_LISTS,
            Permission.DCI_SEARCH,
            Permission.RECEIVE_CASES,
        }
    ),
    Role.AUDITOR: frozenset({Permission.READ_AUDIT}),
}

#: Routes anyone may call: liveness, the API's description, the keys that verify tokens,
#: and the token endpoints themselves.
PUBLIC = frozenset(
    {
        "/api/v1/health",
        "/api/v1/ready",
        "/openapi.json",
        "/docs",
        "/docs/oauth2-redirect",
        "/redoc",
        "/.well-known/jwks.json",
        "/oauth2/client/token",
        "/oauth2/user/token",
    }
)
EXTRA = "x-sitthi-permission"


def granted(role: Role, permission: Permission) -> bool:
    return permission in GRANTS.get(role, frozenset())


def declared(openapi: dict[str, Any]) -> dict[tuple[str, str], str | None]:
    """Every operation of the app's OpenAPI document: (method, path) → its permission."""
    out: dict[tuple[str, str], str | None] = {}
    for path, operations in openapi.get("paths", {}).items():
        for method, operation in operations.items():
            out[(method.upper(), path)] = operation.get(EXTRA)
    return out


def check_routes(openapi: dict[str, Any]) -> None:
    """Refuse an app in which some route declares no permission and is not public.

    Read from the OpenAPI document, which lists every route however routers are nested.
    """
    bare = [
        f"{method} {path}"
        for (method, path), permission in declared(openapi).items()
        if path not in PUBLIC and not permission
    ]
    if bare:
        raise RuntimeError(f"routes without a declared permission: {', '.join(sorted(bare))}")
