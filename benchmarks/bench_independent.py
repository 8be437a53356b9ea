"""Measure linkers on the INDEPENDENT world (benchmarks/independent): Sitthi and a baseline.

    python benchmarks/bench_independent.py [--persons 20000] [--seed 7] [--linker both]

Generates the world under benchmarks/out/independent-N and runs each linker on its five
files in a process of its own (wall time and peak RSS of that process):

* ``sitthi``: ``sitthi link dopa.csv dep.csv oaa.csv mof.csv survey.csv --out links.csv``;
* ``splink_only``: the competent Splink-only baseline of bench_splink_only.py, on the same
  records loaded the same way.

Each linker's links are scored against the truth in DuckDB: pairwise precision/recall/F1,
within-agency duplicates found, persons kept whole, and the missed and false pairs by
planted phenomenon. For measurement only: never tune a linker on this world.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "independent"))

from generate import SOURCES, generate  # noqa: E402

LINKERS = ("sitthi", "splink_only")


def sitthi_bin() -> str:
    cand = Path(sys.executable).with_name("sitthi")
    return str(cand) if cand.exists() else "sitthi"


def linker_command(linker: str, files: list[str], links: Path, threshold: float) -> list[str]:
    """The command line that links ``files`` into ``links`` with ``linker``."""
    if linker == "sitthi":
        return [sitthi_bin(), "link", *files, "--out", str(links)]
    script = str(HERE / "bench_splink_only.py")
    return [sys.executable, script, *files, "--out", str(links), "--threshold", str(threshold)]


def run_measured(cmd: list[str]) -> tuple[float, float, str]:
    """Run ``cmd``: its wall seconds, its peak RSS in MiB, and its standard output."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    stdout = proc.stdout.read()
    # wait4 reports this child's own peak, where RUSAGE_CHILDREN would give the largest
    # of every child so far.
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.exit(f"{cmd[0]} failed with exit code {proc.returncode}")
    return seconds, usage.ru_maxrss / 1024, stdout


def score(out: Path, links: Path) -> dict:
    con = duckdb.connect()
    con.execute(
        f"""
        create table d as select * from read_csv('{out / "truth_detail.csv"}', all_varchar=true);
        create table l as select * from read_csv('{links}', all_varchar=true);
        create table r as
          select d.source, d.record_id, d.person_id as t, d.household_id as hh,
                 coalesce(d.tags, '') as tags,
                 coalesce(nullif(l.person_id, ''), 'unlinked:' || d.source || ':' || d.record_id)
                   as p
          from d left join l using (source, record_id);
        """
    )
    m = {}
    m["records"] = con.execute("select count(*) from r").fetchone()[0]
    m["unlinked_rows"] = con.execute("select count(*) from r where p like 'unlinked:%'").fetchone()[
        0
    ]

    def pairs(col: str) -> str:
        inner = f"select count(*) n from r group by {col}"
        return f"select coalesce(sum(n * (n - 1) / 2), 0) from ({inner})"

    tp = con.execute(pairs("t, p")).fetchone()[0]
    tt = con.execute(pairs("t")).fetchone()[0]
    pp = con.execute(pairs("p")).fetchone()[0]
    m["true_pairs"], m["pred_pairs"], m["tp"] = int(tt), int(pp), int(tp)
    m["precision"] = tp / pp if pp else 1.0
    m["recall"] = tp / tt if tt else 1.0
    s = m["precision"] + m["recall"]
    m["f1"] = 2 * m["precision"] * m["recall"] / s if s else 0.0
    tot, found = con.execute(
        """select count(*), count(*) filter (where a.p = b.p) from r a join r b
           on a.t = b.t and a.source = b.source and a.record_id < b.record_id"""
    ).fetchone()
    m["within_pairs"], m["within_found"] = tot, found
    m["within_share"] = found / tot if tot else 1.0
    whole = con.execute(
        """with tp as (select t, count(*) n, count(distinct p) np, any_value(p) p1
                       from r group by t having count(*) >= 2),
                ps as (select p, count(*) n from r group by p)
           select count(*), count(*) filter (where tp.np = 1 and ps.n = tp.n)
           from tp left join ps on ps.p = tp.p1"""
    ).fetchone()
    m["multi_persons"], m["kept_whole"] = whole
    m["kept_whole_share"] = whole[1] / whole[0] if whole[0] else 1.0
    # missed pairs (true same, predicted apart), by the phenomena of either record
    m["missed_by_tag"] = con.execute(
        """with x as (select row_number() over () i, a.tags || ';' || b.tags as tags,
                             a.p <> b.p as missed
                      from r a join r b on a.t = b.t
                      and (a.source, a.record_id) < (b.source, b.record_id)),
                u as (select distinct i, tag, missed from x,
                      unnest(string_split(tags, ';')) as s(tag) where tag <> '')
           select tag, count(*) filter (where missed) n, count(*) tot from u
           group by tag order by n desc, tot desc"""
    ).fetchall()
    m["missed_total"] = int(tt - tp)
    m["missed_by_sources"] = con.execute(
        """select least(a.source, b.source) || '+' || greatest(a.source, b.source) ss, count(*) n
           from r a join r b on a.t = b.t
           and (a.source, a.record_id) < (b.source, b.record_id) and a.p <> b.p
           group by ss order by n desc"""
    ).fetchall()
    # false pairs (predicted together, truly different), by relation and phenomena
    con.execute(
        """create table f as select a.tags || ';' || b.tags as tags,
             case when a.hh = b.hh then 'same household' else 'other household' end as rel
           from r a join r b on a.p = b.p and not a.p like 'unlinked:%'
           and (a.source, a.record_id) < (b.source, b.record_id) and a.t <> b.t"""
    )
    m["false_total"] = int(pp - tp)
    m["false_by_relation"] = con.execute(
        "select rel, count(*) from f group by rel order by 2 desc"
    ).fetchall()
    m["false_by_tag"] = con.execute(
        """with u as (select distinct i, tag from (select row_number() over () i, * from f),
                      unnest(string_split(tags, ';')) as s(tag) where tag <> '')
           select tag, count(*) n from u group by tag order by n desc"""
    ).fetchall()
    return m


def report(m: dict) -> None:
    """Print one linker's missed and false pairs by phenomenon."""
    print(f"\n#### Missed pairs ({m['missed_total']:,}) by phenomenon on either record\n")
    print("A pair counts once under each phenomenon it carries.\n")
    print("| phenomenon | missed pairs | true pairs with it | share missed |\n|---|---|---|---|")
    for tag, n, tot in m["missed_by_tag"]:
        print(f"| {tag} | {n:,} | {tot:,} | {n / tot:.3f} |")
    print("\n| sources | missed pairs |\n|---|---|")
    for ss, n in m["missed_by_sources"]:
        print(f"| {ss} | {n:,} |")
    print(f"\n#### False pairs ({m['false_total']:,})\n")
    print("| relation | false pairs |\n|---|---|")
    for rel, n in m["false_by_relation"]:
        print(f"| {rel} | {n:,} |")
    print("\n| phenomenon | false pairs |\n|---|---|")
    for tag, n in m["false_by_tag"]:
        print(f"| {tag} | {n:,} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--persons", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--linker", choices=(*LINKERS, "both"), default="sitthi")
    ap.add_argument(
        "--splink-threshold", type=float, default=None, help="splink_only clustering threshold"
    )
    a = ap.parse_args()
    from bench_splink_only import THRESHOLD

    threshold = THRESHOLD if a.splink_threshold is None else a.splink_threshold
    linkers = LINKERS if a.linker == "both" else (a.linker,)
    out = HERE / "out" / f"independent-{a.persons}"
    t0 = time.perf_counter()
    summary = generate(a.persons, a.seed, out)
    t_gen = time.perf_counter() - t0
    files = [str(out / f"{s}.csv") for s in SOURCES]
    results = {}
    for linker in linkers:
        links = out / ("links.csv" if linker == "sitthi" else f"links-{linker}.csv")
        seconds, peak, stdout = run_measured(linker_command(linker, files, links, threshold))
        m = score(out, links)
        m["seconds"], m["peak_mib"] = seconds, peak
        if linker == "splink_only":
            m["steps"] = json.loads(stdout.strip().splitlines()[-1])
            m["threshold"] = threshold
        results[linker] = m
    (out / f"scores-{a.linker}.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    recs = summary["records"]
    first = next(iter(results.values()))
    print(f"## Independent world: {a.persons:,} persons, seed {a.seed}\n")
    print(", ".join(f"{s} {n:,}" for s, n in recs.items()), f"= {first['records']:,} records")
    print(f"generate {t_gen:.1f} s\n")
    print("| measure | " + " | ".join(results) + " |\n|---|" + "---:|" * len(results))
    rows = [
        ("pairwise precision", lambda m: f"{m['precision']:.4f}"),
        ("pairwise recall", lambda m: f"{m['recall']:.4f}"),
        ("pairwise F1", lambda m: f"{m['f1']:.4f}"),
        (
            "true pairs / predicted pairs / correct",
            lambda m: f"{m['true_pairs']:,} / {m['pred_pairs']:,} / {m['tp']:,}",
        ),
        (
            "within-agency duplicates found",
            lambda m: f"{m['within_share']:.4f} ({m['within_found']:,} of {m['within_pairs']:,})",
        ),
        (
            "persons with ≥ 2 records kept whole",
            lambda m: (
                f"{m['kept_whole_share']:.4f} ({m['kept_whole']:,} of {m['multi_persons']:,})"
            ),
        ),
        ("rows with empty person_id", lambda m: f"{m['unlinked_rows']:,}"),
        ("wall seconds (whole process)", lambda m: f"{m['seconds']:.1f}"),
        ("peak memory (MiB, RSS)", lambda m: f"{m['peak_mib']:,.0f}"),
    ]
    for label, cell in rows:
        print(f"| {label} | " + " | ".join(cell(m) for m in results.values()) + " |")
    if "splink_only" in results:
        m = results["splink_only"]
        print(f"\nsplink_only at threshold {m['threshold']}, steps (s): {m['steps']}")
    if len(results) == 2:
        ratio = results["splink_only"]["seconds"] / results["sitthi"]["seconds"]
        print(f"wall time splink_only / sitthi: {ratio:.2f} (same run, one after the other)")
    for linker, m in results.items():
        print(f"\n### {linker}")
        report(m)


if __name__ == "__main__":
    main()
