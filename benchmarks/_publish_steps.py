"""Where `sitthi publish` spends its time: one publish in this process, step by step.

    .venv/bin/python benchmarks/_publish_steps.py STORE RELEASES_DIR

Calls `sitthi.releases.publish.publish` (what the command calls) with a progress callback
that notes the time each step starts; a step's time runs to the next one's start. The
step after the last table holds the national IDs, the quality report and the statistics'
first query; the last one runs to the end (checkpoint, hashing, fsync, rename). Prints one
JSON object.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def main() -> None:
    from sitthi.config import Settings
    from sitthi.context import Context
    from sitthi.releases.publish import publish

    store, releases = Path(sys.argv[1]), Path(sys.argv[2])
    marks: list[tuple[str, float]] = []
    started = time.perf_counter()
    ctx = Context(settings=Settings(releases_dir=releases), db=store)
    publish(ctx, progress=lambda name: marks.append((name, time.perf_counter())))
    end = time.perf_counter()
    steps = {}
    for (name, at), (_, after) in zip(marks, [*marks[1:], ("end", end)], strict=True):
        steps[name] = round(after - at, 1)
    print(
        json.dumps(
            {
                "seconds": round(end - started, 1),
                "before_first_step_s": round(marks[0][1] - started, 1) if marks else None,
                "steps_s": steps,
                "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        )
    )


if __name__ == "__main__":
    main()
