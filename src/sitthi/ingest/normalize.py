"""Turn ``raw_rows`` into canonical identity columns, facts and quarantine reasons.

Set-based: national IDs, pseudonyms, numbers and flags are computed in SQL; the Thai
parsers of `sitthi.thai` run in Python once per *distinct* value (names, dates, areas and
addresses repeat a lot) and are joined back. The result is the temporary table
``staged`` (one row per raw row of a chunk, with ``reasons`` that quarantine it and
``issues`` that do not, and ``facts``, the row's facts as a list); `prepare` runs once
per file, `stage_chunk` once per range of lines, so memory stays bounded on
national-scale files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sitthi.engines.duckdb import quote_identifier, quote_literal, rows, run
from sitthi.ingest.pseudonym import pseudonym_sql
from sitthi.ingest.spec import FactSpec, FieldSpec, IdentityField, SourceSpec
from sitthi.ingest.sql_identity import digits_sql, national_id_sql
from sitthi.thai.address import parse_address
from sitthi.thai.areas import resolve_area
from sitthi.thai.dates import parse_thai_date
from sitthi.thai.house import parse_house_code
from sitthi.thai.names import normalize_name, parse_full_name, sex_from_title, split_title
from sitthi.thai.phone import parse_phone
from sitthi.thai.phonetic import latin_phonetic_key, phonetic_key
from sitthi.thai.sex import parse_sex
from sitthi.thai.similarity import sim_key
from sitthi.thai.text import normalize_thai_text

if TYPE_CHECKING:
    import duckdb


q = quote_identifier

#: The parsers are pure and the same names, dates and places come back in every file of a
#: run (the civil registry has them all): each distinct value is parsed once per process.
_memo = lru_cache(maxsize=1 << 18)


def _text(column: str) -> str:
    """A raw column as trimmed text, NULL when empty (raw_rows is always aliased ``r``)."""
    return f"nullif(trim(r.{q(column)}), '')"


def map_distinct(
    con: duckdb.DuckDBPyConnection,
    name: str,
    keys: Sequence[str],
    outputs: dict[str, str],
    fn: Callable[..., tuple[Any, ...]],
    source: str = "raw_rows r",
) -> None:
    """Create temp table ``name`` mapping each distinct ``keys`` tuple of ``source`` (raw_rows
    by default) to ``fn(*values)``; ``outputs`` names the result columns and their types."""
    import pyarrow as pa

    key_sql = ", ".join(f"{k} as k{i}" for i, k in enumerate(keys))
    distinct = rows(con, f"select distinct {key_sql} from {source}")
    results = [fn(*values) for values in distinct]
    columns: dict[str, Any] = {f"k{i}": [v[i] for v in distinct] for i in range(len(keys))}
    for j, out in enumerate(outputs):
        columns[out] = [r[j] for r in results]
    table = pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()})
    con.register(f"{name}_arrow", table)
    casts = ", ".join(
        [f"k{i}" for i in range(len(keys))]
        + [f"cast({out} as {typ}) as {out}" for out, typ in outputs.items()]
    )
    run(con, f"create or replace temp table {name} as select {casts} from {name}_arrow")
    con.unregister(f"{name}_arrow")


def _join(table: str, alias: str, keys: Sequence[str]) -> str:
    """Join a `map_distinct` table back on the raw values it was built from."""
    on = " and ".join(f"{alias}.k{i} is not distinct from {k}" for i, k in enumerate(keys))
    return f"left join {table} {alias} on {on}"


# --- per-distinct-value parsers (each returns text so arrow can carry it) ---


@lru_cache(maxsize=1 << 18)
def _word(token: str) -> tuple[tuple[str, ...], str, str]:
    """One whitespace-separated word: (titles at its start, the rest, the whole normalised)."""
    clean = normalize_thai_text(token)
    titles, rest = split_title(clean)
    return titles, rest, clean


_TRICKY = frozenset({"หญิง", "ว่าที่"})  # words whose meaning depends on the word before


@_memo
def _names_from_full(value: str | None) -> tuple[Any, ...]:
    """Title, first and last name from one full-name cell.

    Full names are nearly all distinct, so this runs once per row: the common shape
    ("[title] first surname…", title glued or not) is read word by word from a cache of
    words (which repeat); anything else goes to the full `parse_full_name`.
    """
    if value is None:
        return (None, None, None, None)
    words = value.split()
    if len(words) >= 2 and not _TRICKY.intersection(words):
        titles, rest, _ = _word(words[0])
        start = 1
        if not rest and len(words) >= 3 and titles:  # "นาย สมชาย ใจดี"
            second_titles, rest, _ = _word(words[1])
            start = 2 if rest and not second_titles else 0
        if rest and start and (start == 1 or not _word(words[1])[0]):
            last = " ".join(_word(w)[2] for w in words[start:])
            title = titles[0] if titles else None
            return (title, rest, last or None, sex_from_title(title) if title else None)
    p = parse_full_name(value)
    return (p.title, p.first_name or None, p.last_name or None, p.sex_hint)


@_memo
def _title(value: str | None) -> tuple[Any, ...]:
    if value is None:
        return (None, None)
    titles, rest = split_title(normalize_thai_text(value))
    title = titles[0] if titles else (rest or None)  # an unknown title is kept as written
    return (title, sex_from_title(title) if title else None)


@_memo
def _first_name(value: str | None) -> tuple[Any, ...]:
    """A first-name cell: a glued title is split off (นางสาวสมศรี), unless nothing is left
    (นพ and นาย are given names as well as titles)."""
    if value is None:
        return (None, None, None)
    clean = normalize_thai_text(value)
    titles, rest = split_title(clean)
    if not rest:
        return (None, clean or None, None)
    title = titles[0] if titles else None
    return (title, rest, sex_from_title(title) if title else None)


@_memo
def _last_name(value: str | None) -> tuple[Any, ...]:
    return (normalize_thai_text(value) or None,) if value is not None else (None,)


@_memo
def _name_keys(name: str | None) -> tuple[Any, ...]:
    if not name:
        return (None, None, None)
    norm = normalize_name(name)
    # Names in Latin script (migrant workers, foreigners) get a Latin phonetic key.
    phonetic = phonetic_key(norm) or latin_phonetic_key(norm)
    return (norm or None, sim_key(norm) or None, phonetic or None)


def _street_sql(expression: str) -> str:
    """A road, soi or street line: NFC, lower case, punctuation and runs of spaces folded."""
    folded = f"regexp_replace(lower(nfc_normalize({expression})), '[\\s.,;:]+', ' ', 'g')"
    return f"nullif(trim({folded}), '')"


def _postcode_sql(expression: str) -> str:
    """Digits only (Thai digits read as ASCII)."""
    return f"nullif(regexp_replace({digits_sql(expression)}, '[^0-9]', '', 'g'), '')"


def _other_id_sql(expression: str) -> str:
    """Another identifier the sources share (passport, social security number): upper case,
    without spaces and separators."""
    return f"nullif(upper(regexp_replace(trim({expression}), '[\\s\\-./]+', '', 'g')), '')"


def _birth(era: str | None) -> Callable[[str | None], tuple[Any, ...]]:
    def parse(value: str | None) -> tuple[Any, ...]:
        return _parse_birth(value, era)

    return parse


@_memo
def _parse_birth(value: str | None, era: str | None) -> tuple[Any, ...]:
    if value is None:
        return (None, None, None, None)
    p = parse_thai_date(value, era=era)  # type: ignore[arg-type]
    if p.value is None:
        return (None, None, None, p.reason)
    return (p.value.date.isoformat(), p.value.precision, str(p.value.era_corrected), None)


@_memo
def _area(sub: str | None, dist: str | None, prov: str | None, addr: str | None) -> tuple[Any, ...]:
    house_no = moo = None
    if addr is not None:
        a = parse_address(addr)
        sub, dist, prov = sub or a.subdistrict, dist or a.district, prov or a.province
        house_no, moo = a.house_no, a.moo
    if not (sub or dist or prov):
        return (None, None, None, house_no, moo, None)
    m = resolve_area(subdistrict=sub, district=dist, province=prov)
    return (m.province_code, m.district_code, m.subdistrict_code, house_no, moo, m.reason)


def _pair(
    fn: Callable[[object], tuple[str | None, str | None]],
) -> Callable[[str | None], tuple[Any, ...]]:
    def parse(value: str | None) -> tuple[Any, ...]:
        if value is None:
            return (None, None)
        return fn(value)

    return parse


_SEX, _HOUSE, _PHONE = (_memo(_pair(f)) for f in (parse_sex, parse_house_code, parse_phone))


@_memo
def _fact_date(value: str | None) -> tuple[Any, ...]:
    if value is None:
        return (None, None)
    p = parse_thai_date(value)
    return (p.value.date.isoformat() if p.value else None, p.reason)


@dataclass
class Staging:
    """Everything prepared once per file, to stage it chunk by chunk.

    Mapping tables hold one row per distinct value, so they are small; the statements
    stage one range of lines at a time, so memory stays bounded whatever the file size.
    """

    base_sql: str  # a select over raw_rows for lines $chunk_lo..$chunk_hi: canonical fields
    final_sql: str  # adds reasons, issues and the raw values to staged_base
    # (no separate fact statements: each staged row carries its facts as a list)
    params: dict[str, bytes]
    dropped: list[str]  # mapped fields and facts the DSA does not allow (never stored)
    stored: list[str]  # source columns kept in each row's raw list, in order


def prepare(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    *,
    key: bytes,
    extract_date: dt.date,
    raw_columns: Sequence[str],
) -> Staging:
    """Parse every distinct value of ``raw_rows`` once and build the staging statements."""
    allowed = spec.allowed
    fields = {n: f for n, f in spec.fields.items() if n in allowed}
    facts = [f for f in spec.facts if f.indicator in allowed]
    dropped = [n for n in spec.fields if n not in allowed] + [
        f.indicator for f in spec.facts if f.indicator not in allowed
    ]
    col = {n: _text(f.column) for n, f in fields.items()}
    null = "cast(null as varchar)"
    name_join, name = _map_names(con, col, null)
    _map_name_keys(con, "full_name" in col)

    era = fields["birth_date"].era if "birth_date" in fields else None
    map_distinct(
        con,
        "m_birth",
        [col.get("birth_date", null)],
        {"birth_date": "date", "precision": "varchar", "corrected": "boolean", "reason": "varchar"},
        _birth(era),
    )
    map_distinct(
        con,
        "m_sex",
        [col.get("sex", null)],
        {"sex": "varchar", "reason": "varchar"},
        _SEX,
    )
    area_keys = [col.get(k, null) for k in ("subdistrict", "district", "province", "address")]
    map_distinct(
        con,
        "m_area",
        area_keys,
        {
            "province_code": "varchar",
            "district_code": "varchar",
            "subdistrict_code": "varchar",
            "house_no": "varchar",
            "moo": "varchar",
            "reason": "varchar",
        },
        _area,
    )
    map_distinct(
        con,
        "m_house",
        [col.get("house_code", null)],
        {"code": "varchar", "reason": "varchar"},
        _HOUSE,
    )
    map_distinct(
        con,
        "m_phone",
        [col.get("phone", null)],
        {"phone": "varchar", "reason": "varchar"},
        _PHONE,
    )

    fact_joins, fact_list = _prepare_facts(con, facts, extract_date)
    nid = national_id_sql(col.get("national_id", null), digits="r._nid_digits")
    hmac_canonical, params = pseudonym_sql(
        key, f"coalesce({nid['canonical']}, {col.get('national_id', null)})"
    )
    raw_record = _text(spec.record_id) if spec.record_id else "cast(r._line as varchar)"
    id_field_any = fields.get("national_id")
    if id_field_any is not None and spec.record_id == id_field_any.column:
        # Keyed by the ID: the same person written with dashes is the same record.
        raw_record = f"coalesce({digits_sql(_text(spec.record_id))}, {raw_record})"
    record = raw_record
    id_field = fields.get("national_id")
    keyed_by_id = id_field is not None and spec.record_id == id_field.column
    if keyed_by_id:
        # Keyed by the national ID itself (the civil registry): the key is the pseudonym,
        # filled in from pid_hash below rather than hashed twice.
        record = "cast(null as varchar)"
    # Only the rows whose record id repeats go through the window: usually none.
    run(
        con,
        f"""create or replace temp table repeated as
        select _line from (
            select r._line, row_number() over (partition by {raw_record} order by r._line) as n
            from raw_rows r
            where {raw_record} in (select {raw_record} from raw_rows r group by all
                                   having count(*) > 1))
        where n > 1""",
    )

    stored = [c for c in raw_columns if c in _stored_columns(spec)]
    id_column = spec.fields["national_id"].column if "national_id" in fields else None
    # The raw row is kept for lineage as a list of values in the order of `stored` (the
    # batch records the column names once), but never with the raw ID: that lives only in
    # the identity table; the raw row gets the pseudonym in its place.
    raw_struct = ", ".join(f"c{i} := r.{q(c)}" for i, c in enumerate(stored)) or "c0 := null"
    values = [("pid_hash" if c == id_column else f"raw_struct.c{i}") for i, c in enumerate(stored)]
    raw_list = f"list_value({', '.join(values) or 'null'})"
    row_hash = row_hash_sql(spec.version, stored, values)
    bad_bytes = " or ".join(f"contains(coalesce(r.{q(c)}, ''), '\ufffd')" for c in raw_columns)
    base_sql = f"""
        select r._line,
               {record} as record_id,
               {nid["canonical"]} as national_id,
               {col.get("national_id", null)} as national_id_raw,
               {nid["reason"]} as national_id_reason,
               {nid["category"]} as national_id_category,
               case when {col.get("national_id", null)} is not null
                    then {hmac_canonical} end as pid_hash,
               {name["title"]} as title, {name["first_name"]} as first_name,
               {name["last_name"]} as last_name,
               fk.norm as first_name_norm, fk.skey as first_name_key,
               fk.phon as first_name_phonetic,
               lk.norm as last_name_norm, lk.skey as last_name_key, lk.phon as last_name_phonetic,
               coalesce(sx.sex, {name["sex_hint"]}) as sex, sx.reason as sex_reason,
               b.birth_date, b.precision as birth_precision,
               coalesce(b.corrected, false) as birth_era_corrected,
               b.reason as birth_reason,
               h.code as house_code, h.reason as house_reason,
               coalesce({col.get("house_no", null)}, a.house_no) as house_no,
               coalesce({col.get("moo", null)}, a.moo) as moo,
               a.subdistrict_code, a.district_code, a.province_code, a.reason as area_reason,
               p.phone, p.reason as phone_reason,
               {_street_sql(col.get("street", null))} as street,
               {_postcode_sql(col.get("postcode", null))} as postcode,
               {_other_id_sql(col.get("other_id", null))} as other_id,
               {bad_bytes or "false"} as bad_bytes,
               struct_pack({raw_struct}) as raw_struct,
               {fact_list} as facts
        from (select *, {digits_sql(col.get("national_id", null))} as _nid_digits
              from raw_rows r where r._line between $chunk_lo and $chunk_hi) r
        {name_join}
        left join m_name_keys fk on fk.k0 = {name["first_name"]}
        left join m_name_keys lk on lk.k0 = {name["last_name"]}
        {_join("m_birth", "b", [col.get("birth_date", null)])}
        {_join("m_sex", "sx", [col.get("sex", null)])}
        {_join("m_area", "a", area_keys)}
        {_join("m_house", "h", [col.get("house_code", null)])}
        {_join("m_phone", "p", [col.get("phone", null)])}
        {fact_joins}
    """
    final_sql = f"""
        select * exclude (raw_struct),
               list_filter([{", ".join(_reasons(fields))}], lambda x: x is not null) as reasons,
               list_filter([{", ".join(_ISSUES)}], lambda x: x is not null) as issues,
               {raw_list} as raw, {row_hash} as row_hash
        from (select * replace ({"pid_hash" if keyed_by_id else "record_id"} as record_id)
              from staged_base)
    """
    return Staging(base_sql, final_sql, params, dropped, stored)


def row_hash_sql(spec_version: int, columns: Sequence[str], values: Sequence[str]) -> str:
    """SQL for a record's content hash: the same record sent again in another file,
    encoding, column order or line ending hashes the same; any changed value, or a new
    spec version (which reads the values differently), does not.

    ``values`` are SQL expressions for the stored values of ``columns`` (the raw row, with
    the pseudonym in the ID's place). MD5 is enough to tell versions apart and every
    engine has it.
    """
    order = sorted(range(len(columns)), key=lambda i: columns[i])
    names = quote_literal(f"{spec_version}:" + "\x1f".join(columns[i] for i in order) + ":")
    listed = ", ".join(values[i] for i in order) or "null"
    return f"md5({names} || to_json(list_value({listed}))::varchar)"


_ISSUES = (
    "case when national_id_reason is not null and national_id_reason <> 'empty' "
    "then 'national_id:' || national_id_reason end",
    "case when birth_reason is not null then 'birth_date:' || birth_reason end",
    "case when sex_reason is not null then 'sex:' || sex_reason end",
    "case when area_reason is not null then 'area:' || area_reason end",
    "case when house_reason is not null then 'house_code:' || house_reason end",
    "case when phone_reason is not null then 'phone:' || phone_reason end",
)


def _reasons(fields: Mapping[IdentityField, FieldSpec]) -> list[str]:
    """SQL for the reasons that quarantine a row: unusable keys and required fields."""
    required = {n for n, f in fields.items() if f.required}
    if "full_name" in required:
        required |= {"first_name"}
    reasons = [
        "case when record_id is null then 'record_id:empty' end",
        "case when _line in (select _line from repeated) then 'record_id:duplicate' end",
        "case when bad_bytes then 'bad_encoding' end",
    ]
    if "national_id" in required:
        reasons.append(
            "case when national_id_reason is not null then 'national_id:' || national_id_reason end"
        )
    reasons += [
        f"case when {name} is null then '{name}:empty' end"
        for name in ("first_name", "last_name")
        if name in required
    ]
    if "birth_date" in required:
        reasons.append(
            "case when birth_date is null then 'birth_date:' || coalesce(birth_reason, 'empty') end"
        )
    return reasons


def _map_names(
    con: duckdb.DuckDBPyConnection, col: Mapping[IdentityField, str], null: str
) -> tuple[str, dict[str, str]]:
    """Map distinct names; return the joins and the select list for title/first/last/sex."""
    name_types = {"title": "varchar", "first_name": "varchar", "last_name": "varchar"}
    if "full_name" in col:
        map_distinct(
            con,
            "m_name",
            [col["full_name"]],
            {**name_types, "sex_hint": "varchar"},
            _names_from_full,
        )
        return _join("m_name", "n", [col["full_name"]]), {
            "title": "n.title",
            "first_name": "n.first_name",
            "last_name": "n.last_name",
            "sex_hint": "n.sex_hint",
        }
    # Title, first and last name are mapped each on its own: together they are nearly
    # unique, each alone repeats a lot.
    map_distinct(
        con, "m_title", [col.get("title", null)], {"title": "varchar", "sex": "varchar"}, _title
    )
    map_distinct(
        con,
        "m_first",
        [col.get("first_name", null)],
        {"title": "varchar", "first_name": "varchar", "sex": "varchar"},
        _first_name,
    )
    map_distinct(con, "m_last", [col.get("last_name", null)], {"last_name": "varchar"}, _last_name)
    joins = " ".join(
        [
            _join("m_title", "nt", [col.get("title", null)]),
            _join("m_first", "nf", [col.get("first_name", null)]),
            _join("m_last", "nl", [col.get("last_name", null)]),
        ]
    )
    return joins, {
        "title": "coalesce(nt.title, nf.title)",
        "first_name": "nf.first_name",
        "last_name": "nl.last_name",
        "sex_hint": "coalesce(nt.sex, nf.sex)",
    }


def _map_name_keys(con: duckdb.DuckDBPyConnection, full: bool) -> None:
    """Comparison keys (normalised, similarity, phonetic) of every distinct name."""
    names = (
        "(select first_name as name from m_name union select last_name from m_name)"
        if full
        else "(select first_name as name from m_first union select last_name from m_last)"
    )
    map_distinct(
        con,
        "m_name_keys",
        ["name"],
        {"norm": "varchar", "skey": "varchar", "phon": "varchar"},
        _name_keys,
        source=f"{names} n where name is not null",
    )


def stage_chunk(con: duckdb.DuckDBPyConnection, staging: Staging, lo: int, hi: int) -> None:
    """Build ``staged`` for the raw rows with ``lo <= _line <= hi``."""
    params = {**staging.params, "chunk_lo": lo, "chunk_hi": hi}
    run(con, "create or replace temp table staged_base as " + staging.base_sql, params)
    run(con, "create or replace temp table staged as " + staging.final_sql)
    run(con, "drop table staged_base")


def _stored_columns(spec: SourceSpec) -> set[str]:
    """Source columns kept in the raw row for lineage: only those the DSA allows."""
    allowed = spec.allowed
    cols = {f.column for n, f in spec.fields.items() if n in allowed}
    for fact in spec.facts:
        if fact.indicator in allowed:
            cols |= {c for c in (fact.column, fact.valid_from, fact.valid_to) if c}
    if spec.record_id:
        cols.add(spec.record_id)
    return cols


def _value_sql(fact: FactSpec) -> tuple[str, str, str]:
    """SQL for (text value, number value, reason) of one fact column."""
    v = _text(fact.column)
    if fact.type in ("number", "integer"):
        cast = "double" if fact.type == "number" else "bigint"
        number = f"try_cast(replace({v}, ',', '') as {cast})"
        return (
            v,
            number,
            f"case when {v} is not null and {number} is null then 'bad_{fact.type}' end",
        )
    if fact.type == "boolean":
        trues = ", ".join(quote_literal(t) for t in fact.true_values)
        return (
            f"case when {v} is null then null when {v} in ({trues}) then 'true' else 'false' end",
            "null",
            "null",
        )
    return f"nfc_normalize({v})", "null", "null"


def _prepare_facts(
    con: duckdb.DuckDBPyConnection, facts: list[FactSpec], extract_date: dt.date
) -> tuple[str, str]:
    """Map the distinct dates of every fact; return the joins and the SQL list of the row's
    facts (a struct per fact with a value, NULL when the source cell is empty)."""
    joins: list[str] = []
    structs: list[str] = []
    for i, fact in enumerate(facts):
        date_sql = {}
        date_columns = (
            fact.column if fact.type == "date" else None,
            fact.valid_from,
            fact.valid_to,
        )
        for j, column in enumerate(dict.fromkeys(c for c in date_columns if c)):
            table = f"m_fd_{i}_{j}"
            map_distinct(
                con, table, [_text(column)], {"d": "date", "reason": "varchar"}, _fact_date
            )
            joins.append(_join(table, f"fd_{i}_{j}", [_text(column)]))
            date_sql[column] = f"fd_{i}_{j}.d"
        value, number, reason = _value_sql(fact)
        value_date = date_sql[fact.column] if fact.type == "date" else "null::date"
        if fact.type == "date":
            reason = (
                f"case when {_text(fact.column)} is not null and {value_date} is null "
                "then 'bad_date' end"
            )
        valid_from = (
            date_sql[fact.valid_from] if fact.valid_from else f"date '{extract_date.isoformat()}'"
        )
        valid_to = date_sql[fact.valid_to] if fact.valid_to else "null::date"
        structs.append(
            f"case when {_text(fact.column)} is not null then struct_pack("
            f"dimension := '{fact.dimension}', indicator := '{fact.indicator}', "
            f"value := {value}, value_number := cast({number} as double), "
            f"value_date := {value_date}, unit := {_sql_str(fact.unit)}::varchar, "
            f"valid_from := {valid_from}, valid_to := {valid_to}, "
            f"reason := cast({reason} as varchar)) end"
        )
    if not structs:
        return "", "[]"
    return " ".join(joins), f"list_filter([{', '.join(structs)}], lambda f: f is not null)"


def _sql_str(value: str | None) -> str:
    return "null" if value is None else quote_literal(value)
