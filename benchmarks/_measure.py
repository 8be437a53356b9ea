"""Run a piece of Python in a fresh process, several times: wall time and peak memory."""

from __future__ import annotations

import json
import platform
import statistics
import subprocess
import sys


def machine() -> str:
    """One line describing the machine a figure was measured on."""
    import os

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}"


_RUNNER = """
import json, resource, sys, time
started = time.perf_counter()
exec(compile(sys.argv[1], "<bench>", "exec"))
print(json.dumps({"seconds": time.perf_counter() - started,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(code: str, repeats: int) -> dict[str, float]:
    """Median wall seconds and median peak RSS (MiB) of ``code`` over ``repeats`` processes."""
    results = []
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-c", _RUNNER, code], check=True, capture_output=True, text=True
        )
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {
        "median_seconds": round(statistics.median(r["seconds"] for r in results), 2),
        "min_seconds": round(min(r["seconds"] for r in results), 2),
        "median_peak_mib": round(statistics.median(r["peak_mib"] for r in results)),
        "runs": repeats,
    }


def run_child(code: str, args: list[str], repeats: int) -> dict[str, object]:
    """Run ``code`` in ``repeats`` fresh processes with ``args`` (``sys.argv[1:]``).

    The code measures what it wants and prints one JSON object last, with at least
    ``seconds`` and ``peak_mib``. Returns the last run's object, plus the median seconds
    and peak and every run's seconds; a failed run stops the benchmark with its error.
    """
    results = []
    for _ in range(repeats):
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"benchmark run failed:\n{done.stderr[-3000:]}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    out: dict[str, object] = dict(results[-1])
    out["median_seconds"] = round(statistics.median(r["seconds"] for r in results), 1)
    out["median_peak_mib"] = round(statistics.median(r["peak_mib"] for r in results))
    out["runs"] = [round(r["seconds"], 1) for r in results]
    return out
