"""An independent synthetic Thai welfare world, for MEASURING Sitthi's linker only.

Written without reading ``src/sitthi/synth`` or ``src/sitthi/linkage``: the noise model below
comes from written descriptions of Thai registry problems, not from Sitthi's code. It must
never be used to tune the linker (see README.md in this folder).

    python benchmarks/independent/generate.py --persons 20000 --seed 7 --out DIR

Writes ``dopa.csv dep.csv oaa.csv mof.csv survey.csv`` in Sitthi's quick-mode columns,
``truth.csv`` (source, record_id, person_id), ``truth_detail.csv`` (the same plus household
and the planted phenomena of each record; never give it to the linker) and ``summary.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import numpy as np

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

# ---------------------------------------------------------------------------------------------
# The noise model: every rate in one place, with the reason for it.
# ---------------------------------------------------------------------------------------------
RATES = {
    # --- population ---------------------------------------------------------------------------
    "twin_birth": 0.012,  # ~1.2% of births are twins (Thai figure ~1 in 80 to 1 in 100)
    "junior_name": 0.02,  # a son given his father's given name: rare in Thailand, but exists
    "namesake": 0.01,  # someone sharing given+family name with another person in the district
    "reissued_id": 0.004,  # DOPA holds a person under two valid IDs (re-issued / re-registered)
    "moved": 0.08,  # moved house in the last years; slow lists still hold the old house
    "hh_phone_shared": 0.35,  # one mobile number used for the whole household
    "own_phone": 0.7,  # adult with own mobile
    "rank": 0.006,  # adult men with a police/military rank used as a title
    "royal": 0.0005,  # หม่อมราชวงศ์/หม่อมหลวง descendants
    "dob_unknown_elderly": 0.15,  # people born before 1955 often registered as 1 Jan / year only
    # --- coverage -----------------------------------------------------------------------------
    "dopa_cover": 0.985,  # the civil registry misses a few (unregistered, stateless)
    "oaa_cover": 0.88,  # 60+ not on another state pension, who applied
    "mof_poor_share": 0.35,  # poorer third of households
    "mof_cover": 0.8,  # of poor adults, those who registered for the welfare card
    "survey_household": 0.5,  # share of households visited by the field survey (จปฐ.)
    "survey_member": 0.92,  # members of visited households written down
    # --- within-agency duplicates (same person twice in one agency) ---------------------------
    "dup": {"dopa": 0.0, "dep": 0.02, "oaa": 0.015, "mof": 0.01, "survey": 0.01},
    # a reissued-ID person is also held by another agency under the second ID this often
    "reissued_other_agency": 0.3,
    # --- IDs ----------------------------------------------------------------------------------
    "id_missing": {"dopa": 0.0, "dep": 0.01, "oaa": 0.01, "mof": 0.005, "survey": 0.35},
    "id_typo": {"dopa": 0.002, "dep": 0.01, "oaa": 0.015, "mof": 0.006, "survey": 0.03},
    "id_typo_valid_share": 0.25,  # typos that happen to keep the checksum valid
    "persistent_typo": 0.004,  # person whose wrong ID (from one bad form) travels between lists
    "id_relative": {"dopa": 0.0, "dep": 0.004, "oaa": 0.006, "mof": 0.003, "survey": 0.05},
    "id_dashes": {"dopa": 0.0, "dep": 0.3, "oaa": 0.1, "mof": 0.0, "survey": 0.2},
    "id_spaces": {"dopa": 0.0, "dep": 0.02, "oaa": 0.05, "mof": 0.0, "survey": 0.05},
    "id_thai_digits": {"dopa": 0.0, "dep": 0.02, "oaa": 0.05, "mof": 0.0, "survey": 0.06},
    # --- dates --------------------------------------------------------------------------------
    "date_0101": {"dopa": 0.002, "dep": 0.01, "oaa": 0.03, "mof": 0.005, "survey": 0.03},
    "date_year_only": {"dopa": 0.0, "dep": 0.005, "oaa": 0.01, "mof": 0.0, "survey": 0.06},
    "date_dm_swap": {"dopa": 0.001, "dep": 0.01, "oaa": 0.01, "mof": 0.01, "survey": 0.03},
    "date_year_off": {"dopa": 0.002, "dep": 0.01, "oaa": 0.02, "mof": 0.01, "survey": 0.03},
    "date_missing": {"dopa": 0.0, "dep": 0.01, "oaa": 0.005, "mof": 0.01, "survey": 0.05},
    "date_thai_digits": {"dopa": 0.02, "dep": 0.03, "oaa": 0.1, "mof": 0.0, "survey": 0.08},
    "date_thai_month": {"dopa": 0.0, "dep": 0.15, "oaa": 0.05, "mof": 0.0, "survey": 0.12},
    # --- names --------------------------------------------------------------------------------
    "glued_title": {"dopa": 0.0, "dep": 0.05, "oaa": 0.08, "mof": 0.02, "survey": 0.1},
    "misspell": {"dopa": 0.005, "dep": 0.03, "oaa": 0.04, "mof": 0.02, "survey": 0.07},
    "phonetic": {"dopa": 0.005, "dep": 0.03, "oaa": 0.04, "mof": 0.02, "survey": 0.06},
    "name_swap": {"dopa": 0.0, "dep": 0.002, "oaa": 0.002, "mof": 0.001, "survey": 0.02},
    "maiden_name": {"dopa": 0.0, "dep": 0.1, "oaa": 0.15, "mof": 0.08, "survey": 0.1},
    "extra_space": {"dopa": 0.01, "dep": 0.03, "oaa": 0.05, "mof": 0.02, "survey": 0.05},
    "zero_width": {"dopa": 0.002, "dep": 0.01, "oaa": 0.01, "mof": 0.01, "survey": 0.01},
    "first_missing": {"dopa": 0.0, "dep": 0.002, "oaa": 0.002, "mof": 0.001, "survey": 0.01},
    # --- address, phone, sex ------------------------------------------------------------------
    "stale_address": {"dopa": 0.3, "dep": 0.5, "oaa": 0.4, "mof": 0.6, "survey": 0.0},
    "house_code_present": {"dopa": 0.99, "dep": 0.7, "oaa": 0.5, "mof": 0.85, "survey": 0.2},
    "phone_present": {"dopa": 0.2, "dep": 0.7, "oaa": 0.5, "mof": 0.9, "survey": 0.6},
    "sex_missing": {"dopa": 0.0, "dep": 0.01, "oaa": 0.1, "mof": 0.01, "survey": 0.05},
    "address_missing": {"dopa": 0.0, "dep": 0.02, "oaa": 0.02, "mof": 0.02, "survey": 0.05},
}
# Why these, in short: DOPA is the clean master (its own errors are re-issued IDs and rare
# keying slips); the disability and old-age lists are typed by local officers from paper
# forms (typos, glued titles, Thai digits, old surnames of widows and married women); the
# welfare card registry is online self-registration checked against DOPA (few ID errors, but
# stale addresses: people register where they used to live); the field survey is written by
# volunteers door to door (IDs often missing or the head's, names as heard, dates as told).
# ---------------------------------------------------------------------------------------------

SOURCES = ("dopa", "dep", "oaa", "mof", "survey")
HEADER = [
    "record_id",
    "national_id",
    "title",
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "house_code",
    "house_no",
    "moo",
    "subdistrict",
    "district",
    "province",
    "phone",
]
from noise import (  # noqa: E402
    RANKS,
    REF,
    ROYAL,
    THAI_DIGITS,
    check_digit,
    extra_space,
    format_date,
    format_id,
    id_typo,
    misspell,
    phonetic,
    valid_id,
    zero_width,
)


# ------------------------------------------------------------------------------- resources
def load_names(rng: np.random.Generator):
    from pythainlp.corpus import thai_family_names, thai_female_names, thai_male_names

    male = sorted(set(thai_male_names()))
    female = sorted(set(thai_female_names()))
    family = sorted(set(thai_family_names()))

    def zipf(names, a):
        names = list(rng.permutation(names))
        w = 1.0 / np.arange(1, len(names) + 1) ** a
        return names, w / w.sum()

    return zipf(male, 0.9), zipf(female, 0.9), zipf(family, 0.6)


def load_areas():
    import geothai

    areas = []
    for p in geothai.provinces():
        for d in geothai.districts(p.code):
            for s in geothai.subdistricts(d.code):
                areas.append((s.code, s.name_th, d.code, d.name_th, p.name_th))
    areas.sort()
    return areas


# ---------------------------------------------------------------------------- population
def make_population(n: int, seed: int):
    rng = np.random.default_rng(seed)
    rnd = random.Random(seed)
    (male, pm), (female, pf), (family, pfam) = load_names(rng)
    areas = load_areas()
    n_sub = max(10, n // 400)  # ~400 people per subdistrict in the world: names do repeat
    subs = [areas[i] for i in rng.choice(len(areas), n_sub, replace=False)]
    # pre-draw names in bulk (vectorised), consume sequentially
    pool_m = iter(rng.choice(male, size=n + 100, p=pm))
    pool_f = iter(rng.choice(female, size=n + 100, p=pf))
    pool_fam = iter(rng.choice(family, size=n + 100, p=pfam))
    used_ids: set[str] = set()
    persons: list[dict] = []
    households: list[dict] = []
    stats = Counter()

    def new_id(birth: date, district: str, base: str | None = None) -> str:
        while True:
            if base is None:
                if birth.year >= 1984:
                    first = "1" if rnd.random() < 0.93 else "2"
                else:
                    r = rnd.random()
                    first = "3" if r < 0.95 else ("4" if r < 0.98 else rnd.choice("5678"))
                dist = district if rnd.random() < 0.7 else rnd.choice(subs)[2]
                d12 = first + dist + f"{rnd.randrange(100000):05d}" + f"{rnd.randrange(100):02d}"
            else:
                d12 = f"{int(base[:12]) + 1:012d}"
                base = None
            pid = d12 + check_digit(d12)
            if pid not in used_ids:
                used_ids.add(pid)
                return pid

    def rand_birth(lo_age: float, hi_age: float) -> date:
        days = rnd.uniform(lo_age, hi_age) * 365.25
        return REF - timedelta(days=int(days))

    def house(sub) -> dict:
        return {
            "house_code": sub[2] + f"{rnd.randrange(1000000):06d}" + str(rnd.randrange(10)),
            "house_no": str(rnd.randrange(1, 400))
            + (f"/{rnd.randrange(1, 30)}" if rnd.random() < 0.25 else ""),
            "moo": str(rnd.randrange(1, 16)),
            "subdistrict": sub[1],
            "district": sub[3],
            "province": sub[4],
            "district_code": sub[2],
        }

    def add(hh, sex, birth, first, last, role, **kw) -> dict:
        p = {
            "pid": len(persons),
            "hh": hh["hid"],
            "sex": sex,
            "birth": birth,
            "first": first,
            "last": last,
            "maiden": kw.pop("maiden", None),
            "married": kw.pop("married", False),
            "role": role,
            "tags": set(kw.pop("tags", ())),
            "rank": None,
        }
        p["nid"] = new_id(birth, hh["house"]["district_code"], kw.pop("base", None))
        persons.append(p)
        hh["members"].append(p["pid"])
        return p

    while len(persons) < n:
        sub = (
            subs[min(int(rng.pareto(1.5) * n_sub / 6), n_sub - 1)]
            if rnd.random() < 0.5
            else (rnd.choice(subs))
        )
        hh = {"hid": len(households), "house": house(sub), "members": [], "poor": 0.0}
        hh["poor"] = rnd.random()
        households.append(hh)
        hfam = next(pool_fam)
        r = rnd.random()
        if r < 0.12:  # single person
            sex = rnd.choice("MF")
            first = next(pool_m) if sex == "M" else next(pool_f)
            add(hh, sex, rand_birth(20, 90), first, hfam, "head")
            continue
        head = add(hh, "M", rand_birth(25, 85), next(pool_m), hfam, "head", married=True)
        age_h = (REF - head["birth"]).days / 365.25
        wife_age = max(18.0, age_h + rnd.gauss(-3, 4))
        wife_fam = next(pool_fam)
        wife = add(
            hh, "F", rand_birth(wife_age, wife_age + 0.99), next(pool_f), hfam, "spouse",
            maiden=wife_fam, married=True,
        )  # fmt: skip
        del wife
        n_child = min(np.random.default_rng(rnd.randrange(2**32)).poisson(1.6), 5)
        for _ in range(n_child):
            cage = age_h - rnd.uniform(20, 40)
            if cage < 0:
                continue
            sex = rnd.choice("MF")
            birth = rand_birth(cage, cage + 0.99)
            if sex == "M" and rnd.random() < RATES["junior_name"]:
                first = head["first"]
                tags = {"junior"}
                head["tags"].add("junior")
                stats["junior_pairs"] += 1
            else:
                first = next(pool_m) if sex == "M" else next(pool_f)
                tags = set()
            c = add(hh, sex, birth, first, hfam, "child", tags=tags)
            if rnd.random() < RATES["twin_birth"]:
                sex2 = rnd.choice("MF")
                first2 = next(pool_m) if sex2 == "M" else next(pool_f)
                add(hh, sex2, birth, first2, hfam, "child", tags={"twin"}, base=c["nid"])
                c["tags"].add("twin")
                stats["twin_pairs"] += 1
        if age_h < 55 and rnd.random() < 0.15:  # an elderly parent lives with them
            add(hh, "F", rand_birth(age_h + 22, age_h + 40), next(pool_f), hfam, "parent",
                married=True, maiden=next(pool_fam))  # fmt: skip

    # household phones, movers, ranks, unknown birth dates, namesakes, reissued IDs
    for hh in households:
        hh["phone"] = f"0{rnd.choice('689')}{rnd.randrange(10**8):08d}"
        hh["shared_phone"] = rnd.random() < RATES["hh_phone_shared"]
    by_sub: dict[str, list[int]] = {}
    for p in persons:
        hh = households[p["hh"]]
        age = (REF - p["birth"]).days / 365.25
        p["age"] = age
        if hh["shared_phone"]:
            p["phone"] = hh["phone"]
            if len(hh["members"]) > 1:
                p["tags"].add("shared_phone")
        elif age >= 15 and rnd.random() < RATES["own_phone"]:
            p["phone"] = f"0{rnd.choice('689')}{rnd.randrange(10**8):08d}"
        else:
            p["phone"] = ""
        p["old_house"] = None
        if age >= 18 and rnd.random() < RATES["moved"]:
            p["old_house"] = house(rnd.choice(subs))
            p["tags"].add("moved")
        if p["sex"] == "M" and 22 <= age <= 65 and rnd.random() < RATES["rank"]:
            p["rank"] = rnd.choice(RANKS)
            p["tags"].add("rank")
        elif rnd.random() < RATES["royal"]:
            p["rank"] = rnd.choice(ROYAL)
            p["tags"].add("royal_title")
        p["dob_unknown"] = p["birth"].year < 1955 and rnd.random() < RATES["dob_unknown_elderly"]
        if p["dob_unknown"]:
            p["birth"] = date(p["birth"].year, 1, 1)
            p["tags"].add("dob_unknown")
        p["nid2"] = None
        if rnd.random() < RATES["reissued_id"]:
            p["nid2"] = new_id(p["birth"], hh["house"]["district_code"])
            p["tags"].add("reissued_id")
        p["typo_id"] = None
        if rnd.random() < RATES["persistent_typo"]:
            p["typo_id"] = id_typo(p["nid"], rnd, rnd.random() < RATES["id_typo_valid_share"])
            p["tags"].add("persistent_typo")
        by_sub.setdefault(hh["house"]["subdistrict"] + hh["house"]["district"], []).append(p["pid"])
    for members in by_sub.values():
        for pid in members:
            if rnd.random() < RATES["namesake"]:
                p = persons[pid]
                others = [
                    q
                    for q in members
                    if persons[q]["sex"] == p["sex"] and persons[q]["hh"] != p["hh"]
                ]
                if others:
                    q = persons[rnd.choice(others)]
                    p["first"], p["last"] = q["first"], q["last"]
                    p["tags"].add("namesake")
                    q["tags"].add("namesake")
                    stats["namesake_pairs"] += 1
    for p in persons:
        if p["married"] and p["sex"] == "F":
            p["title"] = "นาง"
        elif p["age"] < 15:
            p["title"] = "เด็กชาย" if p["sex"] == "M" else "เด็กหญิง"
        else:
            p["title"] = "นาย" if p["sex"] == "M" else "นางสาว"
    stats["households"] = len(households)
    stats["persons"] = len(persons)
    return persons, households, rnd, stats


# ------------------------------------------------------------------------------- extracts
SEX_STYLE = {"dopa": "thai", "dep": "num", "oaa": "short", "mof": "en", "survey": "mixed"}
SEX_CODES = {
    "thai": ("ชาย", "หญิง"),
    "num": ("1", "2"),
    "short": ("ช", "ญ"),
    "en": ("M", "F"),
}


def rec_id(source: str, k: int, p: dict, hh: dict, rnd: random.Random) -> str:
    if source == "dopa":
        return f"DP{k:09d}"
    if source == "dep":
        return f"DEP-{rnd.choice((2563, 2564, 2565, 2566, 2567))}-{k:06d}"
    if source == "oaa":
        return f"LAO{hh['house']['district_code']}-{k:06d}"
    if source == "mof":
        return f"{7000000000 + k * 37}"
    return f"S{hh['hid']:06d}-{k:07d}"


def make_record(source: str, p: dict, persons, households, rnd: random.Random, nid: str):
    R = {k: (v.get(source, 0.0) if isinstance(v, dict) else v) for k, v in RATES.items()}
    tags = set(p["tags"])
    hh = households[p["hh"]]

    # --- ID
    shown = nid
    if nid != p["nid"]:
        tags.add("second_id")
    if rnd.random() < R["id_missing"]:
        shown = ""
        tags.add("id_missing")
    elif rnd.random() < R["id_relative"]:
        rel = [q for q in hh["members"] if q != p["pid"]]
        head = [q for q in rel if persons[q]["role"] == "head"]
        if rel:
            q = head[0] if head and rnd.random() < 0.7 else rnd.choice(rel)
            shown = persons[q]["nid"]
            tags.add("id_relative")
    elif p["typo_id"] and source != "dopa" and rnd.random() < 0.7:
        shown = p["typo_id"]
        tags.add("id_typo_valid" if valid_id(shown) else "id_typo_invalid")
    elif rnd.random() < R["id_typo"]:
        shown = id_typo(nid, rnd, rnd.random() < RATES["id_typo_valid_share"])
        tags.add("id_typo_valid" if valid_id(shown) else "id_typo_invalid")
    if shown:
        r = rnd.random()
        for style in ("dashes", "spaces", "thai_digits"):
            rate = R[f"id_{style}"]
            if r < rate:
                shown = format_id(shown, {"dashes": "dash", "spaces": "space"}.get(style, "thai"))
                tags.add(f"id_{style}")
                break
            r -= rate

    # --- names and title
    title = p["rank"] or p["title"]
    first, last = p["first"], p["last"]
    if p["maiden"] and p["role"] == "spouse" and rnd.random() < R["maiden_name"]:
        last, title = p["maiden"], "นางสาว"
        tags.add("maiden_name")
    if source in ("oaa", "mof", "survey") and p["rank"] and rnd.random() < 0.5:
        title = "นาย" if p["rank"] in RANKS else p["title"]
    if rnd.random() < R["misspell"]:
        if rnd.random() < 0.6:
            first = misspell(first, rnd)
        else:
            last = misspell(last, rnd)
        tags.add("misspell")
    if rnd.random() < R["phonetic"]:
        if rnd.random() < 0.5:
            first = phonetic(first, rnd)
        else:
            last = phonetic(last, rnd)
        tags.add("phonetic")
    if rnd.random() < R["glued_title"]:
        first = title + first
        title = "" if rnd.random() < 0.7 else title
        tags.add("glued_title")
    if rnd.random() < R["name_swap"]:
        first, last = last, first
        tags.add("name_swap")
    if rnd.random() < R["extra_space"]:
        first = extra_space(first, rnd)
        tags.add("extra_space")
    if rnd.random() < R["zero_width"]:
        last = zero_width(last, rnd)
        tags.add("zero_width")
    if rnd.random() < R["first_missing"]:
        first = ""
        tags.add("first_missing")

    # --- sex
    style = SEX_STYLE[source]
    if style == "mixed":
        style = rnd.choice(("thai", "num", "short", "en"))
    sex = SEX_CODES[style][0 if p["sex"] == "M" else 1]
    if rnd.random() < R["sex_missing"]:
        sex = ""
        tags.add("sex_missing")

    # --- birth date
    b = p["birth"]
    dstyle = {"dopa": "be", "dep": "be", "oaa": "be", "mof": "ce_iso"}.get(source)
    if dstyle is None:
        dstyle = rnd.choices(("be", "ce_iso", "ce_slash"), (0.6, 0.25, 0.15))[0]
    if p["dob_unknown"] and source == "survey" and rnd.random() < 0.5:
        dstyle = "year"
    if rnd.random() < R["date_year_off"]:
        b = b.replace(year=b.year + rnd.choice((-1, 1)), day=min(b.day, 28))
        tags.add("date_year_off")
    if b.day <= 12 and b.day != b.month and rnd.random() < R["date_dm_swap"]:
        b = date(b.year, b.day, b.month)
        tags.add("date_dm_swap")
    if not p["dob_unknown"] and rnd.random() < R["date_0101"]:
        b = date(b.year, 1, 1)
        tags.add("date_0101")
    if dstyle != "year" and rnd.random() < R["date_year_only"]:
        dstyle = "year"
        tags.add("date_year_only")
    if dstyle == "be" and rnd.random() < R["date_thai_month"]:
        dstyle = rnd.choice(("month_full", "month_abbr"))
        tags.add("date_thai_month")
    birth = format_date(b, dstyle)
    if rnd.random() < R["date_thai_digits"]:
        birth = birth.translate(THAI_DIGITS)
        tags.add("date_thai_digits")
    if rnd.random() < R["date_missing"]:
        birth = ""
        tags.add("date_missing")

    # --- address and phone
    h = hh["house"]
    if p["old_house"] and rnd.random() < R["stale_address"]:
        h = p["old_house"]
        tags.add("stale_address")
    house_code = h["house_code"] if rnd.random() < R["house_code_present"] else ""
    sub, dist, prov = h["subdistrict"], h["district"], h["province"]
    if source == "dep" or (source == "survey" and rnd.random() < 0.5):
        sub = ("แขวง" if prov == "กรุงเทพมหานคร" else "ต.") + sub
        dist = dist if dist.startswith("เขต") else "อ." + dist
        prov = "จ." + prov if prov != "กรุงเทพมหานคร" else prov
    house_no, moo = h["house_no"], h["moo"]
    if rnd.random() < R["address_missing"]:
        house_no, moo, sub = "", "", ""
        tags.add("address_missing")
    phone = p["phone"] if rnd.random() < R["phone_present"] else ""
    if phone:
        r = rnd.random()
        if r < 0.2:
            phone = f"{phone[:3]}-{phone[3:6]}-{phone[6:]}"
        elif r < 0.3:
            phone = "+66" + phone[1:]
    row = {
        "national_id": shown,
        "title": title,
        "first_name": first,
        "last_name": last,
        "sex": sex,
        "birth_date": birth,
        "house_code": house_code,
        "house_no": house_no,
        "moo": moo,
        "subdistrict": sub,
        "district": dist,
        "province": prov,
        "phone": phone,
    }
    return row, tags


def build_extracts(persons, households, rnd: random.Random, stats: Counter):
    members: dict[str, list[tuple[dict, str, str]]] = {s: [] for s in SOURCES}  # (p, nid, why)
    survey_hh = {hh["hid"] for hh in households if rnd.random() < RATES["survey_household"]}
    for p in persons:
        hh = households[p["hh"]]
        if rnd.random() < RATES["dopa_cover"]:
            members["dopa"].append((p, p["nid"], ""))
            if p["nid2"]:
                members["dopa"].append((p, p["nid2"], "reissued_dup"))
        age = p["age"]
        dis_p = 0.015 if age < 40 else (0.03 if age < 60 else 0.08)
        if rnd.random() < dis_p:
            members["dep"].append((p, p["nid"], ""))
        if age >= 60 and rnd.random() < RATES["oaa_cover"]:
            members["oaa"].append((p, p["nid"], ""))
        if age >= 18 and hh["poor"] < RATES["mof_poor_share"] and rnd.random() < RATES["mof_cover"]:
            members["mof"].append((p, p["nid"], ""))
        if hh["hid"] in survey_hh and rnd.random() < RATES["survey_member"]:
            members["survey"].append((p, p["nid"], ""))
    # reissued IDs in other agencies; within-agency duplicates
    for s in SOURCES:
        extra = []
        for p, nid, _why in members[s]:
            if s != "dopa" and p["nid2"] and rnd.random() < RATES["reissued_other_agency"]:
                nid = p["nid2"]
                extra.append((p, nid, "reissued_swap"))
                continue
            if rnd.random() < RATES["dup"][s]:
                extra.append((p, nid, "within_dup"))
        # a swapped-ID record replaces the original one
        swapped = {id(e[0]) for e in extra if e[2] == "reissued_swap"}
        members[s] = [m for m in members[s] if id(m[0]) not in swapped] + extra
    out: dict[str, list[dict]] = {}
    detail = []
    for s in SOURCES:
        order = list(range(len(members[s])))
        rnd.shuffle(order)
        rows = []
        for k, i in enumerate(order, 1):
            p, nid, why = members[s][i]
            hh = households[p["hh"]]
            row, tags = make_record(s, p, persons, households, rnd, nid)
            if why == "within_dup":
                tags.add("within_dup")
                # re-registration with a typo: the second record differs a little
                if rnd.random() < 0.5:
                    row["first_name"] = misspell(row["first_name"], rnd)
                    tags.add("misspell")
            elif why == "reissued_dup":
                tags.add("reissued_dup")
            row["record_id"] = rec_id(s, k, p, hh, rnd)
            rows.append(row)
            detail.append((s, row["record_id"], f"P{p['pid']:07d}", f"H{p['hh']:06d}", tags))
        out[s] = rows
    return out, detail


def write(out_dir: Path, extracts, detail, stats: Counter, seed: int) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    for s, rows in extracts.items():
        with open(out_dir / f"{s}.csv", "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=HEADER)
            w.writeheader()
            w.writerows(rows)
    with open(out_dir / "truth.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(("source", "record_id", "person_id"))
        w.writerows(d[:3] for d in detail)
    with open(out_dir / "truth_detail.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(("source", "record_id", "person_id", "household_id", "tags"))
        w.writerows((*d[:4], ";".join(sorted(d[4]))) for d in detail)
    by_source: dict[str, Counter] = {s: Counter() for s in extracts}
    for s, _r, _p, _h, tags in detail:
        by_source[s]["records"] += 1
        by_source[s].update(tags)
    total = Counter()
    for c in by_source.values():
        total.update(c)
    summary = {
        "seed": seed,
        "population": dict(stats),
        "records": {s: len(r) for s, r in extracts.items()},
        "tags_total": dict(sorted(total.items())),
        "tags_by_source": {s: dict(sorted(c.items())) for s, c in by_source.items()},
        "rates": RATES,
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    return summary


def generate(persons: int, seed: int, out: Path) -> dict:
    pop, households, rnd, stats = make_population(persons, seed)
    extracts, detail = build_extracts(pop, households, rnd, stats)
    return write(out, extracts, detail, stats, seed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--persons", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    s = generate(a.persons, a.seed, a.out)
    print(json.dumps({"population": s["population"], "records": s["records"]}, ensure_ascii=False))


if __name__ == "__main__":
    main()
