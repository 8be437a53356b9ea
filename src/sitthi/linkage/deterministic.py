"""Stages 1 and 2: link on the national ID, then repair IDs that are one keystroke wrong.

Stage 1 groups records by valid national ID (checksum verified at ingest). An ID group is
trusted only where its records describe one person: a record that is not consistent with
the civil-registry record (or with the others, when there is none) is set apart. It is not
dropped: the probabilistic stage scores it against every candidate, its own group included,
with the shared ID as evidence.

Stage 2 looks for the right ID of the records whose ID may be wrong: an invalid ID (failed
checksum), a valid ID that conflicts with its group, and a valid ID no civil-registry
record holds. The right ID is one substitution or one adjacent transposition away, held by
records that agree on both names and the birth date; when exactly one such holder exists,
the record is repaired to it and the repair is recorded. The records that share a valid ID
are judged together (a clerk's typo is copied into every monthly list), so a typo held by
three consistent records moves as one. Everything else goes on to the probabilistic stage.

Finding IDs one edit away needs no candidate explosion: an edit touches at most two
adjacent positions, so two IDs one edit apart share one of five fixed slices of their
13 digits. Each slice is an equi-join key; Damerau-Levenshtein (on ASCII digits, so
bytes are characters) confirms the distance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitthi.engines.duckdb import run
from sitthi.linkage.agreement import consistent_sql, register, same_person_sql
from sitthi.linkage.prepare import BIRTH_PARTS, NAME_COLUMNS

if TYPE_CHECKING:
    import duckdb

#: Slices (1-based start, length) of a 13-digit ID; two IDs one substitution or adjacent
#: transposition apart agree on at least one whole set: edits in 1-7 keep 8-13, an edit at
#: 7/8 keeps 1-6 and 9-13, edits in 8-10 keep 1-7 and 11-13, a swap at 10/11 keeps 1-9 and
#: 12-13, edits in 11-13 keep 1-10.
ID_SLICES = (
    ((8, 6),),
    ((1, 6), (9, 5)),
    ((1, 7), (11, 3)),
    ((1, 9), (12, 2)),
    ((1, 10),),
)
#: In a group without a civil-registry record, each record is checked against at most
#: this many others: a placeholder ID shared by thousands must not cost n² comparisons.
MAX_GROUP_CHECKS = 20
#: What the agreement tests read: queries over every record carry only these.
AGREEMENT_COLUMNS = ", ".join(f"li.{c}" for c in (*NAME_COLUMNS, *BIRTH_PARTS))


@dataclass(frozen=True)
class DeterministicResult:
    """How many records each deterministic outcome covers."""

    by_national_id: int
    repaired_invalid: int
    repaired_valid_typo: int
    id_conflicts: int
    unresolved: int


def _slice_key(column: str, slices: tuple[tuple[int, int], ...]) -> str:
    return " || ".join(f"substr({column}, {start}, {length})" for start, length in slices)


def resolve_ids(con: duckdb.DuckDBPyConnection) -> DeterministicResult:
    """Fill the temporary table ``id_links`` from ``link_input``.

    ``id_links`` has one row per record: ``rid``, ``pid_hash`` (the ID group it belongs to,
    NULL when unresolved), ``stage`` (``national_id``, ``id_repair`` or NULL), ``repair``
    (``invalid_id`` or ``valid_typo``), ``own_pid_hash`` (the valid ID it owns, so a later
    stage never joins it to a different ID's holder: its group's, or its own unless that ID
    is disputed), ``from_pid_hash`` (its own valid ID, disputed or not) and ``conflict``.
    """
    register(con)
    # Is each valid-ID record consistent with its group?
    run(
        con,
        f"""
        create or replace temp table id_support as
        with g as (
            select pid_hash, bool_or(id_keyed) as anchored, count(*) as n
            from link_input where id_valid group by 1),
        r as (
            select li.rid, li.pid_hash, li.id_keyed, {AGREEMENT_COLUMNS}, g.anchored,
                   row_number() over (partition by li.pid_hash order by li.id_keyed desc, li.rid)
                       as k
            from link_input li join g using (pid_hash)
            where li.id_valid and g.n > 1)
        select l.rid, bool_or({consistent_sql("l", "r")}) as supported
        from r l join r on r.pid_hash = l.pid_hash and r.rid <> l.rid
            and (r.id_keyed or not r.anchored) and r.k <= {MAX_GROUP_CHECKS + 1}
        where not l.id_keyed
        group by l.rid
        """,
    )
    # ID groups and how much they can be trusted: a registry record keyed by the ID beats
    # numbers, and numbers beat a lone record.
    run(
        con,
        """
        create or replace temp table id_groups as
        select li.pid_hash, bool_or(li.id_keyed) as anchored,
               count(distinct li.source) filter (li.id_keyed or coalesce(s.supported, true))
                   as sources,
               count(*) filter (li.id_keyed or coalesce(s.supported, true)) as n
        from link_input li left join id_support s using (rid)
        where li.id_valid group by 1
        """,
    )
    # Records whose ID may be one edit from the right one: invalid 13-digit IDs, valid IDs
    # that conflict with their group, and valid IDs no civil-registry record holds (a
    # clerk's typo that passed the checksum travels with the person through every list).
    run(
        con,
        """
        create or replace temp table id_candidates as
        with c as (
            select li.rid, li.id_valid, li.pid_hash,
                   coalesce(s.supported = false, false) as conflict
            from link_input li
            left join id_support s using (rid)
            left join id_groups g on g.pid_hash = li.pid_hash and li.id_valid
            where (not li.id_valid and li.id_reason in ('bad_checksum', 'bad_category'))
               or (li.id_valid and not li.id_keyed
                   and (s.supported = false or not g.anchored)))
        -- the raw ID only for the few candidates (the identity table is as long as the store)
        select c.*, i.national_id as digits
        from c
        join (select pid_hash, any_value(national_id) as national_id from identities
              where pid_hash in (select pid_hash from c) group by 1) i using (pid_hash)
        """,
    )
    joins = " union ".join(
        f"""select c.pid_hash as from_pid, i.pid_hash as to_pid from candidate_ids c
            join ids i on {_slice_key("c.digits", sl)} = {_slice_key("i.national_id", sl)}
            where damerau_levenshtein(c.digits, i.national_id) = 1"""
        for sl in ID_SLICES
    )
    confirmed = "(li.id_keyed or coalesce(s.supported, true))"
    run(
        con,
        f"""
        create or replace temp table id_repairs_found as
        with ids as (
            select pid_hash, national_id from identities
            where regexp_full_match(national_id, '[0-9]{{13}}')),
        candidate_ids as (select distinct pid_hash, digits from id_candidates),
        neighbours as ({joins}),
        holders as (
            select li.pid_hash, {AGREEMENT_COLUMNS}
            from link_input li left join id_support s using (rid)
            where li.id_valid and {confirmed}),
        agree as (
            select distinct c.rid, c.pid_hash as own, c.id_valid and not c.conflict as grouped,
                   n.to_pid
            from id_candidates c
            join neighbours n on n.from_pid = c.pid_hash
            join link_input l on l.rid = c.rid
            join holders h on h.pid_hash = n.to_pid
            join id_groups g on g.pid_hash = n.to_pid
            left join id_groups own on own.pid_hash = c.pid_hash and c.id_valid
            where {same_person_sql("l", "h")}
              -- a valid ID moves only to a stronger group, so two groups one edit apart
              -- are joined once, in one direction: a registry keyed by the ID, then more
              -- agencies (a clerk's typo is copied into every list of one agency, the right
              -- ID is typed afresh by each), then more records
              and (own.pid_hash is null or c.conflict or g.anchored
                   or (g.sources, g.n, own.pid_hash) > (own.sources, own.n, g.pid_hash))),
        -- a record with an invalid or conflicting ID is judged by itself
        single as (
            select rid, any_value(to_pid) as to_pid, count(distinct to_pid) as holders
            from agree where not grouped group by rid),
        -- the records that share a valid ID move together, when at least half of them agree
        -- with exactly one holder one edit away
        per_group as (
            select own, to_pid, count(distinct rid) as agreeing
            from agree where grouped group by 1, 2),
        moves as (
            select p.own, any_value(p.to_pid) as to_pid,
                   case when count(*) = 1 and max(p.agreeing) * 2 >= max(og.n) then 1 else 2 end
                       as holders
            from per_group p join id_groups og on og.pid_hash = p.own
            group by p.own),
        found as (
            select rid, to_pid, holders from single
            union all
            select c.rid, m.to_pid, m.holders
            from id_candidates c join moves m on m.own = c.pid_hash
            where c.id_valid and not c.conflict)
        -- a group that moved to a group that moved itself follows it
        select f.rid, coalesce(m.to_pid, f.to_pid) as pid_hash, f.holders
        from found f left join moves m on m.own = f.to_pid and m.holders = 1
        """,
    )
    run(
        con,
        f"""
        create or replace temp table id_links as
        with l as (
            select li.rid, li.id_valid, li.pid_hash as id_hash,
                   case when rep.holders = 1 then rep.pid_hash
                        when li.id_valid and {confirmed} then li.pid_hash end as pid_hash,
                   case when rep.holders = 1 then 'id_repair'
                        when li.id_valid and {confirmed} then 'national_id' end as stage,
                   case when rep.holders = 1 then
                        case when li.id_valid then 'valid_typo' else 'invalid_id' end end
                       as repair,
                   li.id_valid and s.supported = false as conflict
            from link_input li
            left join id_support s using (rid)
            left join id_repairs_found rep using (rid))
        -- the ID a record owns, which no model may join to another valid ID: its group's,
        -- or its own valid ID unless that ID is disputed (it conflicts with its holders)
        select rid, pid_hash, stage, repair,
               coalesce(pid_hash, case when id_valid and not conflict then id_hash end)
                   as own_pid_hash,
               case when id_valid then id_hash end as from_pid_hash,
               conflict
        from l
        """,
    )
    counts = con.execute(
        """select count(*) filter (stage = 'national_id'),
                  count(*) filter (repair = 'invalid_id'),
                  count(*) filter (repair = 'valid_typo'),
                  count(*) filter (conflict and stage is null),
                  count(*) filter (stage is null)
           from id_links"""
    ).fetchall()[0]
    return DeterministicResult(*(int(c) for c in counts))
