"""The true facts of each person and household across the five dimensions.

Income, employment, health, education and social welfare, plus disability (the 7 official
types) and the household survey's 17 indicators. Rates are rough national figures; each is
named where it is set so that a reader can check it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# The 7 disability types of the MSDHS announcement on types and criteria of disability
# (ประกาศกระทรวง พม. เรื่อง ประเภทและหลักเกณฑ์ความพิการ พ.ศ. 2555), with their rough share
# among registered people with disabilities (DEP statistics).
DISABILITY_TYPES: dict[int, tuple[str, float]] = {
    1: ("ความพิการทางการเห็น", 0.10),
    2: ("ความพิการทางการได้ยินหรือสื่อความหมาย", 0.19),
    3: ("ความพิการทางการเคลื่อนไหวหรือทางร่างกาย", 0.50),
    4: ("ความพิการทางจิตใจหรือพฤติกรรม", 0.08),
    5: ("ความพิการทางสติปัญญา", 0.10),
    6: ("ความพิการทางการเรียนรู้", 0.02),
    7: ("ความพิการทางออทิสติก", 0.01),
}
CHRONIC = ("DM", "HT", "CKD", "COPD", "CVD")


def person_facts(rng: np.random.Generator, p: pd.DataFrame) -> pd.DataFrame:
    """Add employment, income, health, education, disability and welfare columns to ``p``."""
    n = len(p)
    age = p["age"].to_numpy()
    r = lambda: rng.random(n)  # noqa: E731 - a fresh uniform draw per use

    # Employment (LFS-like shares): formal employees are insured by SSO section 33.
    adult = (age >= 15) & (age < 60)
    civil_servant = adult & (age >= 22) & (r() < 0.06)
    formal = adult & ~civil_servant & (age >= 18) & (r() < 0.33)
    farmer = adult & ~civil_servant & ~formal & (r() < 0.35)
    student = (
        (age >= 3) & (age < 23) & (r() < np.where(age < 15, 0.97, np.where(age < 18, 0.8, 0.35)))
    )
    employment = np.select(
        [age < 15, student, civil_servant, formal, farmer, adult & (r() < 0.9), age >= 60],
        ["child", "student", "civil_servant", "employee", "farmer", "informal", "retired"],
        default="unemployed",
    )
    elderly_working = (age >= 60) & (r() < 0.35)
    employment = np.where(elderly_working, "informal", employment)
    sso_section = np.select(
        [
            formal,
            (employment == "informal") & (r() < 0.25),
            (employment == "informal") & (r() < 0.05),
        ],
        [33, 40, 39],
        default=0,
    )
    base = {"civil_servant": 300_000, "employee": 180_000, "farmer": 60_000, "informal": 70_000}
    median = pd.Series(employment).map(base).fillna(0).to_numpy(dtype=np.float64)
    income = np.round(median * rng.lognormal(0, 0.6, n), -2)
    gov_pension = (age >= 60) & (r() < 0.07)
    income = np.where(gov_pension, np.round(rng.normal(240_000, 60_000, n), -2), income)
    income = np.where(age >= 60, income + np.where(r() < 0.5, 12_000, 0), income)

    # Health: UCS by default, SSS for insured employees, CSMBS (OFC) for civil servants and
    # pensioners, LGO for some local officials.
    scheme = np.select(
        [formal, civil_servant | gov_pension, adult & (r() < 0.01)],
        ["SSS", "OFC", "LGO"],
        default="UCS",
    )
    chronic_rate = np.clip((age - 30) / 100, 0.02, 0.6)
    hits = rng.random((n, len(CHRONIC))) < chronic_rate[:, None] / 2
    chronic = pd.Series([""] * n, dtype=object)
    for i, code in enumerate(CHRONIC):
        chronic = chronic + np.where(hits[:, i], code + ";", "")
    chronic = chronic.str.rstrip(";").to_numpy(dtype=object)
    bedridden = r() < np.where(age >= 80, 0.06, np.where(age >= 60, 0.015, 0.001))

    # Education: years of schooling for adults rise for the young; enrolment for students.
    years = np.clip(
        np.round(np.where(age >= 60, 5, np.where(age >= 40, 9, 12)) + rng.normal(0, 3, n)), 0, 20
    )
    years = np.where(age < 23, np.clip(age - 6, 0, None), years)
    level = np.select(
        [student & (age < 6), student & (age < 12), student & (age < 15), student & (age < 18)],
        ["pre_primary", "primary", "lower_secondary", "upper_secondary"],
        default=np.where(student, "tertiary", ""),
    )

    # Disability: ~3.5 % of people, rising with age; DEP registers only about 60 % of them.
    disabled = r() < np.select([age < 18, age < 60, age < 80], [0.012, 0.025, 0.07], default=0.15)
    types = np.array(list(DISABILITY_TYPES))
    shares = np.array([s for _, s in DISABILITY_TYPES.values()])
    disability_type = np.where(disabled, rng.choice(types, size=n, p=shares / shares.sum()), 0)
    registered = disabled & (r() < 0.6)
    in_state_care = ((age >= 60) & (r() < 0.001)) | (disabled & (r() < 0.01))

    # Assets for the state welfare card test: most of the poor have little saved.
    deposit = np.round(rng.lognormal(np.log(20_000), 1.3, n), -2) * (age >= 18)
    land_rai = np.where(
        (employment == "farmer") & (r() < 0.7), np.round(rng.gamma(2, 4, n), 1), 0.0
    )
    return p.assign(
        employment=employment,
        sso_section=sso_section,
        annual_income=income,
        gov_pension=gov_pension,
        health_scheme=scheme,
        chronic_conditions=chronic,
        bedridden=bedridden,
        years_schooling=years.astype(np.int64),
        enrolled_level=level,
        has_disability=disabled,
        disability_type=disability_type,
        disability_registered=registered,
        in_state_care=in_state_care,
        deposit_balance=deposit,
        land_rai=land_rai,
    )
