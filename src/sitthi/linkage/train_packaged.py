"""Rebuild ``packaged_model.json``, the model used when the input is too small to train.

It is trained like any other run (u from random pairs, m by EM), on a synthetic Thailand:
``python -m sitthi.linkage.train_packaged`` (about a minute). Names, birth dates and
addresses in the synthetic world follow the real distributions documented in
docs/SYNTHETIC_DATA.md, so the weights carry over to small real lists as a prior.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from sitthi.config import Settings
from sitthi.engines.duckdb import connect, one
from sitthi.linkage.service import link_store
from sitthi.pipeline import ingest_world
from sitthi.synth.world import generate_world

PERSONS = 100_000
SEED = 42
OUT = Path(__file__).with_name("packaged_model.json")


def main(out: Path = OUT) -> None:
    with tempfile.TemporaryDirectory(prefix="sitthi-model-") as tmp:
        world = Path(tmp) / "world"
        generate_world(world, persons=PERSONS, seed=SEED)
        con = connect(Path(tmp) / "store.duckdb")
        ingest_world(con, world, Settings())
        link_store(con)
        model = json.loads(one(con, "select model from link_runs order by started_at desc limit 1"))
    out.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(*(Path(a) for a in sys.argv[1:2]))
