"""The notifications outbox: one Thai message per person and gap, ready to send.

A person who misses a right is told what the right is, how much it pays, how to claim and
where (by SMS when a phone number is on record, otherwise by letter to the registered
address). A gap that rests on unknown facts (``gaps.unknown``) waits as ``check_first``
until an officer has checked it. Payment errors go to the authority that pays, naming the
person by their ``person_id`` only: the authority has the rest in its own list (PDPA: no
more than needed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitthi.engines.duckdb import one, quote_literal, run
from sitthi.rights.programme import Programme
from sitthi.thai.dates import THAI_MONTHS_SHORT

if TYPE_CHECKING:
    import duckdb

HOTLINE = "1300"


def _thai_date(column: str) -> str:
    """SQL writing a date the Thai way: 9 มี.ค. 2569."""
    months = ", ".join(quote_literal(m) for m in THAI_MONTHS_SHORT)
    return (
        f"day({column})::varchar || ' ' || [{months}][month({column})] || ' ' "
        f"|| (year({column}) + 543)::varchar"
    )


def build_notifications(con: duckdb.DuckDBPyConnection, programmes: dict[str, Programme]) -> int:
    """Rebuild ``notifications`` from ``gaps``; returns the number of messages."""
    run(
        con,
        """create or replace temp table programme_text (programme varchar, name_th varchar,
               how_th varchar, where_th varchar, administered_by_th varchar,
               membership boolean, names_payer boolean)""",
    )
    con.executemany(
        "insert into programme_text values (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                p.id,
                p.name_th,
                p.claim.how_th,
                p.claim.where_th,
                p.administered_by_th,
                p.enrolment.profile is not None,
                p.enrolment.payer is not None,
            )
            for p in programmes.values()
        ],
    )
    conditions = [
        (p.id, name, c.th) for p in programmes.values() for name, c in p.eligibility.items()
    ]
    run(
        con,
        "create or replace temp table condition_text (programme varchar, name varchar, th varchar)",
    )
    con.executemany("insert into condition_text values (?, ?, ?)", conditions)
    run(
        con,
        f"""
        create or replace table notifications as
        with payers as (
            select person_id, programme, string_agg(distinct payer, ', ' order by payer) as payers
            from payments where payer is not null group by all),
        failed as (
            select g.person_id, g.programme,
                   string_agg(c.th, ' และ ' order by c.name) as failed_th
            from gaps g, unnest(string_split(g.detail, ',')) as u(name)
            join condition_text c on c.programme = g.programme and c.name = u.name
            where g.gap = 'receiving_not_eligible'
            group by all)
        select g.person_id, g.programme, g.gap,
               case when g.gap = 'eligible_not_receiving' then 'person'
                    else 'payer' end as recipient,
               case when g.gap <> 'eligible_not_receiving' then 'letter'
                    when p.phone is not null then 'sms' else 'letter' end as channel,
               case when g.gap = 'eligible_not_receiving' then p.phone end as phone,
               case when g.gap = 'eligible_not_receiving' then
                        'เรียน ' || coalesce(p.title, 'คุณ') || p.first_name || ' '
                        || coalesce(p.last_name, '') || ' ท่านอาจมีสิทธิ์ได้รับ' || t.name_th
                        || ' เดือนละ ' || format('{{:,}}', g.amount::integer) || ' บาท'
                        || ' แต่ยังไม่พบว่าท่านได้รับ วิธีขอรับ: ' || t.how_th
                        || ' ที่' || t.where_th || ' สอบถามสายด่วน {HOTLINE}'
                    when g.gap = 'receiving_not_eligible' then
                        'ถึง ' || t.administered_by_th || coalesce(' (รหัส ' || py.payers || ')', '')
                        || ': พบว่าบุคคลรหัส ' || g.person_id || ' ได้รับ' || t.name_th
                        || ' แต่ไม่เข้าเงื่อนไข (' || coalesce(f.failed_th, g.detail)
                        || ') กรุณาตรวจสอบ และระงับสิทธิ์หากข้อมูลถูกต้อง'
                    when g.gap = 'paid_twice' then
                        'ถึง ' || t.administered_by_th
                        || case when t.names_payer then ' (รหัส ' else ' (รายการ ' end
                        || array_to_string(
                               list_sort(list_distinct(string_split(g.detail, ','))), ', ')
                        || '): พบว่าบุคคลรหัส ' || g.person_id || ' ได้รับ' || t.name_th
                        -- two payers: a move the old one never recorded; one payer, or a
                        -- list that names none: the person is registered twice
                        || case when t.names_payer
                                     and len(list_distinct(string_split(g.detail, ','))) > 1
                                then 'ซ้ำจากหลายแห่งในงวดเดียวกัน '
                                     || 'กรุณาตรวจสอบว่าผู้รับย้ายภูมิลำเนาแล้วหรือไม่'
                                else 'ซ้ำในงวดเดียวกัน กรุณาตรวจสอบการลงทะเบียนซ้ำ' end
                    when t.membership then
                        -- a card is not paid out: it stays usable, so it is cancelled
                        'ถึง ' || t.administered_by_th || ': พบว่า' || t.name_th
                        || 'ของบุคคลรหัส ' || g.person_id || ' ยังใช้งานได้หลังวันที่เสียชีวิต ('
                        || {_thai_date("pf.death_date")} || ') กรุณายกเลิกบัตร'
                    else
                        'ถึง ' || t.administered_by_th || coalesce(' (รหัส ' || py.payers || ')', '')
                        || ': พบการจ่าย' || t.name_th || 'ให้บุคคลรหัส ' || g.person_id
                        || ' หลังวันที่เสียชีวิต (' || {_thai_date("pf.death_date")}
                        || ') กรุณาระงับการจ่ายและดำเนินการเรียกคืนเงิน'
               end as message_th,
               -- a judgement resting on facts no loaded source knows is checked by an
               -- officer before anyone is told (a pensioner must not be invited to claim)
               case when g.unknown is null then 'pending' else 'check_first' end as status,
               g.unknown
        from gaps g
        join programme_text t using (programme)
        join persons p using (person_id)
        left join payers py using (person_id, programme)
        left join failed f using (person_id, programme)
        left join profiles pf using (person_id)
        """,
    )
    return int(one(con, "select count(*) from notifications"))
