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


def _pair(kind: str, l: str, r: str) -> str:
    return (
        f"name_agrees({l}.{kind}_name_norm, {l}.{kind}_name_key, {l}.{kind}_name_phonetic, "
        f"{r}.{kind}_name_norm, {r}.{kind}_name_key, {r}.{kind}_name_phonetic)"
    )


def birth_sql(l: str, r: str) -> str:
    """Birth dates compatible at the precision both records know (or day and month swapped)."""
    return (
        f"birth_agrees({l}.birth_year, {l}.birth_month, {l}.birth_day, "
        f"{r}.birth_year, {r}.birth_month, {r}.birth_day)"
    )


def same_person_sql(l: str, r: str) -> str:
    """Strong agreement, required to repair an ID: both names and the birth date agree."""
    return f"({_pair('first', l, r)} and {_pair('last', l, r)} and {birth_sql(l, r)})"


def consistent_sql(l: str, r: str) -> str:
    """Weak agreement, enough to keep records that share an ID together.

    A married woman's surname changes and birth dates are mistyped, so two of the three
    suffice; a record that agrees on at most one is someone else's record under this ID.
    """
    first, last, birth = _pair("first", l, r), _pair("last", l, r), birth_sql(l, r)
    return f"(({first} and {last}) or ({birth} and ({first} or {last})))"


def register(con: duckdb.DuckDBPyConnection) -> None:
    """Create the agreement macros on this connection (temporary, per session)."""
    for statement in MACROS.split(";"):
        if statement.strip():
            run(con, statement)
