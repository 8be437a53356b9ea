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
    or coalesce(yl = yr and ml = dr and dl = mr, false);
"""


def _pair(kind: str, a: str, b: str) -> str:
    return (
        f"name_agrees({a}.{kind}_name_norm, {a}.{kind}_name_key, {a}.{kind}_name_phonetic, "
        f"{b}.{kind}_name_norm, {b}.{kind}_name_key, {b}.{kind}_name_phonetic)"
    )


def birth_sql(a: str, b: str) -> str:
    """Birth dates compatible at the precision both records know (or day and month swapped)."""
    return (
        f"birth_agrees({a}.birth_year, {a}.birth_month, {a}.birth_day, "
        f"{b}.birth_year, {b}.birth_month, {b}.birth_day)"
    )


def same_person_sql(a: str, b: str) -> str:
    """Strong agreement, required to repair an ID: both names and the birth date agree."""
    return f"({_pair('first', a, b)} and {_pair('last', a, b)} and {birth_sql(a, b)})"


def consistent_sql(a: str, b: str) -> str:
    """Weak agreement, enough to keep records that share an ID together.

    A married woman's surname changes and birth dates are mistyped, so two of the three
    suffice; a record that agrees on at most one is someone else's record under this ID.
    A birth date missing on either side is no evidence either way.
    """
    first, last, birth = _pair("first", a, b), _pair("last", a, b), birth_sql(a, b)
    unknown = f"({a}.birth_year is null or {b}.birth_year is null)"
    return f"(({first} and {last}) or (({birth} or {unknown}) and ({first} or {last})))"


def register(con: duckdb.DuckDBPyConnection) -> None:
    """Create the agreement macros on this connection (temporary, per session)."""
    for statement in MACROS.split(";"):
        if statement.strip():
            run(con, statement)
