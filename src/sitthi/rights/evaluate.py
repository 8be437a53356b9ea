"""Gaps against a truth of welfare errors: precision, recall, and a reason for every miss.

The truth file (``welfare_errors.csv`` of a synthetic world, or any file with
``programme,error_type,national_id``) names people by national ID; they are found through
the store's identity table. Each miss gets a reason:

* ``not_in_store`` — the person has no loaded record (quarantined, or no extract has them),
  or, given the linkage truth, one of their records is not loaded (a pension record
  quarantined at ingest leaves the pension unknown);
* ``linkage`` — the gap was found, but on a different person ID than the person's civil
  record (records of one person split apart, or another's merged in); or a gap found on a
  person with no civil-registry record at all (a record the linkage left alone); or, given
  the linkage truth (``source,record_id,person_id``), a person whose records the linkage
  split or merged (a payment or a pension record on someone else changes the verdict);
* ``unknown_data`` — a found exclusion, or a missed inclusion, that turns on facts no
  loaded source reports (a government pension before CGD's roll is loaded): the gap's
  ``unknown`` columns, or the person's eligibility's, are not empty;
* ``rule`` — anything else: the rules and the data disagree with the truth.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitthi.csv_header import require_columns
from sitthi.engines.duckdb import dict_rows, run
from sitthi.errors import ValidationError
from sitthi.linkage.evaluate import TRUTH_COLUMNS as LINKAGE_TRUTH_COLUMNS
from sitthi.linkage.evaluate import load_truth
from sitthi.linkage.prepare import prepare_records
from sitthi.rights.engine import GAP_TYPES

if TYPE_CHECKING:
    import duckdb

TRUTH_COLUMNS = ("programme", "error_type", "national_id")


@dataclass(frozen=True)
class GapAccuracy:
    """One programme and gap type."""

    programme: str
    gap: str
    planted: int
    found: int
    correct: int
    precision: float
    recall: float
    missed: dict[str, int]  # truth not found, by reason
    extra: dict[str, int]  # found, not in the truth, by reason


def _mislinked_persons(con: duckdb.DuckDBPyConnection, links: Path | None) -> None:
    """``gap_mislinked (person_id, why)``: with a linkage truth, store persons whose records
    the linkage split or merged (``linkage``), or one of whose records is not in the store
    (``not_in_store``: quarantined at ingest). Empty without a linkage truth."""
    if links is None:
        run(con, "create or replace temp table gap_mislinked (person_id varchar, why varchar)")
        return
    prepare_records(con)  # link_input: the record keys the linkage truth is matched on
    load_truth(con, links)  # finds civil records keyed by the ID under their pseudonym
    run(
        con,
        """
        create or replace temp table gap_mislinked as
        with placed as (
            select t.entity as true_id, p.person_id
            from truth t
            left join link_input li on li.rid = t.rid
            left join person_records p on p.source = li.source and p.record_id = li.record_id),
        split as (
            select true_id from placed where person_id is not null
            group by 1 having count(distinct person_id) > 1),
        lost as (select distinct true_id from placed where person_id is null),
        marked as (
            select person_id, 'linkage' as why from placed where person_id is not null
            group by 1 having count(distinct true_id) > 1
            union all
            select p.person_id, 'linkage' from placed p semi join split using (true_id)
            union all
            select p.person_id, 'not_in_store' from placed p semi join lost using (true_id)
            where p.person_id is not null)
        select person_id, min(why) as why from marked group by 1
        """,
    )


def check_truth_files(truth: Path, links: Path | None, programmes: set[str]) -> None:
    """Refuse a missing or malformed truth before a long run, not after it: every row
    readable, every error type a gap, every programme one that is loaded."""
    header = require_columns(truth, TRUTH_COLUMNS)
    if links is not None:
        require_columns(links, LINKAGE_TRUTH_COLUMNS)
    found: set[tuple[str, str]] = set()
    with truth.open(encoding="utf-8-sig", newline="") as f:
        for number, row in enumerate(csv.reader(f), start=1):
            if number == 1 or not row:
                continue
            if len(row) != len(header):
                raise ValidationError(
                    f"{truth}: row {number}: {len(row)} fields, the header has {len(header)}"
                )
            fields = dict(zip(header, row, strict=True))
            found.add((fields["programme"], fields["error_type"]))
    if not found:
        raise ValidationError(f"{truth}: no planted errors to check against (header only)")
    for programme, error_type in sorted(found):
        if error_type not in GAP_TYPES:
            raise ValidationError(
                f"{truth}: error_type {error_type!r} is not a gap ({', '.join(GAP_TYPES)})"
            )
        if programme not in programmes:
            raise ValidationError(
                f"{truth}: programme {programme!r} is not loaded ({', '.join(sorted(programmes))})"
            )


def evaluate_gaps(
    con: duckdb.DuckDBPyConnection, truth: Path, links: Path | None = None
) -> list[GapAccuracy]:
    """Score ``gaps`` against ``truth`` (and name linkage errors from ``links``, the
    linkage truth, when given); see the module docstring for the reasons."""
    require_columns(truth, TRUTH_COLUMNS)
    _mislinked_persons(con, links)
    run(
        con,
        """
        create or replace temp table gap_truth as
        with t as (
            select distinct programme, error_type as gap, national_id
            from read_csv($path, header = true, all_varchar = true)),
        holder as (
            -- the person of the civil record, else of any record with this ID
            select i.national_id, arg_min(p.person_id, s.record_id <> s.pid_hash) as person_id
            from identities i
            join source_records s on s.pid_hash = i.pid_hash
            join person_records p on p.source = s.source and p.record_id = s.record_id
            group by 1)
        select t.programme, t.gap, t.national_id, h.person_id
        from t left join holder h using (national_id)
        """,
        {"path": str(truth)},
    )
    rows = dict_rows(
        con,
        """
        with keys as (
            select distinct programme, gap from gap_truth
            union select distinct programme, gap from gaps),
        missed as (
            select t.programme, t.gap,
                   case when t.person_id is null then 'not_in_store'
                        when exists (select 1 from gaps g2 join person_records a
                                       on a.person_id = g2.person_id
                                     join source_records s
                                       on s.source = a.source and s.record_id = a.record_id
                                     join identities i on i.pid_hash = s.pid_hash
                                     where i.national_id = t.national_id
                                       and g2.programme = t.programme and g2.gap = t.gap)
                        or t.person_id in (
                            select person_id from gap_mislinked where why = 'linkage')
                        then 'linkage'
                        when t.person_id in (select person_id from gap_mislinked)
                        then 'not_in_store'
                        when t.gap = 'receiving_not_eligible' and len(e.unknown) > 0
                        then 'unknown_data'
                        else 'rule' end as reason
            from gap_truth t
            left join gaps g using (person_id, programme, gap)
            left join eligibility e using (person_id, programme)
            where g.person_id is null),
        extra as (
            select g.programme, g.gap,
                   case when not exists (
                            select 1 from person_records a
                            join source_records s
                              on s.source = a.source and s.record_id = a.record_id
                            where a.person_id = g.person_id and s.record_id = s.pid_hash)
                          or g.person_id in (
                            select person_id from gap_mislinked where why = 'linkage')
                        then 'linkage'
                        when g.person_id in (select person_id from gap_mislinked)
                        then 'not_in_store'
                        when g.unknown is not null then 'unknown_data'
                        else 'rule' end as reason
            from gaps g
            left join gap_truth t using (person_id, programme, gap)
            where t.programme is null)
        select k.programme, k.gap,
               (select count(*) from gap_truth t
                where t.programme = k.programme and t.gap = k.gap) as planted,
               (select count(*) from gaps g where g.programme = k.programme and g.gap = k.gap)
                   as found,
               (select count(*) from gaps g join gap_truth t using (person_id, programme, gap)
                where g.programme = k.programme and g.gap = k.gap) as correct,
               (select map(list(reason), list(n)) from (
                    select reason, count(*) as n from missed m
                    where m.programme = k.programme and m.gap = k.gap group by 1)) as missed,
               (select map(list(reason), list(n)) from (
                    select reason, count(*) as n from extra e
                    where e.programme = k.programme and e.gap = k.gap group by 1)) as extra
        from keys k order by k.programme, k.gap
        """,
    )
    return [_accuracy(r) for r in rows]


def _accuracy(r: dict[str, Any]) -> GapAccuracy:
    found, planted, correct = int(r["found"]), int(r["planted"]), int(r["correct"])
    return GapAccuracy(
        programme=r["programme"],
        gap=r["gap"],
        planted=planted,
        found=found,
        correct=correct,
        precision=correct / found if found else 1.0,
        recall=correct / planted if planted else 1.0,
        missed={str(k): int(v) for k, v in (r["missed"] or {}).items()},
        extra={str(k): int(v) for k, v in (r["extra"] or {}).items()},
    )
