"""Import help requests from another system's file (BMA's E-case, a province's own list):
a spec maps its columns and values to a request, like an ingest spec.

Every row is checked on its own. A good row becomes a case (once: a second import of the
same file finds its external IDs and adds nothing); a bad row is kept in
``case_rejects`` with every reason, each naming its column, and the row's values with the
national ID replaced by its pseudonym. A file whose header lacks a mapped column is
refused whole, naming the columns, before anything is written.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from sitthi.cases.intake import HelpRequest, Received, receive
from sitthi.errors import RuleError, ValidationError
from sitthi.operations.case_models import CaseReject
from sitthi.thai.dates import parse_thai_date
from sitthi.yaml_models import parse_yaml_model, read_user_file

if TYPE_CHECKING:
    import duckdb

    from sitthi.cases.workflow import Desk

#: Rows received in one transaction.
BATCH = 1000
_DATES = ("birth_date", "received_at")


class CaseSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    source_system: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_th: str = Field(min_length=1)
    #: request field → the file's column
    columns: dict[str, str] = Field(min_length=1)
    #: request field → the file's value → Sitthi's code
    values: dict[str, dict[str, str]] = {}
    era: Literal["BE", "CE"] | None = None

    def model_post_init(self, _context: Any) -> None:
        unknown = sorted(set(self.columns) - set(HelpRequest.model_fields))
        if unknown:
            raise ValueError(f"columns: unknown request fields {', '.join(unknown)}")
        if "help_type" not in self.columns or "area_code" not in self.columns:
            raise ValueError("columns: help_type and area_code must be mapped")


def load_case_spec(name: str) -> CaseSpec:
    """A packaged spec by its id (``bma_ecase``) or a YAML file."""
    packaged = files("sitthi.cases").joinpath("specs", f"{name}.yaml")
    if packaged.is_file():
        text, where = packaged.read_text(encoding="utf-8"), f"cases/specs/{name}.yaml"
    else:
        path = Path(name)
        text, where = read_user_file(path, RuleError, what="case spec"), str(path)
    try:
        return parse_yaml_model(text, where, CaseSpec, RuleError, "a case spec maps columns")
    except ValueError as exc:  # model_post_init
        raise RuleError(f"{where}: {exc}") from None


@dataclass(frozen=True)
class ImportResult:
    file: Path
    rows: int
    received: list[Received]
    rejected: int

    @property
    def new(self) -> int:
        return sum(r.new for r in self.received)


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line or row number, values by header), from CSV (UTF-8) or Excel."""
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            it = sheet.iter_rows(values_only=True)
            header = [str(h).strip() if h is not None else "" for h in next(it, ())]
            for n, row in enumerate(it, start=2):
                if any(v not in (None, "") for v in row):
                    yield n, dict(zip(header, row, strict=False))
        finally:
            book.close()
        return
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        for row in reader:
            yield reader.line_num, {k.strip(): v for k, v in row.items() if k is not None}


def _header(path: Path) -> set[str]:
    for _, row in _rows(path):
        return set(row)
    return set()


def _request(spec: CaseSpec, raw: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The request's fields from a row, and the reasons the row cannot be read."""
    out: dict[str, Any] = {}
    bad: list[dict[str, str]] = []
    for field, column in spec.columns.items():
        value = raw.get(column)
        if isinstance(value, str):
            value = value.strip() or None
        if value is None:
            continue
        if field in spec.values:
            mapped = spec.values[field].get(str(value))
            if mapped is None:
                known = ", ".join(spec.values[field])
                bad.append(
                    {
                        "column": column,
                        "reason": f"unknown value {value!r}; expected one of {known}",
                    }
                )
                continue
            value = mapped
        if field in _DATES and not isinstance(value, dt.datetime):
            parsed = parse_thai_date(value, era=spec.era)
            if not parsed.ok or parsed.value is None or parsed.value.precision != "day":
                bad.append(
                    {"column": column, "reason": f"not a date ({parsed.reason or 'partial'})"}
                )
                continue
            value = parsed.value.date
        if (
            field == "received_at"
            and isinstance(value, dt.date)
            and not isinstance(value, dt.datetime)
        ):
            value = dt.datetime.combine(
                value, dt.time(9, 0), tzinfo=dt.timezone(dt.timedelta(hours=7))
            )
        out[field] = (
            str(value) if field in ("national_id", "external_id", "area_code", "phone") else value
        )
    return out, bad


def import_cases(
    desk: Desk,
    release: tuple[int, duckdb.DuckDBPyConnection],
    spec: CaseSpec,
    path: Path,
    *,
    secret: bytes,
) -> ImportResult:
    """Receive every good row of ``path``; keep every bad one with its reasons."""
    from sitthi.ingest.pseudonym import pseudonym
    from sitthi.thai.national_id import normalize_national_id

    if not path.is_file():
        raise ValidationError(f"{path}: no such file")
    missing = sorted(set(spec.columns.values()) - _header(path))
    if missing:
        raise ValidationError(
            f"{path}: the header lacks the columns {', '.join(missing)} ({spec.id})"
        )
    id_column = spec.columns.get("national_id")
    received: list[Received] = []
    rejects: list[CaseReject] = []
    good: list[HelpRequest] = []
    rows = 0
    for n, raw in _rows(path):
        rows += 1
        fields, bad = _request(spec, raw)
        if not bad:
            try:
                good.append(HelpRequest.model_validate(fields))
            except PydanticError as exc:
                for e in exc.errors():
                    field = str(e["loc"][0]) if e["loc"] else ""
                    bad.append(
                        {
                            "column": spec.columns.get(field, field or "(row)"),
                            "reason": e["msg"].removeprefix("Value error, "),
                        }
                    )
        if bad:
            kept = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in raw.items()}
            if id_column and kept.get(id_column):
                canonical = normalize_national_id(str(kept[id_column]))
                kept[id_column] = (
                    pseudonym(secret, canonical) if canonical else "(not a national ID)"
                )
            rejects.append(
                CaseReject(
                    file=str(path),
                    spec=spec.id,
                    row=n,
                    reasons=bad,
                    values=kept,
                    imported_by=desk.actor.name,
                )
            )
        if len(good) >= BATCH:
            received += receive(
                desk,
                release,
                good,
                channel="import",
                secret=secret,
                source_system=spec.source_system,
            )
            good = []
    if good:
        received += receive(
            desk, release, good, channel="import", secret=secret, source_system=spec.source_system
        )
    if rejects:
        with desk.change(
            persons=[], query={"file": path.name, "rejected": len(rejects)}
        ) as session:
            session.add_all(rejects)
    return ImportResult(path, rows, received, len(rejects))
