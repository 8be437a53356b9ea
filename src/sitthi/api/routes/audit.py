"""The audit log, for the auditor: its newest records, whether the chain is intact, and
a person's own "who looked at my record" (a PDPA s.30 access request), the ID in the body.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from sitthi.api.auth import Principal, guarded, require, state
from sitthi.api.permissions import Permission
from sitthi.api.problems import Problem
from sitthi.ingest.pseudonym import pseudonym
from sitthi.operations import audit
from sitthi.operations.audit import AuditUnavailable, LoggedEntry
from sitthi.thai.national_id import normalize_national_id, parse_national_id

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])

#: Recorded as the purpose of a subject-access lookup (it reads who saw a person).
ACCESS_REQUEST = "คำขอเข้าถึงข้อมูลส่วนบุคคลของเจ้าของข้อมูล (PDPA s.30)"


class SubjectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    national_id: str = Field(min_length=13, max_length=20, description="13 digits (dashes ok).")

    @field_validator("national_id")
    @classmethod
    def _checksum(cls, value: str) -> str:
        if not parse_national_id(value).valid:
            raise ValueError("not a valid national ID (13 digits with a correct check digit)")
        return value


def _unavailable(exc: AuditUnavailable) -> Problem:
    return Problem(
        503,
        "audit-unavailable",
        "อ่านบันทึกการเข้าถึงไม่ได้ในขณะนี้",
        str(exc),
        headers={"Retry-After": "30"},
    )


def _entry(e: LoggedEntry) -> dict[str, Any]:
    return {**e.entry.document(e.seq), "hash": e.hash}


@router.get("", **guarded(Permission.READ_AUDIT))
def records(
    request: Request,
    caller: Annotated[Principal, Depends(require(Permission.READ_AUDIT))],
    limit: Annotated[int, Query(ge=1, le=500, description="How many, newest first.")] = 50,
) -> dict[str, Any]:
    """The newest records of the audit log, newest first."""
    try:
        found = audit.show(state(request).ctx.operations, limit=limit)
    except AuditUnavailable as exc:
        raise _unavailable(exc) from None
    return {"records": [_entry(e) for e in found]}


@router.get("/verify", **guarded(Permission.READ_AUDIT))
def verify(
    request: Request,
    caller: Annotated[Principal, Depends(require(Permission.READ_AUDIT))],
) -> dict[str, Any]:
    """Walk the whole chain: intact, or the first bad record and what is wrong with it
    (edited, deleted, inserted, reordered, rewritten or cut short)."""
    s = state(request)
    try:
        result = audit.verify(s.ctx.operations, [s.anchor_key])
    except AuditUnavailable as exc:
        raise _unavailable(exc) from None
    out = asdict(result)
    out["problem"] = str(result.problem) if result.problem else None
    return {**out, "summary": result.summary()}


@router.post("/person", **guarded(Permission.READ_AUDIT))
def person(
    request: Request,
    body: SubjectRequest,
    caller: Annotated[Principal, Depends(require(Permission.READ_AUDIT))],
) -> dict[str, Any]:
    """Who read one person's record, when, for what and under which agreement, oldest
    first: the answer to the person's own access request. The lookup is audited first."""
    s = state(request)
    canonical = normalize_national_id(body.national_id)
    assert canonical is not None  # the model checked it
    pid_hash = pseudonym(s.ctx.settings.pseudonym_secret(), canonical)
    s.record(caller, request, action="read", persons=[pid_hash], purpose=ACCESS_REQUEST)
    try:
        found = audit.subject_accesses(s.ctx.operations, pid_hash)
    except AuditUnavailable as exc:
        raise _unavailable(exc) from None
    return {"accesses": [_access(e) for e in found]}


def _access(e: LoggedEntry) -> dict[str, Any]:
    """An access as the person is told of it: not whom else it named (an export lists
    thousands), only how many."""
    doc = e.entry.document(e.seq)
    doc["others_named"] = len(doc.pop("persons")) - 1
    doc.pop("query")
    return doc
