"""Rules that cannot produce nonsense: amounts are finite baht ≥ 0, rules have a size.

A bad amount is refused when the programme is read (on sample profiles), and, for the
profiles no sample stands for, when a run computes it (over every person, nothing written).
A rule too long or too deep is refused before sqlglot's recursive parser sees it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitthi.engines.duckdb import connect
from sitthi.errors import RuleError
from sitthi.linkage.service import LinkReport
from sitthi.registry.golden import build_golden
from sitthi.registry.profile import PROFILE_COLUMNS, build_profiles
from sitthi.registry.rules import load_rules
from sitthi.rights.engine import compute_rights
from sitthi.rights.expressions import (
    MAX_CHARS,
    MAX_DEPTH,
    MAX_TOKENS,
    ExpressionError,
    check_expression,
    compile_expression,
    rule_size,
)
from sitthi.rights.programme import load_programmes, parse_programme
from tests.rights.test_programmes import GOOD

WHERE = "p.yaml: programme test_programme: "
AS_OF = dt.date(2026, 10, 1)


def programme(*, amount: str = "600", when: str = "age >= 60") -> str:
    return GOOD.replace('amount: "600"', f'amount: "{amount}"').replace('"age >= 60"', f'"{when}"')


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (
            "600 / (age - age)",
            "amount: '600 / (age - age)' divides by zero on a sample profile (age 0)",
        ),
        # The condition's threshold is a sample: the newly eligible are where this breaks.
        ("600 / (age - 60)", "divides by zero on a sample profile (age 60)"),
        ("600 / coalesce(annual_income, 0)", "(annual_income NULL)"),
        ("600 / (1 + 1 / (age - age))", "divides by zero on a sample profile (age 0)"),
        ("1e308 * 10", "amount: '1e308 * 10' gives inf, not a finite number of baht ≥ 0"),
        ("-600", "amount: '-600' gives -600, not a finite number of baht ≥ 0"),
        ("800 - age", "amount: '800 - age' gives -999200 on a sample profile (age 1000000)"),
        ("annual_income * 1e300", "gives inf on a sample profile (annual_income 1000000000000)"),
        ("age * 100000000000000000", "overflows on a sample profile (age 1000000)"),
    ],
)
def test_an_amount_that_is_not_finite_baht_at_least_zero_is_refused(
    amount: str, message: str
) -> None:
    with pytest.raises(RuleError) as err:
        parse_programme(programme(amount=amount), "p.yaml")
    assert message in str(err.value)
    assert str(err.value).startswith(WHERE)


def test_a_condition_that_divides_by_zero_is_refused() -> None:
    with pytest.raises(RuleError, match=r"eligibility.old: '600 / \(age - age\) > 1' divides"):
        parse_programme(programme(when="600 / (age - age) > 1"), "p.yaml")


@pytest.mark.parametrize(
    "amount",
    [
        "case when age > 0 then 600 / age else 0 end",  # the division is guarded
        "annual_income / 12",  # NULL without an income: unknown, not nonsense
        "greatest(0, 800 - age)",
        "0",
    ],
)
def test_an_amount_safe_on_every_sample_passes(amount: str) -> None:
    assert parse_programme(programme(amount=amount), "p.yaml").checked()["amount"]


def test_a_division_by_zero_is_null_on_every_engine() -> None:
    # DuckDB gives inf, PostgreSQL an error, Spark NULL: the compiled rule says NULL.
    tree = check_expression("600 / (age - 60)", set(PROFILE_COLUMNS))
    assert "NULLIF" in compile_expression(tree, "duckdb")
    assert "NULLIF" in compile_expression(tree, "postgres")
    con = duckdb.connect()
    sql = compile_expression(tree, "duckdb")
    assert con.sql(f"select {sql} from (select 60 as age)").fetchall() == [(None,)]
    assert "NULLIF" not in tree.sql()  # the author's rule, as errors quote it


# -- at run time, over every person ------------------------------------------------------

ODD = (
    "id: odd\nname_th: ทดสอบ\nname_en: test\nlegal_source: [x]\nunit: baht/month\n"
    "administered_by_th: อบต.\neligibility:\n"
    '  adult: {{when: "age >= 18", th: x, en: x}}\n'
    'amount: "{amount}"\n'
    "enrolment: {{indicator: allowance_programme, value: ทดสอบ}}\n"
    "claim: {{how_th: x, where_th: x}}\n"
)


@pytest.fixture(scope="module")
def profiled(
    linked: tuple[Path, LinkReport], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[duckdb.DuckDBPyConnection]:
    path = tmp_path_factory.mktemp("limits") / "store.duckdb"
    shutil.copy(linked[0], path)
    con = connect(path)
    build_golden(con, load_rules())
    build_profiles(con, AS_OF)
    yield con
    con.close()


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        # No sample is 37, so each passes the check and meets its first 37-year-old here.
        ("600 / abs(age - 37)", "none"),
        ("case when age = 37 then 1e308 * 10 else 600 end", "inf"),
        ("case when age = 37 then -1 else 600 end", "-1"),
    ],
)
def test_a_bad_amount_on_a_real_profile_stops_the_run(
    profiled: duckdb.DuckDBPyConnection, tmp_path: Path, amount: str, shown: str
) -> None:
    (tmp_path / "odd.yaml").write_text(ODD.format(amount=amount), encoding="utf-8")
    programmes = load_programmes(tmp_path / "odd.yaml")
    ((aged_37,),) = profiled.execute("select count(*) from profiles where age = 37").fetchall()
    assert aged_37 > 0
    with pytest.raises(RuleError) as err:
        compute_rights(profiled, programmes, AS_OF)
    message = str(err.value)
    assert message.startswith("programme odd: amount ")
    assert f"not a finite number of baht ≥ 0 for {aged_37:,} persons (e.g. P" in message
    assert f": {shown})" in message
    assert "\n" not in message


# -- size and depth ----------------------------------------------------------------------


def test_a_rule_of_20000_or_terms_is_refused_in_well_under_a_second() -> None:
    rule = " or ".join(f"age = {i}" for i in range(20_000))
    clock = time.perf_counter()
    with pytest.raises(ExpressionError):
        check_expression(rule, set(PROFILE_COLUMNS))
    assert time.perf_counter() - clock < 0.01  # reading the 287 KB YAML file takes longer
    with pytest.raises(RuleError) as err:
        parse_programme(programme(when=rule), "p.yaml")
    assert str(err.value) == (
        f"{WHERE}eligibility.old: too long: {len(rule):,} characters (at most {MAX_CHARS:,})"
    )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("(" * 3000 + "age >= 60" + ")" * 3000, "too long: 6,009 characters"),
        ("abs(" * 3000 + "age" + ")" * 3000 + " >= 60", "too long: 15,009 characters"),
        ("+".join(["1"] * 1001) + " >= age", "too long: 2,003 tokens (at most 1,000)"),
        ("(" * 30 + "age >= 60" + ")" * 30, "nested 30 deep (at most 20 levels"),
        ("abs(" * 25 + "age" + ")" * 25 + " >= 60", "nested 25 deep"),
        ("case when " * 21 + "thai" + " then true end" * 21, "nested 21 deep"),
        ("not " * 300 + "thai", "nested 300 deep"),
        ("age >= " + "- " * 300 + "1", "nested 300 deep"),
    ],
)
def test_a_rule_too_long_or_too_deep_is_refused_in_one_line(rule: str, message: str) -> None:
    with pytest.raises(RuleError) as err:
        parse_programme(programme(when=rule), "p.yaml")
    assert str(err.value).startswith(f"{WHERE}eligibility.old: {message}")
    assert "\n" not in str(err.value)


def test_the_limits_are_well_above_the_built_in_rules() -> None:
    rules = [
        rule
        for p in load_programmes().values()
        for rule in (p.amount, *(c.when for c in p.eligibility.values()))
    ]
    chars, tokens, depth = (max(size) for size in zip(*map(rule_size, rules), strict=True))
    assert chars * 10 < MAX_CHARS
    assert tokens * 10 < MAX_TOKENS
    assert depth * 5 < MAX_DEPTH


def deep_stack(frames: int, call: Callable[[], object]) -> object:
    return call() if frames == 0 else deep_stack(frames - 1, call)


def test_a_rule_at_the_limits_loads_from_a_deep_call_stack() -> None:
    # A web request or a test runner calls from a few hundred frames down already.
    rule = "abs(" * (MAX_DEPTH - 1) + "age" + ")" * (MAX_DEPTH - 1) + " >= 60"
    deep_stack(300, lambda: parse_programme(programme(when=rule), "p.yaml"))


def test_a_recursion_error_never_reaches_the_user() -> None:
    rule = "abs(" * 15 + "age" + ")" * 15 + " >= 60"
    limit = sys.getrecursionlimit()
    here = len(inspect.stack(0))
    sys.setrecursionlimit(here + 120)  # too shallow for sqlglot's parser at depth 15
    try:
        with pytest.raises(ExpressionError, match="nested too deep"):
            check_expression(rule, set(PROFILE_COLUMNS))
    finally:
        sys.setrecursionlimit(limit)


def test_an_unclosed_quote_is_not_valid_sql() -> None:
    with pytest.raises(RuleError, match=r"amount: not valid SQL: "):
        parse_programme(programme(amount="'600"), "p.yaml")


#: Pieces of rules, each repeated up to 300 times: deep nests, long chains, and both.
PIECES = st.sampled_from(
    [
        "(",
        ")",
        "abs(",
        "coalesce(",
        ", 0)",
        "not ",
        "- ",
        "case when ",
        " then 1 end",
        "age",
        " + ",
        " or ",
    ]
)


@given(st.lists(st.tuples(PIECES, st.integers(1, 300)), max_size=8))
def test_any_rule_is_refused_or_checked_never_an_internal_error(
    pieces: list[tuple[str, int]],
) -> None:
    with contextlib.suppress(ExpressionError):
        check_expression("".join(piece * n for piece, n in pieces), set(PROFILE_COLUMNS))
