"""Restricted SQL for programme rules: only profile columns and a short list of functions.

A rule is written in DuckDB's SQL dialect, parsed with sqlglot and checked node by node:
columns must be profile columns, functions must be on the list, and nothing that reads a
table, writes, or calls out (subqueries, ``read_csv``, …) can pass. The checked tree is
then written out for the engine at hand (``compile_expression(..., "spark")``).
"""

from __future__ import annotations

from functools import cache

import duckdb
import sqlglot
from sqlglot import exp

from sitthi.engines.duckdb import error_reason

#: Node types a rule may contain: logic, comparison, arithmetic, CASE, literals, columns.
ALLOWED_NODES: tuple[type[exp.Expr], ...] = (
    exp.Column,
    exp.Identifier,
    exp.Literal,
    exp.Boolean,
    exp.Null,
    exp.Paren,
    exp.And,
    exp.Or,
    exp.Not,
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.Is,
    exp.In,
    exp.Between,
    exp.Case,
    exp.If,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.Neg,
    exp.Tuple,
    exp.Cast,
    exp.DataType,
    exp.DataTypeParam,
    exp.Coalesce,
    exp.Greatest,
    exp.Least,
    exp.Abs,
    exp.Round,
    exp.Floor,
    exp.Ceil,
    exp.Nullif,
)
#: The same, as the names a rule's author writes.
ALLOWED_FUNCTIONS = (
    "coalesce",
    "greatest",
    "least",
    "abs",
    "round",
    "floor",
    "ceil",
    "nullif",
    "cast",
)


class ExpressionError(ValueError):
    """A rule that is not valid restricted SQL; the message says what and where."""


def check_expression(sql: str, columns: set[str]) -> exp.Expr:
    """Parse ``sql`` and refuse anything but ``columns`` and the allowed functions.

    Raises:
        ExpressionError: with a message naming the unknown column or forbidden construct.
    """
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        first = exc.errors[0]["description"] if exc.errors else str(exc)
        if first.startswith("Required keyword"):  # sqlglot's words for "a and" and the like
            first = "incomplete: an operator has nothing after it"
        raise ExpressionError(f"not valid SQL: {first}") from exc
    for node in tree.walk():
        if isinstance(node, exp.Column):
            if node.table:
                raise ExpressionError(f"{node.sql()}: write the column without a table")
            if node.name not in columns:
                known = ", ".join(sorted(columns))
                raise ExpressionError(f"unknown column {node.name!r} (known: {known})")
        elif isinstance(node, exp.Func) and not isinstance(node, ALLOWED_NODES):
            name = node.sql_name() if not isinstance(node, exp.Anonymous) else node.name
            raise ExpressionError(
                f"function {name.lower()}() is not allowed "
                f"(allowed: {', '.join(ALLOWED_FUNCTIONS)})"
            )
        elif not isinstance(node, ALLOWED_NODES):
            raise ExpressionError(f"{node.sql()[:40]!r} is not allowed in a rule")
    return tree


def compile_expression(tree: exp.Expr, dialect: str = "duckdb") -> str:
    """The checked rule as SQL for ``dialect`` (duckdb, spark, postgres, …)."""
    return tree.sql(dialect=dialect)


#: Sample values per column type, low and high: with an all-NULL row, enough to make most
#: rules that mix types (``age >= 'sixty'``, ``case when age >= 90 then 'a' else 1 end``)
#: fail when checked, not when run on 66 million profiles.
SAMPLES = {
    "boolean": ("true", "false"),
    "integer": ("0", "1000000"),
    "double": ("0", "1e12"),
    "varchar": ("''", "'zzz'"),
    "date": ("current_date", "date '1900-01-01'"),
}
NUMERIC = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE"}


@cache
def _sample_profiles(columns: tuple[tuple[str, str], ...]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    typed = ", ".join(f"null::{t} as {c}" for c, t in columns)
    rows = ["select " + ", ".join(f"{SAMPLES[t][i]}::{t}" for _, t in columns) for i in (0, 1)]
    con.execute(f"create table profile as select {typed} union all " + " union all ".join(rows))
    return con


def check_type(tree: exp.Expr, columns: dict[str, str], *, condition: bool) -> None:
    """Run a checked rule on sample profiles: a condition must be true or false, an amount
    a number, and neither may compare or mix values of different types.

    Raises:
        ExpressionError: with DuckDB's reason (``Cannot compare values of type VARCHAR
            and type INTEGER_LITERAL``) or the type the rule gives instead.
    """
    con = _sample_profiles(tuple(sorted(columns.items())))
    try:
        rule = con.sql(f"select ({tree.sql(dialect='duckdb')}) as v from profile")
        rule.fetchall()  # evaluated, not only bound: a bad cast shows only when run
        kind = str(rule.types[0]).upper()
    except duckdb.Error as exc:
        raise ExpressionError(f"{tree.sql()[:60]!r}: {error_reason(exc)}") from exc
    if condition and kind not in ("BOOLEAN", "NULL"):
        raise ExpressionError(
            f"{tree.sql()[:60]!r} gives {kind.lower()}, not true or false "
            "(write a comparison, e.g. age >= 60)"
        )
    if not condition and not (kind in NUMERIC or kind.startswith("DECIMAL")):
        raise ExpressionError(f"{tree.sql()[:60]!r} gives {kind.lower()}, not a number of baht")
