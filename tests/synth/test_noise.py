"""The noise model's phenomena are planted at about their rates, and the truth stays right.

Each test reads the written files back (extracts, truth, persons) and checks one
phenomenon of docs/SYNTHETIC_DATA.md: that it is there, at about the rate of noise.yaml,
and that the truth names every record's true person.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sitthi.synth.noise import load_noise_model
from sitthi.thai.dates import parse_thai_date
from sitthi.thai.national_id import is_valid_national_id
from tests.synth.helpers import assert_rate, persons, plain_id, read_extract, rows_with_truth

NOISE = load_noise_model()


def _with_person(rows: pd.DataFrame, world: Path) -> pd.DataFrame:
    p = persons(world).set_index("person_id")
    return rows.merge(p, left_on="person_id", right_index=True, suffixes=("", "_true"))


def _parsed(values: pd.Series, era: str) -> pd.Series:
    parsed = (parse_thai_date(v, era=era) for v in values)  # type: ignore[arg-type]
    return pd.Series([r.value.date if r.value else None for r in parsed], index=values.index)


# --- 1. The right valid ID, one or two other things wrong ------------------------------


def test_jan_first_and_year_off_birth_dates(world: Path) -> None:
    cdd = _with_person(rows_with_truth(world, "cdd"), world)
    written = _parsed(cdd["birth"], "BE")
    born = pd.DatetimeIndex(cdd["birth_date"])
    jan = cdd["planted"].str.contains("jan_first_birth").to_numpy()
    assert jan.any()
    assert all(d.month == 1 and d.day == 1 for d in written[jan] if d)
    assert ((born[jan].month != 1) | (born[jan].day != 1)).all()
    assert (written[jan].map(lambda d: d.year).to_numpy() == born[jan].year).all()
    eligible = (cdd["age"].astype(int) >= 40) & ~cdd["planted"].str.contains("partial|two_f")
    assert_rate(
        int((jan & eligible).sum()),
        int(eligible.sum()),
        NOISE.agencies["cdd"].jan_first_birth,
        "cdd 01/01",
    )
    off = cdd["planted"].str.contains("birth_year_off") & ~cdd["planted"].str.contains(
        "partial|era|swap"
    )
    years = written[off].map(lambda d: d.year).to_numpy() - born[off.to_numpy()].year
    assert off.any()
    assert set(np.abs(years)) == {1}
    assert (written[off.to_numpy()].dropna() <= pd.Timestamp("2026-10-01").date()).all()
    clean = ~cdd["planted"].str.contains("two_f")
    assert_rate(
        int((off & clean).sum()),
        int(clean.sum()),
        NOISE.agencies["cdd"].birth_year_off,
        "cdd year off",
    )


def test_elderly_born_on_january_first_everywhere(world: Path) -> None:
    p = persons(world)
    unknown = p[p["birth_day_unknown"]]
    born = pd.DatetimeIndex(unknown["birth_date"])
    assert ((born.month == 1) & (born.day == 1)).all()
    assert (unknown["age"] >= 64).all()
    old = int((p["age"] >= 66).sum())
    assert_rate(len(unknown), old, NOISE.population.elderly_jan_first, "elderly 01/01")
    dopa = read_extract(world, "dopa").set_index("เลขประจำตัวประชาชน")
    written = dopa.loc[unknown["national_id"], "วันเดือนปีเกิด"]
    assert written.str.fullmatch(r"(00|01)/(00|01)/\d{4}").all()
    assert (written.str[:5] == "01/01").mean() >= 0.95  # DOPA too (a few: only the year)


def test_maiden_name_with_the_unmarried_title_on_the_welfare_card(world: Path) -> None:
    mof = _with_person(rows_with_truth(world, "mof"), world)
    maiden = mof["planted"].str.contains("maiden_name")
    miss = mof["planted"].str.contains("maiden_title")
    assert (mof.loc[maiden, "last_name"] == mof.loc[maiden, "maiden_name"]).mean() >= 0.95
    assert (
        mof.loc[miss & ~mof["planted"].str.contains("title_variant"), "title_name"] == "นางสาว"
    ).all()
    assert (mof.loc[miss, "title"] == "นาง").all()
    wife = maiden & (mof["title"] == "นาง")
    assert_rate(
        int((miss & wife).sum()), int(wife.sum()), NOISE.agencies["mof"].maiden_title, "นางสาว"
    )


def test_given_and_family_name_swapped_in_the_survey(world: Path) -> None:
    cdd = _with_person(rows_with_truth(world, "cdd"), world)
    swapped = cdd["planted"].str.contains("name_swap")
    plain = swapped & ~cdd["planted"].str.contains("spelling|keyboard|maiden|title_glued|duplicate")
    assert plain.any()
    assert (cdd.loc[plain, "fname"] == cdd.loc[plain, "last_name"]).all()
    assert (cdd.loc[plain, "lname"] == cdd.loc[plain, "first_name"]).all()
    assert_rate(int(swapped.sum()), len(cdd), NOISE.agencies["cdd"].name_swap, "name swap")


def test_a_birth_date_left_blank_in_the_survey(world: Path) -> None:
    cdd = rows_with_truth(world, "cdd")
    blank = cdd["planted"].str.contains("missing_birth_date")
    assert blank.any()
    dates = cdd["birth"].fillna("").astype(str).str.strip()
    assert (dates[blank] == "").all()
    assert (dates[~blank] != "").all()
    assert_rate(int(blank.sum()), len(cdd), NOISE.agencies["cdd"].missing_birth_date, "blank date")


def test_two_fields_wrong_at_once_leave_one_agreeing(world: Path) -> None:
    """The hard case: a valid ID that agrees on only one of given name, surname, birth date."""
    cdd = _with_person(rows_with_truth(world, "cdd"), world)
    two = cdd["planted"].str.contains("two_fields") & ~cdd["planted"].str.contains(
        "name_swap|title_glued|era|swap|relative|second_id|duplicate"
    )
    assert two.sum() >= 10
    written = _parsed(cdd["birth"], "BE")
    born = pd.Series([d.date() for d in pd.DatetimeIndex(cdd["birth_date"])], index=cdd.index)
    agree = (
        (cdd["fname"] == cdd["first_name"]).astype(int)
        + (cdd["lname"] == cdd["last_name"]).astype(int)
        + (written == born).astype(int)
    )
    assert (agree[two] <= 1).mean() >= 0.95
    assert_rate(
        int(cdd["planted"].str.contains("two_fields").sum()),
        len(cdd),
        NOISE.agencies["cdd"].two_field_errors,
        "two fields",
    )
    # Combinations the hard case is made of: a misspelt given name with 01/01, and others.
    planted = cdd.loc[two, "planted"]
    assert (planted.str.contains("_first_name") & planted.str.contains("jan_first")).any()
    assert (planted.str.contains("_first_name") & planted.str.contains("_last_name|maiden")).any()
    assert (
        planted.str.contains("_last_name|maiden") & planted.str.contains("birth_year|jan")
    ).any()


@pytest.mark.parametrize(("source", "column"), [("cdd", "pid"), ("msmart", "เลขประจำตัวประชาชน")])
def test_ids_in_thai_digits_or_with_separators_are_the_same_id(
    world: Path, source: str, column: str
) -> None:
    rows = _with_person(rows_with_truth(world, source), world)
    thai = rows["planted"].str.contains("id_thai_digits")
    grouped = rows["planted"].str.contains("id_separators")
    assert rows.loc[thai, column].str.contains("[๐-๙]").all()
    assert rows.loc[grouped, column].str.fullmatch(r"\d[- ]\d{4}[- ]\d{5}[- ]\d{2}[- ]\d").all()
    own = ~rows["planted"].str.contains("id_typo|relative|second_id|missing")
    both = (thai | grouped) & own
    assert both.any()
    assert (rows.loc[both, column].map(plain_id) == rows.loc[both, "national_id"]).all()
    noise = NOISE.agencies[source]
    written = rows[column] != ""
    assert_rate(int(thai.sum()), int(written.sum()), noise.id_thai_digits, f"{source} Thai digits")


# --- 2. Duplicate registration under two valid IDs ------------------------------------


def test_reissued_ids_are_two_dopa_records_of_one_person(world: Path) -> None:
    p = persons(world)
    twice = p[p["second_national_id"].notna()]
    assert len(twice) > 0
    assert twice["second_national_id"].map(is_valid_national_id).all()
    held = set(p["national_id"])
    assert not set(twice["second_national_id"]) & held
    thai = p["id_category"].isin([1, 2, 3, 4, 5, 8]).sum()
    assert_rate(len(twice), int(thai), NOISE.population.reissued_id, "registered twice")
    dopa = rows_with_truth(world, "dopa").set_index("เลขประจำตัวประชาชน")
    first = dopa.loc[twice["national_id"]]
    second = dopa.loc[twice["second_national_id"]]
    # One truth person, and everything but the ID identical.
    assert (first["person_id"].to_numpy() == twice["person_id"].to_numpy()).all()
    assert (second["person_id"].to_numpy() == twice["person_id"].to_numpy()).all()
    assert second["planted"].str.contains("duplicate_registration").all()
    same = ["คำนำหน้าชื่อ", "ชื่อ", "ชื่อสกุล", "เพศ", "วันเดือนปีเกิด", "รหัสประจำบ้าน"]
    assert (first[same].to_numpy() == second[same].to_numpy()).all()


def test_other_agencies_sometimes_use_the_second_id(world: Path) -> None:
    p = persons(world).set_index("person_id")
    hits = eligible = 0
    expected = 0.0
    for source in ("dep", "lao", "mof", "nhso", "sso", "moe", "cdd", "msmart", "cgd", "dsdw"):
        rows = rows_with_truth(world, source)
        has_second = p.loc[rows["person_id"], "second_national_id"].notna().to_numpy()
        used = rows["planted"].str.contains("second_id").to_numpy()
        assert not (used & ~has_second).any()
        hits += int(used.sum())
        eligible += int(has_second.sum())
        expected += has_second.sum() * NOISE.agencies[source].second_id
        id_column = {"dep": "เลขประจำตัวประชาชน", "lao": "เลขประจำตัวประชาชน"}.get(source)
        if id_column and used.any():
            clean = used & ~rows["planted"].str.contains("id_typo|missing").to_numpy()
            written = rows.loc[clean, id_column].map(plain_id).to_numpy()
            want = p.loc[rows.loc[clean, "person_id"], "second_national_id"].to_numpy()
            assert (written == want).all()
    assert hits > 0
    assert_rate(hits, eligible, expected / eligible, "second ID used")


# --- 3. Hard negatives ------------------------------------------------------------------


def test_twins_are_two_persons_with_consecutive_ids(world: Path) -> None:
    p = persons(world).set_index("person_id")
    second = p[p["twin"]]
    first = p.loc[second["twin_of"]]
    assert len(second) > 10
    assert (first["birth_date"].to_numpy() == second["birth_date"].to_numpy()).all()
    assert (first["household_id"].to_numpy() == second["household_id"].to_numpy()).all()
    assert (first["first_name"].to_numpy() != second["first_name"].to_numpy()).all()
    serial = (
        second["national_id"].str[:12].astype(np.int64).to_numpy()
        - first["national_id"].str[:12].astype(np.int64).to_numpy()
    )
    rate = NOISE.population.twins_consecutive_ids
    assert_rate(int((serial == 1).sum()), len(second), rate, "consecutive twin IDs")
    alike = first["first_name"].str[:2].to_numpy() == second["first_name"].str[:2].to_numpy()
    assert alike.mean() >= NOISE.population.twins_similar_names * 0.6
    # The truth keeps them apart: each twin's DOPA record is its own person.
    dopa = rows_with_truth(world, "dopa").set_index("เลขประจำตัวประชาชน")
    a = dopa.loc[first["national_id"], "person_id"].to_numpy()
    b = dopa.loc[second["national_id"], "person_id"].to_numpy()
    assert (a != b).all()
    assert (b == second.index.to_numpy()).all()


def test_parent_and_child_of_one_name_and_namesakes_are_different_persons(world: Path) -> None:
    p = persons(world)
    full = p["first_name"] + " " + p["last_name"]
    keyed = p.assign(full=full)
    one_name = keyed.groupby(["household_id", "full"])
    named_after = keyed[p["family_namesake"]]
    assert len(named_after) > 0
    # Someone older of the same name lives in the house: told apart by the birth date only.
    sizes = one_name["person_id"].transform("size")[p["family_namesake"]]
    assert (sizes >= 2).mean() >= 0.6  # a wife who kept her own surname has another
    pairs = keyed[one_name["person_id"].transform("size") > 1]
    births = pairs.groupby(["household_id", "full"])["birth_date"]
    assert (births.nunique() == births.size()).all()
    assert pairs["person_id"].is_unique
    namesakes = p[p["namesake"]]
    assert len(namesakes) > 0
    district = p["household_id"].map(
        pd.read_parquet(world / "truth" / "households.parquet").set_index("household_id")[
            "district_code"
        ]
    )
    keyed = p.assign(full=full, district=district)
    shared = keyed.groupby(["district", "full"])["person_id"].transform("nunique") > 1
    assert shared[p["namesake"]].mean() >= 0.8


# --- 4. A checksum-valid ID typo held by several records -------------------------------


def test_a_valid_id_typo_is_held_by_every_payment_of_the_person(world: Path) -> None:
    lao = rows_with_truth(world, "lao")
    p = persons(world).set_index("person_id")
    typo = lao[lao["planted"].str.contains("id_typo_valid")]
    assert len(typo) > 0
    written = typo["เลขประจำตัวประชาชน"].map(plain_id)
    held = set(p["national_id"]) | set(p["second_national_id"].dropna())
    assert written.map(is_valid_national_id).all()
    assert not set(written) & held  # no civil record holds it
    assert (written.to_numpy() != p.loc[typo["person_id"], "national_id"].to_numpy()).all()
    # One wrong ID per person, on every record of the person (every month, every programme).
    per_person = written.groupby(typo["person_id"]).nunique()
    assert (per_person == 1).all()
    records = lao.groupby("person_id").size().loc[per_person.index]
    assert (typo.groupby("person_id").size() == records).all()
    assert (records >= 3).mean() >= 0.8
    # The payments are on those records, so rights see a paid person under a wrong ID.
    assert (typo["จำนวนเงิน"].astype(int) > 0).all()
    listed = lao["person_id"].nunique()
    assert_rate(len(per_person), listed, NOISE.agencies["lao"].id_typo_valid, "lao valid typo")


# --- 5. Relatives' IDs ----------------------------------------------------------------


def test_a_relatives_id_is_another_member_of_the_household(world: Path) -> None:
    p = persons(world)
    by_id = p.set_index("national_id")
    cdd = rows_with_truth(world, "cdd")
    rel = cdd[
        cdd["planted"].str.contains("relative_id")
        & ~cdd["planted"].str.contains("id_typo|missing_id")
    ]
    assert len(rel) > 0
    written = rel["pid"].map(plain_id)
    holder = by_id.loc[written]
    true = p.set_index("person_id").loc[rel["person_id"]]
    assert (holder["household_id"].to_numpy() == true["household_id"].to_numpy()).all()
    assert (holder.index.to_numpy() != true["national_id"].to_numpy()).all()
    assert (holder["role"] == "head").mean() >= 0.6  # usually the head's
    alone = p.groupby("household_id")["person_id"].transform("size") == 1
    could = int((~alone[p["person_id"].isin(cdd["person_id"])]).sum())
    rate = NOISE.agencies["cdd"].relative_id
    assert_rate(int(cdd["planted"].str.contains("relative_id").sum()), could, rate, "relative ID")
    for source in ("mof", "sso", "cgd"):  # lists checked against DOPA or paid by ID
        assert not rows_with_truth(world, source)["planted"].str.contains("relative_id").any()


# --- 6. Moves, stale addresses, shared phones -------------------------------------------


def test_movers_are_at_the_new_house_in_dopa_and_at_the_old_one_in_some_lists(
    world: Path,
) -> None:
    p = persons(world)
    hh = pd.read_parquet(world / "truth" / "households.parquet").set_index("household_id")
    movers = p[p["previous_household_id"].notna()]
    adults = int((p["age"] >= 18).sum())
    assert_rate(len(movers), adults, NOISE.population.moved, "moved")
    assert (movers["age"] >= 18).all()
    assert (movers["previous_household_id"] != movers["household_id"]).all()
    dopa = read_extract(world, "dopa").set_index("เลขประจำตัวประชาชน")
    assert (
        dopa.loc[movers["national_id"], "รหัสประจำบ้าน"].to_numpy() == movers["house_code"].to_numpy()
    ).all()
    mof = _with_person(rows_with_truth(world, "mof"), world)
    stale = mof["planted"].str.contains("stale_address")
    old = hh.loc[mof.loc[stale, "previous_household_id"]]
    assert stale.any()
    assert (
        mof.loc[stale, "subdistrict_name"].to_numpy() == old["subdistrict_name"].to_numpy()
    ).all()
    moved = mof["previous_household_id"].notna()
    assert_rate(int(stale.sum()), int(moved.sum()), NOISE.agencies["mof"].stale_address, "stale")
    assert not rows_with_truth(world, "dopa")["planted"].str.contains("stale").any()


def test_households_share_one_phone(world: Path) -> None:
    p = persons(world)
    phones = p[p["phone"].notna()]
    per_phone = phones.groupby("phone")["person_id"].nunique()
    shared = per_phone[per_phone > 1]
    assert len(shared) > 0
    # A shared number is a household's: all its people live in one house.
    houses = phones[phones["phone"].isin(shared.index)].groupby("phone")["household_id"].nunique()
    assert (houses == 1).mean() >= 0.99
    big = p.groupby("household_id").size()
    big = big[big >= 2]
    sharing = (
        phones[phones["household_id"].isin(big.index)].groupby("household_id")["phone"].nunique()
    )
    one_number = sharing[sharing == 1].index
    multi = p[p["household_id"].isin(one_number)].groupby("household_id").size() >= 2
    assert multi.sum() >= NOISE.population.shared_phone * len(big) * 0.6
