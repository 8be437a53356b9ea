"""Benchmark identity resolution: accuracy, wall time and peak memory, side by side.

    .venv/bin/python benchmarks/bench_linkage.py                      # ~1M records, 3 runs
    .venv/bin/python benchmarks/bench_linkage.py --persons 2500000 --repeats 1   # ~10M

A world of N persons gives about 4.1·N agency records (nine extracts). The world and its
ingested store are made once under benchmarks/out/ (not committed); each run links a fresh
copy of the store in a new process. Three linkers on the same records:

* ``sitthi``: every stage (national ID, ID repair, Splink, clustering, person IDs,
  households), as `sitthi link` runs it;
* ``floor``: exact valid national ID only, everything else alone;
* ``splink_only``: the competent Splink-only baseline of bench_splink_only.py: Splink 5
  alone over the same normalised records, the pseudonymised ID one comparison among
  names, birth date, sex and location, trained honestly, connected components at 0.9999
  (tuned on this world at 20,000 persons).

Time covers the linkage only (not the copy); peak is the process's maximum RSS. Besides
pairwise precision, recall and F1: within-agency duplicates found (true pairs inside one
source that are linked) and persons kept whole (true persons with two or more records
whose predicted person holds exactly their records).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from _measure import machine, run_child

OUT = Path(__file__).parent / "out"
MEMORY_LIMIT = "3GB"

CHILD = r"""
import json, resource, shutil, sys, time
from pathlib import Path
mode, store, truth, memory_limit, work, threshold = sys.argv[1:7]
shutil.copy(store, work)
from sitthi.engines.duckdb import connect, run
from sitthi.linkage.evaluate import load_truth, pairwise_accuracy
from sitthi.linkage.prepare import prepare_records
con = connect(work, memory_limit=memory_limit)
started = time.perf_counter()
if mode == "sitthi":
    from sitthi.linkage.service import link_store
    report = link_store(con, memory_limit=memory_limit)
    seconds = time.perf_counter() - started
    extra = {"timings": report.timings, "persons": report.persons,
             "review_queue": sum(report.review_queue.values()), "by_stage": report.by_stage}
    prepare_records(con)
    run(con, "create temp table predicted as select li.rid, p.person_id as cluster "
             "from person_records p join link_input li using (source, record_id)")
elif mode == "floor":
    prepare_records(con)
    run(con, "create temp table predicted as select rid, case when id_valid then pid_hash "
             "else 'r' || rid end as cluster from link_input")
    seconds = time.perf_counter() - started
    extra = {}
else:
    sys.path.insert(0, str(Path(store).parents[2]))
    from bench_splink_only import splink_only
    prepare_records(con)
    steps = splink_only(con, memory_limit, float(threshold))
    seconds = time.perf_counter() - started
    extra = {"timings": steps}
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
load_truth(con, Path(truth))
acc = pairwise_accuracy(con, "truth", "predicted")
(within, within_found), = con.execute(
    '''select count(*), count(*) filter (where pa.cluster = pb.cluster)
       from truth a join truth b on a.entity = b.entity and a.source = b.source
            and a.rid < b.rid
       join predicted pa on pa.rid = a.rid join predicted pb on pb.rid = b.rid''').fetchall()
(multi, whole), = con.execute(
    '''with j as (select t.entity, p.cluster from truth t join predicted p using (rid)),
            e as (select entity, count(*) n, count(distinct cluster) k, any_value(cluster) c
                  from j group by 1 having count(*) >= 2),
            c as (select cluster, count(*) n from j group by 1)
       select count(*), count(*) filter (where e.k = 1 and c.n = e.n)
       from e join c on c.cluster = e.c''').fetchall()
con.close()
Path(work).unlink()
print(json.dumps({"seconds": seconds, "peak_mib": peak, "precision": acc.precision,
                  "recall": acc.recall, "f1": acc.f1, "purity": acc.purity,
                  "records": acc.records, "within_pairs": within, "within_found": within_found,
                  "multi_persons": multi, "kept_whole": whole, **extra}))
"""


def prepare(persons: int) -> tuple[Path, Path, int]:
    from sitthi.config import Settings
    from sitthi.engines.duckdb import connect, one
    from sitthi.pipeline import ingest_world
    from sitthi.synth.world import generate_world

    base = OUT / f"link-{persons}"
    world, store = base / "world", base / "store.duckdb"
    if not (world / "manifest.json").exists():
        generate_world(world, persons=persons, seed=42)
    if not store.exists():
        con = connect(base / "partial.duckdb")
        ingest_world(con, world, Settings())
        con.close()
        (base / "partial.duckdb").rename(store)
    con = connect(store, read_only=True)
    records = int(one(con, "select count(*) from source_records"))
    con.close()
    return store, world / "truth" / "linkage_truth.csv", records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=250_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--modes", nargs="+", default=["sitthi", "floor", "splink_only"])
    parser.add_argument("--memory-limit", default=MEMORY_LIMIT, help="DuckDB memory_limit")
    parser.add_argument(
        "--splink-threshold", type=float, default=None, help="splink_only clustering threshold"
    )
    args = parser.parse_args()
    from bench_splink_only import THRESHOLD

    threshold = THRESHOLD if args.splink_threshold is None else args.splink_threshold
    store, truth, records = prepare(args.persons)
    print(f"machine: {machine()}; DuckDB memory_limit {args.memory_limit}")
    print(f"world: {args.persons:,} persons, {records:,} agency records")
    for mode in args.modes:
        repeats = args.repeats if mode != "floor" else 1
        work = store.with_name(f"run-{mode}.duckdb")
        child_args = [mode, str(store), str(truth), args.memory_limit, str(work), str(threshold)]
        r = run_child(CHILD, child_args, repeats)
        within = r["within_found"] / r["within_pairs"] if r["within_pairs"] else 1.0
        whole = r["kept_whole"] / r["multi_persons"] if r["multi_persons"] else 1.0
        print(
            f"{mode:12s} precision {r['precision']:.5f} recall {r['recall']:.5f} "
            f"F1 {r['f1']:.5f}  median {r['median_seconds']} s {r['runs']}  "
            f"peak {r['median_peak_mib']:,} MiB"
        )
        print(
            f"{'':12s} within-agency duplicates found {within:.4f} "
            f"({r['within_found']:,} of {r['within_pairs']:,})  kept whole {whole:.4f} "
            f"({r['kept_whole']:,} of {r['multi_persons']:,})"
        )
        if mode == "sitthi":
            print(f"{'':12s} stages {r['timings']}  queue {r['review_queue']:,}")
        elif mode == "splink_only":
            print(f"{'':12s} threshold {threshold}  steps {r['timings']}")


if __name__ == "__main__":
    main()
