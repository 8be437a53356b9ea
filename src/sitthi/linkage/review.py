"""The review queue: pairs the model is unsure of, and the decisions people make on them.

A queue entry is named by a short ``pair_id`` (a hash of its two records), so the same
pair has the same name in every run. A decision (``same`` or ``different``) is kept in
``review_decisions`` forever and overrides the model on every later run: the pair is then
linked, or kept apart, whatever the scores say.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sitthi.engines.duckdb import dict_rows, one, rows, run
from sitthi.errors import ValidationError
from sitthi.linkage.tables import ensure_schema

if TYPE_CHECKING:
    import duckdb

Decision = Literal["same", "different"]

PAIR_ID = "substr(md5(q.source_l || ':' || q.record_id_l || '|' || q.source_r || ':' || q.record_id_r), 1, 10)"  # noqa: E501

#: Side-by-side fields shown for each record of a pair.
SHOWN = (
    "title",
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "birth_precision",
    "house_code",
    "house_no",
    "moo",
    "subdistrict_code",
    "phone",
)


@dataclass(frozen=True)
class ReviewItem:
    """One pair in the queue, with both records and the model's evidence."""

    pair_id: str
    reason: str
    match_probability: float | None
    match_weight: float | None
    left: dict[str, Any]
    right: dict[str, Any]
    evidence: dict[str, Any]


def _record(con: duckdb.DuckDBPyConnection, source: str, record_id: str) -> dict[str, Any]:
    cols = ", ".join(f"s.{c}" for c in SHOWN)
    found = dict_rows(
        con,
        f"""select s.source, s.record_id, {cols}, (select person_id from person_records p
                   where p.source = s.source and p.record_id = s.record_id) as person_id
            from source_records s join batches b using (batch_id)
            where s.source = $s and s.record_id = $r
            order by b.finished_at desc limit 1""",
        {"s": source, "r": record_id},
    )
    return found[0] if found else {"source": source, "record_id": record_id}


def list_queue(
    con: duckdb.DuckDBPyConnection, *, reason: str | None = None, limit: int = 20
) -> tuple[int, list[ReviewItem]]:
    """The total size of the queue and its first ``limit`` pairs, most uncertain first."""
    ensure_schema(con)
    where = "where q.reason = $reason" if reason else ""
    total = one(con, f"select count(*) from review_queue q {where}", {"reason": reason})
    found = rows(
        con,
        f"""select {PAIR_ID}, q.reason, q.match_probability, q.match_weight, q.source_l,
                   q.record_id_l, q.source_r, q.record_id_r, q.evidence
            from review_queue q {where}
            order by abs(coalesce(q.match_probability, 0.5) - 0.5), 1
            limit $limit""",
        {"reason": reason, "limit": limit},
    )
    items = [
        ReviewItem(
            pair_id=r[0],
            reason=r[1],
            match_probability=r[2],
            match_weight=r[3],
            left=_record(con, r[4], r[5]),
            right=_record(con, r[6], r[7]),
            evidence=json.loads(r[8] or "{}"),
        )
        for r in found
    ]
    return int(total), items


def decide(
    con: duckdb.DuckDBPyConnection,
    pair_id: str,
    decision: Decision,
    *,
    decided_by: str,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[str, str, str, str]:
    """Record a decision on a queued pair; returns the pair's two records.

    Raises:
        ValidationError: no pair in the queue has this ID.
    """
    ensure_schema(con)
    found = rows(
        con,
        f"""select q.source_l, q.record_id_l, q.source_r, q.record_id_r
            from review_queue q where {PAIR_ID} = $pair""",
        {"pair": pair_id.strip().lower()},
    )
    if not found:
        raise ValidationError(
            f"pair {pair_id!r} is not in the review queue (see `sitthi review list`)"
        )
    sl, rl, sr, rr = found[0]
    run(
        con,
        """insert into review_decisions values ($sl, $rl, $sr, $rr, $decision, $by, $at, $note)""",
        {
            "sl": sl,
            "rl": rl,
            "sr": sr,
            "rr": rr,
            "decision": decision,
            "by": decided_by,
            "at": now or dt.datetime.now(),
            "note": note,
        },
    )
    run(
        con,
        "delete from review_queue where source_l = $sl and record_id_l = $rl "
        "and source_r = $sr and record_id_r = $rr",
        {"sl": sl, "rl": rl, "sr": sr, "rr": rr},
    )
    return sl, rl, sr, rr
