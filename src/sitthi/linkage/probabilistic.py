"""Stage 3: Fellegi-Sunter with Splink for the records the ID could not place.

The model is trained on every record (u from random pairs, m by EM), so it learns what
agreement means in these agencies' data, but only pairs that involve an unresolved record
are scored: ``predict_between`` (unresolved × resolved) and ``predict_within``
(unresolved × unresolved). Resolved pairs are already decided by the national ID.

Splink works in a DuckDB file of its own in a temporary folder (the store attaches it to
write the records in and read the scores out), so its dozens of intermediate tables never
touch the store.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitthi.engines.duckdb import connect, dict_rows, one, quote_literal, rows, run
from sitthi.linkage.prepare import MATCH_COLUMNS

if TYPE_CHECKING:
    import duckdb

#: Fewer records than this cannot train a model (EM needs thousands of pairs per block):
#: the packaged model, trained on a synthetic Thailand, is used instead.
MIN_TRAIN_RECORDS = 5000
#: The packaged model's floor on m (see `packaged_model`).
PACKAGED_MIN_M = 0.001
#: Random pairs drawn to estimate u. More gives steadier u for rare levels.
U_SAMPLE_PAIRS = 1e6
#: Cap on the pairs each EM training block uses.
EM_MAX_PAIRS = 2e5
SEED = 42


@dataclass(frozen=True)
class ProbabilisticResult:
    """What the probabilistic stage did."""

    model: dict[str, Any]
    model_origin: str  # trained (on these records), reused (a stored model) or packaged


def _splink_quiet() -> None:
    # Splink logs every step at INFO; the CLI shows its own progress instead.
    logging.getLogger("splink").setLevel(logging.ERROR)


#: Below this share of records with a national ID, the ID cannot tell λ: it is estimated
#: from records that agree exactly on names and birth date instead.
MIN_ID_SHARE = 0.5
#: Exact agreements that are almost always the same person, and the share of true pairs
#: they are assumed to find (Splink scales the count up by it).
DETERMINISTIC_RULES = (
    ("first_name_norm", "last_name_norm", "birth_date"),
    ("other_id", "birth_date"),
)
DETERMINISTIC_RECALL = 0.7


def _ids_known(con: duckdb.DuckDBPyConnection) -> bool:
    share = one(con, "select avg((pid_hash is not null)::int) from id_links")
    return bool(share is not None and share >= MIN_ID_SHARE)


def _estimate_prior(linker: Any) -> None:
    """λ from exact agreements, when the national ID is too rare to count pairs with."""
    from splink import block_on

    linker.training.estimate_probability_two_random_records_match(
        [block_on(*rule) for rule in DETERMINISTIC_RULES], recall=DETERMINISTIC_RECALL
    )


def _prior(con: duckdb.DuckDBPyConnection) -> float:
    """λ, the chance two random records match, from the pairs the national ID already links."""
    n = one(con, "select count(*) from id_links")
    pairs = one(
        con,
        "select coalesce(sum(c * (c - 1) // 2), 0) from "
        "(select count(*) as c from id_links where pid_hash is not null group by pid_hash)",
    )
    total = n * (n - 1) / 2
    return min(max(pairs / total, 1e-9), 0.5) if total else 1e-4


def score_unresolved(
    con: duckdb.DuckDBPyConnection,
    *,
    threshold: float,
    memory_limit: str | None = None,
    model: dict[str, Any] | None = None,
    new_records: str | None = None,
) -> ProbabilisticResult:
    """Score pairs involving unresolved records into the temporary table ``scored_pairs``.

    ``scored_pairs`` holds ``rid_l``, ``rid_r``, ``match_probability``, ``match_weight`` and
    ``evidence`` (JSON per comparison: both values, the level and its match weight), for
    every pair at or above ``threshold``. A trained ``model`` (Splink settings JSON) is
    reused as it is; without one, a model is trained on these records.

    ``new_records`` (a table of ``rid``) makes the run incremental: only pairs with a new
    record in them are scored (new unresolved × everything, old unresolved × new
    resolved); the caller brings the stored scores of the old pairs.
    """
    from splink import DuckDBAPI

    from sitthi.linkage.model import settings

    _splink_quiet()
    columns = ", ".join(MATCH_COLUMNS)
    prior, ids_known = _prior(con), _ids_known(con)
    with tempfile.TemporaryDirectory(prefix="sitthi-link-") as tmp:
        # Splink works in a database file of its own, not in memory: at tens of millions of
        # records its tables must be able to leave RAM, and only a database on disk lets
        # DuckDB evict them. The store writes the records straight into it.
        path = quote_literal(str(Path(tmp) / "splink.duckdb"))
        run(con, f"attach {path} as splink_work")
        run(
            con,
            f"""create table splink_work.records as
                select li.rid, li.source, {columns}, l.stage is null as unresolved,
                       {"n.rid is not null" if new_records else "true"} as is_new
                from link_input li join id_links l using (rid)
                {f"left join {new_records} n using (rid)" if new_records else ""}
                -- a fixed order: Splink's seeded sampling then draws the same pairs
                order by li.rid""",
        )
        run(con, "detach splink_work")
        work = connect(Path(tmp) / "splink.duckdb", memory_limit=memory_limit, store=False)
        db_api = DuckDBAPI(work)
        origin = "reused" if model is not None else "trained"
        if model is None and int(one(work, "select count(*) from records")) < MIN_TRAIN_RECORDS:
            model, origin = packaged_model(prior), "packaged"
        linker = _linker(db_api, model or settings(prior), "records_in", ids_known, origin)
        if origin == "trained":
            from splink.internals.exceptions import EMTrainingException

            try:
                _train(linker)
            except EMTrainingException:
                # Too few pairs in a training block: too little data to learn from.
                origin = "packaged"
                linker = _linker(
                    db_api, packaged_model(prior), "records_fallback", ids_known, origin
                )
        parts = _predict(linker, db_api, work, threshold)
        trained = linker.misc.save_model_to_json()
        union = " union all ".join(f"select * from {p}" for p in parts)
        run(
            work,
            f"""create table scored as
                select least(rid_l, rid_r) as rid_l, greatest(rid_l, rid_r) as rid_r,
                       max(match_probability) as match_probability,
                       max(match_weight) as match_weight,
                       arg_max({_evidence_sql(trained)}, match_weight) as evidence,
                       arg_max({_id_weight_sql(trained)}, match_weight) as id_weight
                from ({union}) group by 1, 2"""
            if parts
            else """create table scored (rid_l bigint, rid_r bigint, match_probability double,
                                         match_weight double, evidence varchar,
                                         id_weight double)""",
        )
        work.close()
        run(con, f"attach {path} as splink_work (read_only)")
        run(con, "create or replace temp table scored_pairs as from splink_work.scored")
        run(con, "detach splink_work")
    return ProbabilisticResult(model=trained, model_origin=origin)


def _linker(db_api: Any, model: Any, name: str, ids_known: bool, origin: str) -> Any:
    """A Splink linker over the ``records`` table, with λ and term frequencies in place."""
    from splink import Linker

    linker = Linker(db_api.register("records", table_name=name), model, log_level=None)
    if origin != "reused" and not ids_known:
        _estimate_prior(linker)
    _term_frequencies(linker)
    return linker


def _term_frequencies(linker: Any) -> None:
    settings = linker._settings_obj  # Splink exposes the tf columns only here
    for column in settings._term_frequency_columns:
        linker.table_management.compute_tf_table(column.unquote().name)


def packaged_model(prior: float) -> dict[str, Any]:
    """The model shipped with Sitthi (trained on a synthetic Thailand), for small inputs.

    Term-frequency adjustments are dropped: name frequencies counted in a few hundred
    records say nothing about how common a name is. No level's m is below
    `PACKAGED_MIN_M`: few people in the synthetic world move house, so its model would treat
    a different district as near proof of a different person, which real data does not bear.
    """
    text = files("sitthi.linkage").joinpath("packaged_model.json").read_text(encoding="utf-8")
    model = without_term_frequencies(json.loads(text))
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("m_probability") is not None:
                level["m_probability"] = max(level["m_probability"], PACKAGED_MIN_M)
    model["probability_two_random_records_match"] = prior
    return model


#: Which records are scored against which: (left, right) for predict_between, and
#: (left, None) for predict_within. A full run has every record new, so the last pair
#: finds nothing and is skipped.
_ROLES = (
    ("unresolved and is_new", "not (unresolved and is_new)"),
    ("unresolved and is_new", None),
    ("unresolved and not is_new", "not unresolved and is_new"),
)


def _predict(
    linker: Any, db_api: Any, work: duckdb.DuckDBPyConnection, threshold: float
) -> list[str]:
    """Score the pairs each role asks for; returns the tables of scored pairs."""
    parts = []
    for i, (left_where, right_where) in enumerate(_ROLES):
        run(work, f"create or replace table role_l{i} as from records where {left_where}")
        if not one(work, f"select count(*) from role_l{i}"):
            continue
        left = db_api.register(f"role_l{i}", table_name=f"role_l{i}_in")
        if right_where is None:
            scored = linker.inference.predict_within(
                left, threshold_match_probability=threshold, warning_mode="never"
            )
        else:
            run(work, f"create or replace table role_r{i} as from records where {right_where}")
            if not one(work, f"select count(*) from role_r{i}"):
                continue
            right = db_api.register(f"role_r{i}", table_name=f"role_r{i}_in")
            scored = linker.inference.predict_between(
                left, right, threshold_match_probability=threshold, warning_mode="never"
            )
        parts.append(scored.physical_name)
    return parts


def _train(linker: Any) -> None:
    """u from random pairs, then m by EM on each training block that has pairs.

    A block with no pairs (a column the sources never fill, as sex in FEBRL) is skipped;
    only when every block is empty is there too little to learn from.
    """
    from splink import block_on
    from splink.internals.exceptions import EMTrainingException

    from sitthi.linkage.model import TRAINING_RULES

    # One pass over the sample: the rarest levels never reach an early stop anyway.
    linker.training.estimate_u_using_random_sampling(
        max_pairs=U_SAMPLE_PAIRS, seed=SEED, num_chunks=1
    )
    trained = 0
    for rule in TRAINING_RULES:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(*rule), max_pairs=EM_MAX_PAIRS
            )
            trained += 1
        except EMTrainingException:
            continue
    if not trained:
        raise EMTrainingException("no training block has pairs")


def _evidence_sql(model: dict[str, Any]) -> str:
    """SQL building each pair's evidence as JSON: per comparison, values and match weight."""
    parts = []
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        # the ID's pseudonym is evidence, but never shown: level and weight say enough
        columns = sorted(
            {
                c
                for c in MATCH_COLUMNS
                if c != "id_hash"
                and any(
                    re.search(rf"\b{c}_l\b", lvl["sql_condition"])
                    for lvl in comparison["comparison_levels"]
                )
            }
        )
        values = ", ".join(f"'{c}': [{c}_l::varchar, {c}_r::varchar]" for c in columns)
        tf = f" + coalesce(mw_tf_adj_{name}, 0)" if _has_tf(comparison) else ""
        parts.append(
            f"'{name}': {{'level': gamma_{name}, 'weight': round(mw_{name}{tf}, 2), {values}}}"
        )
    return f"to_json({{{', '.join(parts)}}})::varchar"


def _id_weight_sql(model: dict[str, Any]) -> str:
    """The match weight the national ID gave a pair (0 in a model without that comparison):
    the clustering ranks a record's candidate persons by the evidence *besides* the ID."""
    names = {c["output_column_name"] for c in model["comparisons"]}
    return "coalesce(mw_national_id, 0)" if "national_id" in names else "0.0"


def id_weight_from_evidence_sql(evidence: str) -> str:
    """The same weight, read back from a stored pair's evidence JSON."""
    return f"coalesce(try_cast(json_extract({evidence}, '$.national_id.weight') as double), 0)"


def _has_tf(comparison: dict[str, Any]) -> bool:
    return any(lvl.get("tf_adjustment_column") for lvl in comparison["comparison_levels"])


def model_json(model: dict[str, Any]) -> str:
    """The model as stored in ``link_runs.model``."""
    return json.dumps(model, ensure_ascii=False)


def without_term_frequencies(model: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``model`` whose levels carry no term-frequency adjustment."""
    out: dict[str, Any] = json.loads(json.dumps(model))
    for comparison in out["comparisons"]:
        for level in comparison["comparison_levels"]:
            for key in ("tf_adjustment_column", "tf_adjustment_weight", "tf_minimum_u_value"):
                level.pop(key, None)
    return out


def score_pair_now(
    con: duckdb.DuckDBPyConnection,
    left: tuple[str, str],
    right: tuple[str, str],
    model: dict[str, Any],
) -> tuple[float, dict[str, Any], bool]:
    """Score two stored records with ``model`` now: (probability, evidence, whether any
    blocking rule would have brought them together). Term frequencies are left out: they
    belong to the whole run's data, not to two records."""
    from splink import DuckDBAPI, Linker

    from sitthi.linkage.prepare import record_columns_sql

    _splink_quiet()
    records = []
    for i, (source, record_id) in enumerate((left, right)):
        found = dict_rows(
            con,
            f"""select {i} as rid, {record_columns_sql(con)}
                from source_records s join batches b using (batch_id)
                where s.source = $s and s.record_id = $r
                order by b.finished_at desc limit 1""",
            {"s": source, "r": record_id},
        )
        if not found:
            raise ValueError(f"no record {source}:{record_id}")
        row = found[0]
        records.append({k: row[k] for k in ("rid", "source", *MATCH_COLUMNS)})
    plain = without_term_frequencies(model)
    work = connect(None)
    run(work, "create table records (rid bigint)")
    db_api = DuckDBAPI(work)
    linker = Linker(db_api.register("records"), plain, log_level=None)
    scored = linker.inference.score_pair(
        records[0], records[1], include_found_by_blocking_rules=True
    )
    evidence = _evidence_sql(plain)
    ((probability, detail, found_by_rules),) = rows(
        work,
        f"select match_probability, {evidence}, found_by_blocking_rules "
        f"from {scored.physical_name}",
    )
    work.close()
    return float(probability), json.loads(detail), bool(found_by_rules)
