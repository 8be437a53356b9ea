"""Why is a record this person? The stored answer, stage by stage, with the evidence.

`explain_person` lists a person's records with the stage that placed each one and the
link that did it; `explain_pair` says whether two records are one person and why: the
shared ID, the repair, the model's per-field match weights, or a reviewer's decision.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sitthi.engines.duckdb import dict_rows, rows
from sitthi.errors import ValidationError
from sitthi.linkage.tables import ensure_schema

if TYPE_CHECKING:
    import duckdb


@dataclass
class PersonExplanation:
    """A person's records, events and household."""

    person_id: str
    status: str
    records: list[dict[str, Any]]
    events: list[dict[str, Any]]
    household_id: str | None


@dataclass
class PairExplanation:
    """Two records: one person or two, and the evidence."""

    left: dict[str, Any]
    right: dict[str, Any]
    same_person: bool
    same_national_id: bool
    evidence: dict[str, Any] | None = None
    match_probability: float | None = None
    decisions: list[dict[str, Any]] = field(default_factory=list)
    scored_now: bool = False  # scored for this explanation (the run never compared them)
    found_by_blocking: bool | None = None


_RECORD = """
    select p.source, p.record_id, p.person_id, p.stage, round(p.match_probability, 6)
               as match_probability,
           p.linked_source, p.linked_record_id, r.kind as id_repair,
           s.title, s.first_name, s.last_name, s.sex, s.birth_date, s.birth_precision,
           s.house_code, s.subdistrict_code, s.pid_hash is not null as has_national_id,
           s.national_id_valid, s.pid_hash
    from person_records p
    join source_records s on s.source = p.source and s.record_id = p.record_id
    join batches b on b.batch_id = s.batch_id
    left join id_repairs r on r.source = p.source and r.record_id = p.record_id
"""


def explain_person(con: duckdb.DuckDBPyConnection, person_id: str) -> PersonExplanation:
    """The records, events and household of ``person_id``."""
    ensure_schema(con)
    found = rows(con, "select status from person_ledger where person_id = $p", {"p": person_id})
    if not found:
        raise ValidationError(f"no person {person_id!r} in the store (run `sitthi link` first)")
    records = dict_rows(
        con,
        f"""{_RECORD} where p.person_id = $p
            qualify row_number() over (partition by p.source, p.record_id
                                       order by b.finished_at desc) = 1
            order by p.stage, p.source, p.record_id""",
        {"p": person_id},
    )
    events = dict_rows(
        con,
        """select run_id, event, person_id, other_person_id, records, happened_at
           from link_events where person_id = $p or other_person_id = $p
           order by happened_at, event""",
        {"p": person_id},
    )
    household = rows(
        con, "select household_id from person_households where person_id = $p", {"p": person_id}
    )
    return PersonExplanation(
        person_id=person_id,
        status=found[0][0],
        records=[_public(r) for r in records],
        events=events,
        household_id=household[0][0] if household else None,
    )


def _public(record: dict[str, Any]) -> dict[str, Any]:
    # The pseudonym is an internal join key: show whether an ID is there, not the hash.
    return {k: v for k, v in record.items() if k != "pid_hash"}


def person_of_record(con: duckdb.DuckDBPyConnection, source: str, record_id: str) -> str:
    """The person a linked record belongs to, or an error naming the record."""
    found = rows(
        con,
        "select person_id from person_records where source = $s and record_id = $r",
        {"s": source, "r": record_id},
    )
    if not found:
        raise ValidationError(f"no linked record {source}:{record_id} (run `sitthi link` first)")
    return str(found[0][0])


def parse_record_ref(ref: str) -> tuple[str, str]:
    """``SOURCE:RECORD_ID`` → (source, record_id)."""
    source, sep, record_id = ref.partition(":")
    if not sep or not source or not record_id:
        raise ValidationError(f"{ref!r}: name a record as SOURCE:RECORD_ID (e.g. lao:L000012)")
    return source, record_id


def _one_record(con: duckdb.DuckDBPyConnection, source: str, record_id: str) -> dict[str, Any]:
    found = dict_rows(
        con,
        f"""{_RECORD} where p.source = $s and p.record_id = $r
            order by b.finished_at desc limit 1""",
        {"s": source, "r": record_id},
    )
    if not found:
        raise ValidationError(f"no linked record {source}:{record_id} (run `sitthi link` first)")
    return found[0]


def explain_pair(
    con: duckdb.DuckDBPyConnection, left: tuple[str, str], right: tuple[str, str]
) -> PairExplanation:
    """Whether two records are one person, and the evidence for it."""
    ensure_schema(con)
    a, b = _one_record(con, *left), _one_record(con, *right)
    scored = rows(
        con,
        """select match_probability, evidence from link_pairs
           where (source_l, record_id_l, source_r, record_id_r) in (($sa, $ra, $sb, $rb),
                                                                     ($sb, $rb, $sa, $ra))""",
        {"sa": left[0], "ra": left[1], "sb": right[0], "rb": right[1]},
    )
    decisions = dict_rows(
        con,
        """select decision, decided_by, decided_at, note from review_decisions
           where (source_l, record_id_l, source_r, record_id_r) in (($sa, $ra, $sb, $rb),
                                                                     ($sb, $rb, $sa, $ra))
           order by decided_at""",
        {"sa": left[0], "ra": left[1], "sb": right[0], "rb": right[1]},
    )
    explanation = PairExplanation(
        left=_public(a),
        right=_public(b),
        same_person=a["person_id"] == b["person_id"],
        same_national_id=a["pid_hash"] is not None and a["pid_hash"] == b["pid_hash"],
        match_probability=scored[0][0] if scored else None,
        evidence=json.loads(scored[0][1]) if scored else None,
        decisions=decisions,
    )
    model = rows(con, "select model from link_runs order by finished_at desc limit 1")
    if not scored and model and model[0][0]:
        # Never compared in the run: score them now with the run's model, so the answer
        # to "why are these two not one person?" has evidence too.
        from sitthi.linkage.probabilistic import score_pair_now

        p, evidence, found = score_pair_now(con, left, right, json.loads(model[0][0]))
        explanation.match_probability, explanation.evidence = p, evidence
        explanation.scored_now, explanation.found_by_blocking = True, found
    return explanation
