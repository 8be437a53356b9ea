"""Readable output (Thai first, English after) for rights and the poverty index."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich import box
from rich.table import Table

from sitthi.cli.render import console
from sitthi.registry.lookup import PersonLookup
from sitthi.rights.evaluate import GapAccuracy
from sitthi.rights.programme import Condition, Programme
from sitthi.rights.service import RightsReport
from sitthi.thai.text import display_width, thai_wrap

GAPS = {
    "receiving_not_eligible": "ไม่เข้าเงื่อนไข (not eligible)",
    "paid_twice": "ได้รับซ้ำ (paid twice)",
    "paid_after_death": "จ่ายหลังเสียชีวิต (after death)",
}


#: Cells a number column's Thai header may take per line.
HEADER_WIDTH = 10
#: Cells a programme's name may take per line (the built-in names fit on one).
NAME_WIDTH = 36
#: Cells a profile value may take per line, broken between Thai words.
VALUE_WIDTH = 28
#: Cells an indicator's wording may take per line, broken between Thai words.
INDICATOR_WIDTH = 36
#: Lists that end more than this many days before the day judged are called out.
STALE_LIST_DAYS = 62


def _table(title: str, *columns: str) -> Table:
    table = Table(
        title=title,
        box=box.SIMPLE_HEAD,
        title_justify="left",
        min_width=64,
        pad_edge=False,
        collapse_padding=True,
    )
    for i, column in enumerate(columns):
        # Thai has no spaces to wrap at: a number's header breaks between Thai words, its
        # English on a line below, rather than being cut to "ครัวเรือน…" at 80 columns.
        th, sep, en = column.partition(" (")
        header = column if i == 0 else thai_wrap(th, HEADER_WIDTH) + ("\n(" + en if sep else "")
        # ...and no header word is cut: the wrappable columns give way instead.
        widest = max((display_width(w) for w in header.split()), default=0)
        table.add_column(
            header,
            justify="left" if i == 0 else "right",
            no_wrap=i == 0,
            min_width=None if i == 0 else widest,
        )
    return table


def _name(name: str) -> str:
    """A programme's name, broken between Thai words when a user's is long."""
    return thai_wrap(name, NAME_WIDTH)


def _programme_names(report: RightsReport) -> dict[str, str]:
    """Programme id → Thai name, for every programme the run used (a user's too)."""
    return {r["programme"]: r["name_th"] for r in report.answers["who_should_receive"]}


def _print(table: Table, empty: str) -> None:
    """The table, or its title and ``empty`` when it has no rows."""
    if table.row_count:
        console.print(table)
    else:
        console.print(f"{table.title}\n  {empty}\n")


def _baht(value: Any) -> str:
    """Baht with thousands separators; "-" where there is no amount (a card, not a payment)."""
    return "-" if value is None else f"{float(value):,.0f}"


def print_tpmap_answers(report: RightsReport) -> None:
    """TPMAP's four questions, one table each."""
    a = report.answers
    day = f"{report.as_of:%Y-%m-%d}"
    who = _table(
        f"1. ใครควรได้รับสวัสดิการ (who should receive welfare?), ณ {day}",
        "โครงการ (programme)",
        "มีสิทธิ์ (entitled)",
        "บาท/เดือน (baht/month)",
    )
    who.columns[0].no_wrap = False
    for r in a["who_should_receive"]:
        who.add_row(_name(r["name_th"]), f"{r['entitled']:,}", _baht(r["baht_per_month"]))
    o = a["outreach"][0]
    who.add_row(
        "คนจน จปฐ. ที่ยังไม่มีบัตรสวัสดิการ (poor, no card: outreach)",
        f"{o['outreach']:,}",
        "",
    )
    console.print(who)
    recipients = _table(
        "2. ผู้รับสวัสดิการเป็นใคร (what do recipients look like?)",
        "โครงการ (programme)",
        "ผู้รับ (recipients)",
        "อายุเฉลี่ย (mean age)",
        "% ยากจนตาม จปฐ. (% poor)",
    )
    for r in a["recipients"]:
        if r["recipients"]:
            poor = "" if r["percent_poor"] is None else f"{r['percent_poor']:.1f}"
            recipients.add_row(
                _name(r["name_th"]), f"{r['recipients']:,}", f"{r['mean_age']}", poor
            )
    _print(recipients, "ไม่มีรายชื่อผู้รับในคลัง (no payment or enrolment list loaded)")
    unlisted = [r["name_th"] for r in a["recipients"] if not r["recipients"]]
    if unlisted and recipients.row_count:
        # Without a recipient list every eligible person would look missed: say so, not that.
        console.print(
            f"ยังไม่มีรายชื่อผู้รับของ {', '.join(unlisted)} ในคลังถึงวันนั้น "
            "ข้อ 2–4 จึงไม่รวมไว้ "
            "(no recipient list loaded up to that day, so questions 2–4 leave it out)\n"
        )
    appropriate = _table(
        "3. ผู้รับเหมาะสมหรือไม่ (are recipients appropriate?)",
        "โครงการ (programme)",
        "ปัญหา (problem)",
        "คน\n(persons)",
        "ต้องตรวจ\n(to check)",
        "บาท\n(baht)",
    )
    appropriate.columns[1].justify = "left"
    for r in a["appropriate"]:
        appropriate.add_row(
            _name(r["name_th"]),
            GAPS.get(r["gap"], r["gap"]),
            f"{r['persons']:,}",
            f"{r['unverified']:,}",
            _baht(r["baht"]),
        )
    _print(appropriate, "ไม่พบปัญหา (none found)")
    if appropriate.row_count:
        console.print(
            "บาทต่อเดือน ยกเว้นจ่ายหลังเสียชีวิตเป็นยอดรวมที่ต้องเรียกคืน "
            "ส่วนบัตรที่ยังใช้ได้หลังเสียชีวิต (-) ต้องยกเลิกบัตร "
            "(baht per month; after death: the total to recover; a card still active "
            "after a death (-) is to be cancelled)\n"
        )
    targeting = _table(
        "4. ควรปรับการจัดสรรหรือไม่ (should targeting change?): มีสิทธิ์แต่ไม่ได้รับ (eligible, not receiving)",
        "โครงการ (programme)",
        "คน\n(persons)",
        "ต้องตรวจ\n(to check)",
        "บาท/เดือน\n(baht/month)",
    )
    for r in a["targeting"]:
        targeting.add_row(
            _name(r["name_th"]),
            f"{r['missed']:,}",
            f"{r['unverified']:,}",
            _baht(r["baht_per_month"]),
        )
    targeting.add_row("หนังสือแจ้งสิทธิ์ (notifications)", f"{report.notifications:,}", "", "")
    console.print(targeting)
    _print_stale_lists(report)
    if any(r["unverified"] for r in a["targeting"] + a["appropriate"]):
        console.print(
            "ต้องตรวจ: ผลที่อาศัยข้อมูลซึ่งยังไม่ทราบ เช่น บำนาญเมื่อยังไม่ได้รับทะเบียนจากกรมบัญชีกลาง "
            "หรือวันเกิดที่ทราบเพียงปี เจ้าหน้าที่ต้องตรวจสอบก่อนแจ้ง (to check: rests on data not "
            "known, e.g. a pension before CGD's roll is loaded, or a birth date known only to the "
            "year; an officer checks first)"
        )


def _print_stale_lists(report: RightsReport) -> None:
    """Say when a day is judged on payment lists that end well before it."""
    names = _programme_names(report)
    stale: dict[dt.date, list[str]] = {}
    for programme, end in sorted(report.rights.lists_end.items()):
        if (report.as_of - end).days > STALE_LIST_DAYS:
            stale.setdefault(end, []).append(names.get(programme, programme))
    for end, programmes in sorted(stale.items()):
        console.print(
            f"รายการจ่ายเงินของ{'และ'.join(programmes)}มีถึงเดือน {end:%Y-%m} "
            f"ข้อ 2–4 จึงตัดสินจากเดือนนั้น ไม่ใช่วันที่ {report.as_of:%Y-%m-%d} "
            f"(the payment lists end {end:%Y-%m}: questions 2–4 are judged on that month; "
            "load newer lists to judge a later day)"
        )


def print_poverty(rows: list[dict[str, Any]], level: str) -> None:
    """Poor households and persons by area."""
    thai = {"province": "จังหวัด", "district": "อำเภอ", "subdistrict": "ตำบล"}[level]
    table = _table(
        f"ดัชนีความยากจน จปฐ. ราย{thai} (TPMAP poverty index by {level})",
        "พื้นที่ (area)",
        "ครัวเรือนสำรวจ (surveyed)",
        "ครัวเรือนยากจน (poor)",
        "คนจน (poor persons)",
        "คนจนเป้าหมาย (target poor)",
        "ยังไม่มีบัตร (outreach)",
    )
    for r in rows:
        table.add_row(
            f"{r['name']} ({r['code']})",
            f"{r['households']:,}",
            f"{r['poor_households']:,}",
            f"{r['poor_persons']:,}",
            f"{r['target_poor']:,}",
            f"{r['outreach']:,}",
        )
    _print(table, "ไม่มีข้อมูลสำรวจ จปฐ. (no household survey loaded)")


def print_poverty_dimensions(rows: list[dict[str, Any]], level: str) -> None:
    """Poor households by area and the dimension they fail."""
    from sitthi.poverty.index import load_indicators

    dimensions = load_indicators().dimensions
    thai = {"province": "จังหวัด", "district": "อำเภอ", "subdistrict": "ตำบล"}[level]
    table = _table(
        f"ครัวเรือนยากจนตามมิติ ราย{thai} (poor households by dimension failed, by {level})",
        "พื้นที่ (area)",
        "ยากจน",
        *(d.th for d in dimensions.values()),
    )
    for r in rows:
        table.add_row(
            f"{r['name']} ({r['code']})",
            f"{r['poor_households']:,}",
            *(f"{r[f'dimension_{k}']:,}" for k in dimensions),
        )
    _print(table, "ไม่มีข้อมูลสำรวจ จปฐ. (no household survey loaded)")
    if rows:
        english = ", ".join(f"{d.th} = {d.en}" for d in dimensions.values())
        console.print(f"ยากจน = poor households; {english}\n")


def print_poverty_indicators(rows: list[dict[str, Any]], within: str | None) -> None:
    """Households failing each of the 17 indicators."""
    from sitthi.poverty.index import load_indicators
    from sitthi.thai.areas import area_name

    dimensions = load_indicators().dimensions
    where = f"{area_name(within) or within} ({within})" if within else "ทั้งประเทศ (everywhere)"
    table = _table(
        f"ครัวเรือนที่ไม่ผ่านตัวชี้วัด จปฐ.: {where} (households failing each indicator)",
        "ตัวชี้วัด (indicator)",
        "มิติ (dimension)",
        "ครัวเรือน (households)",
        "ร้อยละ (% of surveyed)",
    )
    table.columns[1].justify = "left"
    for r in rows:
        table.add_row(
            thai_wrap(f"{r['indicator'][-2:]}. {r['th']}", INDICATOR_WIDTH),
            thai_wrap(dimensions[r["dimension"]].th, HEADER_WIDTH),
            f"{r['households']:,}",
            f"{100 * r['share']:.1f}",
        )
    table.columns[0].no_wrap, table.columns[0].width = False, INDICATOR_WIDTH
    _print(table, "ไม่มีข้อมูลสำรวจ จปฐ. (no household survey loaded)")


SHORT_GAPS = {
    "eligible_not_receiving": "มีสิทธิ์ ไม่ได้รับ",
    "receiving_not_eligible": "ได้รับ ไม่มีสิทธิ์",
    "paid_twice": "ได้รับซ้ำ",
    "paid_after_death": "จ่ายหลังเสียชีวิต",
}


def print_gap_accuracy(results: list[GapAccuracy], report: RightsReport) -> None:
    """Gaps found against the planted errors, with the reason for every miss."""
    names = _programme_names(report)
    table = _table(
        "ตรวจกับข้อผิดพลาดที่ฝังไว้ (gaps against the planted errors)",
        "โครงการ: ช่องว่าง (gap)",
        "ฝังไว้",
        "พบ",
        "P",
        "R",
        "เหตุ (why: missed / extra)",
    )
    for r in results:
        why = ", ".join(
            [f"-{k} {v:,}" for k, v in r.missed.items()]
            + [f"+{k} {v:,}" for k, v in r.extra.items()]
        )
        table.add_row(
            _name(f"{names.get(r.programme, r.programme)}: {SHORT_GAPS.get(r.gap, r.gap)}"),
            f"{r.planted:,}",
            f"{r.found:,}",
            f"{r.precision:.3f}",
            f"{r.recall:.3f}",
            why or "-",
        )
    console.print(table)
    console.print(
        "P = precision, R = recall; -missed / +extra by reason: not_in_store, linkage, "
        "unknown_data (rests on data not known: an unloaded roll, a year-only birth date), rule"
    )


DIMENSIONS = {
    "identity": "ตัวตน (identity)",
    "civil": "ทะเบียนราษฎร (civil)",
    "income": "รายได้ (income)",
    "employment": "การทำงาน (work)",
    "health": "สุขภาพ (health)",
    "education": "การศึกษา (education)",
    "social_welfare": "สวัสดิการ (welfare)",
}


def _show(value: str, kind: str, listed: bool) -> str:
    """A golden value as a Thai reader expects it: yes/no, whole baht, ชาย/หญิง."""
    if kind == "boolean":
        word = "ใช่ (yes)" if value == "true" else "ไม่ (no)"
        return word if listed else f"{word}: ไม่มีชื่อในบัญชี (not listed)"
    if kind == "number":
        number = float(value)
        return f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}"
    if kind == "sex":
        return {"M": "ชาย", "F": "หญิง"}.get(value, value)
    return thai_wrap(value, VALUE_WIDTH)


GAP_NAMES = {
    "eligible_not_receiving": "มีสิทธิ์แต่ยังไม่ได้รับ (eligible, not receiving)",
    **GAPS,
}


def print_person_profile(person: PersonLookup, programmes: dict[str, Programme]) -> None:
    """The golden record by dimension (value, source, date), then rights, gaps, conflicts;
    programmes named as the rights run that judged them (``programmes``)."""
    names = {p.id: p.name_th for p in programmes.values()}
    pr = person.profile
    age = f"อายุ {pr['age']} ปี" if pr.get("age") is not None else "ไม่ทราบอายุ"
    alive = "" if pr.get("alive") else " · เสียชีวิตแล้ว (dead)"
    console.print(
        f"[bold]{person.person_id}[/bold] · {age}{alive} · ครัวเรือน (household) "
        f"{pr.get('household_id') or '-'} · ณ (as of) {pr['as_of']}"
    )
    table = _table(
        "ข้อมูลในทะเบียน (registry record)",
        "ข้อมูล (field)",
        "ค่า (value)",
        "แหล่ง (source)",
        "ณ วันที่ (as of)",
    )
    table.columns[1].justify = "left"
    table.columns[1].overflow = "fold"
    for dimension, label in DIMENSIONS.items():
        rows = person.values.get(dimension, [])
        if not rows:
            continue
        table.add_row(label, "", "", "")
        for v in rows:
            table.add_row(
                f"  {v['label_th']}",
                _show(str(v["value"]), v["kind"], v["record_id"] is not None),
                v["source"] + (" ✓" if v["from_authority"] else ""),
                str(v["as_of"] or ""),
            )
    console.print(table)
    console.print("✓ = หน่วยงานที่เป็นเจ้าของข้อมูลนั้น (the authority for the field)\n")
    rights = _table("สิทธิที่มี (entitlements)", "โครงการ (programme)", "บาท/เดือน", "เหตุผล (reason)")
    rights.columns[2].justify, rights.columns[2].overflow = "left", "fold"
    for e in person.entitlements:
        rights.add_row(
            _name(names.get(e["programme"], e["programme"])),
            _baht(e["amount"]),
            e.get("reason") or "",
        )
    _print(rights, "ไม่มีสิทธิ์ตามโครงการที่กำหนด (no entitlement)")
    gaps = _table("ช่องว่าง (gaps)", "โครงการ (programme)", "ช่องว่าง (gap)", "รายละเอียด (detail)")
    for column in gaps.columns[1:]:
        column.justify = "left"
    for g in person.gaps:
        programme = programmes.get(g["programme"])
        detail = _gap_detail(g, programme.eligibility if programme else {})
        if g["unknown"]:
            detail += f" ต้องตรวจ: ไม่ทราบ {g['unknown']} (to check)"
        gaps.add_row(
            _name(names.get(g["programme"], g["programme"])),
            GAP_NAMES.get(g["gap"], g["gap"]),
            detail.strip(),
        )
    _print(gaps, "ไม่พบ (none)")
    if person.conflicts:
        clash = _table("ข้อมูลขัดแย้ง (disagreements)", "ข้อมูล (field)", "ใช้ค่า (chosen)", "ค่าอื่น (other)")
        for c in person.conflicts:
            clash.add_row(
                c["label_th"],
                f"{c['chosen_value']} ({c['chosen_source']})",
                f"{c['other_value']} ({c['other_source']})",
            )
        console.print(clash)


def _gap_detail(gap: dict[str, Any], conditions: dict[str, Condition]) -> str:
    """A gap's detail in Thai: the conditions failed, the payers, the day of death."""
    detail = gap["detail"] or ""
    if gap["gap"] == "receiving_not_eligible":
        failed = [conditions[c].th if c in conditions else c for c in detail.split(",") if c]
        return "ข้อที่ไม่ผ่าน (fails): " + ", ".join(failed) if failed else ""
    if gap["gap"] == "paid_twice":
        return f"ผู้จ่าย (payers): {detail.replace(',', ', ')}"
    if gap["gap"] == "paid_after_death" and detail.startswith("died "):
        return f"เสียชีวิต (died) {detail.removeprefix('died ')}"
    return detail


def print_household(household: dict[str, Any]) -> None:
    """A household's profile, its poverty verdict and its members."""
    h = household
    table = _table(
        f"ครัวเรือน (household) {h['household_id']} · บ้าน {h['house_code'] or '-'}", "", ""
    )
    table.columns[1].justify = "left"  # a key and its value, some of them sentences
    for label, key in (
        ("สมาชิกที่มีชีวิต (living members)", "members"),
        ("เด็กอายุต่ำกว่า 6 ปี (children under 6)", "children_under_6"),
        ("ผู้สูงอายุ (aged 60+)", "elderly"),
        ("คนพิการ (with a disability)", "with_disability"),
        ("ติดเตียง (bedridden)", "bedridden"),
        ("มีงานในระบบประกันสังคม (formally employed)", "formally_employed"),
        ("กำลังเรียน (at school)", "students"),
        ("ถือบัตรสวัสดิการแห่งรัฐ (welfare card holders)", "welfare_card_holders"),
    ):
        table.add_row(label, f"{h[key]:,}")
    income = h["income_per_person"]
    table.add_row("รายได้ต่อคนต่อปี (income per person, baht)", _baht(income))
    poverty = h.get("poverty")
    verdict = (
        "ไม่ได้สำรวจ (not surveyed)"
        if poverty is None
        else "ยากจน (poor): ไม่ผ่านตัวชี้วัดด้านล่าง (fails the indicators below)"
        if poverty["poor"]
        else "ไม่ยากจน (not poor)"
    )
    table.add_row("ดัชนี จปฐ. (poverty index)", verdict)
    if poverty is not None and poverty["poor"]:
        from sitthi.poverty.index import load_indicators

        indicators = load_indicators().indicators
        for code in poverty["failed"]:
            wording = indicators[code].th if code in indicators else code
            table.add_row("", thai_wrap(f"{code[-2:]}. {wording}", INDICATOR_WIDTH))
    console.print(table)
    members = _table("สมาชิก (members)", "บุคคล (person)", "ชื่อ (name)", "อายุ (age)")
    members.columns[1].justify = "left"
    for m in h["members_list"]:
        name = f"{m['first_name'] or ''} {m['last_name'] or ''}".strip()
        dead = "" if m["alive"] else " (เสียชีวิต)"
        members.add_row(m["person_id"], name + dead, "" if m["age"] is None else str(m["age"]))
    console.print(members)
