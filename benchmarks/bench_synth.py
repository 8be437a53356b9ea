"""Benchmark `sitthi synth`: wall time and peak memory by population size.

    .venv/bin/python benchmarks/bench_synth.py                 # 100k and 1M, 3 runs each
    .venv/bin/python benchmarks/bench_synth.py --sizes 100000 --repeats 5

Each run is a fresh process writing a full world (extracts, truth, manifest) to a
temporary directory; the median of the runs is reported, with the machine.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile

from _measure import machine, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print("| persons | median wall (s) | fastest (s) | median peak memory (MiB) | runs |")
    print("|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        out = tempfile.mkdtemp(prefix="sitthi-bench-")
        code = (
            "from pathlib import Path\n"
            "from sitthi.synth.world import generate_world\n"
            f"generate_world(Path({out!r}), persons={size}, seed=42)\n"
        )
        try:
            r = run(code, args.repeats)
        finally:
            shutil.rmtree(out, ignore_errors=True)
        print(
            f"| {size:,} | {r['median_seconds']} | {r['min_seconds']} | "
            f"{r['median_peak_mib']:,} | {r['runs']} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
