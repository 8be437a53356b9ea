"""The Splink model's SQL: every character-counting function reads a similarity key."""

from __future__ import annotations

import re

from sitthi.linkage.model import settings

#: Byte-counting functions (duckdb issue 25113): on Thai text they count UTF-8 bytes.
_STRING_DISTANCE = re.compile(
    r"(jaro_winkler_similarity|jaro_similarity|levenshtein|damerau_levenshtein)\(([^)]*)\)",
    re.IGNORECASE,
)
#: Columns that are ASCII by construction: similarity keys, the other identifier
#: (upper-cased, separators removed; passports and social security numbers) and the
#: postcode (ASCII digits only, Thai digits mapped at ingest).
_ASCII_COLUMNS = re.compile(r'^"?(\w+_key|other_id|postcode)_[lr]"?$')


def test_string_distances_only_ever_read_similarity_keys() -> None:
    model = settings(1e-4).create_settings_dict("duckdb")
    calls = []
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            calls += _STRING_DISTANCE.findall(level["sql_condition"])
    assert calls  # the model does use string distances
    for function, arguments in calls:
        for argument in arguments.split(","):
            assert _ASCII_COLUMNS.match(argument.strip()), f"{function}({arguments})"


def test_exact_name_levels_are_term_frequency_adjusted() -> None:
    model = settings(1e-4).create_settings_dict("duckdb")
    adjusted = {
        level["tf_adjustment_column"]
        for comparison in model["comparisons"]
        for level in comparison["comparison_levels"]
        if level.get("tf_adjustment_column")
    }
    assert adjusted == {"first_name_norm", "last_name_norm"}
