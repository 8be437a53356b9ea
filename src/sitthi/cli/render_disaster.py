"""The disaster list's counts as a table a response team reads at a glance."""

from __future__ import annotations

from typing import Any

from sitthi.disaster.vulnerable import GROUPS


def render_counts(counts: list[dict[str, Any]]) -> str:
    """Persons per district (rows) and group (columns), with totals."""
    if not counts:
        return "ไม่พบกลุ่มเปราะบางในพื้นที่นี้ (no vulnerable person found in these areas)"
    groups = [g for g in GROUPS if any(c["group_name"] == g.name for c in counts)]
    districts: dict[str, dict[str, int]] = {}
    for c in counts:
        districts.setdefault(c["district"], {})[c["group_name"]] = int(c["persons"])
    head = ["อำเภอ (district)", *(g.label_th for g in groups)]
    lines = [head]
    for district, by in districts.items():
        lines.append([district, *(f"{by.get(g.name, 0):,}" for g in groups)])
    lines.append(
        ["รวม (total)", *(f"{sum(d.get(g.name, 0) for d in districts.values()):,}" for g in groups)]
    )
    widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
    return "\n".join(
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in lines
    )
