"""Thai string similarity inside DuckDB: correct, and fast on millions of rows.

    .venv/bin/python benchmarks/bench_similarity.py            # 2,000,000 pairs
    .venv/bin/python benchmarks/bench_similarity.py --pairs 500000 --repeats 5

Pairs are Thai names from the PyThaiNLP corpora, half of them a spelling variant or a
keyboard typo of each other. Four ways to score them in SQL are timed (median of the
repeats; the table is built once):

1. DuckDB's ``jaro_winkler_similarity``/``levenshtein`` on the raw text: fast, but they
   count UTF-8 bytes (duckdb issue 25113), so the scores are wrong for Thai.
2. The ``thai_jaro_winkler``/``thai_levenshtein`` macros: the similarity key is built by
   ``translate()`` inside the query.
3. The same builtins on similarity keys stored once per value (the linkage fast path).
4. A vectorised Python UDF calling rapidfuzz (arrow batches), the usual workaround.

Correctness is the share of pairs whose SQL score equals rapidfuzz's character-level score
on the original strings.
"""

from __future__ import annotations

import argparse
import statistics
import time

import duckdb
import numpy as np
import pyarrow as pa
from rapidfuzz.distance import JaroWinkler, Levenshtein

from _measure import machine
from sitthi.synth import names
from sitthi.thai.similarity import register_duckdb


def make_pairs(n: int, seed: int = 1) -> pa.Table:
    rng = np.random.default_rng(seed)
    pool = np.asarray(
        names.family_names() + names.male_names() + names.female_names(), dtype=object
    )
    left = pool[rng.integers(len(pool), size=n)]
    right = pool[rng.integers(len(pool), size=n)].copy()
    # Half the pairs are the same name with a real-world error (the interesting ones).
    same = np.flatnonzero(rng.random(n) < 0.5)
    unique = dict.fromkeys(left[same])
    variant = {v: names.spelling_variant(v, rng) for v in unique}
    typo = {v: names.keyboard_typo(v, rng) for v in unique}
    pick = rng.random(len(same)) < 0.5
    right[same] = [variant[v] if p else typo[v] for v, p in zip(left[same], pick, strict=True)]
    return pa.table({"a": pa.array(left, pa.string()), "b": pa.array(right, pa.string())})


def timed(con: duckdb.DuckDBPyConnection, sql: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        con.execute(sql).fetchall()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=2_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    con = duckdb.connect()
    register_duckdb(con)
    pairs = make_pairs(args.pairs)
    con.register("pairs_arrow", pairs)
    con.execute("create table pairs as select * from pairs_arrow")
    con.execute("create table keyed as select thai_sim_key(a) ka, thai_sim_key(b) kb from pairs")

    def jw_udf(a: pa.Array, b: pa.Array) -> pa.Array:
        return pa.array(
            [
                JaroWinkler.similarity(x, y)
                for x, y in zip(a.to_pylist(), b.to_pylist(), strict=True)
            ]
        )

    con.create_function("py_jaro_winkler", jw_udf, ["VARCHAR", "VARCHAR"], "DOUBLE", type="arrow")

    ways = {
        "builtin on raw UTF-8 (wrong)": (
            "select sum(jaro_winkler_similarity(a, b)), sum(levenshtein(a, b)) from pairs",
            "select jaro_winkler_similarity(a, b), levenshtein(a, b) from pairs",
        ),
        "thai_* macros (translate in query)": (
            "select sum(thai_jaro_winkler(a, b)), sum(thai_levenshtein(a, b)) from pairs",
            "select thai_jaro_winkler(a, b), thai_levenshtein(a, b) from pairs",
        ),
        "builtin on stored keys (fast path)": (
            "select sum(jaro_winkler_similarity(ka, kb)), sum(levenshtein(ka, kb)) from keyed",
            "select jaro_winkler_similarity(ka, kb), levenshtein(ka, kb) from keyed",
        ),
        "Python UDF, rapidfuzz (JW only)": (
            "select sum(py_jaro_winkler(a, b)) from pairs",
            None,
        ),
    }
    sample = 100_000
    a_list = pairs["a"].to_pylist()[:sample]
    b_list = pairs["b"].to_pylist()[:sample]
    truth_jw = np.array([JaroWinkler.similarity(x, y) for x, y in zip(a_list, b_list, strict=True)])
    truth_lev = np.array([Levenshtein.distance(x, y) for x, y in zip(a_list, b_list, strict=True)])
    print(f"machine: {machine()}")
    print(f"pairs: {args.pairs:,}; correctness on the first {sample:,}; median of {args.repeats}")
    print("| method | seconds | M pairs/s | JW equal to characters | Levenshtein equal |")
    print("|---|---:|---:|---:|---:|")
    for label, (timing_sql, score_sql) in ways.items():
        seconds = timed(con, timing_sql, args.repeats)
        jw_ok = lev_ok = "-"
        if score_sql:
            rows = np.array(con.execute(f"{score_sql} limit {sample}").fetchall(), dtype=float)
            jw_ok = f"{np.mean(np.isclose(rows[:, 0], truth_jw, atol=1e-9)):.1%}"
            lev_ok = f"{np.mean(rows[:, 1] == truth_lev):.1%}"
        else:
            jw_ok = "100% (by construction)"
        rate = args.pairs / seconds / 1e6
        print(f"| {label} | {seconds:.2f} | {rate:.1f} | {jw_ok} | {lev_ok} |", flush=True)


if __name__ == "__main__":
    main()
