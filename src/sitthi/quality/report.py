"""Write the data quality report as JSON (for machines) and HTML (for people, Thai first).

The HTML is one self-contained file: inline CSS and SVG charts, no script and no network,
so it opens anywhere, including offline on a government laptop.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitthi.engines.duckdb import one
from sitthi.errors import SitthiError
from sitthi.ingest.spec import load_spec, packaged_specs
from sitthi.linkage.labels import DUPLICATE_DECISIONS, REVIEW_REASONS, STAGES
from sitthi.quality.measures import (
    FIELDS,
    completeness,
    conflicts,
    duplicate_registrations,
    duplicates,
    linkage,
    overlap,
)

if TYPE_CHECKING:
    import duckdb

FIELD_NAMES = {
    "birth_date": "วันเกิด (birth date)",
    "sex": "เพศ (sex)",
    "vital_status": "สถานะการมีชีวิต (alive or dead)",
    "dead_still_listed": "เสียชีวิตแล้วแต่ยังอยู่ในรายชื่อ (dead, still listed)",
    "disability": "ได้รับเบี้ยความพิการแต่ไม่อยู่ในทะเบียนคนพิการ (paid as disabled, not registered)",
}


def build_quality_report(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Every measure of the report, as plain data."""
    has = one(
        con,
        "select count(*) from duckdb_tables() where table_name in ('person_records', 'conflicts')"
        " and database_name = current_database()",
    )
    if has < 2:
        raise SitthiError("the quality report needs `sitthi link` and `sitthi rights` first")
    return {
        "generated_at": dt.datetime.now().isoformat(timespec="seconds"),
        "completeness": completeness(con),
        "duplicates": duplicates(con),
        "duplicate_registrations": duplicate_registrations(con),
        "conflicts": conflicts(con),
        "overlap": overlap(con),
        "linkage": linkage(con),
    }


def write_json(report: dict[str, Any], path: Path) -> None:
    """The report as JSON (UTF-8, Thai kept as is)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(report, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8"
    )


def _e(value: object) -> str:
    return html.escape(str(value))


def _bars(items: list[tuple[str, float]], unit: str = "") -> str:
    """A horizontal SVG bar chart; labels get 380 px, room for a Thai name and its English."""
    if not items:
        return "<p>-</p>"
    top = max(v for _, v in items) or 1
    height = 26 * len(items) + 10
    parts = [f'<svg class="bars" viewBox="0 0 900 {height}" role="img">']
    for i, (label, value) in enumerate(items):
        y = 8 + 26 * i
        width = 400 * value / top
        parts.append(
            f'<text x="380" y="{y + 14}" text-anchor="end">{_e(label)}</text>'
            f'<rect x="390" y="{y}" width="{width:.1f}" height="18"></rect>'
            f'<text x="{396 + width:.1f}" y="{y + 14}">{value:,.0f}{_e(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


@cache
def _agency(source: str) -> str:
    """A source as a Thai reader knows it: its list's Thai name from the packaged spec
    (ทะเบียนราษฎร for ``dopa``), then the code; a source without one keeps its code."""
    if source not in packaged_specs():
        return source
    thai = load_spec(source).title.split(" (")[0]
    return f"{thai} ({source})"


def _shade(share: float) -> str:
    # Red where a field is mostly missing, green where it is complete.
    hue = int(120 * share)
    return f"background: hsl({hue}, 70%, 85%)"


def write_html(report: dict[str, Any], path: Path) -> None:
    """The report as one self-contained HTML page, Thai first."""
    rows = []
    for r in report["completeness"]:
        # A field none of an agency's records has is not in its list: not a quality fault.
        cells = "".join(
            f'<td style="{_shade(float(r[c]))}">{100 * float(r[c]):.0f}%</td>'
            if r[c]
            else '<td class="none" title="ไม่มีในรายชื่อของหน่วยงานนี้ (not in this list)">–</td>'
            for c in FIELDS
        )
        rows.append(f"<tr><th>{_e(_agency(r['source']))}</th><td>{r['records']:,}</td>{cells}</tr>")
    header = "".join(f"<th>{_e(label)}</th>" for label in FIELDS.values())
    completeness_html = (
        f"<table><tr><th>หน่วยงาน (agency)</th><th>ระเบียน (records)</th>{header}</tr>"
        + "".join(rows)
        + '</table><p class="note">– ไม่มีข้อมูลนี้ในรายชื่อของหน่วยงาน '
        "(no record of the agency has the field: not in its list)</p>"
    )
    dup_html = _bars(
        [(_agency(d["source"]), float(d["persons"])) for d in report["duplicates"]], " คน"
    )
    registration_rows = (
        "".join(
            f'<tr><td class="t">{_e(_agency(d["source"]))}</td>'
            f'<td class="t">{_e(DUPLICATE_DECISIONS.get(d["decision"], d["decision"]))}</td>'
            f"<td>{d['pairs']:,}</td></tr>"
            for d in report.get("duplicate_registrations", [])
        )
        or '<tr><td class="t" colspan="3">ไม่พบ (none found)</td></tr>'
    )
    conflict_rows = "".join(
        f"<tr><td>{_e(FIELD_NAMES.get(c['field'], c['field']))}</td>"
        f'<td class="t">{_e(_agency(c["chosen_source"]))}</td>'
        f'<td class="t">{_e(_agency(c["other_source"]))}</td>'
        f"<td>{c['persons']:,}</td></tr>"
        for c in report["conflicts"]
    )
    sources = sorted(
        {o["source_a"] for o in report["overlap"]} | {o["source_b"] for o in report["overlap"]}
    )
    cell = {(o["source_a"], o["source_b"]): o["persons"] for o in report["overlap"]}
    overlap_rows = "".join(
        f"<tr><th>{_e(_agency(a))}</th>"
        + "".join(f"<td>{cell.get((min(a, b), max(a, b)), 0):,}</td>" for b in sources)
        + "</tr>"
        for a in sources
    )
    link = report["linkage"]
    stage_html = _bars(
        [(STAGES.get(s["stage"], s["stage"]), float(s["records"])) for s in link["stages"]],
        "",
    )
    queue = (
        ", ".join(
            f"{_e(REVIEW_REASONS.get(q['reason'], q['reason']))} {q['pairs']:,}"
            for q in link["review_queue"]
        )
        or "-"
    )
    held = (
        ", ".join(f"{_e(_agency(q['source']))} {q['rows']:,}" for q in link["quarantined"]) or "-"
    )
    page = f"""<!doctype html>
<html lang="th"><head><meta charset="utf-8">
<title>รายงานคุณภาพข้อมูล (data quality report)</title>
<style>
body {{ font-family: "Sarabun", "Noto Sans Thai", "Tahoma", sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: right; }}
th:first-child, td:first-child, td.t {{ text-align: left; }}
svg.bars {{ width: 900px; max-width: 100%; font-size: 13px; }}
svg.bars rect {{ fill: #2b6cb0; }}
.note {{ color: #555; }}
td.none {{ color: #999; background: #f4f4f4; text-align: center; }}
</style></head><body>
<h1>รายงานคุณภาพข้อมูล <small>(data quality report)</small></h1>
<p class="note">สร้างเมื่อ (generated) {_e(report["generated_at"])} · บุคคล (persons)
{link["persons"]:,}</p>
<h2>1. ความครบถ้วนของข้อมูลแต่ละหน่วยงาน (completeness per field per agency)</h2>
{completeness_html}
<h2>2. รายชื่อซ้ำภายในหน่วยงานเดียวกัน (persons listed more than once by one agency)</h2>
{dup_html}
<h3>คนเดียวกันที่ลงทะเบียนด้วยเลขประจำตัวสองเลข (one person registered under two IDs)</h3>
<table><tr><th>หน่วยงาน (agency)</th><th>ผล (decision)</th><th>คู่ (pairs)</th></tr>
{registration_rows}</table>
<h2>3. ข้อมูลขัดแย้งระหว่างหน่วยงาน (disagreements between agencies)</h2>
<table><tr><th>ข้อมูล (field)</th><th>ยึดตาม (authority)</th><th>ขัดแย้งกับ (other)</th>
<th>คน (persons)</th></tr>{conflict_rows}</table>
<h2>4. ความซ้อนทับของรายชื่อ (persons in both lists)</h2>
<table><tr><th></th>{"".join(f"<th>{_e(s)}</th>" for s in sources)}</tr>{overlap_rows}</table>
<h2>5. ผลการเชื่อมโยงตามขั้นตอน (linkage results per stage)</h2>
{stage_html}
<p>คิวรอตรวจสอบ (review queue): {queue}</p>
<p>แถวที่กักไว้ตอนนำเข้า (rows quarantined at ingest): {held}</p>
</body></html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
