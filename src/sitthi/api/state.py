"""What the running API holds: the context, the release catalog, the signing keys, and
the audit writer that every person-level answer waits for (a group commit:
`sitthi.operations.audit_batch`)."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import Request

from sitthi.api.limits import RateLimiter
from sitthi.api.metrics import Metrics
from sitthi.api.problems import Problem
from sitthi.operations import audit
from sitthi.operations.audit import AuditEntry, AuditUnavailable, is_pseudonym
from sitthi.operations.audit_batch import GroupCommit

if TYPE_CHECKING:
    from sitthi.api.auth import Principal
    from sitthi.api.signing import KeySet
    from sitthi.context import Context
    from sitthi.operations.audit import Action
    from sitthi.releases.catalog import ReleaseCatalog


def route_of(request: Request) -> str:
    """``POST /api/v1/persons/lookup``: the route's template, never the values in a URL."""
    route = request.scope.get("route")
    path = getattr(route, "path", None) or "(unknown route)"
    return f"{request.method} {path}"


def audited_persons(keys: Sequence[str]) -> tuple[list[str], list[str]]:
    """Pseudonyms for an audit record's ``persons``, and apart the person IDs of those who
    hold no valid national ID (so no pseudonym), for its query: the log takes only
    pseudonyms as persons, and must still name everyone an answer shows."""
    return [k for k in keys if is_pseudonym(k)], [k for k in keys if not is_pseudonym(k)]


@dataclass
class ApiState:
    ctx: Context
    catalog: ReleaseCatalog
    keys: KeySet
    anchor_key: bytes
    metrics: Metrics
    limiter: RateLimiter
    #: The audit writer every answer waits for (one commit for the records waiting).
    audit_log: GroupCommit = field(init=False)

    def __post_init__(self) -> None:
        self.audit_log = GroupCommit(self.ctx.operations, anchor_key=self.anchor_key)

    def record(
        self,
        caller: Principal,
        request: Request,
        *,
        action: Action,
        persons: Sequence[str] = (),
        fields: Sequence[str] = (),
        release: int | None = None,
        purpose: str | None = None,
        query: dict[str, Any] | None = None,
        status: int = 200,
    ) -> None:
        """Write the audit record of an answer before it leaves; 503 when that fails."""
        entry = self.entry(
            caller,
            request,
            action=action,
            persons=persons,
            fields=fields,
            release=release,
            purpose=purpose,
            query=query,
            status=status,
        )
        try:
            self.audit_log.append(entry)
        except AuditUnavailable:
            raise Problem(
                503,
                "audit-unavailable",
                "บันทึกการเข้าถึงไม่ได้ จึงไม่ตอบข้อมูล โปรดลองใหม่ภายหลัง",
                "the audit log cannot be written, so no data is answered; try again later",
                headers={"Retry-After": "30"},
            ) from None

    @staticmethod
    def entry(
        caller: Principal,
        request: Request,
        *,
        action: Action,
        persons: Sequence[str] = (),
        fields: Sequence[str] = (),
        release: int | None = None,
        purpose: str | None = None,
        query: dict[str, Any] | None = None,
        status: int = 200,
    ) -> AuditEntry:
        """The audit record of ``caller``'s request (`record` writes it; a change writes it
        in its own transaction).

        ``persons`` are pseudonyms; a person who holds no valid national ID has none and is
        named by person ID under ``query.persons_without_id`` instead (the log takes only
        pseudonyms as persons)."""
        without = [p for p in persons if not audit.is_pseudonym(p)]
        if without:
            query = {**(query or {})}
            named = {*(query.get("persons_without_id") or ()), *without}
            query["persons_without_id"] = sorted(named)
            persons = [p for p in persons if audit.is_pseudonym(p)]
        return AuditEntry(
            actor=caller.subject,
            actor_kind="user" if caller.kind == "user" else "client",
            role=caller.role,
            dsa_id=caller.dsa_id,
            purpose=purpose,
            action=action,
            route=route_of(request),
            query=query or {},
            persons=list(persons),
            fields=list(fields),
            release=release,
            status=status,
        )

    def audit_refusal(self, caller: Principal, request: Request, status: int, why: str) -> None:
        """A refused call is audited too; if even that fails the refusal still stands."""
        with contextlib.suppress(Problem):
            self.record(caller, request, action="refused", status=status, query={"reason": why})
