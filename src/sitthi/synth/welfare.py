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

THAI_CATEGORIES = (1, 2, 3, 4, 5, 8)


def old_age_amount(age: np.ndarray) -> np.ndarray:
    """Monthly old-age allowance by age band (MSDHS/DLA rule since 2555: 600/700/800/1,000)."""
    return np.select([age >= 90, age >= 80, age >= 70, age >= 60], [1000, 800, 700, 600], default=0)


def disability_amount(age: np.ndarray) -> np.ndarray:
    """Monthly disability allowance: 800 baht, 1,000 under 18."""
    return np.where(age < 18, 1000, 800)


def welfare_card(rng: np.random.Generator, p: pd.DataFrame) -> pd.DataFrame:
    """State welfare card: Thai 18+, income and assets under 100,000 baht (2565 round).

    About 60 % of those who qualify registered; about 3 % of registrants do not qualify.
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


def _age_on(birth: np.ndarray, day: dt.date) -> np.ndarray:
    b = pd.DatetimeIndex(birth)
    before_birthday = (b.month > day.month) | ((b.month == day.month) & (b.day > day.day))
    return np.asarray(day.year - b.year - before_birthday.astype(np.int64))


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
    authority; and one row per planted error with its type and detail.
    """
    n = len(p)
    ages_now = p["age"].to_numpy()
    thai = p["id_category"].isin(THAI_CATEGORIES).to_numpy()
    death = p["death_date"].to_numpy().astype("datetime64[D]")
    expiry = p["disability_card_expiry"].to_numpy().astype("datetime64[D]")
    as_of64 = np.datetime64(as_of, "D")
    alive_now = np.isnat(death)
    r = lambda: rng.random(n)  # noqa: E731

    oa_eligible = (
        thai & (ages_now >= 60) & ~p["gov_pension"].to_numpy() & ~p["in_state_care"].to_numpy()
    )
    dis_eligible = (
        p["disability_registered"].to_numpy() & ~p["in_state_care"].to_numpy() & (expiry > as_of64)
    )
    errors: list[pd.DataFrame] = []

    def note(mask: np.ndarray, programme: str, kind: str, detail: str | np.ndarray) -> None:
        errors.append(
            pd.DataFrame(
                {
                    "person_id": p["person_id"].to_numpy()[mask],
                    "programme": programme,
                    "error_type": kind,
                    "detail": detail if isinstance(detail, str) else detail[mask],
                }
            )
        )

    recipients = {}
    for programme, eligible in (
        ("old_age_allowance", oa_eligible),
        ("disability_allowance", dis_eligible),
    ):
        miss = eligible & alive_now & (r() < rates.exclusion)
        note(miss, programme, "eligible_not_receiving", "eligible, not on any payment list")
        paid = eligible & ~miss
        recipients[programme] = paid
    # Inclusion errors: paid without the right.
    early = thai & (ages_now >= 57) & (ages_now < 60) & alive_now & (r() < rates.inclusion * 4)
    pensioner = (
        thai
        & (ages_now >= 60)
        & p["gov_pension"].to_numpy()
        & alive_now
        & (r() < rates.inclusion * 8)
    )
    no_card = (
        p["has_disability"].to_numpy()
        & ~p["disability_registered"].to_numpy()
        & alive_now
        & (r() < rates.inclusion * 4)
    )
    expired = p["disability_registered"].to_numpy() & (expiry <= as_of64) & alive_now & (r() < 0.5)
    note(early, "old_age_allowance", "receiving_not_eligible", "under 60")
    note(pensioner, "old_age_allowance", "receiving_not_eligible", "receives a government pension")
    note(no_card, "disability_allowance", "receiving_not_eligible", "no disability card")
    note(expired, "disability_allowance", "receiving_not_eligible", "disability card expired")
    recipients["old_age_allowance"] = recipients["old_age_allowance"] | early | pensioner
    recipients["disability_allowance"] = recipients["disability_allowance"] | no_card | expired

    # Which local authority pays: the one of the person's subdistrict. A few are also on the
    # list of a second authority (they moved and the old one never removed them).
    sub = p["household_id"].map(hh.set_index("household_id")["subdistrict_code"]).to_numpy()
    pay_months = _months(as_of, months)
    rows = []
    for programme, paid in recipients.items():
        idx = np.flatnonzero(paid)
        twice = idx[rng.random(len(idx)) < rates.paid_twice]
        note(np.isin(np.arange(n), twice), programme, "paid_twice", "paid by two local authorities")
        keeps_paying = rng.random(len(idx)) < rates.paid_after_death
        after_death_people = set()
        for month in pay_months:
            m64 = np.datetime64(month, "D")
            dead_before = ~np.isnat(death[idx]) & (death[idx] < m64)
            # Normally the payment stops the month after death; some lists never learn.
            pay = ~dead_before | keeps_paying
            after_death_people.update(idx[dead_before & keeps_paying].tolist())
            chosen = idx[pay]
            age_m = _age_on(p["birth_date"].to_numpy()[chosen], month)
            amount = (
                old_age_amount(np.maximum(age_m, 60))
                if programme == "old_age_allowance"
                else disability_amount(age_m)
            )
            base = pd.DataFrame(
                {
                    "person_index": chosen,
                    "programme": programme,
                    "month": month,
                    "amount": amount,
                    "subdistrict_code": sub[chosen],
                }
            )
            dup = base[np.isin(chosen, twice)].copy()
            other = np.asarray(
                hh["subdistrict_code"].to_numpy()[rng.integers(len(hh), size=len(dup))]
            )
            dup["subdistrict_code"] = other
            rows += [base, dup]
        mask = np.isin(np.arange(n), list(after_death_people))
        note(mask, programme, "paid_after_death", "paid in a month after the death date")
    payments = pd.concat(rows, ignore_index=True)
    payments.insert(0, "person_id", p["person_id"].to_numpy()[payments["person_index"]])
    errors_df = pd.concat(errors, ignore_index=True)
    errors_df = errors_df.merge(p[["person_id", "national_id"]], on="person_id", how="left")
    return payments, errors_df
