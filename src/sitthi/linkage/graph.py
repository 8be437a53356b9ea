"""Connected components in SQL, for the few edges identity resolution leaves to a graph.

Label propagation with pointer jumping: every node starts as its own label, takes the
smallest label among its neighbours, then the label of its label, until nothing changes.
The number of rounds grows with the logarithm of the longest chain, and each round is one
columnar statement; the edges here are the probabilistic links only (thousands per
million records), because national-ID groups arrive already collapsed to one node.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitthi.engines.duckdb import one, run

if TYPE_CHECKING:
    import duckdb

MAX_ROUNDS = 64


def connected_components(con: duckdb.DuckDBPyConnection, edges: str, out: str) -> None:
    """Write ``out`` (``node``, ``component``) for every node that appears in ``edges``.

    ``edges`` is a table or query with columns ``a`` and ``b`` (same type, comparable);
    the component is the smallest node of each component, so it is deterministic.
    """
    run(
        con,
        f"""create or replace temp table _cc_edges as
            select a, b from ({edges}) where a <> b
            union select b, a from ({edges}) where a <> b""",
    )
    run(
        con,
        f"""create or replace temp table {out} as
            select a as node, least(a, min(b)) as component from _cc_edges group by a""",
    )
    for _ in range(MAX_ROUNDS):
        run(
            con,
            f"""create or replace temp table _cc_next as
                with spread as (
                    select e.a as node, min(c.component) as component
                    from _cc_edges e join {out} c on c.node = e.b group by e.a),
                stepped as (
                    select s.node, least(s.component, o.component) as component
                    from spread s join {out} o using (node))
                -- pointer jumping: take the label of the label
                select s.node, least(s.component, coalesce(j.component, s.component))
                           as component
                from stepped s left join stepped j on j.node = s.component""",
        )
        changed = one(
            con,
            f"""select count(*) from _cc_next n join {out} o using (node)
                where n.component <> o.component""",
        )
        run(con, f"create or replace temp table {out} as select * from _cc_next")
        if not changed:
            break
    run(con, "drop table if exists _cc_next")
    run(con, "drop table if exists _cc_edges")
