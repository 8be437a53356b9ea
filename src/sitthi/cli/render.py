"""Readable terminal output (Thai first, English after) for command results."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

from sitthi.ingest.service import IngestFailure, IngestResult
from sitthi.synth.world import WorldSummary

console = Console()

PROGRAMMES = {
    "old_age_allowance": "เบี้ยยังชีพผู้สูงอายุ (old-age allowance)",
    "disability_allowance": "เบี้ยความพิการ (disability allowance)",
}
ERROR_TYPES = {
    "eligible_not_receiving": "มีสิทธิ์แต่ไม่ได้รับ (eligible, not paid)",
    "receiving_not_eligible": "ได้รับแต่ไม่มีสิทธิ์ (paid, not eligible)",
    "paid_twice": "ได้รับซ้ำจาก 2 อปท. (paid twice)",
    "paid_after_death": "จ่ายหลังเสียชีวิต (paid after death)",
}
POPULATION = {
    "alive": "มีชีวิต (alive)",
    "died_in_last_two_years": "เสียชีวิตใน 2 ปี (died in the last 2 years)",
    "share_60_plus": "สัดส่วนอายุ 60 ปีขึ้นไป (share aged 60+)",
    "share_under_15": "สัดส่วนอายุต่ำกว่า 15 ปี (share under 15)",
    "with_disability": "มีความพิการ (with a disability)",
    "disability_registered": "จดทะเบียนคนพิการแล้ว (registered with DEP)",
    "welfare_card_registered": "ลงทะเบียนบัตรสวัสดิการแห่งรัฐ (state welfare card)",
    "non_thai": "ไม่มีสัญชาติไทย (not Thai nationals)",
    "twins": "แฝด (twins, a linkage trap)",
    "namesakes": "ชื่อ-สกุลซ้ำกับผู้อื่นในอำเภอ (same name as someone nearby)",
    "family_namesakes": "ชื่อซ้ำกับคนในบ้าน (same first name as a household member)",
    "born_jan_first_day_unknown": "ไม่ทราบวันเกิด จดเป็น 1 มกราคม (born '1 January', day unknown)",
    "registered_twice": "ลงทะเบียนราษฎร์ซ้ำด้วยเลขสองเลข (in the civil registry twice, two IDs)",
    "moved": "ย้ายที่อยู่ (moved house)",
    "shared_phone": "ใช้เบอร์โทรศัพท์ของคนอื่นในบ้าน (gives another member's phone)",
    "poor_households_bmn": (
        "ครัวเรือนไม่ผ่านเกณฑ์ จปฐ. อย่างน้อย 1 ตัวชี้วัด (households failing a BMN indicator)"
    ),
}


DATE_STYLES = {
    "slash_be": "25/03/2490",
    "slash_ce": "25/03/1947",
    "iso_ce": "1947-03-25",
    "iso_be": "2490-03-25",
    "thai_short_be": "25 มี.ค. 2490",
    "thai_long_be": "25 มีนาคม 2490",
    "compact_be": "25032490",
}
PROBLEMS = {
    "missing_id": "ไม่มีเลขประจำตัวประชาชน (missing ID)",
    "id_typo": "เลขประจำตัวพิมพ์ผิด (ID typo)",
    "title_variant": "คำนำหน้าเขียนต่างกัน (title variant)",
    "title_glued": "คำนำหน้าติดชื่อ (title glued to name)",
    "spelling_first_name": "สะกดชื่อต่างกัน (first-name spelling)",
    "spelling_last_name": "สะกดนามสกุลต่างกัน (surname spelling)",
    "keyboard_first_name": "พิมพ์ชื่อผิดแป้น (first-name keyboard typo)",
    "keyboard_last_name": "พิมพ์นามสกุลผิดแป้น (surname keyboard typo)",
    "era_mixup": "ปนกันระหว่าง พ.ศ./ค.ศ. (BE/CE mix-up)",
    "partial_birth_date": "ไม่ทราบวันหรือเดือนเกิด (partial birth date)",
    "day_month_swap": "วันกับเดือนสลับกัน (day-month swap)",
    "maiden_name": "ใช้นามสกุลเดิมก่อนสมรส (maiden name)",
    "duplicate": "บันทึกซ้ำในหน่วยงานเดียวกัน (duplicate)",
    "jan_first_birth": "จดวันเกิดเป็น 1 มกราคม (1 January for an unknown day)",
    "birth_year_off": "ปีเกิดคลาดไป 1 ปี (birth year one off)",
    "maiden_title": "ใช้คำนำหน้านางสาวกับนามสกุลเดิม (นางสาว with the maiden name)",
    "name_swap": "ชื่อกับนามสกุลสลับช่อง (given name and surname swapped)",
    "two_fields": "ผิดสองช่องพร้อมกัน (two fields wrong at once)",
    "id_thai_digits": "เลขประจำตัวเป็นเลขไทย (ID in Thai digits)",
    "id_separators": "เลขประจำตัวมีขีดหรือเว้นวรรค (ID with dashes or spaces)",
    "id_typo_valid": "เลขประจำตัวพิมพ์ผิดแต่ผ่านการตรวจ ใช้ทุกเดือน (valid-looking ID typo, every month)",
    "second_id": "ใช้เลขประจำตัวเลขที่สอง (the second of two IDs)",
    "relative_id": "ใช้เลขประจำตัวของญาติ (a relative's ID)",
    "stale_address": "ที่อยู่เก่าก่อนย้าย (address before a move)",
}


def _n(value: float | int) -> str:
    return f"{value:.1%}" if isinstance(value, float) else f"{value:,}"


def print_world_summary(s: WorldSummary) -> None:
    """Print what a synthetic world holds, for someone deciding whether to trust it."""
    console.print(
        f"\n[bold]โลกจำลอง (synthetic Thailand)[/bold]: {s.persons:,} คน, {s.households:,} ครัวเรือน"
        f" ณ วันที่ {s.as_of} (seed {s.seed}), สร้างใน {s.seconds:.1f} วินาที → {s.out}"
    )
    pop = Table(title="ประชากร (population)", show_header=False, box=box.SIMPLE)
    pop.add_column(justify="left")
    pop.add_column(justify="right")
    for key, label in POPULATION.items():
        if key in s.population:
            pop.add_row(label, _n(s.population[key]))
    console.print(pop)

    ext = Table(title="ข้อมูลจากหน่วยงาน (agency extracts)", box=box.SIMPLE_HEAD)
    for col in ("", "ชุดข้อมูล (dataset)", "ไฟล์ (file)", "รูปแบบ (format)", "วันที่ (dates)"):
        ext.add_column(col)
    ext.add_column("แถว (rows)", justify="right")
    for e in s.extracts:
        thai_title = str(e["title"]).split(" (")[0]
        fmt = f"{e['format']} {e['encoding']}" if e["format"] == "csv" else str(e["format"])
        ext.add_row(
            str(e["source"]).upper(),
            thai_title,
            str(e["file"]).split("/")[-1],
            fmt,
            DATE_STYLES.get(str(e["date_style"]), str(e["date_style"])),
            _n(int(str(e["rows"]))),
        )
    console.print(ext)

    errs = Table(
        title="ความผิดพลาดด้านสวัสดิการที่ฝังไว้ (planted welfare errors: the truth to find)",
        box=box.SIMPLE_HEAD,
    )
    errs.add_column("โครงการ (programme)")
    errs.add_column("ประเภท (type)")
    errs.add_column("คน (people)", justify="right")
    for key, count in s.welfare_errors.items():
        programme, kind = key.split("/")
        errs.add_row(PROGRAMMES.get(programme, programme), ERROR_TYPES.get(kind, kind), _n(count))
    console.print(errs)

    noise = Table(title="ปัญหาข้อมูลที่ฝังไว้ (planted data problems, all extracts)", box=box.SIMPLE_HEAD)
    noise.add_column("ปัญหา (problem)")
    noise.add_column("แถว (rows)", justify="right")
    for key, count in s.planted.items():
        noise.add_row(PROBLEMS.get(key, key), _n(count))
    console.print(noise)
    console.print(
        f"ความจริงสำหรับตรวจสอบ (ground truth): {s.out}/truth/  ·  manifest: {s.out}/manifest.json\n"
    )


QUARANTINE_REASONS = {
    "record_id:empty": "ไม่มีรหัสรายการ (no record id)",
    "record_id:duplicate": "รหัสรายการซ้ำ (record id seen twice)",
    "bad_encoding": "อักขระเสีย (undecodable bytes)",
    "too_many_fields": "จำนวนช่องเกิน (too many fields)",
    "too_few_fields": "จำนวนช่องขาด (too few fields)",
    "first_name:empty": "ไม่มีชื่อ (no first name)",
}


def print_ingest_results(results: list[IngestResult]) -> None:
    """One row per loaded file: counts, what was kept out and how complete the rest is."""
    table = Table(title="นำเข้าข้อมูล (ingest report)", box=box.SIMPLE_HEAD)
    headers = (
        "",
        "ไฟล์ file",
        "อ่าน read",
        "นำเข้า loaded",
        "มีแล้ว known",
        "กักไว้ held",
        "เลขผิด bad ID",
        "แก้ปีเกิด year fixed",
    )
    for col in headers:
        # Thai above, English below: a Thai word cannot wrap and would be cut at 80 columns.
        table.add_column(
            col.replace(" ", "\n", 1), justify="left" if col in headers[:2] else "right"
        )
    reasons: dict[str, int] = {}
    for r in results:
        if r.skipped:
            table.add_row(
                r.source.upper(), r.file, "-", f"นำเข้าแล้ว ({r.batch_id})", "-", "-", "-", "-"
            )
            continue
        ids = r.report.get("national_id", {})
        invalid = sum(v for k, v in ids.items() if k not in ("valid", "empty"))
        table.add_row(
            r.source.upper(),
            r.file,
            _n(r.rows_read),
            _n(r.rows_loaded),
            _n(int(r.report.get("rows", {}).get("unchanged", 0))),
            _n(r.rows_quarantined),
            _n(invalid),
            _n(int(r.report.get("birth_date", {}).get("era_corrected", 0))),
        )
        for reason, count in r.report.get("quarantine_reasons", {}).items():
            reasons[reason] = reasons.get(reason, 0) + count
    console.print(table)
    _print_completeness([r for r in results if not r.skipped])
    if reasons:
        why = Table(title="เหตุผลที่กักข้อมูลไว้ (why rows were quarantined)", box=box.SIMPLE_HEAD)
        why.add_column("เหตุผล (reason)")
        why.add_column("แถว (rows)", justify="right")
        for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1]):
            label = QUARANTINE_REASONS.get(reason)
            if label is None and reason.startswith("national_id:"):
                label = f"เลขประจำตัวไม่ถูกต้อง (national ID: {reason.split(':', 1)[1]})"
            why.add_row(label or reason, _n(count))
        console.print(why)


def print_ingest_failures(failures: list[IngestFailure]) -> None:
    """The files that were not loaded, each with its reason (nothing of them is stored)."""
    table = Table(title="ไฟล์ที่ไม่ได้นำเข้า (files not loaded)", box=box.SIMPLE_HEAD)
    table.add_column("ไฟล์ (file)")
    table.add_column("เหตุผล (why)", overflow="fold")
    for f in failures:
        table.add_row(f.file, f.error if f.tried else "ไม่ได้ลอง (not tried: --stop-on-error)")
    console.print(table)


COMPLETENESS = {
    "national_id": "เลขประจำตัว ID",
    "first_name": "ชื่อ name",
    "last_name": "สกุล surname",
    "sex": "เพศ sex",
    "birth_date": "วันเกิด born",
    "area": "ที่อยู่ area",
    "phone": "โทร phone",
}


def _print_completeness(results: list[IngestResult]) -> None:
    if not results:
        return
    table = Table(title="ความครบถ้วนของข้อมูล (completeness, % of loaded rows)", box=box.SIMPLE_HEAD)
    table.add_column("")
    for label in COMPLETENESS.values():
        table.add_column(label.replace(" ", "\n", 1), justify="right")
    for r in results:
        c = r.report.get("completeness", {})
        # A full name fills first and last name; an address or area names fill the area.
        c = {
            **c,
            "first_name": c.get("first_name", c.get("full_name")),
            "last_name": c.get("last_name", c.get("full_name")),
            "area": max((c[k] for k in ("subdistrict", "address") if k in c), default=None),
        }
        table.add_row(
            r.source.upper(),
            *("-" if c.get(k) is None else f"{float(c[k]):.0%}" for k in COMPLETENESS),
        )
    console.print(table)
