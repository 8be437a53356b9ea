"""Restricted SQL for programme rules: only profile columns and a short list of functions.

A rule is written in DuckDB's SQL dialect, parsed with sqlglot and checked node by node:
columns must be profile columns, functions must be on the list, and nothing that reads a
table, writes, or calls out (subqueries, ``read_csv``, …) can pass. The checked tree is
then written out for the engine at hand (``compile_expression(..., "spark")``).
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

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
