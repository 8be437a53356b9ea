"""Stages 1 and 2 on hand-made records: exact IDs, repairs, and what must not be repaired."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from sitthi.engines.duckdb import rows
from sitthi.linkage.deterministic import ID_SLICES
from sitthi.linkage.service import link_store
from sitthi.thai.national_id import is_valid_national_id
from tests.linkage.helpers import person_of, stage_of, store_with, valid_id

SOMCHAI = {
    "title": "นาย",
    "first_name": "สมชาย",
    "last_name": "ใจดี",
    "sex": "ชาย",
    "birth_date": "12/03/2510",
}
MALEE = {
    "title": "นาง",
    "first_name": "มาลี",
    "last_name": "ศรีสุข",
    "sex": "หญิง",
    "birth_date": "01/01/2500",
}
ID_A = valid_id("110170020315")
ID_B = valid_id("310060012345")


def _typo(nid: str, position: int) -> str:
    """``nid`` with one digit changed at ``position`` (0-based)."""
    digits = list(nid)
    digits[position] = str((int(digits[position]) + 1) % 10)
    return "".join(digits)


def _swap(nid: str, position: int) -> str:
    d = list(nid)
    d[position], d[position + 1] = d[position + 1], d[position]
    return "".join(d)


def _background(n: int = 40) -> list[dict[str, str]]:
    # Enough other people for the model to train on.
    rng = random.Random(3)
    firsts = ["กมล", "จันทร์", "ทองดี", "บุญมี", "ประยุทธ", "วิไล", "สุดา", "อำนวย", "ชัยวัฒน์", "นภา"]
    lasts = ["แก้วมณี", "ทองคำ", "บุญเรือง", "พรหมมา", "ศรีวงศ์", "สายทอง", "อินทร์แก้ว", "มั่นคง"]
    out = []
    for i in range(n):
        out.append(
            {
                "record_id": f"bg{i}",
                "national_id": valid_id(f"3{rng.randrange(10**11):011d}"),
                "first_name": rng.choice(firsts),
                "last_name": rng.choice(lasts),
                "sex": rng.choice(["ชาย", "หญิง"]),
                "birth_date": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/"
                f"{rng.randint(2480, 2550)}",
            }
        )
    return out


def test_same_valid_id_links(tmp_path: Path) -> None:
    con = store_with(
        tmp_path,
        {
            "civil": [{"record_id": "c1", "national_id": ID_A, **SOMCHAI}, *_background()],
            "lao": [{"record_id": "l1", "national_id": ID_A, **SOMCHAI, "title": "นาย."}],
        },
    )
    link_store(con)
    assert person_of(con, "civil", "c1") == person_of(con, "lao", "l1")
    assert stage_of(con, "lao", "l1") == "national_id"


def test_invalid_id_one_edit_away_is_repaired(tmp_path: Path) -> None:
    typo = _typo(ID_A, 5)
    assert not is_valid_national_id(typo)
    con = store_with(
        tmp_path,
        {
            "civil": [{"record_id": "c1", "national_id": ID_A, **SOMCHAI}, *_background()],
            "lao": [
                {"record_id": "l1", "national_id": typo, **SOMCHAI},
                {"record_id": "l2", "national_id": _swap(ID_B, 2), **MALEE},
            ],
        },
    )
    link_store(con)
    assert person_of(con, "civil", "c1") == person_of(con, "lao", "l1")
    assert stage_of(con, "lao", "l1") == "id_repair"
    ((kind,),) = rows(con, "select kind from id_repairs where record_id = 'l1'")
    assert kind == "invalid_id"
    # Nobody holds the ID one edit from l2's: nothing to repair it to.
    assert stage_of(con, "lao", "l2") != "id_repair"


def test_repair_needs_the_holder_to_agree(tmp_path: Path) -> None:
    typo = _typo(ID_A, 5)
    con = store_with(
        tmp_path,
        {
            "civil": [{"record_id": "c1", "national_id": ID_A, **SOMCHAI}, *_background()],
            "lao": [{"record_id": "l1", "national_id": typo, **MALEE}],
        },
    )
    link_store(con)
    assert person_of(con, "civil", "c1") != person_of(con, "lao", "l1")
    assert not rows(con, "select * from id_repairs")


def test_two_agreeing_holders_are_not_guessed_between(tmp_path: Path) -> None:
    # An invalid ID one edit from two valid IDs whose holders both look like the record.
    base = ID_A
    typo = _typo(base, 5)
    other = next(
        c
        for i in range(13)
        for c in (typo[:i] + str(d) + typo[i + 1 :] for d in range(10))
        if c != base and is_valid_national_id(c)
    )
    con = store_with(
        tmp_path,
        {
            "civil": [
                {"record_id": "c1", "national_id": base, **SOMCHAI},
                {"record_id": "c2", "national_id": other, **SOMCHAI},
                *_background(),
            ],
            "lao": [{"record_id": "l1", "national_id": typo, **SOMCHAI}],
        },
    )
    link_store(con)
    assert stage_of(con, "lao", "l1") != "id_repair"


def test_valid_id_that_is_a_typo_of_another_is_repaired(tmp_path: Path) -> None:
    # Position 3 has weight 11 in the checksum: any digit there keeps the ID valid.
    typo = _typo(ID_A, 2)
    assert is_valid_national_id(typo)
    con = store_with(
        tmp_path,
        {
            "civil": [{"record_id": "c1", "national_id": ID_A, **SOMCHAI}, *_background()],
            "nhso": [{"record_id": "n1", "national_id": ID_A, **SOMCHAI}],
            "lao": [{"record_id": "l1", "national_id": typo, **SOMCHAI}],
        },
    )
    link_store(con)
    assert person_of(con, "civil", "c1") == person_of(con, "lao", "l1")
    ((kind,),) = rows(con, "select kind from id_repairs where record_id = 'l1'")
    assert kind == "valid_typo"


def test_two_lone_ids_one_edit_apart_join_once(tmp_path: Path) -> None:
    # Without a registry or a majority, either ID may be the typo: they still become one
    # person, by exactly one repair (never two records swapping IDs).
    typo = _typo(ID_A, 2)
    con = store_with(
        tmp_path,
        {
            "civil": [{"record_id": "c1", "national_id": ID_A, **SOMCHAI}, *_background()],
            "lao": [{"record_id": "l1", "national_id": typo, **SOMCHAI}],
        },
    )
    link_store(con)
    assert person_of(con, "civil", "c1") == person_of(con, "lao", "l1")
    assert rows(con, "select kind, count(*) from id_repairs group by 1") == [("valid_typo", 1)]


def test_record_describing_someone_else_leaves_the_id_group(tmp_path: Path) -> None:
    con = store_with(
        tmp_path,
        {
            "civil": [
                {"record_id": "c1", "national_id": ID_A, **SOMCHAI},
                {"record_id": "c2", "national_id": ID_B, **MALEE},
                *_background(),
            ],
            "lao": [
                {"record_id": "l1", "national_id": ID_A, **SOMCHAI},
                # Malee under Somchai's ID: she is scored, and found
                {"record_id": "l2", "national_id": ID_A, **MALEE},
                # somebody nobody else describes, under Somchai's ID: alone, and queued
                {
                    "record_id": "l3",
                    "national_id": ID_A,
                    "first_name": "ประยงค์",
                    "last_name": "ขันทอง",
                    "birth_date": "07/07/2530",
                },
            ],
        },
    )
    report = link_store(con)
    assert person_of(con, "civil", "c1") == person_of(con, "lao", "l1")
    assert person_of(con, "lao", "l2") == person_of(con, "civil", "c2")
    assert person_of(con, "lao", "l3") != person_of(con, "civil", "c1")
    assert stage_of(con, "lao", "l3") == "alone"
    assert report.id_conflicts == 2
    assert report.review_queue.get("id_conflict") == 1


@given(
    first12=st.from_regex(r"[1-8][0-9]{11}", fullmatch=True),
    position=st.integers(0, 12),
    transpose=st.booleans(),
    digit=st.integers(1, 9),
)
def test_one_edit_always_shares_a_slice(
    first12: str, position: int, transpose: bool, digit: int
) -> None:
    nid = valid_id(first12)
    if transpose and position < 12:
        other = _swap(nid, position)
    else:
        d = list(nid)
        d[position] = str((int(d[position]) + digit) % 10)
        other = "".join(d)

    def key(s: str, slices: tuple[tuple[int, int], ...]) -> str:
        return "".join(s[start - 1 : start - 1 + length] for start, length in slices)

    assert any(key(nid, sl) == key(other, sl) for sl in ID_SLICES)
