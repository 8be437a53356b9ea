"""Restricted SQL for programme rules: only profile columns and a short list of functions.

A rule is written in DuckDB's SQL dialect, parsed with sqlglot and checked node by node:
columns must be profile columns, functions must be on the list, and nothing that reads a
table, writes, or calls out (subqueries, ``read_csv``, …) can pass. The checked tree is
then written out for the engine at hand (``compile_expression(..., "spark")``), where a
division by zero gives NULL on every engine.

A rule's size is checked before sqlglot parses it (``MAX_CHARS``, ``MAX_TOKENS``,
``MAX_DEPTH``), and every sample profile must give an amount that is a finite number ≥ 0.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.tokenizer_core import Token, TokenType

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


#: A rule's size, checked before sqlglot parses it. The parser spends about 25 Python
#: frames per level of brackets, function calls or CASE: Python's 1,000 frames hold 39
#: nested calls from an empty stack, so 20 leaves room for the caller (a web request, a
#: test runner). The built-in rules have at most 90 characters, 22 tokens and 1 level.
MAX_CHARS = 4_000
MAX_TOKENS = 1_000
MAX_DEPTH = 20

_OPENS = {TokenType.L_PAREN, TokenType.L_BRACKET, TokenType.L_BRACE, TokenType.CASE}
_CLOSES = {TokenType.R_PAREN, TokenType.R_BRACKET, TokenType.R_BRACE, TokenType.END}
_SIGNS = {TokenType.DASH, TokenType.PLUS, TokenType.TILDE}
#: After one of these, - and + are arithmetic, not signs.
_OPERAND_ENDS = {
    TokenType.NUMBER,
    TokenType.STRING,
    TokenType.VAR,
    TokenType.IDENTIFIER,
    TokenType.TRUE,
    TokenType.FALSE,
    TokenType.NULL,
    *_CLOSES,
}


def _tokens(sql: str) -> list[Token]:
    try:
        return sqlglot.tokenize(sql, read="duckdb")
    except sqlglot.errors.TokenError as exc:
        missing = re.match(r"Missing (\S+) from", str(exc.__cause__ or ""))
        why = f"a {missing[1]} is not closed" if missing else "cannot be read"
        raise ExpressionError(f"not valid SQL: {why}") from exc


def _depth(tokens: list[Token]) -> int:
    """How deep the parser recurses: brackets, function calls and CASE open a level each,
    and so does each of a run of prefix operators (``not not x``, ``- - 1``)."""
    deepest = level = run = 0
    outside: list[int] = []  # the level outside each open bracket
    previous = None
    for token in tokens:
        kind = token.token_type
        if kind is TokenType.NOT or (kind in _SIGNS and previous not in _OPERAND_ENDS):
            run += 1
        elif kind in _OPENS:
            outside.append(level)
            level, run = level + run + 1, 0
        elif kind in _CLOSES:
            level, run = (outside.pop() if outside else 0), 0
        else:
            run = 0
        deepest = max(deepest, level + run)
        previous = kind
    return deepest


def rule_size(sql: str) -> tuple[int, int, int]:
    """A rule's characters, tokens and nesting depth, as ``MAX_…`` count them."""
    tokens = _tokens(sql)
    return len(sql), len(tokens), _depth(tokens)


def _check_size(sql: str) -> None:
    # Before the parser, which recurses: the tokenizer does not, and the characters are
    # counted first, so a rule of 20,000 `or` terms is refused at once.
    if len(sql) > MAX_CHARS:
        raise ExpressionError(f"too long: {len(sql):,} characters (at most {MAX_CHARS:,})")
    _, tokens, depth = rule_size(sql)
    if tokens > MAX_TOKENS:
        raise ExpressionError(f"too long: {tokens:,} tokens (at most {MAX_TOKENS:,})")
    if depth > MAX_DEPTH:
        raise ExpressionError(
            f"nested {depth:,} deep (at most {MAX_DEPTH} levels of brackets, CASE and NOT)"
        )


@contextmanager
def _not_too_deep(doing: str) -> Iterator[None]:
    # sqlglot parses, copies and writes trees recursively. Within the limits a rule fits
    # the stack, but a caller already deep in its own must get an error, not a crash.
    try:
        yield
    except RecursionError:
        raise ExpressionError(
            f"nested too deep to {doing} (at most {MAX_DEPTH} levels of brackets, CASE and NOT)"
        ) from None


def check_expression(sql: str, columns: set[str]) -> exp.Expr:
    """Parse ``sql`` and refuse anything but ``columns`` and the allowed functions.

    Raises:
        ExpressionError: with a message naming the unknown column, the forbidden
            construct, or the limit (``MAX_CHARS``, ``MAX_TOKENS``, ``MAX_DEPTH``) passed.
    """
    _check_size(sql)
    with _not_too_deep("check"):
        try:
            tree = sqlglot.parse_one(sql, read="duckdb")
        except sqlglot.errors.ParseError as exc:
            first = exc.errors[0]["description"] if exc.errors else str(exc)
            if first.startswith("Required keyword"):  # sqlglot's words for "a and" and the like
                first = "incomplete: an operator has nothing after it"
            raise ExpressionError(f"not valid SQL: {first}") from exc
        for node in tree.walk():
            _check_node(node, columns)
    return tree


def _check_node(node: exp.Expr, columns: set[str]) -> None:
    if isinstance(node, exp.Column):
        if node.table:
            raise ExpressionError(f"{node.sql()}: write the column without a table")
        if node.name not in columns:
            known = ", ".join(sorted(columns))
            raise ExpressionError(f"unknown column {node.name!r} (known: {known})")
    elif isinstance(node, exp.Func) and not isinstance(node, ALLOWED_NODES):
        name = node.sql_name() if not isinstance(node, exp.Anonymous) else node.name
        raise ExpressionError(
            f"function {name.lower()}() is not allowed (allowed: {', '.join(ALLOWED_FUNCTIONS)})"
        )
    elif not isinstance(node, ALLOWED_NODES):
        raise ExpressionError(f"{node.sql()[:40]!r} is not allowed in a rule")


def compile_expression(tree: exp.Expr, dialect: str = "duckdb") -> str:
    """The checked rule as SQL for ``dialect`` (duckdb, spark, postgres, …).

    A division by zero gives NULL on every engine (alone, DuckDB gives inf, PostgreSQL an
    error and Spark NULL or an error), so a run's checks see one answer.
    """
    with _not_too_deep("compile"):
        safe = tree.copy()
        for div in list(safe.find_all(exp.Div)):
            div.set("expression", exp.Nullif(this=div.expression, expression=exp.Literal.number(0)))
        return safe.sql(dialect=dialect)


def rule_text(tree: exp.Expr) -> str:
    """The rule as an error message quotes it (the author's form, cut at 60 characters)."""
    with _not_too_deep("quote"):
        return repr(tree.sql()[:60])


#: Sample values per column type: low, one and high. With an all-NULL row, and a row per
#: threshold of the programme's conditions, enough to make most rules that mix types
#: (``age >= 'sixty'``), divide by zero or overflow fail when checked, not when run on 66
#: million profiles.
SAMPLES = {
    "boolean": ("true", "false", "false"),
    "integer": ("0", "1", "1000000"),
    "double": ("0", "1", "1e12"),
    "varchar": ("''", "'a'", "'zzz'"),
    "date": ("current_date", "date '2000-01-01'", "date '1900-01-01'"),
}
#: A threshold row: every number the threshold, the rest as in the low row.
AT_THRESHOLD = {
    "boolean": "true",
    "integer": "least(t, 1000000)::integer",
    "double": "t",
    "varchar": "''",
    "date": "current_date",
}
MAX_THRESHOLDS = 100
NUMERIC = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE"}
#: In the rule check, a division by zero stops with the sample's number. The lambda reads
#: the divisor once: nested divisions do not multiply.
DIVISOR_MACRO = """create macro sitthi_divisor(d, s) as list_transform([d], lambda x:
    case when x = 0 then error('sitthi: divides by zero on sample ' || s) else x end)[1]"""


@cache
def _sample_profiles(columns: tuple[tuple[str, str], ...]) -> tuple[duckdb.DuckDBPyConnection, str]:
    """A connection holding the fixed samples, and the FROM clause adding a row per
    threshold (``$thresholds``, a list of numbers)."""
    con = duckdb.connect()
    typed = ", ".join(f"null::{t} as {c}" for c, t in columns)
    rows = [
        "select " + ", ".join(f"{SAMPLES[t][i]}::{t}" for _, t in columns) + f", {i + 1}"
        for i in range(len(SAMPLES["integer"]))
    ]
    con.execute(
        f"create table fixed as select {typed}, 0 as _sample union all " + " union all ".join(rows)
    )
    con.execute(DIVISOR_MACRO)
    at = ", ".join(f"{AT_THRESHOLD[t]} as {c}" for c, t in columns)
    source = f"""(select * from fixed union all by name
        select {at}, 10 + n as _sample from (select unnest($thresholds::double[]) as t,
                                                    unnest(range(len($thresholds))) as n))"""
    return con, source


def thresholds(conditions: Iterable[exp.Expr]) -> tuple[float, ...]:
    """The numbers the conditions compare with, and one either side: where a verdict
    turns, and where the newly eligible (aged 60 for ``age >= 60``) are."""
    found: dict[float, None] = {}
    for tree in conditions:
        for literal in tree.find_all(exp.Literal):
            if literal.is_number and abs(v := float(literal.this)) < 1e15:
                found.update(dict.fromkeys(x for x in (v, v - 1, v + 1) if x >= 0))
    return tuple(found)[:MAX_THRESHOLDS]


def show_value(value: object) -> str:
    """A value as a message shows it: NULL, true, 60 (not 60.0), inf, 'F'."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if not isinstance(value, str) else repr(value)


class _Samples:
    """The sample profiles one rule is run on."""

    def __init__(self, columns: dict[str, str], limits: tuple[float, ...]) -> None:
        self.con, self.source = _sample_profiles(tuple(sorted(columns.items())))
        self.params = {"thresholds": list(limits)}

    def run(self, select: str, where: str = "true") -> duckdb.DuckDBPyRelation:
        return self.con.sql(f"select {select} from {self.source} where {where}", params=self.params)

    def failing(self, sql: str) -> int:
        """The first sample on which ``sql`` stops with an error (TRY gives NULL there)."""
        (sample,) = self.run(f"min(_sample) filter (try(list_value({sql})) is null)").fetchall()[0]
        return int(sample or 0)

    def profile(self, tree: exp.Expr, sample: int) -> str:
        """`` on a sample profile (age 60)``: the values ``tree`` reads in that sample."""
        used = sorted({c.name for c in tree.find_all(exp.Column)})[:5]
        if not used:
            return ""
        (row,) = self.run(", ".join(used), f"_sample = {sample}").fetchall()
        shown = ", ".join(f"{c} {show_value(v)}" for c, v in zip(used, row, strict=True))
        return f" on a sample profile ({shown})"


def _guarded(tree: exp.Expr) -> str:
    """The rule with every divisor checked: a zero stops it, naming the sample."""
    with _not_too_deep("check"):
        guarded = tree.copy()
        for div in list(guarded.find_all(exp.Div)):
            # Anonymous, not exp.func, which copies: a division inside a divisor keeps its guard.
            divisor = [div.expression, exp.column("_sample")]
            div.set("expression", exp.Anonymous(this="sitthi_divisor", expressions=divisor))
        return guarded.sql(dialect="duckdb")


def check_type(
    tree: exp.Expr,
    columns: dict[str, str],
    *,
    condition: bool,
    limits: tuple[float, ...] = (),
) -> None:
    """Run a checked rule on sample profiles: a condition must be true or false, an amount
    a finite number ≥ 0 (or NULL), and neither may compare or mix values of different
    types, divide by zero or overflow. ``limits`` are the programme's ``thresholds``.

    Raises:
        ExpressionError: with DuckDB's reason (``Cannot compare values of type VARCHAR
            and type INTEGER_LITERAL``), the type the rule gives instead, or the sample
            profile it fails on (``divides by zero on a sample profile (age 60)``).
    """
    samples, text, sql = _Samples(columns, limits), rule_text(tree), compile_expression(tree)
    try:
        rule = samples.run(f"({sql}) as v, _sample")
        values = rule.fetchall()  # evaluated, not only bound: a bad cast shows only when run
        kind = str(rule.types[0]).upper()
    except duckdb.OutOfRangeException as exc:
        where = samples.profile(tree, samples.failing(sql))
        raise ExpressionError(f"{text} overflows{where}: {error_reason(exc)}") from exc
    except duckdb.Error as exc:
        raise ExpressionError(f"{text}: {error_reason(exc)}") from exc
    if condition and kind not in ("BOOLEAN", "NULL"):
        raise ExpressionError(
            f"{text} gives {kind.lower()}, not true or false (write a comparison, e.g. age >= 60)"
        )
    if not condition and not (kind in NUMERIC or kind.startswith("DECIMAL")):
        raise ExpressionError(f"{text} gives {kind.lower()}, not a number of baht")
    try:
        samples.run(f"({_guarded(tree)})").fetchall()
    except duckdb.Error as exc:
        zero = re.search(r"sitthi: divides by zero on sample (\d+)", str(exc))
        why = (
            f" divides by zero{samples.profile(tree, int(zero[1]))}"
            if zero
            else f": {error_reason(exc)}"
        )
        raise ExpressionError(text + why) from exc
    bad = [(n, v) for v, n in values if v is not None and not (math.isfinite(v) and v >= 0)]
    if not condition and bad:
        sample, value = min(bad)
        raise ExpressionError(
            f"{text} gives {show_value(value)}{samples.profile(tree, sample)}, "
            "not a finite number of baht ≥ 0"
        )
