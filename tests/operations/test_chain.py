"""Invariants of the chain's arithmetic and of the national-ID guard (property tests)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from sitthi.operations.audit import find_national_id
from sitthi.operations.chain import GENESIS, canonical_json, chain_hash, check_chain
from sitthi.thai.national_id import check_digit

Row = tuple[int, str, str, str]


def _chain(payloads: list[str]) -> list[Row]:
    rows: list[Row] = []
    prev = GENESIS
    for seq, payload in enumerate(payloads, start=1):
        entry_json = canonical_json({"seq": seq, "payload": payload})
        digest = chain_hash(prev, entry_json)
        rows.append((seq, prev, digest, entry_json))
        prev = digest
    return rows


payloads = st.lists(st.text(max_size=20), min_size=2, max_size=15)


@given(payloads)
def test_an_untouched_chain_verifies(texts: list[str]) -> None:
    result = check_chain(_chain(texts), [])
    assert result.ok
    assert result.records == result.head_seq == len(texts)


@given(payloads, st.data())
def test_any_edit_is_found_at_its_record(texts: list[str], data: st.DataObject) -> None:
    rows = _chain(texts)
    i = data.draw(st.integers(0, len(rows) - 1))
    seq, prev, digest, entry_json = rows[i]
    changed = canonical_json(json.loads(entry_json) | {"payload": texts[i] + "x"})
    rows[i] = (seq, prev, digest, changed)
    result = check_chain(rows, [])
    assert (result.first_bad_seq, result.problem) == (seq, "edited")


@given(payloads, st.data())
def test_any_deletion_but_the_last_is_found(texts: list[str], data: st.DataObject) -> None:
    rows = _chain(texts)
    i = data.draw(st.integers(0, len(rows) - 2))  # the last needs an anchor (tested elsewhere)
    del rows[i]
    result = check_chain(rows, [])
    assert (result.first_bad_seq, result.problem) == (i + 1, "deleted")


@given(payloads, st.data())
def test_any_swap_is_found_at_the_first_of_the_two(texts: list[str], data: st.DataObject) -> None:
    rows = _chain(texts)
    i = data.draw(st.integers(0, len(rows) - 2))
    j = data.draw(st.integers(i + 1, len(rows) - 1))
    (si, *rest_i), (sj, *rest_j) = rows[i], rows[j]
    rows[i], rows[j] = (si, *rest_j), (sj, *rest_i)  # type: ignore[assignment]
    result = check_chain(rows, [])
    assert (result.first_bad_seq, result.problem) == (i + 1, "reordered")


national_ids = st.builds(
    lambda first, rest: first + rest + str(check_digit(first + rest)),
    st.sampled_from("12345678"),
    st.from_regex(r"[0-9]{11}", fullmatch=True),
)
# Text around an ID that cannot join its digits: no digits of any script (NFKC would turn
# ² or ๓ into one) and no hex letters (64 of them around it would make a pseudonym).
around = st.text(
    st.characters(
        codec="utf-8",
        exclude_categories=("Nd", "No", "Nl", "Cs"),
        exclude_characters="abcdefABCDEF",
    ),
    max_size=30,
)


@given(national_ids, around, around)
def test_a_national_id_is_found_wherever_it_is(national_id: str, before: str, after: str) -> None:
    document = json.loads(canonical_json({"query": {"q": before + national_id + after}}))
    assert find_national_id(document) == "*" * 9 + national_id[-4:]


@given(st.from_regex(r"[0-9a-f]{64}", fullmatch=True))
def test_a_pseudonym_is_never_taken_for_a_national_id(pid_hash: str) -> None:
    assert find_national_id({"persons": [pid_hash]}) is None
