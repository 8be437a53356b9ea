"""Character-correct Thai string similarity, in Python and inside SQL.

DuckDB's ``levenshtein``, ``damerau_levenshtein`` and ``jaro_winkler_similarity`` count
UTF-8 *bytes* (duckdb issue 25113). A Thai character is three bytes, so one wrong
letter in ``สมศรี``/``สมศี`` scores a distance of 3, and Jaro-Winkler rewards the shared
lead byte of every Thai character. Scores computed that way are wrong, and wrong in a way
that differs between Thai and Latin names.

The fix here is a *similarity key*: every Thai character is mapped one-to-one onto a single
ASCII byte, so byte-counting functions count characters. The key is built with SQL
``translate()`` (native, vectorised, present in DuckDB, Spark and PostgreSQL), so it costs
one pass of C++ per value and needs no Python UDF. The key is only for comparison: it is
never shown to a person.

* Latin letters (after lower-casing), ASCII digits and the space keep their own byte.
* The 87 assigned characters of the Thai block (U+0E01–U+0E3A, U+0E3F–U+0E5B) map onto
  the remaining ASCII codes (punctuation, upper-case letters, control codes 1–31).
* Every other ASCII character (punctuation, control codes) is deleted first, so it
  cannot collide with a mapped Thai character. Characters outside ASCII and Thai are
  left as they are (rare in names; they still compare correctly with themselves).

Example:
    >>> import duckdb
    >>> con = duckdb.connect()
    >>> register_duckdb(con)
    >>> con.execute("select thai_levenshtein('สมศรี', 'สมศี')").fetchone()[0]
    1
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler, Levenshtein

if TYPE_CHECKING:
    import duckdb

_THAI = "".join(chr(c) for c in [*range(0x0E01, 0x0E3B), *range(0x0E3F, 0x0E5C)])
_KEPT = set(string.ascii_lowercase + string.digits + " ")
# Every ASCII code except NUL that is not kept as itself is free to stand for a Thai char.
_FREE = [chr(c) for c in range(1, 128) if chr(c) not in _KEPT]
assert len(_FREE) >= len(_THAI)  # 90 free codes for 87 Thai characters

#: The ``from`` and ``to`` arguments of ``translate()``. Characters of ``KEY_FROM`` past the
#: length of ``KEY_TO`` are deleted, which is how stray ASCII punctuation is dropped.
KEY_TO = "".join(_FREE[: len(_THAI)])
KEY_FROM = _THAI + "".join(_FREE)

_TABLE = str.maketrans(
    {ch: (KEY_TO[i] if i < len(KEY_TO) else None) for i, ch in enumerate(KEY_FROM)}
)


def sim_key(text: str | None) -> str:
    """The similarity key of a string: one ASCII byte per Thai character.

    It must equal what the SQL macro ``thai_sim_key`` gives, so keys made in Python and
    keys made in the database compare the same.

    Example:
        >>> len(sim_key("สมศรี")), len(sim_key("สมศรี").encode())
        (5, 5)
    """
    if not text:
        return ""
    return text.lower().translate(_TABLE)


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sim_key_sql(expression: str) -> str:
    """SQL that computes the similarity key of ``expression`` (DuckDB, Spark, PostgreSQL).

    Example:
        >>> sim_key_sql("first_name").startswith("translate(lower(first_name), ")
        True
    """
    return f"translate(lower({expression}), {_sql_literal(KEY_FROM)}, {_sql_literal(KEY_TO)})"


def register_duckdb(con: duckdb.DuckDBPyConnection) -> None:
    """Create the Thai similarity macros on a DuckDB connection.

    ``thai_sim_key(s)``, and character-correct ``thai_levenshtein(a, b)``,
    ``thai_damerau_levenshtein(a, b)`` and ``thai_jaro_winkler(a, b)``. On big tables,
    store ``thai_sim_key`` once per value and compare the stored keys with the built-in
    byte functions: that is the fast path.
    """
    con.execute(f"create or replace macro thai_sim_key(s) as {sim_key_sql('s')}")
    for name, builtin in [
        ("thai_levenshtein", "levenshtein"),
        ("thai_damerau_levenshtein", "damerau_levenshtein"),
        ("thai_jaro_winkler", "jaro_winkler_similarity"),
    ]:
        con.execute(
            f"create or replace macro {name}(a, b) as {builtin}(thai_sim_key(a), thai_sim_key(b))"
        )


def levenshtein(a: str, b: str) -> int:
    """Edit distance in characters (not bytes).

    Example:
        >>> levenshtein("สมศรี", "สมศี")
        1
    """
    return int(Levenshtein.distance(a, b))


def damerau_levenshtein(a: str, b: str) -> int:
    """Edit distance in characters, counting an adjacent swap as one edit."""
    return int(DamerauLevenshtein.distance(a, b))


def jaro_winkler(a: str, b: str) -> float:
    """Jaro-Winkler similarity in characters, 0..1 (prefix weight 0.1, as DuckDB).

    Example:
        >>> round(jaro_winkler("สมศรี", "สมศี"), 3)
        0.953
    """
    return float(JaroWinkler.similarity(a, b))
