"""A competent Splink-only baseline: Splink 5 alone, over the inputs Sitthi gives Splink.

    python benchmarks/bench_splink_only.py A.csv B.csv ... --out links.csv [--threshold 0.9]

What a competent Splink user builds in a day from Sitthi's normalised records (the
``link_input`` table of `sitthi.linkage.prepare.prepare_records`: Thai digits mapped, names
normalised, similarity keys so that Jaro-Winkler counts characters, phonetic keys, dates
with the era resolved and their known parts, house and area codes, the pseudonymised
national ID). It is one plain Splink pipeline and nothing else: no deterministic stage
before the model, no rule that keeps two valid IDs apart.

* **Comparisons**: the national ID (the pseudonym, exact, only where both IDs passed the
  checksum); each name exact (term-frequency adjusted) › Jaro-Winkler ≥ 0.92 on the
  similarity key › given name and surname swapped › same phonetic key › Jaro-Winkler ≥ 0.8;
  the birth date same › same at the precision both know › day and month swapped › same
  year › a year apart; sex; location house code › subdistrict › district › province.
  Written out here rather than imported from `sitthi.linkage.model`, so the baseline
  stays the same while Sitthi's model changes.
* **Blocking**: the ID; both phonetic names; each phonetic name with the birth year; the
  birth date with the first letter of the given name; house code with birth year;
  subdistrict with birth date; the phonetic names crossed (swapped columns).
* **Training**: λ from deterministic rules (same ID and birth date; same names and birth
  date) at an assumed recall of 0.8; u from 3 million random pairs; m by EM on two blocks
  (birth date; both phonetic names).
* **Clustering**: Splink's connected components at a match probability of 0.9999, the
  best pairwise F1 on Sitthi's own synthetic world (20,000 persons: 0.9 gave F1 0.9922,
  0.99 0.9944, 0.999 0.9981, 0.9995 0.9989, 0.9999 0.9993, 0.99999 0.9972), chosen there
  and never on the independent world. ``--threshold 0.9`` gives Splink's usual default.

The same function serves bench_linkage (a store) and bench_independent (quick-mode CSV
files, loaded the way `sitthi link` loads them). For measurement only.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitthi.engines.duckdb import connect, one, quote_literal, run

if TYPE_CHECKING:
    import duckdb

#: Clustering threshold (match probability), tuned on Sitthi's own world only (see above).
THRESHOLD = 0.9999
#: λ: deterministic rules that admit almost no false pairs, and the share of true pairs
#: they are assumed to find.
DETERMINISTIC_RULES = (
    ("pid_hash", "birth_date"),
    ("first_name_norm", "last_name_norm", "birth_date"),
)
DETERMINISTIC_RECALL = 0.8
U_SAMPLE_PAIRS = 3e6
EM_MAX_PAIRS = 1e6
TRAINING_RULES = (("birth_date",), ("first_name_phonetic", "last_name_phonetic"))
PREDICTION_RULES = (
    ("pid_hash",),
    ("first_name_phonetic", "last_name_phonetic"),
    ("first_name_phonetic", "birth_year"),
    ("last_name_phonetic", "birth_year"),
    ("birth_date", "substr(first_name_key, 1, 1)"),
    ("house_code", "birth_year"),
    ("subdistrict_code", "birth_date"),
)
SWAPPED_NAMES_RULE = (
    "l.first_name_phonetic = r.last_name_phonetic and l.last_name_phonetic = r.first_name_phonetic"
)
#: The columns Splink sees: Sitthi's normalised evidence plus the ID pseudonym.
COLUMNS = (
    "rid",
    "pid_hash",
    "id_valid",
    "first_name_norm",
    "first_name_key",
    "first_name_phonetic",
    "last_name_norm",
    "last_name_key",
    "last_name_phonetic",
    "sex",
    "birth_date",
    "birth_year",
    "birth_month",
    "birth_day",
    "house_code",
    "subdistrict_code",
    "district_code",
    "province_code",
)
SEED = 42
#: u of "given name and surname swapped": below 3 / U_SAMPLE_PAIRS (see `_name`).
SWAPPED_U = 1e-6


def _level(sql: str, label: str) -> Any:
    import splink.comparison_level_library as cll

    return cll.CustomLevel(sql, label_for_charts=label)


def _national_id() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="national_id",
        comparison_description="pseudonymised national ID (checksum-valid only)",
        comparison_levels=[
            _level(
                "pid_hash_l is null or pid_hash_r is null or not id_valid_l or not id_valid_r",
                "no valid ID on one side",
            ).configure(is_null_level=True),
            cll.ExactMatchLevel("pid_hash"),
            cll.ElseLevel(),
        ],
    )


def _name(kind: str) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    key, norm, phon = f"{kind}_name_key", f"{kind}_name_norm", f"{kind}_name_phonetic"
    other = "last_name_key" if kind == "first" else "first_name_key"
    swapped = _level(
        f"jaro_winkler_similarity({key}_l, {other}_r) >= 0.92"
        f" and jaro_winkler_similarity({other}_l, {key}_r) >= 0.92",
        "given name and surname swapped",
    )
    if kind == "first":
        # Random sampling never meets a swapped pair (none in 3 million), and Splink then
        # falls back to a default u of 0.005, which would make the level worth almost
        # nothing; the rule of three puts u below 1e-6, so it is fixed there.
        swapped.configure(u_probability=SWAPPED_U, fix_u_probability=True)
    else:
        # One piece of evidence, weighed in the given name: the surname says nothing.
        swapped.configure(is_null_level=True)
    return cl.CustomComparison(
        output_column_name=f"{kind}_name",
        comparison_description=f"{kind} name",
        comparison_levels=[
            cll.NullLevel(key),
            cll.ExactMatchLevel(norm, term_frequency_adjustments=True),
            cll.JaroWinklerLevel(key, 0.92),
            swapped,
            cll.ExactMatchLevel(phon),
            cll.JaroWinklerLevel(key, 0.8),
            cll.ElseLevel(),
        ],
    )


def _birth_date() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="birth_date",
        comparison_description="birth date (partial dates, day/month swaps)",
        comparison_levels=[
            cll.NullLevel("birth_year"),
            _level(
                "birth_day_l is not null and birth_day_r is not null"
                " and birth_date_l = birth_date_r",
                "same date",
            ),
            _level(
                "birth_year_l = birth_year_r and coalesce(birth_month_l = birth_month_r, true)"
                " and coalesce(birth_day_l = birth_day_r, true)",
                "same at the precision both know",
            ),
            _level(
                "birth_year_l = birth_year_r and birth_month_l = birth_day_r"
                " and birth_day_l = birth_month_r",
                "day and month swapped",
            ),
            _level("birth_year_l = birth_year_r", "same year"),
            _level("abs(birth_year_l - birth_year_r) <= 1", "a year apart"),
            cll.ElseLevel(),
        ],
    )


def _location() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="location",
        comparison_description="house code › subdistrict › district › province",
        comparison_levels=[
            _level(
                "(house_code_l is null and province_code_l is null)"
                " or (house_code_r is null and province_code_r is null)",
                "no address on one side",
            ).configure(is_null_level=True),
            cll.ExactMatchLevel("house_code"),
            cll.ExactMatchLevel("subdistrict_code"),
            cll.ExactMatchLevel("district_code"),
            cll.ExactMatchLevel("province_code"),
            cll.ElseLevel(),
        ],
    )


def settings() -> Any:
    """The baseline's Splink settings (``dedupe_only`` over ``rid``)."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="rid",
        comparisons=[
            _national_id(),
            _name("first"),
            _name("last"),
            _birth_date(),
            cl.ExactMatch("sex"),
            _location(),
        ],
        blocking_rules_to_generate_predictions=[
            *(block_on(*r) for r in PREDICTION_RULES),
            {"blocking_rule": SWAPPED_NAMES_RULE},
        ],
    )


def splink_only(
    con: duckdb.DuckDBPyConnection,
    memory_limit: str | None = None,
    threshold: float = THRESHOLD,
) -> dict[str, float]:
    """Cluster ``link_input`` with the baseline into the temporary table ``predicted``
    (``rid``, ``cluster``); returns seconds per step (train, predict, cluster)."""
    from splink import DuckDBAPI, Linker, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="splink-only-") as tmp:
        # A database file, not memory, so Splink's tables can leave RAM at scale.
        path = quote_literal(str(Path(tmp) / "splink.duckdb"))
        run(con, f"attach {path} as splink_work")
        run(
            con,
            f"create table splink_work.records as select {', '.join(COLUMNS)} "
            "from link_input order by rid",
        )
        run(con, "detach splink_work")
        work = connect(Path(tmp) / "splink.duckdb", memory_limit=memory_limit, store=False)
        db_api = DuckDBAPI(work)
        started = time.perf_counter()
        linker = Linker(
            db_api.register("records", table_name="records_in"), settings(), log_level=None
        )
        linker.training.estimate_probability_two_random_records_match(
            [block_on(*r) for r in DETERMINISTIC_RULES], recall=DETERMINISTIC_RECALL
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=SEED)
        for rule in TRAINING_RULES:
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(*rule), max_pairs=EM_MAX_PAIRS
            )
        timings["train"] = time.perf_counter() - started
        started = time.perf_counter()
        predictions = linker.inference.predict(threshold_match_probability=threshold)
        timings["predict"] = time.perf_counter() - started
        started = time.perf_counter()
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=threshold
        )
        run(
            work,
            f"create table clustered as select rid, cluster_id as cluster "
            f"from {clusters.physical_name}",
        )
        timings["cluster"] = time.perf_counter() - started
        work.close()
        run(con, f"attach {path} as splink_work (read_only)")
        run(con, "create or replace temp table predicted as from splink_work.clustered")
        run(con, "detach splink_work")
    return {k: round(v, 1) for k, v in timings.items()}


def link_files(
    paths: Sequence[Path], out: Path, *, threshold: float = THRESHOLD
) -> dict[str, float]:
    """Load quick-mode CSV files as `sitthi link` does, link them with the baseline, and
    write ``source,record_id,person_id`` for every input row; returns seconds per step."""
    import secrets

    from sitthi.ingest.service import ingest_file
    from sitthi.linkage.prepare import prepare_records
    from sitthi.linkage.quick import quick_spec

    started = time.perf_counter()
    con = connect(None)
    key = secrets.token_bytes(32)
    for path in paths:
        spec = quick_spec().model_copy(update={"source": path.stem})
        ingest_file(con, spec, path, key=key, key_version=1)
    prepare_records(con)
    timings = {"load": round(time.perf_counter() - started, 1)}
    timings |= splink_only(con, threshold=threshold)
    started = time.perf_counter()
    # As quick mode: a record keyed by the ID is written under the ID the file gave, and a
    # row that could not be read is written with an empty person_id.
    out.parent.mkdir(parents=True, exist_ok=True)
    run(
        con,
        f"""copy (
              select li.source, coalesce(i.national_id, li.record_id) as record_id,
                     'S' || p.cluster as person_id
              from link_input li join predicted p using (rid)
              left join identities i on li.id_keyed and i.pid_hash = li.record_id
              union all
              select source, coalesce(record_id, 'line ' || line::varchar), null
              from quarantine
              order by 1, 2
            ) to {quote_literal(str(out))} (header, delimiter ',')""",
    )
    timings["write"] = round(time.perf_counter() - started, 1)
    timings["records"] = int(one(con, "select count(*) from link_input"))
    con.close()
    return timings


def main() -> None:
    import json

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    args = parser.parse_args()
    print(json.dumps(link_files(args.files, args.out, threshold=args.threshold)))


if __name__ == "__main__":
    main()
