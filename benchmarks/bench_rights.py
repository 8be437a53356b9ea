"""Benchmark the rights engine: every built-in programme for 10 million persons.

    .venv/bin/python benchmarks/bench_rights.py            # 10M persons, 3 runs
    .venv/bin/python benchmarks/bench_rights.py --copies 10 --repeats 1   # 1M

The demo store (100,000-person world, made by `make demo`) is linked and its rights run
once; its `profiles`, `persons`, `person_households` and payment lists are then copied N
times under new person IDs into a fresh store, so the engine sees N × 100,000 realistic
profiles and payment lists. Each run computes eligibility, entitlements, payments, the
four gaps and the notifications outbox in a fresh process, in one transaction as `sitthi
rights` runs it. Time is the engine only; peak is max RSS.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _measure import machine, run_child

HERE = Path(__file__).parent
DEMO = HERE.parent / "demo-data" / "sitthi.duckdb"

CHILD = r"""
import datetime as dt, json, resource, sys, time
from sitthi.engines.duckdb import connect
from sitthi.rights.engine import compute_rights
from sitthi.rights.notifications import build_notifications
from sitthi.rights.programme import load_programmes
store, memory_limit = sys.argv[1:3]
con = connect(store, memory_limit=memory_limit)
con.execute("set preserve_insertion_order = false").fetchall()
programmes = load_programmes()
started = time.perf_counter()
con.execute("begin transaction").fetchall()  # as `sitthi rights` runs: all or nothing
result = compute_rights(con, programmes, dt.date(2026, 10, 1))
notices = build_notifications(con, programmes)
con.execute("commit").fetchall()
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
persons = con.execute("select count(*) from profiles").fetchall()[0][0]
print(json.dumps({"seconds": seconds, "peak_mib": peak, "persons": persons,
                  "entitled": sum(result.entitled.values()),
                  "gaps": sum(result.gaps.values()), "notifications": notices}))
"""


def prepare(copies: int) -> Path:
    import duckdb

    target = HERE / "out" / f"rights-{copies}x.duckdb"
    if target.exists():
        return target
    if not DEMO.exists():
        sys.exit(f"{DEMO}: run `make demo` first")
    target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(target))
    con.execute(f"attach '{DEMO}' as demo (read_only)").fetchall()
    # person_id P + 10 digits: copy k becomes P(k)(9 digits), distinct across copies.
    pid = "'P' || lpad(k::varchar, 2, '0') || substr(person_id, 4)"
    con.execute(
        f"""create table profiles as
            select * replace ({pid} as person_id,
                              household_id || '-' || k::varchar as household_id)
            from demo.profiles, range({copies}) t(k)"""
    ).fetchall()
    con.execute(
        f"""create table persons as select * replace ({pid} as person_id)
            from demo.persons, range({copies}) t(k)"""
    ).fetchall()
    con.execute(
        f"""create table person_households as
            select * replace ({pid} as person_id, household_id || '-' || k::varchar
                              as household_id)
            from demo.person_households, range({copies}) t(k)"""
    ).fetchall()
    # The enrolment facts of the payment lists, copied with their persons.
    con.execute(
        f"""create table facts as
            select f.* replace (f.record_id || '-' || k::varchar as record_id)
            from demo.facts f, range({copies}) t(k)
            where f.indicator in ('allowance_programme', 'allowance_amount', 'paying_authority')"""
    ).fetchall()
    con.execute(
        f"""create table person_records as
            select p.* replace ({pid.replace("person_id", "p.person_id")} as person_id,
                                p.record_id || '-' || k::varchar as record_id)
            from demo.person_records p, range({copies}) t(k)
            where p.source = 'lao'"""
    ).fetchall()
    con.close()
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-limit", default="8GB")
    args = parser.parse_args()
    store = prepare(args.copies)
    print(f"machine: {machine()}; DuckDB memory_limit {args.memory_limit}")
    r = run_child(CHILD, [str(store), args.memory_limit], args.repeats)
    print(
        f"{r['persons']:,} persons, 4 programmes: median {r['median_seconds']} s "
        f"{r['runs']}, peak {r['median_peak_mib']:,} MiB; entitled {r['entitled']:,}, "
        f"gaps {r['gaps']:,}, notifications {r['notifications']:,}"
    )


if __name__ == "__main__":
    main()
