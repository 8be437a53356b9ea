"""Area statistics: persons (and baht a month) per area and indicator, suppressed as the
release published them, and one cell's value across every release."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from sitthi.api.auth import guarded, state
from sitthi.api.permissions import Permission
from sitthi.api.problems import Problem
from sitthi.api.routes.registry import ReleaseQuery, release_cursor
from sitthi.errors import ValidationError
from sitthi.releases.figures import cells, trend

router = APIRouter(prefix="/api/v1/statistics", tags=["statistics"])

Level = Literal["national", "province", "district", "subdistrict"]
Indicator = Annotated[
    str, Query(max_length=100, pattern=r"^[a-z0-9_:]+$", description="An indicator.")
]


class Cell(BaseModel):
    level: Level
    area_code: str
    indicator: str
    persons: int | None  # null where suppressed
    suppressed: bool
    amount: float | None  # baht a month (entitled:, gap:, paid:); null where suppressed


class Statistics(BaseModel):
    release: int
    as_of: str
    suppression_k: int | None
    cells: list[Cell]
    next_offset: int | None


class Point(BaseModel):
    release: int
    as_of: str
    persons: int | None
    amount: float | None
    status: Literal["published", "suppressed", "absent"]


class Trend(BaseModel):
    indicator: str
    area: str
    points: list[Point]


@router.get("", response_model=Statistics, **guarded(Permission.READ_AGGREGATES))
def statistics(
    request: Request,
    level: Annotated[Level, Query(description="The areas to list.")] = "province",
    within: Annotated[
        str | None, Query(pattern=r"^[0-9]{2}([0-9]{2}){0,2}$", description="Inside this area.")
    ] = None,
    indicator: Annotated[
        str | None, Query(max_length=100, pattern=r"^[a-z0-9_:]+$", description="One only.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=10_000, description="Cells per page.")] = 1000,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    release: ReleaseQuery = None,
) -> Statistics:
    """Persons per area and indicator, small cells and their complements suppressed
    (``persons`` and ``amount`` are null where ``suppressed``): the same cells every caller
    sees. ``amount``: baht a month, for the entitled:, gap: and paid: indicators."""
    found, cur = release_cursor(request, release)
    if "area_statistics" not in found.manifest.get("tables", {}):
        raise Problem(
            404,
            "no-statistics",
            f"ชุดข้อมูลที่ {found.number} ไม่มีสถิติรายพื้นที่",
            f"release {found.number} was published without area statistics",
            parameter="release",
        )
    page, more = cells(
        cur, level=level, within=within, indicator=indicator, limit=limit, offset=offset
    )
    return Statistics(
        release=found.number,
        as_of=found.as_of,
        suppression_k=found.manifest.get("suppression_k"),
        cells=[Cell(**c) for c in page],
        next_offset=offset + limit if more else None,
    )


@router.get("/trend", response_model=Trend, **guarded(Permission.READ_AGGREGATES))
def statistics_trend(
    request: Request,
    indicator: Indicator,
    area: Annotated[
        str,
        Query(
            pattern=r"^(national|[0-9]{2}([0-9]{2}){0,2})$",
            description="national, or a province, district or subdistrict code.",
        ),
    ] = "national",
) -> Trend:
    """One indicator's cell of one area in every release, oldest first, each with the
    release's as-of day (null where suppressed or absent)."""
    s = state(request)
    if not s.catalog.numbers():
        raise Problem(404, "no-release", "ยังไม่มีชุดข้อมูลเผยแพร่", "no release published yet")
    try:
        points = trend(s.catalog, indicator=indicator, area=area)
    except ValidationError as exc:  # a release changed since it was published
        raise Problem(404, "no-release", "อ่านชุดข้อมูลเผยแพร่ไม่ได้", str(exc)) from None
    return Trend(indicator=indicator, area=area, points=[Point(**p) for p in points])
