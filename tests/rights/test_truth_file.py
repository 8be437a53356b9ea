"""A welfare truth file is checked whole before a rights run, not after it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitthi.errors import ValidationError
from sitthi.rights.evaluate import check_truth_files

HEADER = "person_id,programme,error_type,detail,national_id\n"
LOADED = {"old_age_allowance"}


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("P1,old_age_allowance,paid_twice\n", "row 2: 3 fields, the header has 5"),
        ("", "no planted errors to check against"),
        ("P1,old_age_allowance,typo,x,1\n", "error_type 'typo' is not a gap"),
        ("P1,no_prog,paid_twice,x,1\n", "programme 'no_prog' is not loaded"),
    ],
)
def test_a_bad_truth_is_refused_naming_file_and_row(
    tmp_path: Path, rows: str, message: str
) -> None:
    truth = tmp_path / "welfare_errors.csv"
    truth.write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(ValidationError, match=message):
        check_truth_files(truth, None, LOADED)


def test_a_good_truth_passes(tmp_path: Path) -> None:
    truth = tmp_path / "welfare_errors.csv"
    truth.write_text(HEADER + 'P1,old_age_allowance,paid_twice,"a, b",1\n', encoding="utf-8")
    check_truth_files(truth, None, LOADED)
