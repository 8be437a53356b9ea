"""Stage 4: from links to persons, without ever letting a weak link merge two IDs.

National-ID groups are fixed first (stages 1-2). A probabilistic link then either attaches
an unresolved record to one ID group (its best-scoring one) or joins unresolved records to
each other. Two different valid national IDs are never merged by the model: only a
reviewer's decision can do that. When a chain of unresolved records would connect two ID
groups, its members stay with the group each one is attached to and the chain goes to the
review queue. Reviewers' decisions override the model both ways.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitthi.engines.duckdb import rows, run
from sitthi.linkage.agreement import birth_clash_sql, register
from sitthi.linkage.graph import connected_components

if TYPE_CHECKING:
    import duckdb


#: The fit (match weight besides the ID) of a link a reviewer made: above any model's.
REVIEWED_FIT = 1e9
#: Bits of fit within which a second person competes with the best for a record (16×).
COMPETING_MARGIN = 4.0


@dataclass(frozen=True)
class Thresholds:
    """Match probabilities that decide a link (≥ ``link``) or a review (≥ ``review``)."""

    link: float = 0.99
    review: float = 0.5


@dataclass(frozen=True)
class ClusterResult:
    """Records placed by each stage, and the review queue's size."""

    by_stage: dict[str, int]
    review_queue: dict[str, int]


def _decisions(con: duckdb.DuckDBPyConnection) -> None:
    run(
        con,
        """
        create or replace temp table decided as
        select least(a.rid, b.rid) as rid_l, greatest(a.rid, b.rid) as rid_r,
               arg_max(d.decision, d.decided_at) as decision
        from review_decisions d
        join link_input a on a.source = d.source_l and a.record_id = d.record_id_l
        join link_input b on b.source = d.source_r and b.record_id = d.record_id_r
        where a.rid <> b.rid
        group by 1, 2
        """,
    )


def cluster_records(con: duckdb.DuckDBPyConnection, thresholds: Thresholds) -> ClusterResult:
    """Fill ``clusters`` (``rid``, ``person_key``, ``stage``, ``match_probability``,
    ``linked_rid``) and ``review_candidates`` from ``id_links``, ``scored_pairs`` and the
    reviewers' decisions."""
    _decisions(con)
    params = {"link": thresholds.link, "review": thresholds.review}
    # Every usable link, with the node each end belongs to ('g:' an ID group, 'r:' a record).
    register(con)
    run(
        con,
        f"""
        create or replace temp table edges as
        with candidate as (
            -- fit: the evidence besides the national ID, which ranks a record's persons
            select p.rid_l, p.rid_r, p.match_probability, p.match_weight,
                   p.match_weight - coalesce(p.id_weight, 0) as fit, false as reviewed
            from scored_pairs p
            left join decided d using (rid_l, rid_r)
            where d.decision is null and p.match_probability >= $link
            union all
            select rid_l, rid_r, 1.0, null, null, true from decided where decision = 'same'
            union all
            -- one person registered under two valid IDs, unless a reviewer said otherwise
            select least(f.rid_l, f.rid_r), greatest(f.rid_l, f.rid_r), 1.0, null, null, true
            from duplicate_registrations_found f
            left join decided d
                on d.rid_l = least(f.rid_l, f.rid_r) and d.rid_r = greatest(f.rid_l, f.rid_r)
            where f.decision = 'merged' and d.decision is null)
        select c.*, coalesce('g:' || l.pid_hash, 'r:' || c.rid_l) as node_l,
               coalesce('g:' || r.pid_hash, 'r:' || c.rid_r) as node_r,
               l.pid_hash is not null as grouped_l, r.pid_hash is not null as grouped_r
        from candidate c
        join id_links l on l.rid = c.rid_l
        join id_links r on r.rid = c.rid_r
        join link_input bl on bl.rid = c.rid_l
        join link_input br on br.rid = c.rid_r
        -- two different valid IDs are two people, unless a reviewer said otherwise
        where (c.reviewed or l.own_pid_hash is null or r.own_pid_hash is null
               or l.own_pid_hash = r.own_pid_hash)
          -- two records with valid IDs whose birth dates cannot be one person's: a father and
          -- his son of the same name, in one house, agree on everything else, and his ID on
          -- the son's record agrees too (without an ID on one side, the model weighs the
          -- dates as it learned to)
          and (c.reviewed or l.from_pid_hash is null or r.from_pid_hash is null
               or not {birth_clash_sql("bl", "br")})
          -- records under one ID that disagree with each other: the ID proves nothing
          -- between them, so the rest of the evidence alone must make the link
          and not (not c.reviewed and l.pid_hash is null and r.pid_hash is null
                   and l.from_pid_hash = r.from_pid_hash and (l.conflict or r.conflict)
                   and c.fit < log2($link / (1 - $link)))
        """,
        params,
    )
    # ID groups a reviewer joined become one group.
    connected_components(
        con,
        "select node_l as a, node_r as b from edges where grouped_l and grouped_r",
        "group_alias",
    )
    run(
        con,
        """
        create or replace temp table edges_n as
        select e.* replace (coalesce(gl.component, e.node_l) as node_l,
                            coalesce(gr.component, e.node_r) as node_r)
        from edges e
        left join group_alias gl on gl.node = e.node_l
        left join group_alias gr on gr.node = e.node_r
        where not (e.grouped_l and e.grouped_r)
        """,
    )
    # Each unresolved record attaches to the ID group it fits best on the evidence besides
    # the ID (a record under a relative's ID fits its own person better than the relative);
    # the link itself, ID included, must be certain. Groups that fit almost as well compete.
    run(
        con,
        f"""
        create or replace temp table attach as
        with one_side as (
            select case when grouped_l then rid_r else rid_l end as rid,
                   case when grouped_l then node_l else node_r end as grp,
                   case when grouped_l then rid_l else rid_r end as linked_rid,
                   match_probability, coalesce(fit, {REVIEWED_FIT}) as fit, reviewed
            from edges_n where grouped_l <> grouped_r),
        per_group as (
            select rid, grp, max(match_probability) as p, max(fit) as fit,
                   arg_max(linked_rid, (fit, -linked_rid)) as linked_rid,
                   bool_or(reviewed) as reviewed
            from one_side group by rid, grp),
        ranked as (
            select *, max(fit) over (partition by rid) as best_fit from per_group)
        -- ties go to the group with the smaller key, never to row order
        select rid, arg_min(grp, (-fit, grp)) as grp, arg_min(p, (-fit, grp)) as p,
               arg_min(linked_rid, (-fit, grp)) as linked_rid,
               count(*) filter (fit >= best_fit - {COMPETING_MARGIN}) as groups,
               bool_or(reviewed) as reviewed
        from ranked group by rid
        """,
    )
    connected_components(
        con,
        """select 'r:' || rid as a, grp as b from attach
           union all select node_l, node_r from edges_n where not grouped_l and not grouped_r""",
        "components",
    )
    run(
        con,
        """
        create or replace temp table component_groups as
        select component, count(distinct node) filter (node like 'g:%') as groups,
               min(node) filter (node like 'g:%') as grp
        from components group by 1
        """,
    )
    run(
        con,
        """
        create or replace temp table clusters as
        with best as (
            select rid, max(match_probability) as p,
                   arg_max(other, match_probability) as linked_rid,
                   bool_or(reviewed) as reviewed
            from (select rid_l as rid, rid_r as other, match_probability, reviewed from edges_n
                  union all
                  select rid_r, rid_l, match_probability, reviewed from edges_n)
            group by rid)
        select l.rid,
               case when l.pid_hash is not null then coalesce(ga.component, 'g:' || l.pid_hash)
                    when cg.groups > 1 then coalesce(a.grp, 'r:' || l.rid)
                    when cg.groups = 1 then cg.grp
                    when c.component is not null then c.component
                    else 'r:' || l.rid end as person_key,
               case when l.stage is not null then l.stage
                    when cg.groups > 1 and a.grp is null then 'alone'
                    when c.component is null then 'alone'
                    when b.reviewed then 'review'
                    else 'probabilistic' end as stage,
               case when l.stage is null and c.component is not null then b.p end
                   as match_probability,
               case when l.stage is null and c.component is not null then b.linked_rid end
                   as linked_rid
        from id_links l
        left join group_alias ga on ga.node = 'g:' || l.pid_hash
        left join components c on c.node = 'r:' || l.rid
        left join component_groups cg on cg.component = c.component
        left join attach a on a.rid = l.rid
        left join best b on b.rid = l.rid
        """,
    )
    _enforce_rejections(con)
    _review_candidates(con, params)
    by_stage = dict(rows(con, "select stage, count(*) from clusters group by 1 order by 1"))
    queue = dict(rows(con, "select reason, count(*) from review_candidates group by 1"))
    return ClusterResult(
        by_stage={k: int(v) for k, v in by_stage.items()},
        review_queue={k: int(v) for k, v in queue.items()},
    )


def _enforce_rejections(con: duckdb.DuckDBPyConnection) -> None:
    """Two records a reviewer called different people never share a person, even through
    other links: the one the model placed (or, failing that, the later one) is set apart."""
    run(
        con,
        """
        create or replace temp table detached as
        select distinct case when a.stage in ('probabilistic', 'review') then a.rid
                             when b.stage in ('probabilistic', 'review') then b.rid
                             else greatest(a.rid, b.rid) end as rid
        from decided d
        join clusters a on a.rid = d.rid_l
        join clusters b on b.rid = d.rid_r
        where d.decision = 'different' and a.person_key = b.person_key
        """,
    )
    run(
        con,
        """
        update clusters set person_key = 'r:' || rid, stage = 'review',
                            match_probability = null, linked_rid = null
        where rid in (select rid from detached)
        """,
    )


def _review_candidates(con: duckdb.DuckDBPyConnection, params: dict[str, float]) -> None:
    """Pairs a person should look at, with why; the decided ones never come back."""
    run(
        con,
        """
        create or replace temp table review_candidates as
        with pairs as (
            -- the model is unsure and the records ended up apart
            select p.rid_l, p.rid_r, 'uncertain' as reason
            from scored_pairs p
            join clusters a on a.rid = p.rid_l join clusters b on b.rid = p.rid_r
            where p.match_probability >= $review and p.match_probability < $link
              and a.person_key <> b.person_key
            union all
            -- a confident link between two different valid IDs (one person, two IDs?)
            select p.rid_l, p.rid_r, 'different_ids'
            from scored_pairs p
            join id_links a on a.rid = p.rid_l join id_links b on b.rid = p.rid_r
            where p.match_probability >= $link and a.own_pid_hash <> b.own_pid_hash
            union all
            -- an unresolved record that fits more than one person
            select least(e.rid_l, e.rid_r), greatest(e.rid_l, e.rid_r), 'competing_persons'
            from edges_n e
            join attach a on a.rid in (e.rid_l, e.rid_r) and a.groups > 1
            where e.grouped_l <> e.grouped_r
            union all
            -- a chain of unresolved records that would join two ID groups
            select e.rid_l, e.rid_r, 'competing_persons'
            from edges_n e
            join components c on c.node = e.node_l
            join component_groups g on g.component = c.component and g.groups > 1
            where not e.grouped_l and not e.grouped_r
            union all
            -- a record that shares a valid ID with records describing someone else, and that
            -- the model placed nowhere
            select least(l.rid, h.rid), greatest(l.rid, h.rid), 'id_conflict'
            from id_links l
            join clusters c on c.rid = l.rid and c.stage = 'alone'
            join (select own_pid_hash, min(rid) as rid from id_links
                  where stage = 'national_id' group by 1) h on h.own_pid_hash = l.from_pid_hash
            where l.conflict and l.stage is null
            union all
            -- one person under two valid IDs, nearly certainly
            select least(rid_l, rid_r), greatest(rid_l, rid_r), 'duplicate_registration'
            from duplicate_registrations_found where decision = 'review')
        select p.rid_l, p.rid_r, min(p.reason) as reason,
               any_value(lp.match_probability) as match_probability,
               any_value(lp.match_weight) as match_weight,
               any_value(lp.evidence) as evidence
        from pairs p
        left join scored_pairs lp using (rid_l, rid_r)
        left join decided d using (rid_l, rid_r)
        where d.decision is null
        group by 1, 2
        """,
        params,
    )
