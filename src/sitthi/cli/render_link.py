"""Readable output (Thai first, English after) for identity resolution."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import typer
from rich import box
from rich.table import Table

from sitthi.cli.render import console
from sitthi.linkage.evaluate import Accuracy
from sitthi.linkage.explain import PairExplanation, PersonExplanation
from sitthi.linkage.labels import DUPLICATE_DECISIONS, REVIEW_REASONS, STAGES
from sitthi.linkage.review import ReviewItem
from sitthi.linkage.service import LinkReport

EVENTS = {
    "created": "สร้างใหม่ (new persons)",
    "kept": "คงเลขเดิม (kept their person ID)",
    "merged": "รวมกัน (merged)",
    "split": "แยกออก (split)",
    "retired": "ยกเลิก (retired: no records left)",
    "moved": "ระเบียนที่ย้ายไปอยู่กับบุคคลอื่น (records moved to another person)",
}


def _table(title: str, *columns: str) -> Table:
    table = Table(
        title=title,
        box=box.SIMPLE_HEAD,
        title_justify="left",
        show_header=any(columns),
        min_width=64,
    )
    for i, column in enumerate(columns):
        table.add_column(column, justify="left" if i == 0 else "right")
    return table


def print_link_report(report: LinkReport) -> None:
    """The linkage summary: persons, households, records per stage, events, review queue."""
    table = _table("การเชื่อมโยงตัวบุคคล (identity resolution)", "", "")
    table.add_row("ระเบียนทั้งหมด (records)", f"{report.records:,}")
    table.add_row("บุคคล (persons)", f"{report.persons:,}")
    table.add_row("ครัวเรือน (households)", f"{report.households:,}")
    table.add_row("เวลา (seconds)", f"{report.seconds:,.1f}")
    console.print(table)
    stages = _table(
        "ระเบียนตามขั้นตอนที่เชื่อมโยง (records by stage)", "ขั้นตอน (stage)", "ระเบียน (records)"
    )
    for key, label in STAGES.items():
        stages.add_row(label, f"{report.by_stage.get(key, 0):,}")
    repairs = report.id_repairs
    stages.add_row(
        "  ในนั้น: เลขผิดรูปแบบ / เลขถูกรูปแบบแต่เป็นของผู้อื่น",
        f"{repairs.get('invalid_id', 0):,} / {repairs.get('valid_typo', 0):,}",
    )
    console.print(stages)
    found = report.duplicate_registrations
    duplicates = _table(
        "คนเดียวกันที่ลงทะเบียนด้วยเลขประจำตัวสองเลข (duplicate registrations: two IDs)",
        "",
        "คู่ (pairs)",
    )
    for key, label in DUPLICATE_DECISIONS.items():
        duplicates.add_row(label, f"{found.get(key, 0):,}")
    console.print(duplicates)
    events = _table("เลขประจำตัวบุคคล (person IDs this run)", "", "")
    for key, label in EVENTS.items():
        events.add_row(label, f"{report.events.get(key, 0):,}")
    console.print(events)
    queue = _table(
        f"คิวรอตรวจสอบ (review queue): {sum(report.review_queue.values()):,} คู่ (pairs)",
        "เหตุผล (reason)",
        "คู่ (pairs)",
    )
    for key, label in REVIEW_REASONS.items():
        queue.add_row(label, f"{report.review_queue.get(key, 0):,}")
    console.print(queue)


def print_accuracy(
    accuracy: Accuracy, title: str = "ความแม่นยำ (accuracy against the truth)"
) -> None:
    """Pairwise precision, recall, F1 and cluster purity."""
    table = _table(title, "", "")
    table.add_row("ความแม่นยำของคู่ (pairwise precision)", f"{accuracy.precision:.5f}")
    table.add_row("ความครบถ้วนของคู่ (pairwise recall)", f"{accuracy.recall:.5f}")
    table.add_row("F1", f"{accuracy.f1:.5f}")
    table.add_row("ความบริสุทธิ์ของกลุ่ม (cluster purity)", f"{accuracy.purity:.5f}")
    table.add_row("ความสมบูรณ์ของกลุ่ม (cluster completeness)", f"{accuracy.completeness:.5f}")
    table.add_row("ระเบียนที่ประเมิน (records scored)", f"{accuracy.records:,}")
    table.add_row(
        "คู่ จริง/พบ/ถูก (pairs true/found/correct)",
        f"{accuracy.true_pairs:,} / {accuracy.predicted_pairs:,} / "
        f"{accuracy.true_positive_pairs:,}",
    )
    if accuracy.truth_not_linked:
        table.add_row("ไม่ได้เชื่อมโยง (in the truth, not linked)", f"{accuracy.truth_not_linked:,}")
    console.print(table)


def _value(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    return "" if value is None else str(value)


SIDE_BY_SIDE = (
    ("title", "คำนำหน้า (title)"),
    ("first_name", "ชื่อ (first name)"),
    ("last_name", "นามสกุล (surname)"),
    ("sex", "เพศ (sex)"),
    ("birth_date", "วันเกิด (birth date)"),
    ("house_code", "รหัสบ้าน (house code)"),
    ("subdistrict_code", "ตำบล (subdistrict)"),
    ("person_id", "บุคคล (person)"),
)


def print_review_items(total: int, items: list[ReviewItem]) -> None:
    """Queued pairs, each as two records side by side and the weight of each field."""
    typer.echo(f"คิวรอตรวจสอบ (review queue): {total:,} คู่ (pairs); showing {len(items)}")
    for item in items:
        p = "-" if item.match_probability is None else f"{item.match_probability:.4f}"
        table = _table(
            f"{item.pair_id}  {REVIEW_REASONS.get(item.reason, item.reason)}  p={p}",
            "",
            f"{item.left.get('source')}:{item.left.get('record_id')}",
            f"{item.right.get('source')}:{item.right.get('record_id')}",
        )
        for key, label in SIDE_BY_SIDE:
            table.add_row(label, _value(item.left, key), _value(item.right, key))
        console.print(table)
        if item.evidence:
            console.print(_evidence_table(item.evidence))
    if items:
        typer.echo("decide with: sitthi review accept PAIR_ID | sitthi review reject PAIR_ID")


def _evidence_table(evidence: dict[str, Any]) -> Table:
    table = _table("น้ำหนักหลักฐาน (match weight per field)", "field", "weight", "left", "right")
    for name, item in evidence.items():
        values = [(k, v) for k, v in item.items() if k not in ("level", "weight")]
        first = next((v for k, v in values if not k.endswith("_key")), [None, None])
        table.add_row(
            name, f"{item.get('weight', 0):+.2f}", str(first[0] or ""), str(first[1] or "")
        )
    return table


def _key(record_id: str) -> str:
    """A record ID to show: a civil record's 64-character pseudonym is cut to its start."""
    return record_id[:10] + "…" if len(record_id) == 64 else record_id


def print_person(person: PersonExplanation) -> None:
    """A person's records with the stage and link that placed each."""
    table = _table(
        f"{person.person_id} ({person.status}) ครัวเรือน (household): {person.household_id or '-'}",
        "ระเบียน (record)",
        "ชื่อ (name)",
        "เกิด (born)",
        "ขั้นตอน (stage)",
        "เชื่อมกับ (linked to)",
    )
    # Record keys are what a user types next (`sitthi explain SOURCE:ID`): never cut them.
    table.columns[1].justify = "left"
    for column in (table.columns[0], table.columns[2], table.columns[3], table.columns[4]):
        column.no_wrap, column.justify = True, "left"
    for r in person.records:
        stage = r["stage"] + (f" ({r['id_repair']})" if r.get("id_repair") else "")
        if r.get("match_probability") is not None:
            stage += f"\np={r['match_probability']:.4f}"
        linked = (
            f"{r['linked_source']}:{_key(r['linked_record_id'])}" if r.get("linked_source") else ""
        )
        name = " ".join(_value(r, k) for k in ("title", "first_name", "last_name")).strip()
        table.add_row(
            f"{r['source']}:{_key(r['record_id'])}", name, _value(r, "birth_date"), stage, linked
        )
    console.print(table)
    for e in person.events:
        other = f" ({e['other_person_id']})" if e.get("other_person_id") else ""
        typer.echo(f"{e['happened_at']:%Y-%m-%d %H:%M} {e['event']} {e['person_id']}{other}")


def print_pair(pair: PairExplanation) -> None:
    """Two records side by side, the verdict and the evidence."""
    verdict = "บุคคลเดียวกัน (one person)" if pair.same_person else "คนละคน (two people)"
    why = "เลขประจำตัวเดียวกัน (same national ID)" if pair.same_national_id else ""
    table = _table(
        f"{verdict} {why}".strip(),
        "",
        f"{pair.left['source']}:{pair.left['record_id']}",
        f"{pair.right['source']}:{pair.right['record_id']}",
    )
    for key, label in (
        *SIDE_BY_SIDE,
        ("stage", "ขั้นตอน (stage)"),
        ("id_repair", "แก้เลข (ID repair)"),
    ):
        table.add_row(label, _value(pair.left, key), _value(pair.right, key))
    console.print(table)
    if pair.evidence:
        typer.echo(f"match probability {pair.match_probability:.6f}")
        if pair.scored_now:
            blocked = (
                "a blocking rule would bring them together"
                if pair.found_by_blocking
                else "no blocking rule brings them together, so the run never compared them"
            )
            typer.echo(
                "scored now with the last run's model, without term-frequency adjustment "
                f"(the run did not need to score this pair: {blocked})"
            )
        console.print(_evidence_table(pair.evidence))
    for d in pair.decisions:
        typer.echo(
            f"reviewer {d['decided_by']} on {d['decided_at']:%Y-%m-%d}: "
            f"{d['decision']} {d['note'] or ''}"
        )


def _masked(national_id: object) -> str:
    # The screen shows enough to tell two IDs apart, never a whole ID.
    text = "" if national_id is None else str(national_id)
    return f"{text[0]}-xxxx-xxxxx-{text[-3:-1]}-{text[-1]}" if len(text) == 13 else "?"


def print_duplicate_registrations(
    found: list[dict[str, Any]], limit: int, written: Path | None
) -> None:
    """Duplicate registrations, both IDs masked; the full list goes to the CSV."""
    counts = Counter(row["decision"] for row in found)
    table = _table(
        f"คนเดียวกันที่ลงทะเบียนด้วยเลขประจำตัวสองเลข (duplicate registrations): {len(found):,}",
        "ผล (decision)",
        "บุคคล (person)",
        "เลขที่ 1 (ID 1)",
        "เลขที่ 2 (ID 2)",
        "ชื่อ (name)",
        "วันเกิด (born)",
    )
    for row in found[:limit]:
        table.add_row(
            DUPLICATE_DECISIONS.get(row["decision"], row["decision"]).split(" (")[0],
            row["person_id"] or "-",
            _masked(row["national_id_l"]),
            _masked(row["national_id_r"]),
            f"{row['first_name'] or ''} {row['last_name'] or ''}".strip(),
            str(row["birth_date"] or ""),
        )
    console.print(table)
    summary = ", ".join(f"{DUPLICATE_DECISIONS[k]} {v:,}" for k, v in sorted(counts.items()))
    console.print(summary or "ไม่พบ (none found)")
    if written is not None:
        console.print(f"เขียนรายชื่อพร้อมเลขประจำตัวเต็มที่ (full list with IDs written to) {written}")
