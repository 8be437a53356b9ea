"""Readable terminal output (Thai first, English after) for command results."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

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
    "namesakes": "ชื่อ-สกุลซ้ำกับผู้อื่น (same name as another person)",
    "poor_households_bmn": (
        "ครัวเรือนไม่ผ่านเกณฑ์ จปฐ. อย่างน้อย 1 ตัวชี้วัด (households failing a BMN indicator)"
    ),
}


def _n(value: float | int) -> str:
    return f"{value:.1%}" if isinstance(value, float) else f"{value:,}"


def print_world_summary(s: WorldSummary) -> None:
    """Print what a synthetic world holds, for someone deciding whether to trust it."""
    console.print(
        f"\n[bold]โลกจำลอง (synthetic Thailand)[/bold]: {s.persons:,} คน, {s.households:,} ครัวเรือน"
        f" ณ วันที่ {s.as_of} (seed {s.seed}), สร้างใน {s.seconds:.1f} วินาที → {s.out}"
    )
    pop = Table(title="ประชากร (population)", show_header=False)
    pop.add_column(justify="left")
    pop.add_column(justify="right")
    for key, label in POPULATION.items():
        if key in s.population:
            pop.add_row(label, _n(s.population[key]))
    console.print(pop)

    ext = Table(title="ข้อมูลจากหน่วยงาน (agency extracts)")
    for col in ("หน่วยงาน (agency)", "ไฟล์ (file)", "รูปแบบ", "encoding", "วันที่", "แถว (rows)"):
        ext.add_column(col, justify="right" if col.startswith("แถว") else "left")
    for e in s.extracts:
        ext.add_row(
            str(e["title"]),
            str(e["file"]),
            str(e["format"]),
            str(e["encoding"]),
            str(e["date_style"]),
            _n(int(str(e["rows"]))),
        )
    console.print(ext)

    errs = Table(title="ความผิดพลาดด้านสวัสดิการที่ฝังไว้ (planted welfare errors: the truth to find)")
    errs.add_column("โครงการ (programme)")
    errs.add_column("ประเภท (type)")
    errs.add_column("คน (people)", justify="right")
    for key, count in s.welfare_errors.items():
        programme, kind = key.split("/")
        errs.add_row(PROGRAMMES.get(programme, programme), ERROR_TYPES.get(kind, kind), _n(count))
    console.print(errs)

    noise = Table(title="ปัญหาข้อมูลที่ฝังไว้ (planted data problems, all extracts)")
    noise.add_column("ปัญหา (problem)")
    noise.add_column("แถว (rows)", justify="right")
    for key, count in s.planted.items():
        noise.add_row(key, _n(count))
    console.print(noise)
    console.print(
        f"ความจริงสำหรับตรวจสอบ (ground truth): {s.out}/truth/  ·  manifest: {s.out}/manifest.json\n"
    )
