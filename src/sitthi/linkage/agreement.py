"""When two records of one person "agree": the SQL tests the deterministic stages use.

They are deliberately simple and tolerant of the errors agencies make (spelling and
keyboard slips, partial birth dates, day and month swapped): the deterministic stages only
ask whether two records that already share, or nearly share, a national ID describe the
same person. Names compare on the similarity key (`sitthi.thai.similarity`), so the
Jaro-Winkler score counts Thai characters, not bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitthi.engines.duckdb import run

if TYPE_CHECKING:
    import duckdb

#: Jaro-Winkler on the similarity key above which two names count as the same name.
NAME_AGREES = 0.85

MACROS = f"""
create or replace temp macro name_agrees(nl, kl, pl, nr, kr, pr) as
    coalesce(nl = nr or pl = pr or jaro_winkler_similarity(kl, kr) >= {NAME_AGREES}, false);
create or replace temp macro birth_agrees(yl, ml, dl, yr, mr, dr) as
    coalesce(yl = yr and (ml is null or mr is null or ml = mr)
             and (dl is null or dr is null or dl = dr), false)
    or coalesce(yl = yr and ml = dr and dl = mr, false)
    -- 1 January is what a clerk writes for an unknown day and month
    or coalesce(yl = yr and ((ml = 1 and dl = 1) or (mr = 1 and dr = 1)), false)
    -- an age counted back, or a year mistyped, keeps the day and the month
    or coalesce(abs(yl - yr) = 1 and ml = mr and dl = dr, false);
-- Two birth dates that cannot be one person's: years more than one apart, and not a year
-- typo (day and month still agree). A parent and a child of the same name differ so.
create or replace temp macro birth_clashes(yl, ml, dl, yr, mr, dr) as
    coalesce(abs(yl - yr) > 1 and not (ml = mr and dl = dr), false);
"""


def _pair(kind: str, a: str, b: str, other: str | None = None) -> str:
    """``a``'s ``kind`` name agrees with ``b``'s ``other`` name (the same kind by default)."""
    o = other or kind
    return (
        f"name_agrees({a}.{kind}_name_norm, {a}.{kind}_name_key, {a}.{kind}_name_phonetic, "
        f"{b}.{o}_name_norm, {b}.{o}_name_key, {b}.{o}_name_phonetic)"
    )


def birth_sql(a: str, b: str) -> str:
    """Birth dates compatible at the precision both records know (or day and month swapped)."""
    return (
        f"birth_agrees({a}.birth_year, {a}.birth_month, {a}.birth_day, "
        f"{b}.birth_year, {b}.birth_month, {b}.birth_day)"
    )


def birth_clash_sql(a: str, b: str) -> str:
    """Birth dates too far apart for one person (a mistyped year keeps day and month)."""
    return (
        f"birth_clashes({a}.birth_year, {a}.birth_month, {a}.birth_day, "
        f"{b}.birth_year, {b}.birth_month, {b}.birth_day)"
    )


def swapped_sql(a: str, b: str) -> str:
    """Given name and surname written in each other's column."""
    return f"({_pair('first', a, b, 'last')} and {_pair('last', a, b, 'first')})"


def same_person_sql(a: str, b: str) -> str:
    """Strong agreement, required to repair an ID: both names and the birth date agree."""
    names = f"({_pair('first', a, b)} and {_pair('last', a, b)})"
    return f"(({names} or {swapped_sql(a, b)}) and {birth_sql(a, b)})"


def consistent_sql(a: str, b: str) -> str:
    """Agreement enough to keep records that share an ID together without scoring them.

    Both names (or both, swapped between the columns), or the given name with the birth
    date: a married woman's surname changes. A birth date missing on either side is no
    evidence either way. The surname alone is not enough: a family shares it, and a
    relative's ID on a child's record, or one twin's on the other's, agrees on it (and on
    the birth date, for twins). Birth dates that clash (a father and his son of the same
    name) are never consistent. A record that is not consistent is not dropped: the
    probabilistic stage scores it against every candidate, with the shared ID as evidence.
    """
    first, birth = _pair("first", a, b), birth_sql(a, b)
    unknown = f"({a}.birth_year is null or {b}.birth_year is null)"
    names = f"(({first} and {_pair('last', a, b)}) or {swapped_sql(a, b)})"
    return f"(not {birth_clash_sql(a, b)} and ({names} or ({first} and ({birth} or {unknown}))))"


def register(con: duckdb.DuckDBPyConnection) -> None:
    """Create the agreement macros on this connection (temporary, per session)."""
    for statement in MACROS.split(";"):
        if statement.strip():
            run(con, statement)
