"""The cost of disclosure control at national size.

    .venv/bin/python -m tests.disclosure.benchmark [--months 3] [--attack]

Thailand's 7,436 subdistricts × 10 groups (92,862 published cells with every margin),
~21 million persons; each later month moves 30 % of the cells by a few persons and is
published with the previous month's pattern.
"""

from __future__ import annotations

import argparse
import platform
import resource
import time

import numpy as np

from sitthi.disclosure import Published, attack, suppress
from tests.disclosure.tables import national_cells, next_month


def run(months: int = 2, *, exact_attack: bool = False, seed: int = 0) -> list[Published]:
    """Publish ``months`` national releases in a row; print what each cost."""
    rng = np.random.default_rng(seed + 1)
    cells = national_cells(seed)
    print(f"{platform.processor() or platform.machine()}, numpy {np.__version__}")
    print(f"{len(cells):,} subdistrict × group counts, {int(cells.persons.sum()):,} persons")
    releases: list[Published] = []
    for month in range(months):
        previous = releases[-1].pattern if releases else None
        start = time.perf_counter()
        published = suppress(cells, category_columns=("group",), previous=previous)
        seconds = time.perf_counter() - start
        s = published.summary
        print(
            f"month {month}: {s.cells:,} cells, {s.primary:,} small, "
            f"{s.complementary:,} complementary, {s.previous:,} kept from the previous "
            f"release ({s.primary + s.complementary + s.previous:,} suppressed); "
            f"{seconds:.1f} s ({s.audit_seconds:.1f} s audit, {s.lps} LPs, "
            f"{s.sent_back} cells sent back; {s.joint_seconds:.1f} s joint audit, "
            f"{s.joint_lps} LPs; {s.rounds} rounds)"
        )
        releases.append(published)
        cells = next_month(cells, rng)
    if exact_attack:
        start = time.perf_counter()
        found = attack(releases[0].table, ["group"])
        narrow = int((found.high - found.low < 1 - 1e-6).sum())
        print(
            f"exact attack on month 0: {len(found):,} cells solved both ways in "
            f"{time.perf_counter() - start:.1f} s; {narrow} determined"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:,.0f} MiB")
    return releases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=2)
    parser.add_argument("--attack", action="store_true", help="also solve every cell exactly")
    args = parser.parse_args()
    run(args.months, exact_attack=args.attack)


if __name__ == "__main__":
    main()
