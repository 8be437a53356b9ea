"""The agency extracts: each agency's slice of the population, in its own shape.

Every extract differs from the others the way real ones do: column names (some in Thai),
date style (BE or CE, slashes, Thai month words, compact), encoding (UTF-8, UTF-8 with BOM,
TIS-620/cp874) and file format (CSV, Excel). Each row keeps a key column so the ground
truth can say which person it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from sitthi.synth import corrupt, moves
from sitthi.synth.facts import DISABILITY_TYPES
from sitthi.synth.formats import (
    DateStyle,
    dashed_id,
    format_dates,
    full_name,
    split_title_columns,
    thai_digit_values,
)
from sitthi.synth.household import BMN_INDICATORS
from sitthi.synth.noise import AgencyNoise, CoverageRates


@dataclass(frozen=True)
class World:
    persons: pd.DataFrame  # true persons with all facts and area columns
    households: pd.DataFrame
    payments: pd.DataFrame
    welfare_errors: pd.DataFrame  # planted welfare errors (ground truth)
    as_of: dt.date
    coverage: CoverageRates

    @cached_property
    def civil_ids(self) -> frozenset[str]:
        """Every ID a civil record holds (people's own and DOPA's second registrations)."""
        own = self.persons["national_id"].to_numpy(dtype=object)
        second = self.persons["second_national_id"].dropna().to_numpy(dtype=object)
        return frozenset(own) | frozenset(second)


@dataclass(frozen=True)
class Extract:
    source: str  # short agency code, e.g. "dep"
    file: str  # file name inside extracts/
    title: str  # what the extract is, in Thai and English
    fmt: str  # "csv" or "xlsx"
    encoding: str  # "utf-8", "utf-8-sig" or "cp874"
    key: str  # the column that identifies a row
    date_style: str
    frame: pd.DataFrame
    truth: pd.DataFrame  # record_id, person_id, planted
    sheet: str = "Sheet1"  # the worksheet name, for Excel extracts


# The planted codes of how an ID was written, which a G-code in its place undoes.
ID_CODES = r"(?:id_typo|id_typo_valid|second_id|relative_id|id_thai_digits|id_separators);"


def _noisy(
    world: World, rows: pd.DataFrame, noise: AgencyNoise, rng: np.random.Generator
) -> pd.DataFrame:
    rows, stale = moves.stale_addresses(rows, world.households, noise.stale_address, rng)
    out = corrupt.plant(
        rows, noise, rng, held_ids=world.civil_ids, planted_before={"stale_address": stale}
    )
    dup = corrupt.duplicates(out, noise.duplicate, rng)
    return pd.concat([out, dup], ignore_index=True) if len(dup) else out.reset_index(drop=True)


def _keys(prefix: str, n: int, rng: np.random.Generator, width: int = 8) -> np.ndarray:
    """Unique row keys in shuffled order (agencies' keys do not follow our person order)."""
    numbers = (rng.permutation(n) + 1).astype(str)
    return np.char.add(prefix, np.char.zfill(numbers, width)) if n else numbers


def _truth(source: str, keys: np.ndarray, rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": source,
            "record_id": keys,
            "person_id": rows["person_id"].to_numpy(),
            "planted": rows["planted"].to_numpy(),
        }
    )


def _birth(rows: pd.DataFrame, style: DateStyle) -> np.ndarray:
    return format_dates(
        rows["birth_recorded"],
        style,
        precision=rows["birth_precision"].to_numpy(),
        swap=rows["birth_swapped"].to_numpy(),
        era_flip=rows["birth_era_flip"].to_numpy(),
    )


def _sex_th(rows: pd.DataFrame) -> np.ndarray:
    return np.where(rows["sex"] == "M", "ชาย", "หญิง")


def dopa(world: World, noise: AgencyNoise, rng: np.random.Generator) -> Extract:
    p = _noisy(world, world.persons, noise, rng)
    # A person registered twice: a second record, identical but for its (valid) ID.
    twice = p[p["second_national_id"].notna().to_numpy()]
    twice = twice.assign(
        national_id=twice["second_national_id"],
        planted=(twice["planted"] + ";duplicate_registration").str.lstrip(";"),
    )
    p = pd.concat([p, twice], ignore_index=True)
    nationality = np.where(
        p["id_category"].isin([6, 7]), "เมียนมา", np.where(p["id_category"] == 0, "ไม่มีสัญชาติ", "ไทย")
    )
    frame = pd.DataFrame(
        {
            "เลขประจำตัวประชาชน": p["national_id"],
            "คำนำหน้าชื่อ": p["title"],
            "ชื่อ": p["first_name"],
            "ชื่อสกุล": p["last_name"],
            "เพศ": _sex_th(p),
            "วันเดือนปีเกิด": _birth(p, "slash_be"),
            "สัญชาติ": nationality,
            "รหัสประจำบ้าน": p["house_code"],
            "บ้านเลขที่": p["house_no"],
            "หมู่ที่": p["moo"],
            "ตำบล/แขวง": p["subdistrict_name"],
            "อำเภอ/เขต": p["district_name"],
            "จังหวัด": p["province_name"],
            "สถานะบุคคล": np.where(p["death_date"].isna(), "มีชีวิต", "ตาย"),
            "วันที่ตาย": format_dates(p["death_date"], "slash_be"),
        }
    )
    keys = p["national_id"].to_numpy()  # the civil registry is keyed by the ID itself
    return Extract(
        "dopa",
        "dopa_civil_registry.csv",
        "ทะเบียนราษฎร (DOPA civil registry)",
        "csv",
        "utf-8",
        "เลขประจำตัวประชาชน",
        "slash_be",
        frame,
        _truth("dopa", keys, p),
    )


def dep(world: World, noise: AgencyNoise, rng: np.random.Generator) -> Extract:
    p = _noisy(world, world.persons[world.persons["disability_registered"]], noise, rng)
    n = len(p)
    card = p["disability_card_no"].to_numpy(dtype=object).copy()
    is_dup = p["planted"].str.contains("duplicate").to_numpy()
    card[is_dup] = _keys("D9", int(is_dup.sum()), rng, 8)  # re-registration: a new card
    address = (
        p["house_no"]
        + np.where(p["moo"] != "", " หมู่ " + p["moo"], "")
        + " ต."
        + p["subdistrict_name"]
        + " อ."
        + p["district_name"]
        + " จ."
        + p["province_name"]
    )
    type_names = {k: v[0] for k, v in DISABILITY_TYPES.items()}
    frame = pd.DataFrame(
        {
            "ลำดับ": np.arange(1, n + 1),
            "เลขที่บัตรคนพิการ": card,
            "เลขประจำตัวประชาชน": dashed_id(p["national_id"].to_numpy()),
            "ชื่อ-นามสกุล": full_name(p),
            "เพศ": np.where(p["sex"] == "M", "ช", "ญ"),
            "วันเกิด": _birth(p, "thai_short_be"),
            "ประเภทความพิการ": p["disability_type"].map(type_names),
            "วันออกบัตร": format_dates(p["disability_card_issued"], "thai_short_be"),
            "วันบัตรหมดอายุ": format_dates(p["disability_card_expiry"], "thai_short_be"),
            "ที่อยู่": address,
        }
    )
    return Extract(
        "dep",
        "dep_disability_registry.xlsx",
        "ทะเบียนคนพิการ (DEP disability registry)",
        "xlsx",
        "utf-8",
        "เลขที่บัตรคนพิการ",
        "thai_short_be",
        frame,
        _truth("dep", card, p),
        sheet="ทะเบียนคนพิการ",
    )


def lao(world: World, noise: AgencyNoise, rng: np.random.Generator) -> Extract:
    pay = world.payments
    # Each local authority typed each person once: the same errors repeat every month.
    listed = pay[["person_id", "programme", "subdistrict_code"]].drop_duplicates()
    people = world.persons.set_index("person_id").loc[listed["person_id"]].reset_index()
    people["list_subdistrict"] = listed["subdistrict_code"].to_numpy()
    people["programme"] = listed["programme"].to_numpy()
    noisy = corrupt.plant(people, noise, rng, held_ids=world.civil_ids)
    rows = pay.merge(
        noisy.drop(columns=["subdistrict_code"], errors="ignore").rename(
            columns={"list_subdistrict": "subdistrict_code"}
        ),
        on=["person_id", "programme", "subdistrict_code"],
        how="left",
    )
    org = "5" + rows["subdistrict_code"]
    sub_names = world.households.drop_duplicates("subdistrict_code").set_index("subdistrict_code")[
        "subdistrict_name"
    ]
    org_name = np.where(
        rows["subdistrict_code"].str[:2] == "10",
        "กรุงเทพมหานคร",
        "อบต." + rows["subdistrict_code"].map(sub_names),
    )
    month = pd.DatetimeIndex(rows["month"])
    title, first = split_title_columns(rows)
    keys = _keys("L", len(rows), rng, 9)
    programme_th = {"old_age_allowance": "เบี้ยยังชีพผู้สูงอายุ", "disability_allowance": "เบี้ยความพิการ"}
    frame = pd.DataFrame(
        {
            "เลขที่รายการ": keys,
            "รหัส อปท.": org,
            "ชื่อ อปท.": org_name,
            "งวดเดือน": [f"{m:02d}/{y + 543}" for m, y in zip(month.month, month.year, strict=True)],
            "ประเภทเบี้ย": rows["programme"].map(programme_th),
            "จำนวนเงิน": rows["amount"],
            "เลขประจำตัวประชาชน": rows["national_id"],
            "คำนำหน้า": title,
            "ชื่อ": first,
            "นามสกุล": rows["last_name"],
            "วันเกิด": _birth(rows, "slash_be"),
        }
    )
    return Extract(
        "lao",
        "lao_allowance_payments.csv",
        "ทะเบียนจ่ายเบี้ยยังชีพ อปท. (local authority allowance payments)",
        "csv",
        "cp874",
        "เลขที่รายการ",
        "slash_be",
        frame,
        _truth("lao", keys, rows),
    )


def mof(world: World, noise: AgencyNoise, rng: np.random.Generator) -> Extract:
    p = _noisy(world, world.persons[world.persons["welfare_card_registered"]], noise, rng)
    keys = _keys("W", len(p), rng)
    frame = pd.DataFrame(
        {
            "application_id": keys,
            "citizen_id": p["national_id"],
            "title_name": p["title"],
            "first_name": p["first_name"],
            "last_name": p["last_name"],
            "gender": p["sex"],
            "date_of_birth": _birth(p, "iso_ce"),
            "province_name": p["province_name"],
            "district_name": p["district_name"],
            "subdistrict_name": p["subdistrict_name"],
            "annual_income": p["annual_income"].astype(np.int64),
            "deposit_balance": p["deposit_balance"].astype(np.int64),
            "land_rai": p["land_rai"],
            "registration_round": 2565,
            "card_status": "active",
        }
    )
    return Extract(
        "mof",
        "mof_welfare_card.csv",
        "บัตรสวัสดิการแห่งรัฐ (MOF state welfare card registry)",
        "csv",
        "utf-8-sig",
        "application_id",
        "iso_ce",
        frame,
        _truth("mof", keys, p),
    )


def nhso(world: World, noise: AgencyNoise, rng: np.random.Generator) -> Extract:
    everyone = world.persons
    # NHSO learns of deaths late: a fifth of the dead are still on its list.
    keep = everyone["death_date"].isna() | (
        rng.random(len(everyone)) < world.coverage.nhso_dead_still_listed
    )
    p = _noisy(world, everyone[keep], noise, rng)
    keys = _keys("N", len(p), rng, 9)
    frame = pd.DataFrame(
        {
            "REC_ID": keys,
            "PID": p["national_id"],
            "NAME": full_name(p),
            "SEX": np.where(p["sex"] == "M", "1", "2"),
            "BIRTH": _birth(p, "compact_be"),
            "MAININSCL": p["health_scheme"],
            "HMAIN": "1" + p["district_code"] + "0",
            "CHRONIC": p["chronic_conditions"],
            "BEDRIDDEN": np.where(p["bedridden"], "Y", "N"),
        }
    )
    return Extract(
        "nhso",
        "nhso_health_coverage.csv",
        "ทะเบียนสิทธิหลักประกันสุขภาพ (NHSO health coverage)",
        "csv",
        "utf-8",
        "REC_ID",
        "compact_be",
        frame,
        _truth("nhso", keys, p),
    )


def sso(world: World, noise: AgencyNoise, rng: np.random.Generator) -> Extract:
    insured = world.persons[(world.persons["sso_section"] > 0) & world.persons["death_date"].isna()]
    p = _noisy(world, insured, noise, rng)
    keys = _keys("S", len(p), rng)
    wage = np.where(
        p["sso_section"] == 33, np.clip(p["annual_income"] / 12, 1650, 15000), 4800
    ).astype(np.int64)
    frame = pd.DataFrame(
        {
            "SEQ_NO": keys,
            "ID_CARD": p["national_id"],
            "TITLE": p["title"],
            "FNAME": p["first_name"],
            "LNAME": p["last_name"],
            "BIRTHDATE": _birth(p, "slash_ce"),
            "SECTION": p["sso_section"],
            "EMPLOYER_ID": np.where(p["sso_section"] == 33, "10" + p["district_code"] + "0001", ""),
            "WAGE_MONTH": wage,
            "STATUS": "A",
        }
    )
    return Extract(
        "sso",
        "sso_insured_persons.csv",
        "ผู้ประกันตน (SSO insured persons)",
        "csv",
        "utf-8",
        "SEQ_NO",
        "slash_ce",
        frame,
        _truth("sso", keys, p),
    )


def moe(world: World, noise: AgencyNoise, rng: np.random.Generator) -> Extract:
    students = world.persons[
        (world.persons["enrolled_level"] != "") & world.persons["death_date"].isna()
    ]
    p = _noisy(world, students, noise, rng)
    keys = _keys("E", len(p), rng)
    # Schools give migrant children without an ID a "G" code instead: no national ID.
    g_code = (
        p["id_category"].isin([6, 7, 0]).to_numpy()
        & (rng.random(len(p)) < world.coverage.moe_migrants_with_g_code)
        & (p["national_id"] != "").to_numpy()
    )
    ids = np.where(
        g_code, "G" + pd.Series(rng.integers(10**11, 10**12, len(p))).astype(str), p["national_id"]
    )
    p["planted"] = np.where(
        g_code,
        (p["planted"] + ";missing_id")
        .str.lstrip(";")
        .str.replace(ID_CODES, "", regex=True),  # the ID written is none of these now
        p["planted"],
    )
    frame = pd.DataFrame(
        {
            "record_no": keys,
            "student_id": ids,
            "prefix": p["title"],
            "name": p["first_name"],
            "surname": p["last_name"],
            "sex": np.where(p["sex"] == "M", "ช", "ญ"),
            "birth_date": _birth(p, "iso_be"),
            "school_code": "1" + p["district_code"] + "001",
            "class_level": p["enrolled_level"],
            "academic_year": 2569,
        }
    )
    return Extract(
        "moe",
        "moe_students.csv",
        "ข้อมูลนักเรียน (MOE student records)",
        "csv",
        "utf-8",
        "record_no",
        "iso_be",
        frame,
        _truth("moe", keys, p),
    )


def cdd(world: World, noise: AgencyNoise, rng: np.random.Generator) -> Extract:
    hh = world.households
    surveyed = hh[
        (hh["province_code"] != "10")
        & (rng.random(len(hh)) < world.coverage.cdd_households_surveyed)
    ]["household_id"]
    members = world.persons[
        world.persons["household_id"].isin(surveyed) & world.persons["death_date"].isna()
    ]
    p = _noisy(world, members, noise, rng)
    keys = _keys("C", len(p), rng, 9)
    title, first = split_title_columns(p)
    ind = hh.set_index("household_id").loc[p["household_id"], [c for c, _, _ in BMN_INDICATORS]]
    frame = pd.DataFrame(
        {
            "survey_member_id": keys,
            "house_code": p["house_code"],
            "house_no": p["house_no"],
            "moo": p["moo"],
            "tambon": p["subdistrict_name"],
            "amphoe": p["district_name"],
            "changwat": p["province_name"],
            "member_no": p.groupby("household_id").cumcount() + 1,
            "pid": p["national_id"],
            "title": title,
            "fname": first,
            "lname": p["last_name"],
            "sex": _sex_th(p),
            "birth": _birth(p, "slash_be"),
            "age": p["age"],
            "occupation": p["employment"],
            "income_year": p["annual_income"].astype(np.int64),
            "hh_income_per_person": hh.set_index("household_id")
            .loc[p["household_id"], "income_per_person"]
            .to_numpy(),
        }
    )
    frame = pd.concat([frame, ind.reset_index(drop=True).astype("Int64")], axis=1)
    return Extract(
        "cdd",
        "cdd_bmn_survey.csv",
        "ข้อมูลความจำเป็นพื้นฐาน จปฐ. (CDD household survey)",
        "csv",
        "utf-8",
        "survey_member_id",
        "slash_be",
        frame,
        _truth("cdd", keys, p),
    )


def msmart(world: World, noise: AgencyNoise, rng: np.random.Generator) -> Extract:
    pr = world.persons
    # Help requests come mostly from the poor, the old and people with disabilities.
    weight = (
        0.004
        + 0.02 * (pr["annual_income"] < 50_000)
        + 0.02 * pr["has_disability"]
        + 0.01 * (pr["age"] >= 60)
    )
    p = _noisy(world, pr[(rng.random(len(pr)) < weight) & pr["death_date"].isna()], noise, rng)
    n = len(p)
    keys = _keys("R", n, rng, 7)
    asked = np.datetime64(world.as_of, "D") - rng.integers(1, 366, n).astype("timedelta64[D]")
    phone = p["phone"].fillna("").astype(str)
    style = rng.integers(0, 4, n)
    phone = np.select(
        [style == 0, style == 1, style == 2],
        [phone.str[:3] + "-" + phone.str[3:6] + "-" + phone.str[6:], "+66" + phone.str[1:], phone],
        default=thai_digit_values(phone.to_numpy(), np.ones(n, dtype=bool)),
    )
    problems = np.array(
        ["ค่าครองชีพ", "ที่อยู่อาศัย", "หนี้สิน", "การรักษาพยาบาล", "ถูกทอดทิ้ง", "ความรุนแรงในครอบครัว"]
    )
    frame = pd.DataFrame(
        {
            "เลขที่คำร้อง": keys,
            "วันที่ยื่นคำร้อง": thai_digit_values(
                format_dates(asked, "thai_long_be"), rng.random(n) < 0.5
            ),
            "ชื่อ-สกุล": full_name(p),
            "เลขประจำตัวประชาชน": p["national_id"],
            "เบอร์โทรศัพท์": np.where(p["phone"].isna(), "", phone),
            "ประเภทปัญหา": problems[rng.integers(len(problems), size=n)],
            "ช่องทาง": rng.choice(np.array(["สายด่วน 1300", "M-Smart", "walk-in"]), size=n),
            "ที่อยู่": p["house_no"]
            + " ต."
            + p["subdistrict_name"]
            + " อ."
            + p["district_name"]
            + " จ."
            + p["province_name"],
        }
    )
    return Extract(
        "msmart",
        "msmart_help_requests.csv",
        "คำร้องขอความช่วยเหลือ (M-Smart help requests)",
        "csv",
        "utf-8",
        "เลขที่คำร้อง",
        "thai_long_be",
        frame,
        _truth("msmart", keys, p),
    )


def cgd(world: World, noise: AgencyNoise, rng: np.random.Generator) -> Extract:
    """The Comptroller General's pension roll: living government pensioners."""
    roll = world.persons[world.persons["gov_pension"] & world.persons["death_date"].isna()]
    p = _noisy(world, roll, noise, rng)
    keys = _keys("G", len(p), rng)
    title, first = split_title_columns(p)
    # Civil servants retire on 1 October of the fiscal year in which they turn 60.
    birth = pd.DatetimeIndex(p["birth_date"])
    year = birth.year + 60 + (birth.month >= 10).astype(int)
    start = pd.to_datetime(pd.DataFrame({"year": year, "month": 10, "day": 1}))
    frame = pd.DataFrame(
        {
            "PENSIONER_NO": keys,
            "PID": p["national_id"],
            "PRENAME": title,
            "NAME": first,
            "SURNAME": p["last_name"],
            "BIRTH_DATE": _birth(p, "iso_be"),
            "PENSION_TYPE": "บำนาญปกติ",
            "PENSION_START": format_dates(start, "iso_be"),
            "MONTHLY_AMOUNT": np.round(p["annual_income"].to_numpy() / 12, -1).astype(np.int64),
            "STATUS": "ปกติ",
        }
    )
    return Extract(
        "cgd",
        "cgd_pension_roll.csv",
        "ทะเบียนผู้รับบำนาญ (CGD government pension roll)",
        "csv",
        "utf-8",
        "PENSIONER_NO",
        "iso_be",
        frame,
        _truth("cgd", keys, p),
    )


def dsdw(world: World, noise: AgencyNoise, rng: np.random.Generator) -> Extract:
    """Residents of state care homes (elderly and disabled), as the homes report them."""
    residents = world.persons[world.persons["in_state_care"] & world.persons["death_date"].isna()]
    p = _noisy(world, residents, noise, rng)
    keys = _keys("C", len(p), rng, 6)
    kind = np.where(
        p["age"] >= 60,
        "ศูนย์พัฒนาการจัดสวัสดิการสังคมผู้สูงอายุ จังหวัด",
        "สถานคุ้มครองและพัฒนาคนพิการ จังหวัด",
    )
    home = kind.astype(object) + p["province_name"].astype(str).to_numpy(dtype=object)
    days = rng.integers(30, 3650, len(p))
    admitted = pd.Timestamp(world.as_of) - pd.to_timedelta(days, unit="D")
    frame = pd.DataFrame(
        {
            "เลขทะเบียนผู้รับบริการ": keys,
            "เลขประจำตัวประชาชน": p["national_id"],
            "ชื่อ-สกุล": full_name(p),
            "วันเดือนปีเกิด": _birth(p, "thai_long_be"),
            "สถานสงเคราะห์": home,
            "วันที่รับเข้า": format_dates(admitted, "thai_long_be"),
            "สถานะ": "พักอาศัย",
        }
    )
    return Extract(
        "dsdw",
        "dsdw_care_home_residents.xlsx",
        "ผู้รับบริการในสถานสงเคราะห์ของรัฐ (DSDW state care home residents)",
        "xlsx",
        "utf-8",
        "เลขทะเบียนผู้รับบริการ",
        "thai_long_be",
        frame,
        _truth("dsdw", keys, p),
        sheet="ผู้รับบริการ",
    )


AGENCIES: dict[str, Callable[[World, AgencyNoise, np.random.Generator], Extract]] = {
    "dopa": dopa,
    "dep": dep,
    "lao": lao,
    "mof": mof,
    "nhso": nhso,
    "sso": sso,
    "moe": moe,
    "cdd": cdd,
    "msmart": msmart,
    "cgd": cgd,
    "dsdw": dsdw,
}
