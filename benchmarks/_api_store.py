"""The stores of bench_api.py: a real pipeline run on a small world, then scaled by copying.

Synth → ingest → link → rights on a world of ``persons`` (100,000 by default) gives a
store with the real shape. `scaled_store` copies every table that `sitthi publish` reads
``copies`` times into a new store, copy after copy (each copy's rows in the base's order),
with every identifier rewritten consistently, so the copies are distinct people who live
in the same areas:

* national IDs: every identity of the base gets, per copy ``k``, a new 13-digit ID: its
  category digit kept, then ``k`` (2 digits) and the identity's rank (9 digits), then a
  check digit that is right where the original's was right and wrong by the same amount
  where it was wrong (the ``G…`` foreign numbers keep their letter, no check digit).
  Unique by construction; ``pid_hash`` is the HMAC of the new ID under the configured
  pseudonym key (`sitthi.ingest.pseudonym`, computed in DuckDB), so the API finds the
  person of a new ID exactly as it finds a real one;
* person IDs ``P00nnnnnnnn`` → ``P<kk>nnnnnnnn``; household IDs (copies 1…) → ``HH`` and 16
  hex digits of SHA-256(k, id); record IDs (copies 1…) get ``-kk``, except the civil
  registry's, which are the record's pseudonym and follow it; the raw rows kept with each
  record and each quarantined row name the new pseudonym and record ID.

Copied once, unchanged: batches, runs, programmes, the key table (the lineage of a release
therefore names the base's batches). Not copied at all: tables publish does not read
(eligibility, payments, link pairs, ID repairs, the person ledger and periods).
Everything is cached under ``CACHE`` (outside the repository); nothing is ever committed.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

CACHE = Path(os.environ.get("SITTHI_BENCH_CACHE", "/work/bench-cache/api"))

#: Tables copied once as they are.
ONCE = (
    "batches",
    "link_runs",
    "rights_runs",
    "rights_programmes",
    "pseudonym_keys",
    "dated_fields",
    "review_decisions",
    "source_records_history",
    "facts_history",
)

# Per copy ``{k}``: the SELECT over the base (``b``) for each replicated table. ``P(x)``,
# ``H(x)``, ``RID(source, x)`` and ``PID(x)`` are macros redefined for each copy.
COPIED = {
    "identities": "select pid_new as pid_hash, nid_new as national_id, key_version "
    "from m.ids where k = {k} order by r",
    "source_records": """
        select * exclude (new_pid, new_rid) replace (new_rid as record_id,
            new_pid as pid_hash,
            list_transform(raw, lambda x: case when x = pid_hash then new_pid
                                               when x = record_id then new_rid
                                               else x end) as raw)
        from (select *, PID(pid_hash) as new_pid, RID(source, record_id) as new_rid
              from b.source_records order by rowid)""",
    "facts": """
        select * replace (RID(source, record_id) as record_id, PID(pid_hash) as pid_hash)
        from b.facts order by rowid""",
    "person_records": """
        select * replace (RID(source, record_id) as record_id, P(person_id) as person_id,
            RID(linked_source, linked_record_id) as linked_record_id)
        from b.person_records order by rowid""",
    "review_queue": """
        select * replace (RID(source_l, record_id_l) as record_id_l,
                          RID(source_r, record_id_r) as record_id_r)
        from b.review_queue order by rowid""",
    "persons": "select * replace (P(person_id) as person_id) from b.persons",
    "person_values": """
        select * replace (P(person_id) as person_id, RID(source, record_id) as record_id)
        from b.person_values order by rowid""",
    "profiles": "select * replace (P(person_id) as person_id, H(household_id) as household_id) "
    "from b.profiles",
    "entitlements": "select * replace (P(person_id) as person_id) from b.entitlements",
    "gaps": "select * replace (P(person_id) as person_id) from b.gaps",
    "receiving": "select * replace (P(person_id) as person_id) from b.receiving",
    "notifications": "select * replace (P(person_id) as person_id) from b.notifications",
    "conflicts": """
        select * replace (P(person_id) as person_id,
                          RID(other_source, other_record_id) as other_record_id)
        from b.conflicts order by rowid""",
    "households": "select * replace (H(household_id) as household_id) from b.households",
    "household_profiles": "select * replace (H(household_id) as household_id) "
    "from b.household_profiles",
    "household_poverty": "select * replace (H(household_id) as household_id) "
    "from b.household_poverty",
    "person_households": "select * replace (P(person_id) as person_id, "
    "H(household_id) as household_id) from b.person_households",
    "person_poverty": "select * replace (P(person_id) as person_id, "
    "H(household_id) as household_id) from b.person_poverty",
    "duplicate_registrations": """
        select * replace (RID(source_l, record_id_l) as record_id_l,
                          RID(source_r, record_id_r) as record_id_r,
                          PID(pid_hash_l) as pid_hash_l, PID(pid_hash_r) as pid_hash_r,
                          P(person_id) as person_id)
        from b.duplicate_registrations order by rowid""",
    "link_events": "select * replace (P(person_id) as person_id, "
    "P(other_person_id) as other_person_id) from b.link_events",
}

# The check digit of a 12-digit text (sitthi.thai.national_id.check_digit), in SQL.
CHECK_DIGIT = (
    "create or replace macro chk(s) as (11 - list_sum(list_transform(range(12), "
    "lambda i: (ascii(s[i + 1]) - 48) * (13 - i))) % 11) % 10"
)


def log(message: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", flush=True)


def base_store(persons: int, seed: int = 42) -> Path:
    """The store of a real pipeline run on a synthetic world of ``persons`` (cached)."""
    from sitthi.config import Settings
    from sitthi.engines.duckdb import connect
    from sitthi.linkage.service import link_store
    from sitthi.pipeline import ingest_world
    from sitthi.rights.service import run_rights
    from sitthi.synth.world import generate_world

    base = CACHE / f"base-{persons}-{seed}"
    store = base / "store.duckdb"
    if store.exists():
        return store
    started = time.perf_counter()
    summary = generate_world(base / "world", persons=persons, seed=seed)
    log(f"base: world of {persons:,} persons made")
    partial = base / "partial.duckdb"
    partial.unlink(missing_ok=True)
    con = connect(partial)
    try:
        ingest_world(con, base / "world", Settings())
        log("base: ingested")
        link_store(con)
        log("base: linked")
        run_rights(con, dt.date.fromisoformat(summary.as_of))
    finally:
        con.close()
    partial.rename(store)
    log(f"base: rights done, {time.perf_counter() - started:.0f} s in all")
    return store


def scaled_store(base: Path, copies: int, memory_limit: str = "8GB") -> Path:
    """``copies`` copies of ``base`` in one store, identifiers rewritten (cached)."""
    import duckdb

    from sitthi.config import Settings
    from sitthi.ingest.pseudonym import pseudonym_sql

    if not 1 <= copies <= 100:
        raise ValueError("1 to 100 copies (the copy number is two digits of the new IDs)")
    folder = base.parent.parent / f"{base.parent.name}-x{copies}"
    store, maps = folder / "store.duckdb", folder / "maps.duckdb"
    if store.exists():
        return store
    folder.mkdir(parents=True, exist_ok=True)
    for f in (store, maps, folder / "partial.duckdb"):
        f.unlink(missing_ok=True)
    started = time.perf_counter()
    con = duckdb.connect(str(maps))
    con.execute(f"set memory_limit = '{memory_limit}'")
    con.execute("set enable_progress_bar = false")
    con.execute(f"attach '{base}' as b (read_only)")
    con.execute(CHECK_DIGIT)
    hmac_sql, params = pseudonym_sql(Settings().pseudonym_secret(), "nid_new")
    # Rank r of each base identity; per copy k a new ID (see the module's docstring).
    con.execute(
        f"""create table ids as
            with i as (select pid_hash, national_id, key_version,
                              row_number() over (order by pid_hash) - 1 as r
                       from b.identities),
            n as (select k, r, pid_hash as pid_old, key_version,
                         case when regexp_full_match(national_id, '[0-9]{{13}}') then
                             national_id[1] || lpad(k::varchar, 2, '0') || lpad(r::varchar, 9, '0')
                         else national_id[1] || lpad(k::varchar, 2, '0')
                              || lpad(r::varchar, 10, '0') end as body,
                         regexp_full_match(national_id, '[0-9]{{13}}') as digits,
                         national_id
                  from i, range({copies}) t(k)),
            c as (select *, case when digits then body || (
                      (chk(body) + (ascii(national_id[13]) - 48 - chk(national_id[1:12])) + 20)
                      % 10)::varchar else body end as nid_new
                  from n)
            select k, r, pid_old, key_version, nid_new, {hmac_sql} as pid_new from c""",
        params,
    )
    total, nids, pids, longest = con.execute(
        "select count(*), count(distinct nid_new), count(distinct pid_new), max(r) from ids"
    ).fetchone()
    if not total == nids == pids or longest >= 10**9:
        raise RuntimeError(f"new IDs not unique: {total} rows, {nids} IDs, {pids} pseudonyms")
    con.close()
    log(f"scale: {total:,} new national IDs and pseudonyms ({time.perf_counter() - started:.0f} s)")

    partial = folder / "partial.duckdb"
    con = duckdb.connect(str(partial))
    con.execute(f"set memory_limit = '{memory_limit}'")
    con.execute("set enable_progress_bar = false")
    con.execute(f"attach '{base}' as b (read_only)")
    con.execute(f"attach '{maps}' as m (read_only)")
    for table in ONCE:
        con.execute(f"create table {table} as select * from b.{table}")
    for k in range(copies):
        clock = time.perf_counter()
        kk = f"{k:02d}"
        con.execute(
            f"create or replace temp table pm as select pid_old, pid_new from m.ids where k = {k}"
        )
        con.execute(
            f"create or replace temp macro P(x) as 'P{kk}' || x[4:]; "
            "create or replace temp macro H(x) as "
            + ("x; " if k == 0 else f"'HH' || sha256('{k}:' || x)[1:16]; ")
            + "create or replace temp macro PID(x) as coalesce("
            "(select pid_new from pm where pid_old = x), sha256("
            f"'{k}:' || x)); "
            "create or replace temp macro RID(s, x) as case when s = 'dopa' then PID(x) "
            + ("else x end" if k == 0 else f"else x || '-{kk}' end")
        )
        for table, sql in COPIED.items():
            select = sql.format(k=k)
            if k == 0:
                con.execute(f"create table {table} as {select}")
            else:
                con.execute(f"insert into {table} {select}")
        _copy_quarantine(con, k)
        log(f"scale: copy {k + 1}/{copies} written ({time.perf_counter() - clock:.1f} s)")
    con.execute("checkpoint")
    con.close()
    partial.rename(store)
    log(f"scale: {store} made in {time.perf_counter() - started:.0f} s")
    return store


def _copy_quarantine(con: duckdb.DuckDBPyConnection, k: int) -> None:
    """The quarantined rows of copy ``k``: a handful, rewritten in Python (their raw row
    holds a pseudonym in some column, mapped like the records' or hashed when unknown)."""
    import hashlib
    import re

    if k == 0:
        con.execute("create table quarantine as select * from b.quarantine where false")
    rows = con.execute("select * from b.quarantine order by rowid").fetchall()
    known = dict(con.execute("select pid_old, pid_new from pm").fetchall())
    hexed = re.compile(r"[0-9a-f]{64}")

    def pid(x: str) -> str:
        return known.get(x) or hashlib.sha256(f"{k}:{x}".encode()).hexdigest()

    def rid(source: str, x: str | None) -> str | None:
        if x is None or (k == 0 and source != "dopa"):
            return x
        return pid(x) if source == "dopa" else f"{x}-{k:02d}"

    out = []
    for source, batch_id, line, record_id, reasons, raw in rows:
        new_rid = rid(source, record_id)
        raw = (
            [
                pid(x) if x is not None and hexed.fullmatch(x) else new_rid if x == record_id else x
                for x in raw or []
            ]
            if raw is not None
            else None
        )
        out.append((source, batch_id, line, new_rid, reasons, raw))
    if out:
        con.executemany("insert into quarantine values (?, ?, ?, ?, ?, ?)", out)


def check_scaled(store: Path, base: Path, copies: int) -> dict[str, int]:
    """Counts that must hold in a scaled store: every table ``copies`` times the base's,
    identifiers unique where the base's are, every record's pseudonym in ``identities``."""
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    con.execute(f"attach '{base}' as b (read_only)")
    out = {}
    for table in (*COPIED, "quarantine"):
        n, m = con.execute(
            f"select (select count(*) from {table}), (select count(*) from b.{table})"
        ).fetchone()
        if n != m * copies:
            raise RuntimeError(f"{table}: {n:,} rows, expected {m * copies:,}")
        out[table] = n
    for table, key in (
        ("persons", "person_id"),
        ("households", "household_id"),
        ("identities", "pid_hash"),
        ("source_records", "source, record_id"),
    ):
        n, d = con.execute(f"select count(*), count(distinct ({key})) from {table}").fetchone()
        if n != d:
            raise RuntimeError(f"{table}: {n - d} repeated {key}")
    (orphans,) = con.execute(
        "select count(*) from source_records s where pid_hash is not null and not exists "
        "(select 1 from identities i where i.pid_hash = s.pid_hash)"
    ).fetchone()
    if orphans:
        raise RuntimeError(f"{orphans} records whose pseudonym has no identity")
    (unlinked,) = con.execute(
        "select count(*) from source_records s anti join person_records p using (source, record_id)"
    ).fetchone()
    if unlinked:
        raise RuntimeError(f"{unlinked} records in no person")
    con.close()
    return out


def lookup_ids(store: Path, sample: int = 100_000, seed: int = 7) -> Path:
    """National IDs to look up (cached as Parquet beside the store): ``sample`` valid IDs of
    persons with a province in the store, and as many valid IDs nobody holds."""
    import duckdb

    out = store.with_name("lookup-ids.parquet")
    if out.exists():
        return out
    con = duckdb.connect(str(store), read_only=True)
    con.execute("set enable_progress_bar = false")
    con.execute(CHECK_DIGIT.replace("create or replace macro", "create temp macro"))
    con.execute(
        f"""copy (
            with held as (
                select distinct i.national_id
                from source_records s
                join person_records p using (source, record_id)
                join profiles f using (person_id)
                join identities i on i.pid_hash = s.pid_hash
                where s.national_id_valid and f.province_code is not null),
            found as (select national_id, true as held from held
                      using sample reservoir({sample} rows) repeatable ({seed})),
            -- rank ≥ 10^8 is beyond every base identity: checksum-valid, never issued
            b as (select '1' || lpad((i % 100)::varchar, 2, '0')
                         || (100000000 + (hash(i, {seed}) % 800000000))::varchar as body
                  from range({sample}) t(i)),
            missing as (select body || chk(body)::varchar as national_id, false as held from b)
            select * from found union all select * from missing
        ) to '{out}' (format parquet)"""
    )
    con.close()
    return out
