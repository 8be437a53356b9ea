"""DCI pieces on their own: canonical JSON, signatures, and queries turned into SQL."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

import duckdb
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st
from sqlglot import exp

from sitthi.api.dci import query as q
from sitthi.api.dci.canonical import NotCanonical, canonical_bytes, parse_json
from sitthi.api.dci.envelope import SearchReason
from sitthi.api.dci.signature import (
    MAX_LIFETIME_SECONDS,
    SignatureError,
    parse,
    read_public_key,
    sign,
    verify,
)

# ------------------------------------------------------------------ canonical JSON


@pytest.mark.parametrize(
    ("number", "text"),
    [
        # RFC 8785 appendix B's doubles, and the integral floats JSON parsers hand back
        (333333333.33333329, "333333333.3333333"),
        (1e30, "1e+30"),
        (4.50, "4.5"),
        (2e-3, "0.002"),
        (0.000001, "0.000001"),
        (1e-7, "1e-7"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (9007199254740992.0, "9007199254740992"),
        (53300.0, "53300"),
        (-0.0, "0"),
    ],
)
def test_numbers_are_written_as_ecmascript_writes_them(number: float, text: str) -> None:
    assert canonical_bytes(number) == text.encode()


def test_keys_are_sorted_and_thai_is_kept_as_utf8() -> None:
    got = canonical_bytes({"b": [1, True, None], "a": "ผู้สูงอายุ", "\u20ac": 1, "\r": 2})
    assert got == '{"\\r":2,"a":"ผู้สูงอายุ","b":[1,true,null],"€":1}'.encode()


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=20,
    )
)
def test_without_floats_the_canonical_form_is_sorted_compact_json(value: Any) -> None:
    # The independent reading of the rule for everything but numbers: json.dumps sorted.
    if isinstance(value, dict) and any(len(k) != len(k.encode("utf-16-be")) // 2 for k in value):
        return  # keys beyond U+FFFF sort by UTF-16 units, which json.dumps does not
    expected = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_bytes(value) == expected.encode()
    assert json.loads(canonical_bytes(value)) == value


def test_a_body_with_a_key_twice_or_nan_is_refused() -> None:
    with pytest.raises(NotCanonical, match="twice"):
        parse_json(b'{"header": {}, "header": {"sender_id": "x"}}')
    with pytest.raises(NotCanonical):
        parse_json(b'{"a": NaN}')
    with pytest.raises(NotCanonical):
        parse_json(b"\xff")


# ------------------------------------------------------------------------ signatures

HEADER = {"sender_id": "dep.go.th", "message_id": "m1", "action": "search", "total_count": 1}
MESSAGE = {"transaction_id": "t1", "search_request": [{"reference_id": "r1", "n": 2.5}]}


def _keys(key: Ed25519PrivateKey, key_id: str = "k1") -> Any:
    return lambda sender: {key_id: key.public_key()} if sender == "dep.go.th" else None


def test_a_signature_verifies_and_its_signing_string_is_the_documented_one() -> None:
    key = Ed25519PrivateKey.generate()
    text = sign(HEADER, MESSAGE, private_key=key, sender_id="dep.go.th", key_id="k1")
    parsed = verify(text, HEADER, MESSAGE, keys_of=_keys(key))
    # Rebuilt here from docs/DCI.md, without Sitthi's code
    body = json.dumps({"header": HEADER, "message": MESSAGE}, sort_keys=True,
                      separators=(",", ":")).encode()  # fmt: skip
    digest = base64.b64encode(hashlib.blake2b(body, digest_size=64).digest()).decode()
    signing = "\n".join(
        (
            f"(created): {parsed.created}",
            f"(expires): {parsed.expires}",
            f"digest: BLAKE-512={digest}",
        )
    )
    key.public_key().verify(parsed.signature, signing.encode())
    assert 'kidId="dep.go.th|k1|ed25519"' in text


def test_any_change_breaks_the_signature() -> None:
    key = Ed25519PrivateKey.generate()
    text = sign(HEADER, MESSAGE, private_key=key, sender_id="dep.go.th", key_id="k1")
    changed = {**MESSAGE, "transaction_id": "t2"}
    with pytest.raises(SignatureError, match="does not match") as refused:
        verify(text, HEADER, changed, keys_of=_keys(key))
    assert refused.value.code == "err.signature.invalid"
    other = Ed25519PrivateKey.generate()
    with pytest.raises(SignatureError, match="does not match"):
        verify(text, HEADER, MESSAGE, keys_of=_keys(other))


@pytest.mark.parametrize(
    ("mutate", "code", "match"),
    [
        (lambda t: "", "err.signature.missing", "no signature"),
        (lambda t: t.replace("dep.go.th|", "spmis|"), "err.signature.invalid", "another sender"),
        (lambda t: t.replace("|k1|", "|k9|"), "err.signature.invalid", "not registered"),
        (lambda t: t.replace("ed25519", "rsa"), "err.signature.invalid", "ed25519"),
        (lambda t: t.split(", signature=")[0], "err.signature.invalid", "required"),
        (lambda t: "garbage", "err.signature.invalid", "malformed|kidId"),
    ],
)
def test_malformed_or_foreign_signatures_are_refused(mutate: Any, code: str, match: str) -> None:
    key = Ed25519PrivateKey.generate()
    text = sign(HEADER, MESSAGE, private_key=key, sender_id="dep.go.th", key_id="k1")
    with pytest.raises(SignatureError, match=match) as refused:
        verify(mutate(text), HEADER, MESSAGE, keys_of=_keys(key))
    assert refused.value.code == code


def test_an_unknown_sender_is_its_own_error() -> None:
    key = Ed25519PrivateKey.generate()
    header = {**HEADER, "sender_id": "stranger"}
    text = sign(header, MESSAGE, private_key=key, sender_id="stranger", key_id="k1")
    with pytest.raises(SignatureError) as refused:
        verify(text, header, MESSAGE, keys_of=_keys(key))
    assert refused.value.code == "err.sender_id.invalid"


def test_old_future_and_long_lived_signatures_are_refused() -> None:
    key = Ed25519PrivateKey.generate()
    now = time.time()
    old = sign(HEADER, MESSAGE, private_key=key, sender_id="dep.go.th", key_id="k1",
               now=now - 7200, lifetime=600)  # fmt: skip
    with pytest.raises(SignatureError, match="expired"):
        verify(old, HEADER, MESSAGE, keys_of=_keys(key), now=now)
    future = sign(HEADER, MESSAGE, private_key=key, sender_id="dep.go.th", key_id="k1",
                  now=now + 600)  # fmt: skip
    with pytest.raises(SignatureError, match="future"):
        verify(future, HEADER, MESSAGE, keys_of=_keys(key), now=now)
    forever = sign(HEADER, MESSAGE, private_key=key, sender_id="dep.go.th", key_id="k1",
                   lifetime=MAX_LIFETIME_SECONDS + 1)  # fmt: skip
    with pytest.raises(SignatureError, match="within"):
        verify(forever, HEADER, MESSAGE, keys_of=_keys(key))


def test_the_standards_example_spelling_parses() -> None:
    text = (
        'Signature:  namespace="dci", keyId="sp|k|ed25519", algorithm="ed25519", '
        'created="1606970629", expires="1607030629", headers="(created) (expires) digest", '
        f'signature="{base64.b64encode(bytes(64)).decode()}"'
    )
    parsed = parse(text)
    assert (parsed.sender_id, parsed.key_id, parsed.created) == ("sp", "k", 1606970629)


def test_public_keys_are_read_from_pem_or_base64_and_private_keys_refused() -> None:
    from cryptography.hazmat.primitives import serialization

    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert read_public_key(pem) == public
    assert read_public_key(base64.b64encode(raw)) == public
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(ValueError, match="private key"):
        read_public_key(private_pem)
    with pytest.raises(ValueError, match="32 bytes"):
        read_public_key(base64.b64encode(b"short"))


# ---------------------------------------------------------------------- queries


def _leaf(name: str, operator: str, value: Any) -> dict[str, Any]:
    return {"attribute_name": name, "operator": operator, "attribute_value": value}


def _people() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        """create table profiles as select * from (values
             ('P0000001', 64, 'F', '10', true),
             ('P0000002', 70, 'M', '10', false),
             ('P0000003', null, 'M', '84', true),
             ('P0000004', 30, 'F', '84', false)) t(person_id, age, sex, province_code, disability)
        """
    )
    return con


def _run(node: q.Node | None, sort: tuple[q.SortKey, ...] = ()) -> list[str]:
    compiled = q.compile_query(node, sort, exp.column("person_id", "p"))
    sql = f"select p.person_id from profiles p where {compiled.where} order by {compiled.order}"
    return [r[0] for r in _people().execute(sql, compiled.params).fetchall()]


def test_a_predicate_list_is_and_and_its_conditions_nest() -> None:
    elderly_women = [
        {
            "seq_num": 1,
            "expression1": _leaf("age", "ge", 60),
            "condition": "and",
            "expression2": _leaf("sex", "eq", "female"),
        },
    ]
    assert _run(q.read_predicate("individual", elderly_women)) == ["P0000001"]
    either = [
        {
            "expression1": {"expression1": _leaf("province_code", "eq", "84"),
                            "condition": "or", "expression2": _leaf("age", "gt", "65")},
            "condition": "not",
            "expression2": _leaf("disability", "eq", True),
        }
    ]  # fmt: skip
    # (province 84 or age > 65) and not disabled
    assert _run(q.read_predicate("individual", either)) == ["P0000002", "P0000004"]


def test_not_treats_an_unknown_value_as_failing_the_test() -> None:
    node = q.read_predicate("individual", [{"expression1": _leaf("age", "ge", 60),
                                            "condition": "not"}])  # fmt: skip
    assert _run(node) == ["P0000003", "P0000004"]  # the unknown age is not "≥ 60"


def test_an_expression_query_reads_the_standards_mongo_like_example() -> None:
    query = {
        "type": "ns:org:QueryType:NoSql",
        "value": {"expression": {"collection": "Person", "query": {
            "$and": [{"age": {"$gte": 60}}, {"$or": [{"sex": "female"}, {"disability": True}]}]
        }}},
    }  # fmt: skip
    assert _run(q.read_expression("individual", query)) == ["P0000001"]
    assert _run(q.read_expression("individual", {"value": {"expression": {"query": {
        "province_code": {"$in": ["84", "85"]}}}}})) == ["P0000003", "P0000004"]  # fmt: skip


@pytest.mark.parametrize(
    "hostile",
    [
        "10' or '1'='1",
        "10; drop table profiles",
        "$v0",
        "1101700203158",
    ],
)
def test_values_never_reach_the_sql_text(hostile: str) -> None:
    injected = "ก' or x=x --"
    name = q.read_predicate("individual", [{"expression1": _leaf("first_name", "eq", injected)}])
    compiled = q.compile_query(name, (), exp.column("person_id", "p"))
    assert "x=x" not in compiled.where
    assert list(compiled.params.values()) == [injected]
    with pytest.raises(q.Rejected) as refused:
        q.read_predicate("individual", [{"expression1": _leaf("province_code", "eq", hostile)}])
    assert hostile not in refused.value.en
    assert hostile not in refused.value.th


@pytest.mark.parametrize(
    "attribute", ["age; drop table profiles", "national_id", "pid_hash", "income", "p.age"]
)
def test_only_listed_attributes_can_be_searched(attribute: str) -> None:
    with pytest.raises(q.Rejected) as refused:
        q.read_predicate("individual", [{"expression1": _leaf(attribute, "eq", "1")}])
    assert refused.value.code is SearchReason.SEARCH_CRITERIA_INVALID
    assert "drop" not in refused.value.en


def test_depth_and_size_are_limited() -> None:
    node: dict[str, Any] = _leaf("age", "ge", 1)
    for _ in range(q.MAX_DEPTH):
        node = {"expression1": node, "condition": "not"}
    q.read_predicate("individual", [node])  # as deep as allowed
    with pytest.raises(q.Rejected, match="deeper"):
        q.read_predicate("individual", [{"expression1": node, "condition": "not"}])
    many = [{"expression1": _leaf("age", "ge", i)} for i in range(q.MAX_COMPARISONS + 1)]
    with pytest.raises(q.Rejected, match="comparisons"):
        q.read_predicate("individual", many)
    deep_mongo: dict[str, Any] = {"age": 1}
    for _ in range(q.MAX_DEPTH - 1):
        deep_mongo = {"$not": deep_mongo}
    q.read_expression("individual", {"value": {"expression": {"query": deep_mongo}}})
    deep_mongo = {"$not": deep_mongo}
    with pytest.raises(q.Rejected, match="deeper"):
        q.read_expression("individual", {"value": {"expression": {"query": deep_mongo}}})
    with pytest.raises(q.Rejected, match="list of 1 to"):
        q.read_predicate("individual", [{"expression1": _leaf("age", "in", list(range(51)))}])


def test_operators_fit_their_attributes() -> None:
    with pytest.raises(q.Rejected, match="eq or in"):
        q.read_predicate("individual", [{"expression1": _leaf("sex", "gt", "male")}])
    with pytest.raises(q.Rejected, match="operator"):
        q.read_predicate("individual", [{"expression1": _leaf("age", "like", 1)}])
    with pytest.raises(q.Rejected, match="no digits"):
        q.read_predicate("individual", [{"expression1": _leaf("first_name", "eq", "ก1")}])


def test_the_agreement_decides_what_may_be_searched_and_sorted() -> None:
    node = q.read_predicate("individual", [{"expression1": _leaf("given_name", "eq", "สมศรี")}])
    q.check_allowed(node, frozenset({"first_name"}), "DSA-X")
    with pytest.raises(q.Rejected, match="does not allow searching by first_name"):
        q.check_allowed(node, frozenset({"age", "sex"}), "DSA-X")
    with pytest.raises(q.Rejected) as refused:
        q.read_sort("individual", [{"attribute_name": "last_name"}], frozenset({"age"}))
    assert refused.value.code is SearchReason.SORT_INVALID


def test_sorting_puts_unknown_values_last_and_breaks_ties_by_person() -> None:
    keys = q.read_sort("individual", [{"attribute_name": "age", "sort_order": "desc"}],
                       frozenset({"age"}))  # fmt: skip
    assert _run(None, keys) == ["P0000002", "P0000001", "P0000004", "P0000003"]
    by_sex = q.read_sort("individual", [{"attribute_name": "gender"}], frozenset({"sex"}))
    assert _run(None, by_sex) == ["P0000001", "P0000004", "P0000002", "P0000003"]


@pytest.mark.parametrize(
    ("raw", "page"),
    [
        (None, (q.DEFAULT_PAGE_SIZE, 1)),
        ({"page_size": 5, "page_number": 3}, (5, 3)),
        ({"page_size": 1000}, (q.MAX_PAGE_SIZE, 1)),
    ],
)
def test_pages_are_read_and_capped(raw: Any, page: tuple[int, int]) -> None:
    found = q.read_page(raw)
    assert (found.size, found.number) == page


@pytest.mark.parametrize(
    "raw",
    [
        {"page_size": 0},
        {"page_size": -1},
        {"page_size": 10, "page_number": 0},
        {"page_size": "10"},
        {"page_size": 100, "page_number": 10_000},
    ],
)
def test_bad_pages_are_refused(raw: Any) -> None:
    with pytest.raises(q.Rejected) as refused:
        q.read_page(raw)
    assert refused.value.code is SearchReason.PAGINATION_INVALID


@pytest.mark.parametrize("module", ["canonical", "signature", "senders"])
def test_the_docstring_examples_run(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"sitthi.api.dci.{module}"))
    assert result.attempted > 0
    assert result.failed == 0
