"""Measure Sitthi's quick-mode linker on the INDEPENDENT world (benchmarks/independent).

    python benchmarks/bench_independent.py [--persons 20000] [--seed 7]

Generates the world under benchmarks/out/independent-N, runs
``sitthi link dopa.csv dep.csv oaa.csv mof.csv survey.csv --out links.csv`` (timed), and scores
the links against the truth in DuckDB: pairwise precision/recall/F1, within-agency
duplicates found, persons kept whole, and the missed and false pairs by planted phenomenon.
For measurement only: never tune the linker on this world.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "independent"))

from generate import SOURCES, generate  # noqa: E402


def sitthi_bin() -> str:
    cand = Path(sys.executable).with_name("sitthi")
    return str(cand) if cand.exists() else "sitthi"


def score(out: Path) -> dict:
    con = duckdb.connect()
    con.execute(
        f"""
        create table d as select * from read_csv('{out / "truth_detail.csv"}', all_varchar=true);
        create table l as select * from read_csv('{out / "links.csv"}', all_varchar=true);
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--persons", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    out = HERE / "out" / f"independent-{a.persons}"
    t0 = time.perf_counter()
    summary = generate(a.persons, a.seed, out)
    t_gen = time.perf_counter() - t0
    files = [str(out / f"{s}.csv") for s in SOURCES]
    cmd = [sitthi_bin(), "link", *files, "--out", str(out / "links.csv")]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    t_link = time.perf_counter() - t0
    m = score(out)
    recs = summary["records"]
    print(f"## Independent world: {a.persons:,} persons, seed {a.seed}\n")
    print(", ".join(f"{s} {n:,}" for s, n in recs.items()), f"= {m['records']:,} records")
    print(f"generate {t_gen:.1f} s, `sitthi link` {t_link:.1f} s wall\n")
    print("| measure | value |\n|---|---|")
    tp = f"{m['true_pairs']:,} / {m['pred_pairs']:,} / {m['tp']:,}"
    wd = f"{m['within_share']:.4f} ({m['within_found']:,} of {m['within_pairs']:,})"
    kw = f"{m['kept_whole_share']:.4f} ({m['kept_whole']:,} of {m['multi_persons']:,})"
    rows = [
        ("pairwise precision", f"{m['precision']:.4f}"),
        ("pairwise recall", f"{m['recall']:.4f}"),
        ("pairwise F1", f"{m['f1']:.4f}"),
        ("true pairs / predicted pairs / correct", tp),
        ("within-agency duplicates found", wd),
        ("persons with ≥ 2 records kept whole", kw),
        ("rows with empty person_id", f"{m['unlinked_rows']:,}"),
    ]
    for k, v in rows:
        print(f"| {k} | {v} |")
    print(f"\n### Missed pairs ({m['missed_total']:,}) by phenomenon on either record\n")
    print("A pair counts once under each phenomenon it carries.\n")
    print("| phenomenon | missed pairs | true pairs with it | share missed |\n|---|---|---|---|")
    for tag, n, tot in m["missed_by_tag"]:
        print(f"| {tag} | {n:,} | {tot:,} | {n / tot:.3f} |")
    print("\n| sources | missed pairs |\n|---|---|")
    for ss, n in m["missed_by_sources"]:
        print(f"| {ss} | {n:,} |")
    print(f"\n### False pairs ({m['false_total']:,})\n")
    print("| relation | false pairs |\n|---|---|")
    for rel, n in m["false_by_relation"]:
        print(f"| {rel} | {n:,} |")
    print("\n| phenomenon | false pairs |\n|---|---|")
    for tag, n in m["false_by_tag"]:
        print(f"| {tag} | {n:,} |")


if __name__ == "__main__":
    main()
