"""Programmes and releases: what the registry judges by, and what it has published
(area statistics: `sitthi.api.routes.statistics`)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from sitthi.api.auth import guarded, state
from sitthi.api.permissions import Permission
from sitthi.api.problems import Problem
from sitthi.errors import ValidationError
from sitthi.registry.cards import CardFile
from sitthi.releases.catalog import Release

router = APIRouter(prefix="/api/v1")

ReleaseQuery = Annotated[int | None, Query(ge=1, le=1_000_000, description="A release number.")]


def release_cursor(request: Request, release: int | None) -> tuple[Release, Any]:
    """The release asked for (the newest by default) and a cursor on it; 404 otherwise."""
    try:
        return state(request).catalog.cursor(release)
    except ValidationError as exc:
        raise _no_release(exc) from None


def release_cards(request: Request, release: int | None) -> tuple[Release, CardFile]:
    """The release asked for (the newest by default) and its person cards; 404 otherwise."""
    try:
        return state(request).catalog.cards(release)
    except ValidationError as exc:
        raise _no_release(exc) from None


def _no_release(exc: ValidationError) -> Problem:
    return Problem(404, "no-release", "ไม่พบชุดข้อมูลเผยแพร่ที่ขอ", str(exc), parameter="release")


@router.get("/programmes", tags=["registry"], **guarded(Permission.READ_PROGRAMMES))
def programmes(request: Request, release: ReleaseQuery = None) -> dict[str, Any]:
    """The programmes a release was judged by, with their rules and legal sources."""
    found, cur = release_cursor(request, release)
    defs = [
        json.loads(d)
        for (d,) in cur.execute(
            "select definition from rights_programmes order by programme"
        ).fetchall()
    ]
    return {"release": found.number, "as_of": found.as_of, "programmes": defs}


@router.get("/releases", tags=["registry"], **guarded(Permission.READ_RELEASES))
def releases(request: Request) -> dict[str, Any]:
    """Every published release, newest last."""
    s = state(request)
    out = []
    for number in s.catalog.numbers():
        m = s.catalog.manifest(number)
        out.append({"release": number, "as_of": m["as_of"], "published_at": m["published_at"]})
    return {"releases": out}


@router.get("/releases/{number}", tags=["registry"], **guarded(Permission.READ_RELEASES))
def release_detail(request: Request, number: int) -> dict[str, Any]:
    """One release's manifest: its tables and lineage (batches with file hashes, runs)."""
    try:
        return state(request).catalog.manifest(number)
    except ValidationError as exc:
        raise Problem(
            404, "no-release", "ไม่พบชุดข้อมูลเผยแพร่ที่ขอ", str(exc), parameter="number"
        ) from None


@router.get("/quality", tags=["registry"], **guarded(Permission.READ_QUALITY))
def quality(request: Request, release: ReleaseQuery = None) -> dict[str, Any]:
    """The data quality summary of a release: completeness per agency, duplicates,
    disagreements between agencies, duplicate registrations, linkage per stage."""
    s = state(request)
    try:
        number = release or s.catalog.newest()
        return {"release": number, "quality": s.catalog.quality(number)}
    except ValidationError as exc:
        raise Problem(
            404, "no-quality", "ไม่พบสรุปคุณภาพข้อมูลของชุดข้อมูลนี้", str(exc), parameter="release"
        ) from None
