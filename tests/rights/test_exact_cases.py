"""Hand-checked cases through the real pipeline: ingest → link → rights, on a DuckDB store.

``cases/`` holds small agency extracts (UTF-8 CSV; each is sent to the packaged spec in
the agency's own format and encoding: DEP and DSDW as Excel, the LAO list as TIS-620) and
``expected.csv``: for each case (one person), the entitlement on the day and the gap of
every programme, with its amount and detail, and why, worked out by hand from the
programmes' YAML and the convention for the month paid for (docs/RIGHTS.md, "The month
paid for"). The day is 1 October 2026; the lists pay July, August and September 2026.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest

from sitthi.engines.duckdb import connect, rows
from sitthi.ingest.service import ingest_file
from sitthi.ingest.spec import SourceSpec, load_spec
from sitthi.linkage.service import link_store
from sitthi.registry.profile import dated_fields, profile_sql
from sitthi.rights.service import RightsReport, run_rights
from tests.linkage.helpers import KEY

AS_OF = dt.date(2026, 10, 1)
CASES = Path(__file__).parent / "cases"
#: Extract file (cases/<source>.csv) → its spec: packaged, or the test spec beside it.
SPECS: dict[str, str | Path] = {
    "dopa": "dopa",
    "lao": "lao",
    "dep": "dep",
    "cgd": "cgd",
    "dsdw": "dsdw",
    "cdd": "cdd",
    "mof": "mof",
    "dcy": CASES / "dcy.yaml",
}


def _expected() -> list[dict[str, str]]:
    with (CASES / "expected.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


EXPECTED = _expected()


def _as_the_agency_sends_it(spec: SourceSpec, path: Path, folder: Path) -> Path:
    """The extract in the format and encoding the spec reads (the fixture is UTF-8 CSV)."""
    with path.open(encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    if spec.read.format == "xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = spec.read.sheet or "Sheet1"
        for row in table:
            sheet.append(row)  # every cell as text, as the agencies' sheets are typed
        out = folder / f"{path.stem}.xlsx"
        book.save(out)
        return out
    out = folder / path.name
    with out.open("w", encoding=spec.read.encoding, newline="") as f:
        csv.writer(f).writerows(table)
    return out


@pytest.fixture(scope="module")
def judged(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[duckdb.DuckDBPyConnection, RightsReport]:
    folder = tmp_path_factory.mktemp("exact-cases")
    con = connect(folder / "store.duckdb")
    for source, name in SPECS.items():
        spec = load_spec(name)
        path = _as_the_agency_sends_it(spec, CASES / f"{source}.csv", folder)
        result = ingest_file(
            con, spec, path, key=KEY, key_version=1, load_date=AS_OF, extract_date=AS_OF
        )
        # A row kept out at ingest would make its case mean something else.
        assert result.rows_quarantined == 0, (source, result.report)
    link_store(con, now=dt.datetime(2026, 10, 1, 9, 0))
    return con, run_rights(con, AS_OF)


def _person(con: duckdb.DuckDBPyConnection, national_id: str) -> str:
    """The person of the civil record with this ID."""
    found = rows(
        con,
        """select p.person_id from identities i
           join source_records s on s.pid_hash = i.pid_hash and s.source = 'dopa'
           join person_records p using (source, record_id)
           where i.national_id = $id""",
        {"id": national_id},
    )
    assert len(found) == 1, national_id
    return str(found[0][0])


def _number(text: str) -> float | None:
    return float(text) if text else None


def _found(con: duckdb.DuckDBPyConnection, person: str) -> tuple[set[Any], set[Any]]:
    entitled = {
        (str(p), float(a))
        for p, a in rows(
            con, "select programme, amount from entitlements where person_id = $p", {"p": person}
        )
    }
    gaps = {
        (str(p), str(g), None if a is None else float(a), d, u)
        for p, g, a, d, u in rows(
            con,
            "select programme, gap, amount, detail, unknown from gaps where person_id = $p",
            {"p": person},
        )
    }
    return entitled, gaps


@pytest.mark.parametrize("case", sorted({r["case"] for r in EXPECTED}))
def test_each_case_gets_exactly_its_rights_and_gaps(
    judged: tuple[duckdb.DuckDBPyConnection, RightsReport], case: str
) -> None:
    con, _ = judged
    mine = [r for r in EXPECTED if r["case"] == case]
    person = _person(con, mine[0]["national_id"])
    entitled = {(r["programme"], float(r["entitled"])) for r in mine if r["entitled"]}
    # No verdict here rests on unknown data: every roll it reads is loaded.
    gaps = {
        (r["programme"], r["gap"], _number(r["gap_amount"]), r["detail"] or None, None)
        for r in mine
        if r["gap"]
    }
    assert _found(con, person) == (entitled, gaps), mine[0]["why"]


@pytest.mark.parametrize("table", ["gaps", "entitlements"])
def test_no_right_or_gap_outside_the_cases(
    judged: tuple[duckdb.DuckDBPyConnection, RightsReport], table: str
) -> None:
    """Every entitlement and gap in the store belongs to a case's civil record: no
    phantom person from records the linkage left alone (O26's payments under a typo'd
    ID are repaired onto her civil record by linkage, not by the rights engine)."""
    con, _ = judged
    persons = {_person(con, r["national_id"]) for r in EXPECTED}
    found = {str(p) for (p,) in rows(con, f"select distinct person_id from {table}")}
    assert found <= persons


def test_the_lists_end_in_september(
    judged: tuple[duckdb.DuckDBPyConnection, RightsReport],
) -> None:
    con, report = judged
    assert report.rights.lists_end == {
        "old_age_allowance": dt.date(2026, 9, 1),
        "disability_allowance": dt.date(2026, 9, 1),
        "child_support_grant": dt.date(2026, 9, 1),
        "state_welfare_card": AS_OF,  # the card's "list" is its holders on the day
    }
    # Each case's civil record and the typo'd ID, each once.
    ((ids,),) = rows(con, "select count(distinct national_id) from identities")
    assert ids == len({r["national_id"] for r in EXPECTED}) + 1


def test_the_report_counts_the_cases_gaps(
    judged: tuple[duckdb.DuckDBPyConnection, RightsReport],
) -> None:
    _, report = judged
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for r in EXPECTED:
        if r["gap"]:
            totals[(r["programme"], r["gap"])] += 1
    assert report.rights.gaps == dict(totals)
    entitled: dict[str, int] = defaultdict(int)
    for r in EXPECTED:
        if r["entitled"]:
            entitled[r["programme"]] += 1
    assert report.rights.entitled == dict(entitled)


@pytest.mark.parametrize(
    ("case", "field", "false_on", "true_on"),
    [
        ("O12", "state_care_resident", "2026-09-19", "2026-09-20"),  # admitted 20 Sep
        ("O13", "state_care_resident", "2026-08-31", "2026-09-01"),  # admitted 1 Sep
        ("O14", "government_pension", "2026-08-14", "2026-08-15"),  # pension from 15 Aug
        ("O15", "government_pension", "2026-09-30", "2026-10-01"),  # pension from 1 Oct
        ("D05", "disability_card_valid", "2026-08-21", "2026-08-20"),  # valid to 20 Aug
        ("D06", "disability_card_valid", "2026-09-09", "2026-09-10"),  # issued 10 Sep
        ("O18", "alive", "2026-09-10", "2026-09-09"),  # died 10 Sep: dead on that day
    ],
)
def test_a_dated_fact_changes_the_profile_on_its_day(
    judged: tuple[duckdb.DuckDBPyConnection, RightsReport],
    case: str,
    field: str,
    false_on: str,
    true_on: str,
) -> None:
    """A start holds from its own day, an end (an expiry, a death) up to its own day: a
    profile reads each dated fact on the profile's day, as it reads an age."""
    con, _ = judged
    national_id = next(r["national_id"] for r in EXPECTED if r["case"] == case)
    person = _person(con, national_id)
    sql = profile_sql("$day::date", dated=dated_fields(con))

    def value(day: str) -> object:
        return rows(
            con, f"select {field} from ({sql}) where person_id = $p", {"day": day, "p": person}
        )[0][0]

    assert value(false_on) is False
    assert value(true_on) is True


@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("O22", "(รหัส 5471703, 5500704): พบว่าบุคคลรหัส {p} ได้รับเบี้ยยังชีพผู้สูงอายุซ้ำจากหลายแห่ง"),
        ("O24", "(รหัส 5500704): พบว่าบุคคลรหัส {p} ได้รับเบี้ยยังชีพผู้สูงอายุซ้ำในงวดเดียวกัน"),
        ("K02", "(รายการ dcy K00004, dcy K00005): พบว่าบุคคลรหัส {p} ได้รับเงินอุดหนุน"),
    ],
)
def test_a_double_payment_is_told_to_its_payer_for_what_it_is(
    judged: tuple[duckdb.DuckDBPyConnection, RightsReport], case: str, says: str
) -> None:
    """Two authorities: a move to check; one authority, or a list without payers: a
    registration made twice."""
    con, _ = judged
    person = _person(con, next(r["national_id"] for r in EXPECTED if r["case"] == case))
    ((message,),) = rows(
        con,
        "select message_th from notifications where person_id = $p and gap = 'paid_twice'",
        {"p": person},
    )
    assert says.format(p=person) in message
