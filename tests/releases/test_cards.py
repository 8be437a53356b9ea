"""A release's person cards hold exactly the release's rows, arranged by person: every
value, entitlement, gap, notice, linked record and household member, however odd its
text; a changed or missing card file is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import duckdb
import pytest

from sitthi.config import Settings
from sitthi.context import Context
from sitthi.errors import ValidationError
from sitthi.registry.access import in_population, person_record
from sitthi.registry.cards import CardFile, write_cards
from sitthi.releases.catalog import CARDS_DB, ReleaseCatalog
from sitthi.releases.publish import Published, publish


@pytest.fixture(scope="module")
def published(registry_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Published:
    import shutil

    store = tmp_path_factory.mktemp("cards") / "store.duckdb"
    shutil.copy(registry_store, store)
    return publish(Context(settings=Settings(), db=store))


def _release(published: Published) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(published.path / "release.duckdb"), read_only=True)


def _sample(con: duckdb.DuckDBPyConnection, n: int = 300) -> list[str]:
    # the persons with the most of everything, and an even spread of the rest
    busy = con.execute(
        """select person_id from person_values group by 1 order by count(*) desc, 1 limit 20"""
    ).fetchall()
    spread = con.execute(
        f"select person_id from profiles order by hash(person_id) limit {n}"
    ).fetchall()
    return sorted({p for (p,) in busy + spread})


def test_every_person_has_a_card_and_every_pseudonym_its_person(published: Published) -> None:
    con = _release(published)
    cards = CardFile(published.path / CARDS_DB)
    assert published.manifest["tables"]["person_cards"] == published.manifest["tables"]["profiles"]
    db = sqlite3.connect(published.path / CARDS_DB)
    assert (
        db.execute("select count(*) from cards").fetchone()
        == con.execute("select count(*) from profiles").fetchone()
    )
    expected = dict(
        con.execute(
            """select pid_hash, arg_min(person_id, (-records, person_id)) from person_ids
               group by 1"""
        ).fetchall()
    )
    assert dict(db.execute("select pid_hash, person_id from pids").fetchall()) == expected
    some = list(expected.items())[:: max(1, len(expected) // 50)]
    assert all(cards.person_for_pid(pid) == person for pid, person in some)
    assert cards.person_for_pid("0" * 64) is None
    assert cards.card("P999999999999") is None


def test_a_card_holds_the_release_rows_of_its_person(published: Published) -> None:
    con = _release(published)
    cards = CardFile(published.path / CARDS_DB)

    def table(sql: str, person_id: str) -> list[dict[str, object]]:
        cur = con.execute(sql, {"p": person_id})
        names = [d[0] for d in cur.description]
        return [dict(zip(names, (_plain(v) for v in r), strict=True)) for r in cur.fetchall()]

    programme = con.execute("select min(programme) from entitlements").fetchone()[0]
    for person_id in _sample(con):
        card = cards.card(person_id)
        assert card is not None
        assert card.values == table(
            """select field, value, source, as_of, from_authority from person_values
               where person_id = $p order by field, source""",
            person_id,
        )
        assert card.entitlements == table(
            "select programme, amount, reason, as_of from entitlements "
            "where person_id = $p order by programme",
            person_id,
        )
        assert card.gaps == table(
            "select programme, gap, amount, detail, unknown from gaps "
            "where person_id = $p order by programme, gap",
            person_id,
        )
        assert card.notices == table(
            "select programme, gap, channel, status, message_th from notifications "
            "where person_id = $p order by programme, gap",
            person_id,
        )
        records = table(
            "select source, stage from person_links where person_id = $p order by all", person_id
        )
        held = sorted((r["source"], r["stage"]) for r in card.links["records"])
        assert held == [(r["source"], r["stage"]) for r in records]
        profile = table("select * from profiles where person_id = $p", person_id)[0]
        assert card.area == {
            k: profile[k] for k in ("province_code", "district_code", "subdistrict_code")
        }
        assert card.row["age"] == profile["age"]
        for groups, programmes in ((["elderly"], []), (["disabled"], []), ([], [programme])):
            assert card.in_population(groups, programmes) == in_population(
                con, person_id, groups, programmes
            ), (person_id, groups, programmes)


def test_a_household_card_lists_every_member_eldest_first(published: Published) -> None:
    con = _release(published)
    cards = CardFile(published.path / CARDS_DB)
    households = con.execute(
        "select household_id, members from households order by members desc limit 10"
    ).fetchall()
    for household_id, size in households:
        found = cards.household(household_id)
        assert found is not None
        assert found["size"] == size
        members = con.execute(
            """select m.person_id from person_households m join profiles f using (person_id)
               where m.household_id = $h order by f.age desc nulls last, m.person_id""",
            {"h": household_id},
        ).fetchall()
        assert [m["person_id"] for m in found["members"]] == [p for (p,) in members]
        person = cards.card(found["members"][0]["person_id"])
        assert person is not None
        record = person_record(person, found, allowed={"household", "first_name", "age"})
        assert record.household is not None
        assert person.person_id not in {m["person_id"] for m in record.household["members"]}
        assert all(
            set(m) == {"person_id", "first_name", "age"} for m in record.household["members"]
        )
        assert "house_code" not in record.household


ODD = [
    'ศรี "ใหญ่" \\ ทอง',  # quotes and a backslash
    "บ้าน\nเลขที่ 5\t/ 7",  # a new line and a tab
    "\x1f\x1e\x00",  # control characters a separator-based encoding would lose
    "",
    "😀 ๑๒๓",
]


def test_odd_text_comes_back_unchanged(published: Published, tmp_path: Path) -> None:
    # The card builder writes JSON by hand for speed: free text must survive it exactly.
    con = duckdb.connect()
    con.execute(f"attach '{published.path / 'release.duckdb'}' as r (read_only)")
    person_id = con.execute("select min(person_id) from r.profiles").fetchone()[0]
    con.execute("create table main.person_values as select * from r.person_values")
    con.execute(
        "insert into main.person_values select $p, 'first_name', unnest($odd), 'test', "
        "'X-' || unnest(range(len($odd)))::varchar, date '2026-01-01', true",
        {"p": person_id, "odd": ODD},
    )
    con.execute("create table main.person_links as select * from r.person_links")
    con.execute(
        "insert into main.person_links select $p, 'test', unnest($odd), 'probabilistic', 0.5, "
        "'dopa', null, date '2026-01-01'",
        {"p": person_id, "odd": ODD},
    )
    # the release's other tables as views, which every cursor of the builder sees
    for (name,) in con.execute(
        "select table_name from duckdb_tables() where database_name = 'r'"
    ).fetchall():
        if name not in ("person_values", "person_links"):
            con.execute(f"create view main.{name} as select * from r.main.{name}")
    write_cards(con, tmp_path / "cards.sqlite", chunk=997)
    card = CardFile(tmp_path / "cards.sqlite").card(person_id)
    assert card is not None
    assert sorted(v["value"] for v in card.values if v["source"] == "test") == sorted(ODD)
    linked = [r["record_id"] for r in card.links["records"] if r["source"] == "test"]
    assert sorted(linked) == sorted(ODD)


def test_a_release_without_cards_or_with_changed_cards_is_refused(
    published: Published, tmp_path: Path
) -> None:
    import shutil

    copy = tmp_path / "releases"
    shutil.copytree(published.path.parent, copy)
    cards = copy / str(published.number) / CARDS_DB
    cards.chmod(0o640)
    db = sqlite3.connect(cards)
    db.execute("delete from cards where person_id = (select min(person_id) from cards)")
    db.commit()
    db.close()
    with pytest.raises(ValidationError, match="has changed since it was published"):
        ReleaseCatalog(copy).cards(published.number)
    cards.unlink()
    with pytest.raises(ValidationError, match="no person cards"):
        ReleaseCatalog(copy).cards(published.number)


def _plain(value: object) -> object:
    """A DuckDB value as the card's JSON gives it back (dates as ISO text)."""
    import datetime as dt

    return value.isoformat() if isinstance(value, dt.date) else value


@pytest.mark.slow
def test_many_threads_read_cards_at_once(published: Published) -> None:
    # The API reads from a thread pool: a connection or a decompressor shared by two
    # threads returns corrupt cards (a bug the 10M benchmark found).
    from concurrent.futures import ThreadPoolExecutor

    con = _release(published)
    ids = [p for (p,) in con.execute("select person_id from profiles order by 1").fetchall()]
    cards = CardFile(published.path / CARDS_DB)
    alone = {p: cards.card(p) for p in ids[:300]}

    def read(i: int) -> bool:
        got = [cards.card(p) for p in ids[i % 7 : 300 : 7]]
        return all(c == alone[c.person_id] for c in got if c is not None)

    with ThreadPoolExecutor(16) as pool:
        assert all(pool.map(read, range(3000)))
    cards.close()
