"""Reviewers' decisions made through the API (in the operational store) brought into the
analytics store's ``review_decisions`` before a link run, where the clustering reads them
beside those made with `sitthi review accept|reject`: the latest decision on a pair wins.

Importing is idempotent: a decision already there (same pair, reviewer and moment) is
not added again.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sitthi.engines.duckdb import run
from sitthi.linkage.tables import ensure_schema

if TYPE_CHECKING:
    import duckdb

    from sitthi.operations.store import OperationsStore


def import_decisions(con: duckdb.DuckDBPyConnection, operations: OperationsStore) -> int:
    """Add the operational store's decisions the analytics store lacks; returns how many."""
    from sitthi.operations.reviews import decisions

    ensure_schema(con)
    added = 0
    for d in decisions(operations):
        params = {
            "sl": d.left[0],
            "rl": d.left[1],
            "sr": d.right[0],
            "rr": d.right[1],
            "decision": d.decision,
            "by": d.decided_by,
            # the store keeps naive moments (the CLI's local time): UTC here
            "at": d.decided_at.astimezone(dt.UTC).replace(tzinfo=None),
            "note": d.note,
        }
        found = con.execute(
            """select count(*) from review_decisions
               where source_l = $sl and record_id_l = $rl and source_r = $sr
                 and record_id_r = $rr and decided_by = $by and decided_at = $at""",
            {k: params[k] for k in ("sl", "rl", "sr", "rr", "by", "at")},
        ).fetchone()
        if found and found[0]:
            continue
        run(
            con,
            "insert into review_decisions values ($sl, $rl, $sr, $rr, $decision, $by, $at, $note)",
            params,
        )
        added += 1
    return added
