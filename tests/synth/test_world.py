"""The synthetic world: deterministic, complete truth, realistic shares, planted errors real."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from sitthi.errors import ValidationError
from sitthi.synth.noise import load_noise_model
from sitthi.synth.world import generate_world
from sitthi.thai.dates import parse_thai_date
from sitthi.thai.names import parse_full_name
from sitthi.thai.national_id import is_valid_national_id, parse_national_id
from tests.synth.conftest import PERSONS
from tests.synth.helpers import persons, plain_id, read_extract, truth


def digest(directory: Path) -> dict[str, str]:
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_files_and_another_seed_does_not(tmp_path: Path) -> None:
    generate_world(tmp_path / "a", persons=800, seed=3)
    generate_world(tmp_path / "b", persons=800, seed=3)
    generate_world(tmp_path / "c", persons=800, seed=4)
    a, b, c = (digest(tmp_path / x) for x in "abc")
    assert "manifest.json" in a
    assert "truth/persons.parquet" in a
    assert a == b  # every file: extracts, truth and manifest
    assert a["extracts/dopa_civil_registry.csv"] != c["extracts/dopa_civil_registry.csv"]


@pytest.mark.parametrize("size", [1, 2, 3, 10])
@pytest.mark.parametrize("seed", range(0, 60, 7))
def test_tiny_worlds_build(size: int, seed: int) -> None:
    from sitthi.synth.world import build_world

    world, _ = build_world(size, seed)
    assert len(world.persons) == size
    heads = world.persons[world.persons["role"] == "head"]
    assert (heads["age"] >= 20).all()


def test_every_extract_row_has_exactly_one_truth_row(world: Path) -> None:
    t = truth(world)
    manifest = json.loads((world / "manifest.json").read_text(encoding="utf-8"))
    assert {e["source"] for e in manifest["extracts"]} == {
        "dopa",
        "dep",
        "lao",
        "mof",
        "nhso",
        "sso",
        "moe",
        "cdd",
        "msmart",
        "cgd",
        "dsdw",
    }
    for entry in manifest["extracts"]:
        frame = read_extract(world, entry["source"])
        keys = frame[entry["key"]]
        assert len(frame) == entry["rows"] > 0, entry["source"]
        assert keys.is_unique, entry["source"]
        mine = t[t["source"] == entry["source"]]
        assert set(mine["record_id"]) == set(keys), entry["source"]
    assert set(t["person_id"]) <= set(persons(world)["person_id"])


def test_files_differ_in_encoding_and_format_like_real_extracts(world: Path) -> None:
    lao = (world / "extracts" / "lao_allowance_payments.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        lao.decode("utf-8")
    assert "เบี้ยยังชีพผู้สูงอายุ" in lao.decode("cp874")
    assert (world / "extracts" / "mof_welfare_card.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (world / "extracts" / "dep_disability_registry.xlsx").read_bytes()[:2] == b"PK"


def test_population_looks_like_thailand(world: Path) -> None:
    p = persons(world)
    assert len(p) == PERSONS
    assert 0.17 <= (p["age"] >= 60).mean() <= 0.23  # ~20 % aged 60+
    assert 0.025 <= p["has_disability"].mean() <= 0.045  # 3-4 % with a disability
    assert p["disability_registered"].sum() < 0.8 * p["has_disability"].sum()
    assert p["national_id"].is_unique
    assert all(is_valid_national_id(x) for x in p["national_id"])
    sizes = p.groupby("household_id").size()
    assert 2.5 <= sizes.mean() <= 3.3
    heads = p[p["role"] == "head"]
    assert (heads["age"] >= 20).all()
    assert p["household_id"].nunique() == len(heads)
    assert p.groupby("household_id")["last_name"].nunique().median() == 1
    hh = pd.read_parquet(world / "truth" / "households.parquet")
    cdd = read_extract(world, "cdd")
    assert not (cdd["changwat"] == "กรุงเทพมหานคร").any()  # the BMN survey skips Bangkok
    assert hh["house_code"].str.fullmatch(r"\d{11}").all()
    assert hh["house_code"].is_unique
    bangkok = hh[hh["province_code"] == "10"]
    assert bangkok[[f"ind_{i:02d}" for i in range(1, 18)]].isna().all().all()
    born = pd.DatetimeIndex(p["birth_date"])
    had_birthday = (born.month < 10) | ((born.month == 10) & (born.day <= 1))
    assert (p["age"] == 2026 - born.year - (~had_birthday).astype(int)).all()
    dead = p[p["death_date"].notna()]
    assert (dead["death_date"] >= dead["birth_date"]).all()
    twins = p[p["twin"]]
    assert not ((twins["age"] < 15) & twins["title"].isin(["นาย", "นาง", "นางสาว"])).any()


def test_dopa_is_complete_and_clean(world: Path) -> None:
    dopa = read_extract(world, "dopa")
    p = persons(world)
    # Everyone once, and those registered twice a second time under their second ID.
    assert len(dopa) == len(p) + p["second_national_id"].notna().sum()
    assert dopa["เลขประจำตัวประชาชน"].is_unique
    assert dopa["เลขประจำตัวประชาชน"].map(is_valid_national_id).all()
    dead = dopa[dopa["สถานะบุคคล"] == "ตาย"]
    twice = p["second_national_id"].notna()
    assert len(dead) == p["death_date"].notna().sum() + (twice & p["death_date"].notna()).sum()
    assert len(dead) > 0
    assert (dead["วันที่ตาย"] != "").all()


@pytest.mark.parametrize(
    ("source", "column", "era"),
    [
        ("dopa", "วันเดือนปีเกิด", "BE"),
        ("dep", "วันเกิด", "BE"),
        ("lao", "วันเกิด", "BE"),
        ("mof", "date_of_birth", "CE"),
        ("nhso", "BIRTH", "BE"),
        ("sso", "BIRTHDATE", "CE"),
        ("moe", "birth_date", "BE"),
        ("cdd", "birth", "BE"),
    ],
)
def test_birth_dates_are_readable_and_true_unless_planted_otherwise(
    world: Path, source: str, column: str, era: str
) -> None:
    frame = read_extract(world, source)
    manifest = json.loads((world / "manifest.json").read_text(encoding="utf-8"))
    key = next(e["key"] for e in manifest["extracts"] if e["source"] == source)
    t = truth(world).set_index("record_id").loc[frame[key]]
    born = persons(world).set_index("person_id").loc[t["person_id"], "birth_date"]
    parsed = [parse_thai_date(v, era=era) for v in frame[column]]  # type: ignore[arg-type]
    blank = t["planted"].str.contains("missing_birth_date").to_numpy()
    assert all(p.ok for p, b in zip(parsed, blank, strict=True) if not b), [
        v for v, p, b in zip(frame[column], parsed, blank, strict=True) if not p.ok and not b
    ][:5]
    # a date left blank is written blank: the empty cell, nothing else
    assert all(str(v).strip() in ("", "nan", "None") for v in frame[column][blank])
    written_otherwise = (
        "day_month_swap|partial_birth_date|era_mixup|jan_first_birth|birth_year_off"
        "|missing_birth_date"
    )
    clean = ~t["planted"].str.contains(written_otherwise).to_numpy()
    got = pd.Series([p.value.date if p.value else None for p in parsed])[clean]
    want = pd.Series([d.date() for d in pd.DatetimeIndex(born)])[clean]
    assert (got.to_numpy() == want.to_numpy()).all()
    if source != "dopa":
        assert (~clean).any()


def test_planted_id_errors_are_real(world: Path) -> None:
    t = truth(world)
    lao = read_extract(world, "lao").set_index("เลขที่รายการ")
    true_id = persons(world).set_index("person_id")["national_id"]
    rows = t[t["source"] == "lao"].set_index("record_id")
    written = lao.loc[rows.index, "เลขประจำตัวประชาชน"].map(plain_id)
    actual = true_id.loc[rows["person_id"]].to_numpy()
    planted = rows["planted"].str
    typo = planted.contains(r"id_typo(?:;|$)").to_numpy()
    missing = planted.contains("missing_id").to_numpy()
    other = planted.contains("second_id|relative_id|id_typo_valid").to_numpy()
    assert typo.any()
    assert missing.any()
    assert (written[missing] == "").all()
    assert (written[typo & ~missing] != actual[typo & ~missing]).all()
    assert (written[~typo & ~missing & ~other] == actual[~typo & ~missing & ~other]).all()
    # Most typos break the checksum; the rest are valid IDs of nobody (or somebody else).
    broken = [not parse_national_id(x).valid for x in written[typo & ~missing & ~other]]
    assert sum(broken) >= 0.6 * len(broken)


def test_glued_titles_and_title_variants_are_in_the_names(world: Path) -> None:
    dep = read_extract(world, "dep")
    t = truth(world).set_index("record_id").loc[dep["เลขที่บัตรคนพิการ"]]
    p = persons(world).set_index("person_id").loc[t["person_id"]]
    glued = t["planted"].str.contains("title_glued").to_numpy()
    assert glued.any()
    names = dep["ชื่อ-นามสกุล"][glued]
    assert not names.str.split(" ").str[0].isin(["นาย", "นาง", "นางสาว"]).any()
    # The name parser gets the true first name back from most glued names.
    clean = ~t["planted"].str.contains("spelling|keyboard|duplicate|name_swap").to_numpy()
    parsed = [parse_full_name(x).first_name for x in dep["ชื่อ-นามสกุล"][glued & clean]]
    expected = p["first_name"].to_numpy()[glued & clean]
    assert sum(a == b for a, b in zip(parsed, expected, strict=True)) >= 0.95 * len(parsed)


def test_every_planted_title_variant_changed_the_title(world: Path) -> None:
    t = truth(world).set_index("record_id")
    mof = read_extract(world, "mof").set_index("application_id")
    rows = t[t["source"] == "mof"]
    true_title = persons(world).set_index("person_id").loc[rows["person_id"], "title"].to_numpy()
    written = mof.loc[rows.index, "title_name"].to_numpy()
    variant = rows["planted"].str.contains("title_variant").to_numpy()
    # A woman under her maiden name may be under her title of then too (นางสาว for นาง).
    miss = rows["planted"].str.contains("maiden_title").to_numpy()
    assert variant.any()
    assert miss.any()
    assert (written[variant] != true_title[variant]).all()
    assert (written[~variant & ~miss] == true_title[~variant & ~miss]).all()
    assert set(written[miss & ~variant]) == {"นางสาว"}
    assert set(true_title[miss]) == {"นาง"}


def test_planted_welfare_errors_are_true_of_the_payments(world: Path) -> None:
    errors = pd.read_csv(world / "truth" / "welfare_errors.csv", dtype=str)
    pay = pd.read_parquet(world / "truth" / "payments.parquet")
    p = persons(world).set_index("person_id")
    kinds = set(errors["error_type"])
    assert {
        "eligible_not_receiving",
        "receiving_not_eligible",
        "paid_twice",
        "paid_after_death",
    } <= kinds
    for _, e in errors.iterrows():
        mine = pay[(pay["person_id"] == e["person_id"]) & (pay["programme"] == e["programme"])]
        person = p.loc[e["person_id"]]
        if e["error_type"] == "eligible_not_receiving":
            assert mine.empty
        elif e["error_type"] == "paid_twice":
            assert not mine.empty
            assert (mine.groupby("month")["subdistrict_code"].nunique() == 2).all()
            assert mine["subdistrict_code"].nunique() == 2
        elif e["programme"] == "state_welfare_card":
            # The card has no payment rows: its holder is listed by MOF, dead or not.
            assert person["welfare_card_registered"]
            assert pd.notna(person["death_date"]) == (e["error_type"] == "paid_after_death")
        elif e["error_type"] == "paid_after_death":
            assert (pd.to_datetime(mine["month"]) > person["death_date"]).any()
        elif e["detail"] == "under 60":
            assert person["age"] < 60
            assert not mine.empty
    # No payment to someone under 60 that month goes unrecorded.
    from sitthi.synth.population import age_on

    oa = pay[pay["programme"] == "old_age_allowance"].merge(
        p[["birth_date"]], left_on="person_id", right_index=True
    )
    young = [
        pid
        for pid, b, m in zip(oa["person_id"], oa["birth_date"], oa["month"], strict=True)
        if age_on(pd.DatetimeIndex([b]).to_numpy().astype("datetime64[D]"), m)[0] < 60
    ]
    recorded = set(errors[errors["error_type"] == "receiving_not_eligible"]["person_id"])
    assert set(young) <= recorded
    dis = pay[pay["programme"] == "disability_allowance"].merge(
        p[["birth_date", "id_category"]], left_on="person_id", right_index=True
    )
    assert set(dis["amount"]) <= {800, 1000}
    assert not dis["id_category"].isin([6, 7, 0]).any()
    oa = pay[pay["programme"] == "old_age_allowance"]
    assert set(oa["amount"]) <= {600, 700, 800, 1000}


def test_noise_model_errors_name_the_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "noise.yaml"
    text = (Path(__file__).parents[2] / "src/sitthi/synth/noise.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("id_typo: 0.012", "id_typo: 1.5"), encoding="utf-8")
    with pytest.raises(ValidationError, match=r"noise.yaml: field agencies\.lao\.id_typo"):
        load_noise_model(bad)
    with pytest.raises(ValidationError, match="cannot read"):
        load_noise_model(tmp_path / "missing.yaml")
    (tmp_path / "broken.yaml").write_text("agencies: [", encoding="utf-8")
    with pytest.raises(ValidationError, match="not valid YAML"):
        load_noise_model(tmp_path / "broken.yaml")


def test_bad_sizes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="--persons"):
        generate_world(tmp_path, persons=0)


def test_as_of_sets_the_day_the_extracts_describe(tmp_path: Path) -> None:
    a = generate_world(tmp_path / "a", persons=300, seed=1, as_of=dt.date(2026, 10, 1))
    b = generate_world(tmp_path / "b", persons=300, seed=1, as_of=dt.date(2030, 10, 1))
    assert (a.as_of, b.as_of) == ("2026-10-01", "2030-10-01")
    born_a = pd.DatetimeIndex(persons(tmp_path / "a")["birth_date"])
    born_b = pd.DatetimeIndex(persons(tmp_path / "b")["birth_date"])
    # Same people, same ages, born four years later; payments in the months before as-of.
    assert ((born_b.year - born_a.year) >= 3).all()
    pay = pd.read_parquet(tmp_path / "b" / "truth" / "payments.parquet")
    assert {str(m)[:7] for m in pay["month"]} == {"2030-07", "2030-08", "2030-09"}
