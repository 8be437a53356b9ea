"""Benchmark `sitthi ingest`: rows per second and peak memory for 1M- and 10M-row extracts.

    .venv/bin/python benchmarks/bench_ingest.py                   # 1M (3 runs), 10M (2 runs)
    .venv/bin/python benchmarks/bench_ingest.py --sizes 1000000 --repeats 5

The extract is the civil-registry (DOPA) shape: 15 columns, Thai headers, BE dates, every
identity field plus three facts. The 1M file comes from a 1M-person synthetic world; the
10M file is ten copies of it with the ID's running number shifted and the check digit
recomputed, so all IDs stay valid and distinct. Files are made once under
benchmarks/out/ (not committed). Each run loads into a new store in a fresh process.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from _measure import machine, run

OUT = Path(__file__).parent / "out"


def prepare(rows: int) -> Path:
    import duckdb

    from sitthi.ingest.sql_identity import check_digit_sql
    from sitthi.synth.world import generate_world

    base = OUT / "world-1m"
    if not (base / "manifest.json").exists():
        generate_world(base, persons=1_000_000, seed=42)
    src = base / "extracts" / "dopa_civil_registry.csv"
    if rows == 1_000_000:
        return src
    copies = rows // 1_000_000
    target = OUT / f"dopa_{rows // 1_000_000}m.csv"
    if target.exists():
        return target
    id_col = "เลขประจำตัวประชาชน"
    # Shift digit 7 of the 13 by k (mod 10) and recompute the check digit: still valid IDs.
    shifted = (
        f'substr("{id_col}", 1, 6) || ((cast(substr("{id_col}", 7, 1) as int) + k) % 10)::varchar'
        f' || substr("{id_col}", 8, 5)'
    )
    con = duckdb.connect()
    con.execute(
        f"""copy (
            select * replace (s || {check_digit_sql("s")}::varchar as "{id_col}")
            from (select r.*, {shifted} as s
                  from read_csv('{src}', all_varchar = true) r, range({copies}) t(k))
        ) to '{target}' (header, delimiter ',')"""
    ).fetchall()
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, nargs="+", default=[3, 2])
    parser.add_argument("--memory-limit", help="DuckDB memory_limit, e.g. 6GB (default: DuckDB's)")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    print(
        f"machine: {machine()}; DuckDB memory_limit: {args.memory_limit or 'default (80% of RAM)'}"
    )
    print("| rows | median wall (s) | fastest (s) | rows/s | median peak memory (MiB) | runs |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size, repeats in zip(
        args.sizes, args.repeats + [args.repeats[-1]] * len(args.sizes), strict=False
    ):
        path = prepare(size)
        store = OUT / f"bench-{size}.duckdb"
        code = (
            "import datetime as dt\n"
            "from pathlib import Path\n"
            "from sitthi.engines.duckdb import connect\n"
            "from sitthi.ingest.service import ingest_file\n"
            "from sitthi.ingest.spec import load_spec\n"
            f"Path({str(store)!r}).unlink(missing_ok=True)\n"
            f"Path({str(store) + '.wal'!r}).unlink(missing_ok=True)\n"
            f"con = connect({str(store)!r}, memory_limit={args.memory_limit!r})\n"
            f"r = ingest_file(con, load_spec('dopa'), Path({str(path)!r}),"
            " key=b'bench-key-0123456789', key_version=1, load_date=dt.date(2026, 10, 1))\n"
            f"assert r.rows_read == {size}, r.rows_read\n"
            "assert r.rows_read == r.rows_loaded + r.rows_quarantined\n"
        )
        result = run(code, repeats)
        rate = size / result["median_seconds"]
        print(
            f"| {size:,} | {result['median_seconds']} | {result['min_seconds']} | {rate:,.0f} | "
            f"{result['median_peak_mib']:,} | {result['runs']} |",
            flush=True,
        )
        store.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
