"""The SQL versions of the ID parser and the pseudonym agree with the Python ones."""

from __future__ import annotations

import hashlib
import hmac

import duckdb
from hypothesis import example, given
from hypothesis import strategies as st

from sitthi.ingest.pseudonym import pseudonym, pseudonym_sql
from sitthi.ingest.sql_identity import national_id_sql
from sitthi.thai.digits import THAI_DIGITS
from sitthi.thai.national_id import check_digit, parse_national_id

_CON = duckdb.connect()
_SQL = national_id_sql("v")

id_like = st.one_of(
    st.text(alphabet="0123456789", min_size=11, max_size=13).map(
        lambda s: s[:12] + str(check_digit(s[:12].ljust(12, "0"))) if len(s) >= 12 else s
    ),
    st.text(alphabet="0123456789- ." + THAI_DIGITS + "０１９", max_size=20),
    st.text(max_size=15),
)


SQL_ALPHABET = set("0123456789-./_ \t" + THAI_DIGITS + "０１２３４５６７８９")


@given(id_like)
@example("\t")  # DuckDB's trim() keeps tabs: found by hypothesis in CI
@example(" \n ")
def test_sql_and_python_agree_on_every_id(value: str) -> None:
    canonical, reason = _CON.execute(
        f"select {_SQL['canonical']}, {_SQL['reason']} from (select $v::varchar as v)", {"v": value}
    ).fetchall()[0]
    p = parse_national_id(value)
    if set(value) <= SQL_ALPHABET:
        assert reason == p.reason
        assert canonical == (p.canonical if len(p.canonical or "") == 13 else None)
    else:
        # Python also reads other Unicode digits and spaces (NFKC); SQL calls them bad
        # characters. Either way the two agree on whether the ID is valid.
        assert (reason is None) == p.valid


@given(st.binary(min_size=16, max_size=80), st.text(max_size=20))
def test_hmac_in_sql_equals_python(key: bytes, value: str) -> None:
    sql, params = pseudonym_sql(key, "$v")
    got = _CON.execute(f"select {sql}", {**params, "v": value}).fetchall()[0][0]
    assert got == pseudonym(key, value) == hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
