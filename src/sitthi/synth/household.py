"""Household income and the household survey's 17 indicators (จปฐ./BMN, as used by TPMAP).

TPMAP reads the Basic Minimum Needs survey of the Community Development Department as 17
indicators in 5 dimensions; a household that fails any one is poor by that index.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# (code, dimension, Thai label). The income threshold is the จปฐ. 2566-2570 criterion of
# 38,000 baht per person per year.
BMN_INDICATORS: tuple[tuple[str, str, str], ...] = (
    ("ind_01", "health", "ทารกแรกเกิดมีน้ำหนัก 2,500 กรัมขึ้นไป"),
    ("ind_02", "health", "ครัวเรือนกินอาหารถูกสุขลักษณะ ปลอดภัย และได้มาตรฐาน"),
    ("ind_03", "health", "ครัวเรือนใช้ยาเพื่อบำบัดบรรเทาอาการเจ็บป่วยเบื้องต้นอย่างเหมาะสม"),
    ("ind_04", "health", "คนอายุ 6 ปีขึ้นไปออกกำลังกายอย่างน้อยสัปดาห์ละ 3 วัน วันละ 30 นาที"),
    ("ind_05", "living", "ครัวเรือนมีน้ำสะอาดสำหรับดื่มและบริโภคเพียงพอตลอดปี"),
    ("ind_06", "living", "ครัวเรือนมีน้ำใช้เพียงพอตลอดปี"),
    ("ind_07", "living", "ครัวเรือนจัดบ้านเรือนเป็นระเบียบเรียบร้อย สะอาด ถูกสุขลักษณะ"),
    ("ind_08", "living", "ครัวเรือนมีความมั่นคงในที่อยู่อาศัย และบ้านมีสภาพคงทนถาวร"),
    ("ind_09", "education", "เด็กอายุ 3-5 ปีได้รับบริการเลี้ยงดูเตรียมความพร้อมก่อนวัยเรียน"),
    ("ind_10", "education", "เด็กอายุ 6-14 ปีได้รับการศึกษาภาคบังคับ 9 ปี"),
    ("ind_11", "education", "เด็กจบชั้น ม.3 ได้เรียนต่อชั้น ม.4 หรือเทียบเท่า"),
    ("ind_12", "education", "คนอายุ 15-59 ปีอ่าน เขียนภาษาไทย และคิดเลขอย่างง่ายได้"),
    ("ind_13", "income", "คนอายุ 15-59 ปีมีอาชีพและมีรายได้"),
    ("ind_14", "income", "คนอายุ 60 ปีขึ้นไปมีอาชีพและมีรายได้"),
    ("ind_15", "income", "รายได้เฉลี่ยของคนในครัวเรือนไม่น้อยกว่า 38,000 บาทต่อคนต่อปี"),
    ("ind_16", "access", "ผู้สูงอายุได้รับการดูแลจากคนในครัวเรือน ชุมชน ภาครัฐ หรือเอกชน"),
    ("ind_17", "access", "คนพิการได้รับการดูแลจากคนในครัวเรือน ชุมชน ภาครัฐ หรือเอกชน"),
)
BMN_INCOME_THRESHOLD = 38_000


def household_facts(
    rng: np.random.Generator, persons: pd.DataFrame, hh: pd.DataFrame
) -> pd.DataFrame:
    """Household income per person and the 17 indicators (1 pass, 0 fail, NA not applicable).

    Indicators that follow from person facts are derived from them (income, work, school,
    care of the elderly and disabled); the rest fail at small rates that rise with poverty.
    """
    g = persons.groupby("household_id", sort=False)
    size = g.size()
    out = hh.set_index("household_id")
    # Earnings plus what the survey also counts per member: remittances, farm produce eaten
    # at home, transfers. จปฐ. households under the 38,000-baht line are a few per cent.
    members = size.reindex(out.index).to_numpy()
    other = np.round(members * rng.lognormal(np.log(45_000), 0.35, len(out)), -2)
    income = g["annual_income"].sum().reindex(out.index) + other
    out["income_per_person"] = (income / size.reindex(out.index)).round(0)
    poor = (out["income_per_person"] < BMN_INCOME_THRESHOLD).to_numpy()
    n = len(out)

    def chance(base: float) -> np.ndarray:
        fail = rng.random(n) < np.where(poor, base * 3, base)
        return np.where(fail, 0, 1).astype("float64")

    age = persons["age"]

    def has(mask):
        return (
            mask.groupby(persons["household_id"]).any().reindex(out.index).fillna(False).to_numpy()
        )

    # Interviewers mark a household as failing only for the clearer cases, so a person-level
    # trigger fails the household at a rate, not always (จปฐ. failure rates are a few %).
    fails = lambda mask, rate=1.0: has(mask & (rng.random(len(persons)) < rate))  # noqa: E731
    newborn = has(age < 1)
    out["ind_01"] = np.where(newborn, chance(0.01), np.nan)
    for code, base in (
        ("ind_02", 0.004),
        ("ind_03", 0.004),
        ("ind_04", 0.004),
        ("ind_05", 0.003),
        ("ind_06", 0.003),
        ("ind_07", 0.004),
        ("ind_08", 0.005),
    ):
        out[code] = chance(base)
    preschool = (age >= 3) & (age <= 5)
    out["ind_09"] = np.where(
        has(preschool),
        np.where(fails(preschool & (persons["enrolled_level"] == ""), 0.5), 0, 1),
        np.nan,
    )
    school = (age >= 6) & (age <= 14)
    out["ind_10"] = np.where(
        has(school), np.where(fails(school & (persons["enrolled_level"] == ""), 0.3), 0, 1), np.nan
    )
    m4 = (age >= 15) & (age <= 17)
    out["ind_11"] = np.where(
        has(m4), np.where(fails(m4 & (persons["enrolled_level"] == ""), 0.2), 0, 1), np.nan
    )
    working = (age >= 15) & (age <= 59)
    out["ind_12"] = np.where(
        has(working), np.where(fails(working & (persons["years_schooling"] < 4), 0.2), 0, 1), np.nan
    )
    idle = working & (persons["employment"] == "unemployed")
    out["ind_13"] = np.where(has(working), np.where(fails(idle, 0.1), 0, 1), np.nan)
    elderly = age >= 60
    out["ind_14"] = np.where(
        has(elderly),
        np.where(fails(elderly & (persons["annual_income"] <= 12_000), 0.02), 0, 1),
        np.nan,
    )
    out["ind_15"] = np.where(poor, 0, 1).astype("float64")
    out["ind_16"] = np.where(has(elderly), chance(0.005), np.nan)
    out["ind_17"] = np.where(has(persons["has_disability"]), chance(0.01), np.nan)
    # The survey does not cover Bangkok: its households have no indicator values.
    codes = [c for c, _, _ in BMN_INDICATORS]
    out.loc[out["province_code"] == "10", codes] = np.nan
    return out.reset_index()
