"""Who truly holds which right, who is paid, and the welfare errors planted on purpose.

The errors are the four gaps the rights engine must find: eligible but not paid
(exclusion), paid but not eligible (inclusion), paid twice through two local
authorities, and paid after death. Each planted error is written to the truth.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sitthi.synth.noise import WelfareErrorRates
from sitthi.synth.population import age_on

THAI_CATEGORIES = (1, 2, 3, 4, 5, 8)


def old_age_amount(age: np.ndarray) -> np.ndarray:
    """Monthly old-age allowance by age band (MSDHS/DLA rule since 2555: 600/700/800/1,000)."""
    return np.select([age >= 90, age >= 80, age >= 70, age >= 60], [1000, 800, 700, 600], default=0)


def disability_amount(age: np.ndarray) -> np.ndarray:
    """Monthly disability allowance: 800 baht, 1,000 under 18."""
    return np.where(age < 18, 1000, 800)


def welfare_card(rng: np.random.Generator, p: pd.DataFrame) -> pd.DataFrame:
    """State welfare card: Thai 18+, income and assets under 100,000 baht (2565 round).

    About 60 % of those who qualify registered; about 2 % of the rest registered anyway.
    """
    n = len(p)
    thai = p["id_category"].isin(THAI_CATEGORIES).to_numpy()
    eligible = (
        thai
        & (p["age"].to_numpy() >= 18)
        & (p["annual_income"].to_numpy() <= 100_000)
        & (p["deposit_balance"].to_numpy() <= 100_000)
        & (p["land_rai"].to_numpy() <= 10)
    )
    registered = (eligible & (rng.random(n) < 0.6)) | (
        ~eligible & thai & (p["age"].to_numpy() >= 18) & (rng.random(n) < 0.02)
    )
    return p.assign(welfare_card_eligible=eligible, welfare_card_registered=registered)


def welfare_card_errors(p: pd.DataFrame) -> pd.DataFrame:
    """The card's errors: living holders who never qualified (inclusion), and holders
    who died with the card still active (MOF's list is not updated from deaths)."""
    alive = p["death_date"].isna().to_numpy()
    registered = p["welfare_card_registered"].to_numpy()
    wrong = registered & ~p["welfare_card_eligible"].to_numpy() & alive
    over = np.select(
        [p["annual_income"].to_numpy() > 100_000, p["deposit_balance"].to_numpy() > 100_000],
        ["income over 100,000 baht a year", "savings over 100,000 baht"],
        default="more than 10 rai of land",
    )
    dead = registered & ~alive
    listed = wrong | dead
    return pd.DataFrame(
        {
            "person_id": p["person_id"].to_numpy()[listed],
            "programme": "state_welfare_card",
            "error_type": np.where(dead, "paid_after_death", "receiving_not_eligible")[listed],
            "detail": np.where(dead, "card still active after death", over)[listed],
            "national_id": p["national_id"].to_numpy()[listed],
        }
    )


def disability_cards(rng: np.random.Generator, p: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Card number, issue and expiry date for registered people (a card lasts 8 years)."""
    n = len(p)
    reg = p["disability_registered"].to_numpy()
    issued = np.datetime64(as_of, "D") - rng.integers(30, 365 * 9, n).astype("timedelta64[D]")
    issued = np.maximum(issued, p["birth_date"].to_numpy().astype("datetime64[D]"))
    expiry = issued + np.timedelta64(365 * 8 + 2, "D")
    card_no = np.char.add("D", np.char.zfill(rng.permutation(n).astype(str), 9))
    return p.assign(
        disability_card_no=np.where(reg, card_no, None),
        disability_card_issued=np.where(reg, issued, np.datetime64("NaT")),
        disability_card_expiry=np.where(reg, expiry, np.datetime64("NaT")),
    )


def _months(as_of: dt.date, count: int) -> list[dt.date]:
    first = as_of.replace(day=1)
    out = []
    for _ in range(count):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        out.append(first)
    return sorted(out)


def eligible_on(p: pd.DataFrame, day: dt.date) -> dict[str, np.ndarray]:
    """Who has each allowance on ``day``, by the rules (not by who is paid).

    Old-age allowance (Ministry of Interior regulation on old-age allowance, B.E. 2552):
    Thai, 60 or older, not drawing a government pension, not living in a state care home.
    Disability allowance (Ministry of Interior regulation, B.E. 2553): Thai, a valid
    disability card, not living in a state institution.
    """
    thai = p["id_category"].isin(THAI_CATEGORIES).to_numpy()
    care = p["in_state_care"].to_numpy()
    expiry = p["disability_card_expiry"].to_numpy().astype("datetime64[D]")
    age = age_on(p["birth_date"].to_numpy().astype("datetime64[D]"), day)
    return {
        "old_age_allowance": thai & (age >= 60) & ~p["gov_pension"].to_numpy() & ~care,
        "disability_allowance": thai
        & p["disability_registered"].to_numpy()
        & (expiry > np.datetime64(day, "D"))
        & ~care,
    }


def _inclusion(
    rng: np.random.Generator, p: pd.DataFrame, as_of: dt.date, rates: WelfareErrorRates
) -> list[tuple[str, str, np.ndarray]]:
    """People paid without the right: (programme, why, mask)."""
    n = len(p)
    thai = p["id_category"].isin(THAI_CATEGORIES).to_numpy()
    age = p["age"].to_numpy()
    alive = p["death_date"].isna().to_numpy()
    expiry = p["disability_card_expiry"].to_numpy().astype("datetime64[D]")
    registered = p["disability_registered"].to_numpy()
    return [
        (
            "old_age_allowance",
            "under 60",
            thai & (age >= 57) & (age < 60) & alive & (rng.random(n) < rates.inclusion_under_60),
        ),
        (
            "old_age_allowance",
            "receives a government pension",
            thai
            & (age >= 60)
            & p["gov_pension"].to_numpy()
            & alive
            & (rng.random(n) < rates.inclusion_pensioner),
        ),
        (
            "disability_allowance",
            "no disability card",
            thai
            & p["has_disability"].to_numpy()
            & ~registered
            & alive
            & (rng.random(n) < rates.inclusion_no_card),
        ),
        (
            "disability_allowance",
            "disability card expired",
            thai
            & registered
            & (expiry <= np.datetime64(as_of, "D"))
            & alive
            & (rng.random(n) < rates.inclusion_expired_card),
        ),
    ]


def allowance_payments(
    rng: np.random.Generator,
    p: pd.DataFrame,
    hh: pd.DataFrame,
    as_of: dt.date,
    rates: WelfareErrorRates,
    months: int = 3,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monthly payment rows of the old-age and disability allowances, with planted errors.

    Returns ``(payments, errors)``: one row per person, programme, month and paying local
    authority; and one row per planted error (every error recorded is true of the rows).
    """
    n = len(p)
    death = p["death_date"].to_numpy().astype("datetime64[D]")
    alive = np.isnat(death)
    birth = p["birth_date"].to_numpy().astype("datetime64[D]")
    sub = p["subdistrict_code"].to_numpy()
    pay_months = _months(as_of, months)
    monthly = {m: eligible_on(p, m) for m in pay_months}
    errors: list[pd.DataFrame] = []

    def note(mask: np.ndarray, programme: str, kind: str, detail: str) -> None:
        ids = p["person_id"].to_numpy()[mask]
        errors.append(
            pd.DataFrame(
                {"person_id": ids, "programme": programme, "error_type": kind, "detail": detail}
            )
        )

    now = eligible_on(p, as_of)
    wrongly_paid = _inclusion(rng, p, as_of, rates)
    rows: list[pd.DataFrame] = []
    for programme in ("old_age_allowance", "disability_allowance"):
        # Missed: had the right on the last pay day too (a right that began since has not
        # had a pay day, so nothing is missed yet).
        due = now[programme] & monthly[pay_months[-1]][programme]
        excluded = due & alive & (rng.random(n) < rates.exclusion)
        note(excluded, programme, "eligible_not_receiving", "eligible, not on any payment list")
        # Registered: everyone who had the right in the window, except the excluded.
        registered = np.logical_or.reduce([monthly[m][programme] for m in pay_months]) & ~excluded
        included = {
            why: mask & ~registered for prog, why, mask in wrongly_paid if prog == programme
        }
        keeps_paying = rng.random(n) < rates.paid_after_death
        for month in pay_months:
            m64 = np.datetime64(month, "D")
            living = np.isnat(death) | (death >= m64)
            # A regular payment needs the right that month; lists learn of deaths late or never.
            rightful = registered & monthly[month][programme]
            wrongful = np.logical_or.reduce(list(included.values()))
            pay = (rightful | wrongful) & (living | keeps_paying)
            idx = np.flatnonzero(pay)
            age_m = age_on(birth[idx], month)
            amount = (
                old_age_amount(np.maximum(age_m, 60))
                if programme == "old_age_allowance"
                else disability_amount(age_m)
            )
            rows.append(
                pd.DataFrame(
                    {
                        "person_index": idx,
                        "programme": programme,
                        "month": month,
                        "amount": amount,
                        "subdistrict_code": sub[idx],
                    }
                )
            )
        paid = pd.concat(
            [r for r in rows if (r["programme"] == programme).all()], ignore_index=True
        )
        has_rows = np.zeros(n, dtype=bool)
        has_rows[paid["person_index"].to_numpy()] = True
        for why, mask in included.items():
            note(mask & has_rows, programme, "receiving_not_eligible", why)
        month_start = pd.to_datetime(paid["month"]).to_numpy().astype("datetime64[D]")
        after = paid["person_index"].to_numpy()[
            ~np.isnat(death[paid["person_index"].to_numpy()])
            & (death[paid["person_index"].to_numpy()] < month_start)
        ]
        dead_paid = np.zeros(n, dtype=bool)
        dead_paid[after] = True
        note(dead_paid, programme, "paid_after_death", "paid in a month after the death date")
        # Paid twice: also on the list of one other authority (moved, never removed there).
        twice = has_rows & (rng.random(n) < rates.paid_twice)
        note(twice, programme, "paid_twice", "paid by two local authorities")
        subs = np.unique(hh["subdistrict_code"].to_numpy())
        other = subs[rng.integers(len(subs), size=n)]
        clash = other == sub
        other[clash] = subs[(np.searchsorted(subs, other[clash]) + 1) % len(subs)]
        dup = paid[twice[paid["person_index"].to_numpy()]].copy()
        dup["subdistrict_code"] = other[dup["person_index"].to_numpy()]
        rows.append(dup)
    payments = pd.concat(rows, ignore_index=True)
    payments.insert(0, "person_id", p["person_id"].to_numpy()[payments["person_index"]])
    errors_df = pd.concat(errors, ignore_index=True)
    errors_df = errors_df.merge(p[["person_id", "national_id"]], on="person_id", how="left")
    return payments, errors_df
