"""Person cards: all a person's answer may show, one compressed row per person.

A lookup must be answered in milliseconds while a release holds tens of millions of
people. Answered from the release's column store it took a dozen point queries of 3–6 ms
each (a DuckDB point query decompresses a row group); so `sitthi publish` also writes
``persons.sqlite``: per person one JSON card (golden record, profile, every value with
source and date, entitlements, gaps, notices, poverty, link history, the population
groups an agreement may name), per household its members, and the person each pseudonym
stands for, keyed B-trees with every card zstd-compressed against a dictionary trained on
the release's own cards. A lookup is then three indexed reads; which parts of a card the
caller sees is still decided by `sitthi.registry.access.person_record`. The cards hold
nothing the release does not: the same rows, arranged by person.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitthi.engines.duckdb import rows
from sitthi.registry.access import FIELD_COLUMNS, GROUP_CONDITIONS

if TYPE_CHECKING:
    import duckdb

#: Persons per build step: bounded memory whatever the release's size.
CHUNK = 250_000
#: The compression dictionary: cards share keys, codes, sources and names.
DICTIONARY_BYTES = 64 * 1024

#: The population groups of an agreement, in the order of a card's group bits.
GROUPS = tuple(GROUP_CONDITIONS)


def _hidden(column: str) -> str:
    # The civil registry's records are keyed by the ID's pseudonym: never shown.
    return f"case when regexp_full_match({column}, '[0-9a-f]{{64}}') then null else {column} end"


def _groups(alias: str) -> str:
    """SQL: the groups a profile (``alias``) belongs to, bit i for `GROUPS`' i-th."""
    bits = [
        f"(coalesce(({_qualified(GROUP_CONDITIONS[name], alias)}), false)::int << {i})"
        for i, name in enumerate(GROUPS)
    ]
    return " + ".join(bits)


def _qualified(condition: str, alias: str) -> str:
    """``age >= 60`` → ``f.age >= 60``: the group conditions name only profile columns."""
    return " ".join(
        f"{alias}.{w}" if w.isidentifier() and w not in {"true", "or", "and", "not"} else w
        for w in condition.split()
    )


def _json_array(*items: str, text: tuple[int, ...] = ()) -> str:
    """SQL building a JSON array by hand: DuckDB's `to_json` of a list of structs costs
    about a microsecond per element, and a person has ~20 values (210 million in a
    10-million-person release). Items at the positions in ``text`` are free text and go
    through `json_quote`; the others are codes, dates, numbers or booleans (quoted if
    given as ``'"col"'``), written as they are."""
    parts = []
    for i, item in enumerate(items):
        if i in text:
            parts.append(f"coalesce(json_quote({item})::varchar, 'null')")
        elif item.startswith('"'):
            parts.append(f"coalesce('\"' || {item[1:-1]} || '\"', 'null')")
        else:
            parts.append(f"coalesce(({item})::varchar, 'null')")
    return "concat('[', " + ", ',', ".join(parts) + ", ']')"


def _json_list(element: str) -> str:
    return f"concat('[', string_agg({element}, ','), ']')"


#: The positions of a value's and a linked record's parts in their cards' arrays.
VALUE_KEYS = ("field", "value", "source", "as_of", "from_authority")
EVENT_KEYS = ("run_id", "event", "other_person_id", "records", "happened_at")
LINK_KEYS = (
    "source",
    "record_id",
    "stage",
    "match_probability",
    "linked_source",
    "linked_record_id",
    "extract_date",
)


def _cards_sql(row: str) -> str:
    """One card per person of ``profiles`` with ``$lo <= person_id < $hi``; ``row`` is
    the SQL of their registry columns (`_row`). Lists come unordered (an ordered aggregate
    doubles the cost): `Card` orders them."""
    window = "person_id >= $lo and person_id < $hi"
    # codes and dates as JSON strings, free text (agency values, record IDs) escaped
    event = _json_array(
        '"run_id"',
        '"event"',
        '"other_person_id"',
        "records",
        "\"replace(cast(happened_at as varchar), ' ', 'T')\"",
    )
    value = _json_array('"field"', "value", '"source"', '"as_of"', "from_authority", text=(1,))
    link = _json_array(
        '"source"',
        _hidden("record_id"),
        '"stage"',
        "round(match_probability, 4)",
        '"linked_source"',
        _hidden("linked_record_id"),
        '"extract_date"',
        text=(1, 5),
    )
    return f"""
    with f as (select * from profiles where {window}),
    g as (select * from persons where {window}),
    v as (select person_id, {_json_list(value)} as values
          from person_values where {window} group by all),
    e as (select person_id,
                 list({{'programme': programme, 'amount': amount, 'reason': reason,
                       'as_of': as_of}}) as entitlements
          from entitlements where {window} group by all),
    gp as (select person_id,
                  list({{'programme': programme, 'gap': gap, 'amount': amount,
                        'detail': detail, 'unknown': unknown}}) as gaps
           from gaps where {window} group by all),
    n as (select person_id,
                 list({{'programme': programme, 'gap': gap, 'channel': channel,
                       'status': status, 'message_th': message_th}}) as notices
          from notifications where {window} group by all),
    pv as (select p.person_id,
                  {{'poor': p.poor, 'welfare_card': p.welfare_card,
                    'target_poor': p.target_poor, 'outreach': p.outreach,
                    'failed_indicators': h.failed,
                    'failed_dimensions': h.failed_dimensions}} as poverty
           from person_poverty p left join household_poverty h using (household_id)
           where p.{window}),
    lr as (select person_id, {_json_list(link)} as records
           from person_links where {window} group by all),
    ev_all as (select person_id as owner, * from link_events where {window}
               union all
               select other_person_id as owner, * from link_events
               where other_person_id >= $lo and other_person_id < $hi
                 and other_person_id is distinct from person_id),
    ev as (select owner as person_id, {_json_list(event)} as events
           from ev_all group by all)
    select f.person_id,
           concat('{{"pid_hash":', coalesce(json_quote(pp.pid_hash)::varchar, 'null'),
                  ',"row":', to_json({row})::varchar,
                  ',"groups":', {_groups("f")},
                  ',"events":', coalesce(ev.events, '[]'),
                  ',"values":', coalesce(v.values, '[]'),
                  ',"records":', coalesce(lr.records, '[]'),
                  ',"rest":', to_json({{
                      'entitlements': coalesce(e.entitlements, []),
                      'gaps': coalesce(gp.gaps, []),
                      'notices': coalesce(n.notices, []),
                      'poverty': pv.poverty}})::varchar,
                  '}}').encode() as card
    from f
    left join g using (person_id)
    left join person_pids pp using (person_id)
    left join v using (person_id)
    left join e using (person_id)
    left join gp using (person_id)
    left join n using (person_id)
    left join pv using (person_id)
    left join lr using (person_id)
    left join ev using (person_id)
    """


def _row(con: duckdb.DuckDBPyConnection) -> str:
    """SQL of the struct of a person's registry columns (`FIELD_COLUMNS`, their household
    and area): from the profile (``f``) where it holds the column, else from the golden
    record (``g``), as `person_record` has always merged them."""

    def columns(table: str) -> set[str]:
        return {str(r[0]) for r in rows(con, f"select column_name from (describe {table})")}

    profile, golden = columns("profiles"), columns("persons")
    wanted = dict.fromkeys(
        ["household_id", "province_code", "district_code", "subdistrict_code"]
        + [c for cs in FIELD_COLUMNS.values() for c in cs]
    )
    picked = [f"'{c}': {'f' if c in profile else 'g'}.{c}" for c in wanted if c in profile | golden]
    return "{" + ", ".join(picked) + "}"


def _households_sql() -> str:
    """One household with ``$lo <= household_id < $hi``: its house and every member."""
    return """
    with h as (select * from households where household_id >= $lo and household_id < $hi),
    m as (select m.household_id, m.person_id, pp.pid_hash, g.title, g.first_name,
                 g.last_name, f.sex, f.age, f.alive
          from person_households m
          join persons g using (person_id)
          join profiles f using (person_id)
          left join person_pids pp using (person_id)
          where m.household_id >= $lo and m.household_id < $hi)
    select h.household_id,
           to_json({'house_code': h.house_code, 'size': h.members,
                    'members': coalesce(list({'person_id': m.person_id,
                        'pid_hash': m.pid_hash, 'title': m.title,
                        'first_name': m.first_name, 'last_name': m.last_name, 'sex': m.sex,
                        'age': m.age, 'alive': m.alive})
                        filter (where m.person_id is not null), [])})::varchar.encode()
    from h left join m using (household_id)
    group by h.household_id, h.house_code, h.members
    """


def _windows(
    con: duckdb.DuckDBPyConnection, table: str, key: str, size: int
) -> list[tuple[str, str]]:
    """``[lo, hi)`` windows of about ``size`` rows of ``table`` by ``key`` (the release's
    tables are sorted by it, so a window reads only its own row groups)."""
    starts = [
        str(r[0])
        for r in rows(
            con,
            f"""select {key} from (
                    select {key}, row_number() over (order by {key}) - 1 as i from {table})
                where i % $size = 0 order by {key}""",
            {"size": size},
        )
    ]
    return [(lo, starts[i + 1] if i + 1 < len(starts) else END) for i, lo in enumerate(starts)]


#: Above every person and household ID.
END = "\U0010ffff"


def write_cards(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    chunk: int = CHUNK,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Write ``path`` (a new SQLite file) from the release tables ``con`` sees; the number
    of cards written."""
    import zstandard

    # The writer thread compresses and stores chunk i while DuckDB computes chunk i + 1.
    db = sqlite3.connect(path, check_same_thread=False)
    try:
        # A new file in a folder that is deleted if publishing fails: no journal needed.
        db.executescript(
            """pragma page_size = 16384; pragma journal_mode = off; pragma synchronous = off;
               create table meta (key text primary key, value blob not null);
               create table cards (person_id text primary key, card blob not null)
                   without rowid;
               create table households (household_id text primary key, card blob not null)
                   without rowid;
               create table pids (pid_hash text primary key, person_id text not null)
                   without rowid;"""
        )
        written = 0
        with ThreadPoolExecutor(1) as writer:
            pending: Future[None] | None = None
            for table, key, sql in (
                ("cards", "person_id", _cards_sql(_row(con))),
                ("households", "household_id", _households_sql()),
            ):
                of = "profiles" if table == "cards" else "households"
                windows = _windows(con, of, key, chunk)
                compress: Callable[[bytes], bytes] | None = None
                for i, (lo, hi) in enumerate(windows):
                    if progress:
                        progress(f"person cards: {table} {i + 1}/{len(windows)}")
                    found = rows(con, sql, {"lo": lo, "hi": hi})
                    if pending is not None:
                        pending.result()
                    if compress is None:
                        # zstd with a dictionary trained on this release's own cards
                        dictionary = zstandard.train_dictionary(DICTIONARY_BYTES, _sample(found))
                        db.execute(
                            "insert into meta values (?, ?)",
                            (f"zdict:{table}", dictionary.as_bytes()),
                        )
                        compress = zstandard.ZstdCompressor(level=3, dict_data=dictionary).compress
                    pending = writer.submit(_store, db, table, compress, found)
                    written += len(found) if table == "cards" else 0
            if pending is not None:
                pending.result()
        # The person a pseudonym stands for: the one most records agree on.
        db.executemany(
            "insert into pids values (?, ?)",
            rows(
                con,
                """select pid_hash, arg_min(person_id, (-records, person_id))
                   from person_ids group by pid_hash order by pid_hash""",
            ),
        )
        db.execute("insert into meta values ('cards', ?)", (str(written),))
        db.commit()
    finally:
        db.close()
    return written


def _store(
    db: sqlite3.Connection,
    table: str,
    compress: Callable[[bytes], bytes],
    found: Sequence[tuple[str, bytes]],
) -> None:
    db.executemany(f"insert into {table} values (?, ?)", ((k, compress(c)) for k, c in found))


def _sample(found: Sequence[tuple[str, bytes]]) -> list[bytes | bytearray | memoryview]:
    """About 2,000 cards spread over a chunk: enough to train a 64 KiB dictionary."""
    step = max(1, len(found) // 2_000)
    return [c for _, c in found[::step]]


@dataclass(frozen=True)
class Card:
    """One person as the release holds them (every field: the caller's view filters)."""

    person_id: str
    pid_hash: str | None
    row: dict[str, Any]  # registry column -> value (`FIELD_COLUMNS`), area, household
    values: list[dict[str, Any]]  # by field, then source
    entitlements: list[dict[str, Any]]  # by programme
    gaps: list[dict[str, Any]]  # by programme and gap
    notices: list[dict[str, Any]]  # by programme and gap
    poverty: dict[str, Any] | None
    links: dict[str, list[dict[str, Any]]]  # records (by source, record), events (by time)
    groups: frozenset[str]

    @property
    def area(self) -> dict[str, str | None]:
        return {k: self.row.get(k) for k in ("province_code", "district_code", "subdistrict_code")}

    @property
    def household_id(self) -> str | None:
        found = self.row.get("household_id")
        return str(found) if found else None

    def in_population(self, groups: Sequence[str], programmes: Sequence[str]) -> bool:
        """Whether the person is of one of ``groups`` or entitled to one of ``programmes``
        (the population an agreement covers)."""
        if set(groups) & set(self.groups):
            return True
        return any(e["programme"] in programmes for e in self.entitlements)

    @classmethod
    def parse(cls, person_id: str, body: dict[str, Any]) -> Card:
        rest = body["rest"]
        by = _sorter
        return cls(
            person_id=person_id,
            pid_hash=body["pid_hash"],
            row=body["row"],
            values=sorted(
                (dict(zip(VALUE_KEYS, v, strict=True)) for v in body["values"]),
                key=by("field", "source"),
            ),
            entitlements=sorted(rest["entitlements"], key=by("programme")),
            gaps=sorted(rest["gaps"], key=by("programme", "gap")),
            notices=sorted(rest["notices"], key=by("programme", "gap")),
            poverty=rest["poverty"],
            links={
                "records": sorted(
                    (dict(zip(LINK_KEYS, r, strict=True)) for r in body["records"]),
                    key=by("source", "record_id"),
                ),
                "events": sorted(
                    (dict(zip(EVENT_KEYS, r, strict=True)) for r in body["events"]),
                    key=by("happened_at", "event"),
                ),
            },
            groups=frozenset(g for i, g in enumerate(GROUPS) if body["groups"] >> i & 1),
        )


def _sorter(*keys: str) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """Sort key over ``keys``, nulls last."""
    return lambda row: tuple((row[k] is None, row[k] or "") for k in keys)


class CardFile:
    """A release's ``persons.sqlite``, read-only, shared by every request thread.

    Each thread reads through a connection and zstd decompressors of its own: neither a
    SQLite connection nor a decompressor may be used by two threads at once (shared, they
    corrupt what they return), and apart they read in parallel.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[sqlite3.Connection] = []
        db = self._connect()
        try:
            self._dictionaries = {
                table: bytes(row[0]) if row else b""
                for table in ("cards", "households")
                for row in [
                    db.execute(
                        "select value from meta where key = ?", (f"zdict:{table}",)
                    ).fetchone()
                ]
            }
        finally:
            db.close()

    def _connect(self) -> sqlite3.Connection:
        # immutable: a release never changes, so SQLite takes no locks and reads no journal
        return sqlite3.connect(
            f"file:{self.path}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )

    def _reader(self) -> tuple[sqlite3.Connection, dict[str, Any]]:
        found = getattr(self._local, "reader", None)
        if found is None:
            import zstandard

            db = self._connect()
            with self._lock:
                self._opened.append(db)
            unpack = {
                table: zstandard.ZstdDecompressor(
                    dict_data=zstandard.ZstdCompressionDict(dictionary)
                ).decompress
                for table, dictionary in self._dictionaries.items()
            }
            found = self._local.reader = (db, unpack)
        return found

    def _one(self, sql: str, params: tuple[str, ...]) -> Any:
        row = self._reader()[0].execute(sql, params).fetchone()
        return row[0] if row else None

    def _body(self, table: str, key: str, value: str) -> Any:
        db, unpack = self._reader()
        row = db.execute(f"select card from {table} where {key} = ?", (value,)).fetchone()
        return None if row is None else json.loads(unpack[table](row[0]))

    def person_for_pid(self, pid_hash: str) -> str | None:
        """The person holding a valid ID (by its pseudonym): the one most records agree on."""
        found = self._one("select person_id from pids where pid_hash = ?", (pid_hash,))
        return str(found) if found is not None else None

    def card(self, person_id: str) -> Card | None:
        body = self._body("cards", "person_id", person_id)
        return None if body is None else Card.parse(person_id, body)

    def household(self, household_id: str) -> dict[str, Any] | None:
        """A household's house code, size and members (eldest first), every member with
        every field: the caller's view filters."""
        body = self._body("households", "household_id", household_id)
        if body is None:
            return None
        body["members"].sort(key=lambda m: (m["age"] is None, -(m["age"] or 0), m["person_id"]))
        return {"household_id": household_id, **body}

    def close(self) -> None:
        with self._lock:
            for db in self._opened:
                db.close()
            self._opened.clear()
