"""Tie help requests to persons of a release: by national ID, else by name and birth date.

A national ID found in the release ties the request for certain (``national_id``). Without
one, or with one the registry does not hold (mistyped, never registered), the request's
names are compared with every spelling of every person's names that some agency holds in
the request's province, as the registry's search scores them (mean Jaro-Winkler of the
two names on their character keys, ±0.2 for the birth date). The best candidate ties the
request (``linkage``) only when it is clearly right: both names nearly equal, the same
birth date, and no runner-up close behind. Otherwise the request stays ``unmatched`` with
its candidates, for the worker to confirm.

Done for a whole batch in two joins, not a query per request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:
    import duckdb

#: A name match ties a request only at this score or above (1.2 is identical names and
#: birth date; 1.15 allows one slip in a long name) ...
TIE_SCORE = 1.15
#: ... and only this far ahead of the runner-up.
TIE_MARGIN = 0.1
#: Candidates kept for the worker when no one is tied.
CANDIDATES = 5


@dataclass(frozen=True)
class Query:
    """What a request says about who it is for."""

    pid_hash: str | None
    first_name: str | None
    last_name: str | None
    birth_date: dt.date | None
    province_code: str


@dataclass(frozen=True)
class Match:
    person_id: str | None
    household_id: str | None
    method: str  # national_id, linkage or unmatched
    confidence: float | None
    candidates: list[dict[str, Any]] = field(default_factory=list)


def _keys(queries: list[Query]) -> pa.Table:
    from sitthi.thai.names import normalize_name
    from sitthi.thai.phonetic import latin_phonetic_key, phonetic_key
    from sitthi.thai.similarity import sim_key

    cols: dict[str, list[Any]] = {k: [] for k in ("i", "pid", "fk", "lk", "fp", "lp", "born", "pv")}
    for i, q in enumerate(queries):
        first = normalize_name(q.first_name or "") or None
        last = normalize_name(q.last_name or "") or None
        cols["i"].append(i)
        cols["pid"].append(q.pid_hash)
        cols["fk"].append(sim_key(first) if first else None)
        cols["lk"].append(sim_key(last) if last else None)
        cols["fp"].append((phonetic_key(first) or latin_phonetic_key(first)) if first else None)
        cols["lp"].append((phonetic_key(last) or latin_phonetic_key(last)) if last else None)
        cols["born"].append(q.birth_date)
        cols["pv"].append(q.province_code)
    return pa.table(
        cols,
        schema=pa.schema(
            [
                ("i", pa.int64()),
                ("pid", pa.string()),
                ("fk", pa.string()),
                ("lk", pa.string()),
                ("fp", pa.string()),
                ("lp", pa.string()),
                ("born", pa.date32()),
                ("pv", pa.string()),
            ]
        ),
    )


_BY_ID = """
    select q.i, arg_max(n.person_id, n.records) as person_id
    from sitthi_match_q q join person_ids n on n.pid_hash = q.pid
    group by q.i"""

_BY_NAME = """
    with asked as (select * from sitthi_match_q where fk is not null and lk is not null
                   and i not in (select i from sitthi_match_ids)),
    near as (
        select q.*, n.person_id, n.first_name_key, n.last_name_key, n.birth_date
        from asked q join person_names n on n.first_name_phonetic = q.fp
        union all
        select q.*, n.person_id, n.first_name_key, n.last_name_key, n.birth_date
        from asked q join person_names n on n.last_name_phonetic = q.lp),
    scored as (
        select i, person_id, pv,
               max((jaro_winkler_similarity(first_name_key, fk)
                    + jaro_winkler_similarity(last_name_key, lk)) / 2
                   + case when born is null or birth_date is null then 0
                          when birth_date = born then 0.2
                          when year(birth_date) = year(born) then 0.05 else -0.2 end) as score
        from near group by all),
    inside as (
        select s.i, s.person_id, round(s.score, 3) as score
        from scored s join profiles f using (person_id)
        where f.province_code = s.pv and s.score >= 0.75)
    select i, person_id, score,
           row_number() over (partition by i order by score desc, person_id) as rank
    from inside
    qualify rank <= $keep"""


def match_requests(con: duckdb.DuckDBPyConnection, queries: list[Query]) -> list[Match]:
    """One `Match` per query, in order, against the release ``con`` reads."""
    if not queries:
        return []
    con.register("sitthi_match_q", _keys(queries))
    try:
        con.execute(f"create or replace temp table sitthi_match_ids as {_BY_ID}")
        by_id = dict(con.execute("select i, person_id from sitthi_match_ids").fetchall())
        named: dict[int, list[tuple[str, float]]] = {}
        for i, person_id, score, _ in con.execute(_BY_NAME, {"keep": CANDIDATES}).fetchall():
            named.setdefault(i, []).append((person_id, float(score)))
        tied = {i: found[0][0] for i, found in named.items() if _ties(found)}
        households = _households(con, [*by_id.values(), *tied.values()])
    finally:
        con.unregister("sitthi_match_q")
        con.execute("drop table if exists sitthi_match_ids")
    out = []
    for i in range(len(queries)):
        found = named.get(i, [])
        candidates = [{"person_id": p, "score": s} for p, s in found]
        if i in by_id:
            p = by_id[i]
            out.append(Match(p, households.get(p), "national_id", 1.0))
        elif i in tied:
            p = tied[i]
            out.append(
                Match(p, households.get(p), "linkage", round(found[0][1] / 1.2, 3), candidates)
            )
        else:
            out.append(Match(None, None, "unmatched", None, candidates))
    return out


def _ties(found: list[tuple[str, float]]) -> bool:
    best = found[0][1]
    runner_up = found[1][1] if len(found) > 1 else None
    return best >= TIE_SCORE and (runner_up is None or best - runner_up >= TIE_MARGIN)


def _households(con: duckdb.DuckDBPyConnection, persons: list[str]) -> dict[str, str | None]:
    if not persons:
        return {}
    found = con.execute(
        "select person_id, household_id from profiles where person_id in (select unnest($p))",
        {"p": sorted(set(persons))},
    ).fetchall()
    return dict(found)
