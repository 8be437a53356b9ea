"""The Splink model: Thai-aware comparisons and the blocking rules that feed them.

Names are compared on the similarity key (`sitthi.thai.similarity`): one ASCII byte per
Thai character, so DuckDB's byte-counting Jaro-Winkler scores characters (duckdb issue
25113 never reaches a match weight). Exact-name levels are term-frequency adjusted: two
records called สมชาย say less than two called ภูริณัฐ. Birth dates tolerate what agencies
do to them: a partial date matches any date it contains, and day and month may be swapped.
House code and the admin area form one location comparison, because they are not
independent evidence (the same house is in the same subdistrict).
"""

from __future__ import annotations

from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on


def _name(kind: str) -> cl.CustomComparison:
    key, norm, phon = f"{kind}_name_key", f"{kind}_name_norm", f"{kind}_name_phonetic"
    other = "last" if kind == "first" else "first"
    return cl.CustomComparison(
        output_column_name=f"{kind}_name",
        comparison_description=f"{kind} name (Thai-aware)",
        comparison_levels=[
            cll.NullLevel(key),
            cll.ExactMatchLevel(norm, term_frequency_adjustments=True),
            cll.JaroWinklerLevel(key, 0.92),
            # Given name and surname written in each other's column: one piece of evidence,
            # weighed in the given name; the surname comparison then says nothing.
            _swapped_level(key, other, weighed=kind == "first"),
            cll.ExactMatchLevel(phon),
            cll.JaroWinklerLevel(key, 0.8),
            *([_maiden_level()] if kind == "last" else []),
            cll.ElseLevel(),
        ],
    )


def _maiden_level() -> cll.CustomLevel:
    # A woman's surname changes when she marries and some lists keep the maiden one: two
    # women's surnames that differ say much less than two men's (its own m and u).
    return _level("sex_l = 'F' and sex_r = 'F'", "different surnames, both women")


def _level(sql: str, label: str) -> cll.CustomLevel:
    return cll.CustomLevel(sql, label_for_charts=label)


def _swapped_level(key: str, other: str, *, weighed: bool) -> Any:
    if not weighed:
        return _swapped(key, other).configure(is_null_level=True)
    # Random pairs never have each other's names swapped, so sampling cannot estimate u:
    # left unset, Splink would fall back to a default that makes a swap count for little.
    # 1e-6 is the bound when the million sampled pairs show none.
    return _swapped(key, other).configure(u_probability=1e-6, fix_u_probability=True)


def _swapped(key: str, other: str) -> cll.CustomLevel:
    return _level(
        f"jaro_winkler_similarity({key}_l, {other}_name_key_r) >= 0.92"
        f" and jaro_winkler_similarity({other}_name_key_l, {key}_r) >= 0.92",
        "given name and surname swapped",
    )


def _birth_date() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="birth_date",
        comparison_description="birth date (partial dates, day/month swaps)",
        comparison_levels=[
            cll.NullLevel("birth_year"),
            _level(
                "birth_day_l is not null and birth_date_l = birth_date_r"
                " and birth_day_r is not null",
                "same date",
            ),
            _level(
                "birth_year_l = birth_year_r"
                " and coalesce(birth_month_l = birth_month_r, true)"
                " and coalesce(birth_day_l = birth_day_r, true)",
                "same at the precision both know",
            ),
            _level(
                "birth_year_l = birth_year_r and birth_month_l = birth_day_r"
                " and birth_day_l = birth_month_r",
                "day and month swapped",
            ),
            # what clerks write: 1 January for a day nobody knew, an age counted back a year
            _level(
                "birth_year_l = birth_year_r and ((birth_month_l = 1 and birth_day_l = 1)"
                " or (birth_month_r = 1 and birth_day_r = 1))",
                "1 January on one side, same year",
            ),
            _level(
                "abs(birth_year_l - birth_year_r) = 1 and birth_month_l = birth_month_r"
                " and birth_day_l = birth_day_r",
                "same day and month, years one apart",
            ),
            _level("birth_year_l = birth_year_r", "same year"),
            _level("abs(birth_year_l - birth_year_r) <= 1", "years one apart"),
            cll.ElseLevel(),
        ],
    )


def _location() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="location",
        comparison_description="house code, then subdistrict, district, province",
        comparison_levels=[
            _level(
                "(house_code_l is null and province_code_l is null and postcode_l is null)"
                " or (house_code_r is null and province_code_r is null and postcode_r is null)",
                "no address on one side",
            ).configure(is_null_level=True),
            cll.ExactMatchLevel("house_code"),
            cll.ExactMatchLevel("subdistrict_code"),
            cll.ExactMatchLevel("postcode"),
            # a postcode with one digit mistyped or two swapped, where nothing finer is known
            _level(
                "house_code_l is null and house_code_r is null"
                " and damerau_levenshtein(postcode_l, postcode_r) = 1",
                "postcode one digit apart",
            ),
            cll.ExactMatchLevel("district_code"),
            cll.ExactMatchLevel("province_code"),
            cll.ElseLevel(),
        ],
    )


def _street_address() -> cl.CustomComparison:
    # Only with a street: a house number alone repeats in every village, and where there is
    # a house code the location comparison already holds the same evidence.
    return cl.CustomComparison(
        output_column_name="street_address",
        comparison_description="house number and street",
        comparison_levels=[
            _level(
                "street_key_l is null or street_key_r is null",
                "no street on one side",
            ).configure(is_null_level=True),
            _level(
                "house_no_l = house_no_r and jaro_winkler_similarity(street_key_l, street_key_r)"
                " >= 0.9",
                "same house number and street",
            ),
            _level(
                "jaro_winkler_similarity(street_key_l, street_key_r) >= 0.9",
                "same street",
            ),
            cll.ExactMatchLevel("house_no"),
            cll.ElseLevel(),
        ],
    )


def _other_id() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="other_id",
        comparison_description="another shared identifier (passport, social security no.)",
        comparison_levels=[
            cll.NullLevel("other_id"),
            cll.ExactMatchLevel("other_id"),
            cll.DamerauLevenshteinLevel("other_id", 1),
            cll.ElseLevel(),
        ],
    )


def _national_id() -> cl.CustomComparison:
    # The pseudonym of a valid ID. Agreement is strong evidence and not proof: relatives'
    # IDs and checksum-valid typos put one ID on two people. A different valid ID says
    # little more than "another registration": the clustering keeps two valid IDs apart.
    return cl.CustomComparison(
        output_column_name="national_id",
        comparison_description="national ID (pseudonym, valid IDs only)",
        comparison_levels=[
            cll.NullLevel("id_hash"),
            cll.ExactMatchLevel("id_hash"),
            cll.ElseLevel(),
        ],
    )


def comparisons() -> list[cl.CustomComparison | Any]:
    """The comparisons of the Thai-aware model, most telling first."""
    return [
        _national_id(),
        _name("first"),
        _name("last"),
        _birth_date(),
        cl.ExactMatch("sex"),
        _location(),
        _street_address(),
        _other_id(),
    ]


#: Candidate pairs: a pair is scored if it agrees on any one of these. Each pairs a name
#: key with something else, so one error (a misspelt name, a maiden name, a mistyped
#: year) never hides a pair from all of them.
PREDICTION_RULES = (
    ("id_hash",),
    ("first_name_phonetic", "last_name_phonetic"),
    ("first_name_phonetic", "birth_year"),
    ("last_name_phonetic", "birth_year"),
    ("birth_date", "substr(first_name_key, 1, 1)"),
    ("house_code", "birth_year"),
    ("subdistrict_code", "birth_date"),
    ("other_id",),
    ("postcode", "birth_year"),
    ("postcode", "street_key"),
    ("postcode", "last_name_phonetic"),
    ("first_name_phonetic", "street_key"),
    # Two errors at once (a maiden name and no birth date, a misspelt given name and a year
    # off): the given name where one lives, the family name in one's house.
    ("first_name_phonetic", "subdistrict_code"),
    ("last_name_phonetic", "house_code"),
)
#: Given name and surname swapped between the columns.
SWAPPED_NAMES_RULE = (
    "l.first_name_phonetic = r.last_name_phonetic and l.last_name_phonetic = r.first_name_phonetic"
)

#: EM training blocks: each leaves some comparisons free to be estimated.
TRAINING_RULES = (
    ("birth_date",),
    ("first_name_phonetic", "last_name_phonetic"),
)


def settings(probability_two_random_records_match: float) -> SettingsCreator:
    """Splink settings for deduplicating ``link_records`` (unique ID ``rid``)."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="rid",
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=[
            *(block_on(*r) for r in PREDICTION_RULES),
            {"blocking_rule": SWAPPED_NAMES_RULE},
        ],
        probability_two_random_records_match=probability_two_random_records_match,
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["source"],
    )
