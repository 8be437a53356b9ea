"""Accuracy against a labelled truth: pairwise precision, recall and F1, and cluster purity.

Pairwise: every pair of records the linkage puts in one person is a predicted link, every
pair the truth puts in one person a true link. Counting is done per cluster cell (n·(n-1)/2
per group), never by listing pairs, so it scales to any size. Only records present in both
the truth and the linkage are scored; the others are counted and reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sitthi.csv_header import require_columns
from sitthi.engines.duckdb import rows, run
from sitthi.errors import ValidationError

if TYPE_CHECKING:
    import duckdb

TRUTH_COLUMNS = ("source", "record_id", "person_id")


@dataclass(frozen=True)
class Accuracy:
    """Pairwise and cluster accuracy of one linkage against the truth."""

    records: int
    true_pairs: int
    predicted_pairs: int
    true_positive_pairs: int
    precision: float
    recall: float
    f1: float
    purity: float  # share of records in a predicted person whose majority true person is theirs
    completeness: float  # share of records in a true person's majority predicted person
    truth_not_linked: int  # truth records that are not in the linkage (quarantined, not loaded)
    linked_not_in_truth: int
    #: Pairs of one person's records in one agency (duplicates: who can be paid twice), and
    #: how many of them the linkage put together.
    within_source_pairs: int = 0
    within_source_found: int = 0
    #: True persons with two records or more, and how many are one predicted person exactly
    #: (all their records, nobody else's).
    multi_record_persons: int = 0
    kept_whole: int = 0

    @property
    def within_source_recall(self) -> float:
        """Share of within-agency duplicate pairs found."""
        pairs = self.within_source_pairs
        return self.within_source_found / pairs if pairs else 1.0

    @property
    def kept_whole_share(self) -> float:
        """Share of persons with two records or more kept whole."""
        return self.kept_whole / self.multi_record_persons if self.multi_record_persons else 1.0


def pairwise_accuracy(con: duckdb.DuckDBPyConnection, truth: str, predicted: str) -> Accuracy:
    """Score table ``predicted`` (``rid``, ``cluster``) against ``truth`` (``rid``, ``entity``,
    ``source``).

    Both are table or view names with one row per record; ``rid`` NULL in the truth marks
    a truth record that is not in the linkage.
    """
    ((missing,),) = rows(con, f"select count(*) from {truth} where rid is null")
    ((extra,),) = rows(
        con,
        f"select count(*) from {predicted} where rid not in (select rid from {truth} "
        "where rid is not null)",
    )
    ((n, true_pairs, pred_pairs, tp, purity, completeness),) = rows(
        con,
        f"""
        with j as (select t.rid, t.entity, p.cluster
                   from {truth} t join {predicted} p using (rid)),
        cells as (select entity, cluster, count(*) as n from j group by all),
        tru as (select entity, sum(n) as n from cells group by 1),
        pre as (select cluster, sum(n) as n from cells group by 1)
        select (select count(*) from j),
               (select coalesce(sum(n * (n - 1) // 2), 0) from tru),
               (select coalesce(sum(n * (n - 1) // 2), 0) from pre),
               (select coalesce(sum(n * (n - 1) // 2), 0) from cells),
               (select coalesce(sum(m), 0) from (select max(n) as m from cells group by cluster)),
               (select coalesce(sum(m), 0) from (select max(n) as m from cells group by entity))
        """,
    )
    ((within, within_found, multi, whole),) = rows(
        con,
        f"""
        with j as (select t.rid, t.entity, t.source, p.cluster
                   from {truth} t join {predicted} p using (rid)),
        within as (
            select count(*) as n, count(*) filter (a.cluster = b.cluster) as found
            from j a join j b on a.entity = b.entity and a.source = b.source and a.rid < b.rid),
        persons as (
            select entity, count(*) as n, count(distinct cluster) as clusters,
                   any_value(cluster) as cluster
            from j group by 1 having count(*) >= 2),
        sizes as (select cluster, count(*) as n from j group by 1)
        select (select n from within), (select found from within), count(*),
               count(*) filter (p.clusters = 1 and s.n = p.n)
        from persons p join sizes s using (cluster)
        """,
    )
    precision = tp / pred_pairs if pred_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Accuracy(
        records=int(n),
        true_pairs=int(true_pairs),
        predicted_pairs=int(pred_pairs),
        true_positive_pairs=int(tp),
        precision=precision,
        recall=recall,
        f1=f1,
        purity=purity / n if n else 1.0,
        completeness=completeness / n if n else 1.0,
        truth_not_linked=int(missing),
        linked_not_in_truth=int(extra),
        within_source_pairs=int(within or 0),
        within_source_found=int(within_found or 0),
        multi_record_persons=int(multi),
        kept_whole=int(whole),
    )


def load_truth(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Read a truth file into the temporary table ``truth`` (``rid``, ``entity``).

    The file is a CSV with at least ``source,record_id,person_id``. A record is found by
    its record ID, or, for a registry keyed by the national ID (whose record ID in the
    store is the pseudonym), by the national ID written as its record ID.
    """
    require_columns(path, TRUTH_COLUMNS)
    run(
        con,
        """
        create or replace temp table truth as
        with t as (
            select source::varchar as source, record_id::varchar as record_id,
                   person_id::varchar as entity
            from read_csv($path, header = true, all_varchar = true))
        select coalesce(a.rid, b.rid) as rid, t.entity, t.source, t.record_id
        from t
        left join link_input a on a.source = t.source and a.record_id = t.record_id
        left join (select i.national_id, li.source, li.rid
                   from link_input li join identities i on i.pid_hash = li.record_id
                   where li.id_keyed) b
            on a.rid is null and b.source = t.source and b.national_id = t.record_id
        """,
        {"path": str(path)},
    )


def evaluate_links(con: duckdb.DuckDBPyConnection, truth_path: Path, links_path: Path) -> Accuracy:
    """Score a links file (``source,record_id,person_id``, as quick mode writes) against a
    truth file with the same columns; both are matched on ``(source, record_id)``."""
    for path in (truth_path, links_path):
        require_columns(path, TRUTH_COLUMNS)
    run(
        con,
        """
        create or replace temp table _links as
        select source, record_id, person_id from read_csv($links, header = true,
                                                          all_varchar = true)
        where person_id is not null;
        """,
        {"links": str(links_path)},
    )
    run(
        con,
        """
        create or replace temp table _keys as
        select row_number() over (order by source, record_id) as rid, source, record_id
        from (select source, record_id from _links
              union select source::varchar, record_id::varchar
              from read_csv($truth, header = true, all_varchar = true))
        """,
        {"truth": str(truth_path)},
    )
    run(
        con,
        """
        create or replace temp table truth as
        select case when l.source is not null then k.rid end as rid, t.person_id as entity,
               t.source
        from read_csv($truth, header = true, all_varchar = true) t
        join _keys k using (source, record_id)
        left join _links l using (source, record_id)
        """,
        {"truth": str(truth_path)},
    )
    run(
        con,
        """create or replace temp table predicted as
           select k.rid, l.person_id as cluster
           from _links l join _keys k using (source, record_id)""",
    )
    return pairwise_accuracy(con, "truth", "predicted")


def evaluate_store(con: duckdb.DuckDBPyConnection, truth_path: Path) -> Accuracy:
    """Score the store's current persons (the last `sitthi link`) against a truth file."""
    from sitthi.linkage.prepare import prepare_records
    from sitthi.linkage.tables import ensure_schema

    ensure_schema(con)
    if not rows(con, "select 1 from person_records limit 1"):
        raise ValidationError("the store has no persons yet: run `sitthi link` first")
    prepare_records(con)
    load_truth(con, truth_path)
    run(
        con,
        """create or replace temp table predicted as
           select li.rid, p.person_id as cluster
           from person_records p join link_input li using (source, record_id)""",
    )
    return pairwise_accuracy(con, "truth", "predicted")
