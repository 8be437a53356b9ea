"""The untuned Splink baseline of bench_linkage: what Splink alone does with these records.

No Thai handling beyond what ingest already did: names compared raw with Splink's standard
comparisons (DuckDB's byte-based Jaro-Winkler, duckdb issue 25113), the birth date as an
exact-or-not date, the ID pseudonym as one more exact comparison. Default-style training,
connected components at 0.9.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sitthi.engines.duckdb import connect, run


def splink_only(con: Any, memory_limit: str) -> None:
    """Cluster ``link_input`` with plain Splink into the temporary table ``predicted``."""
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    logging.getLogger("splink").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.parquet"
        run(
            con,
            f"""copy (select rid, pid_hash, first_name_norm as first_name,
                            last_name_norm as last_name, birth_date, sex, subdistrict_code
                     from link_input) to '{path}' (format parquet)""",
        )
        work = connect(None, memory_limit=memory_limit)
        run(work, f"create table records as from read_parquet('{path}')")
        db_api = DuckDBAPI(work)
        settings = SettingsCreator(
            link_type="dedupe_only",
            unique_id_column_name="rid",
            comparisons=[
                cl.ExactMatch("pid_hash"),
                cl.JaroWinklerAtThresholds("first_name", [0.9, 0.7]),
                cl.JaroWinklerAtThresholds("last_name", [0.9, 0.7]),
                cl.ExactMatch("birth_date"),
                cl.ExactMatch("sex"),
                cl.ExactMatch("subdistrict_code"),
            ],
            blocking_rules_to_generate_predictions=[
                block_on("pid_hash"),
                block_on("first_name", "last_name"),
                block_on("birth_date", "first_name"),
                block_on("birth_date", "last_name"),
            ],
        )
        linker = Linker(db_api.register("records"), settings, log_level=None)
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("first_name", "last_name")
        )
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
        predictions = linker.inference.predict(threshold_match_probability=0.9)
        clusters = cluster_pairwise_predictions_at_threshold(
            "records",
            predictions.physical_name,
            db_api,
            "rid",
            threshold_match_probability=0.9,
        )
        out = Path(tmp) / "c.parquet"
        run(
            work,
            f"copy (select rid, cluster_id as cluster from {clusters.physical_name}) "
            f"to '{out}' (format parquet)",
        )
        work.close()
        run(con, f"create or replace temp table predicted as from read_parquet('{out}')")
