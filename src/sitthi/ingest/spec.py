"""Agency source specs: how to read an extract, what its columns mean, and its DSA.

A spec is YAML validated by pydantic. Every mistake is reported with the file, the line
and the field, and what was expected, so a data team can fix a spec without reading code.
"""

from __future__ import annotations

import datetime as dt
import os
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sitthi.errors import SourceSpecError
from sitthi.yaml_models import parse_yaml_model, read_user_file

IdentityField = Literal[
    "national_id",
    "title",
    "first_name",
    "last_name",
    "full_name",
    "sex",
    "birth_date",
    "house_code",
    "house_no",
    "moo",
    "subdistrict",
    "district",
    "province",
    "address",
    "street",
    "postcode",
    "phone",
    "other_id",
]
# The five dimensions of the One Data profile, plus "civil" for what the civil registry
# says of a person (nationality, alive or dead) that every dimension depends on.
IDENTITY_FIELDS: tuple[str, ...] = get_args(IdentityField)
Dimension = Literal["income", "employment", "health", "education", "social_welfare", "civil"]
Era = Literal["BE", "CE"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReadSpec(_Strict):
    """How to read the extract."""

    format: Literal["csv", "xlsx", "parquet", "jsonl", "sql"]
    encoding: Literal["utf-8", "utf-8-sig", "cp874", "tis-620"] = "utf-8"
    delimiter: str = Field(",", min_length=1, max_length=1)
    quote: str = Field('"', min_length=1, max_length=1)
    header: bool = True
    sheet: str | None = None
    url: str | None = None  # for format: sql, an SQLAlchemy URL
    table: str | None = None
    query: str | None = None

    @model_validator(mode="after")
    def _sql_needs_a_source(self) -> ReadSpec:
        if self.format == "sql" and not (self.url and (self.table or self.query)):
            raise ValueError("format sql needs `url` and either `table` or `query`")
        return self


class FieldSpec(_Strict):
    """Where an identity field comes from and how to parse it."""

    column: str = Field(min_length=1)
    era: Era | None = None  # for birth_date: the era the column is written in
    required: bool = False  # reject the row when this field is empty or invalid


class FactSpec(_Strict):
    """A typed, dated statement the source makes about the person."""

    column: str = Field(min_length=1)
    dimension: Dimension
    indicator: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: Literal["text", "number", "integer", "boolean", "date"] = "text"
    unit: str | None = None
    era: Era | None = None  # for dates
    valid_from: str | None = None  # a column with the date the fact starts to hold
    valid_to: str | None = None
    true_values: tuple[str, ...] = ("Y", "y", "1", "true", "TRUE", "ใช่", "มี")


class DsaSpec(_Strict):
    """The Data Sharing Agreement under which the agency provides the extract."""

    id: str = Field(min_length=1)
    version: int = Field(1, ge=1)
    agency: str = Field(min_length=1)
    purpose: str = Field(min_length=1)
    legal_basis: str = Field(min_length=1, description="PDPA section, e.g. s.24(4) or s.26(5)(b)")
    fields_allowed: tuple[str, ...] = Field(min_length=1)
    retention_days: int = Field(gt=0)
    valid_from: dt.date
    valid_to: dt.date

    @model_validator(mode="after")
    def _period(self) -> DsaSpec:
        if self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_to

    def warning(self, day: dt.date, *, within: int = 30) -> str | None:
        """What a data team should hear about this DSA on ``day``: expired, expiring within
        ``within`` days, or not yet in force (loads outside its period are refused).

        Example:
            >>> load_spec("dep").dsa.warning(dt.date(2099, 1, 1))
            'DSA DSA-DEP-MSDHS-2568-004 expired on 2030-06-17: loads are refused'
        """
        left = (self.valid_to - day).days
        if left < 0:
            return f"DSA {self.id} expired on {self.valid_to}: loads are refused"
        if day < self.valid_from:
            return f"DSA {self.id} is in force from {self.valid_from}: loads before are refused"
        if left <= within:
            days = "today" if left == 0 else f"in {left} day{'s' if left > 1 else ''}"
            return f"DSA {self.id} expires on {self.valid_to} ({days})"
        return None


class SourceSpec(_Strict):
    """One agency dataset: how to read it, what it means, and the DSA that allows it."""

    source: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    title: str
    version: int = Field(ge=1)
    read: ReadSpec
    record_id: str | None = None  # the column that identifies a row; row number if absent
    fields: dict[IdentityField, FieldSpec]
    facts: tuple[FactSpec, ...] = ()
    dsa: DsaSpec

    @model_validator(mode="after")
    def _consistent(self) -> SourceSpec:
        if not self.fields:
            raise ValueError("a spec needs at least one identity field")
        names = "first_name" in self.fields or "full_name" in self.fields
        if "national_id" not in self.fields and not names:
            raise ValueError("fields need national_id or a name to identify people")
        indicators = [f.indicator for f in self.facts]
        if len(set(indicators)) != len(indicators):
            raise ValueError("two facts share an indicator name")
        id_field = self.fields.get("national_id")
        if id_field is not None:
            # The ID column is read once, as the ID: any other use would store it in clear.
            others: list[str] = [
                str(n)
                for n, f in self.fields.items()
                if n != "national_id" and f.column == id_field.column
            ]
            others += [
                f.indicator
                for f in self.facts
                if id_field.column in (f.column, f.valid_from, f.valid_to)
            ]
            if others:
                raise ValueError(
                    f"column {id_field.column!r} is the national ID; it cannot also be read as "
                    f"{', '.join(others)} (that would store the ID outside the identity table)"
                )
            if self.record_id == id_field.column and "national_id" not in self.dsa.fields_allowed:
                raise ValueError(
                    f"record_id {self.record_id!r} is the national ID column, which the DSA "
                    "does not allow: key the rows by another column"
                )
        return self

    @property
    def allowed(self) -> frozenset[str]:
        return frozenset(self.dsa.fields_allowed)


def parse_spec(text: str, name: str) -> SourceSpec:
    """Validate spec text; ``name`` is used in error messages (usually the file path)."""
    return parse_yaml_model(
        text,
        name,
        SourceSpec,
        SourceSpecError,
        "a spec is a mapping of keys (source, read, fields, dsa, …)",
    )


def load_spec(path: Path | str) -> SourceSpec:
    """Read a spec file, or a packaged spec by its source name (``dep``, ``lao``, …).

    Only a bare name (no folder, no suffix) names a packaged spec: ``specs/dep`` or
    ``./dep`` that does not exist is an error, not silently the packaged ``dep``.

    Example:
        >>> load_spec("dep").source
        'dep'
    """
    text = str(path)
    p = Path(path)
    bare = not p.suffix and not any(sep and sep in text for sep in (os.sep, os.altsep))
    if bare and not p.is_file():
        packaged = files("sitthi.ingest").joinpath("specs", f"{p.name}.yaml")
        if packaged.is_file():
            return parse_spec(packaged.read_text(encoding="utf-8"), f"specs/{p.name}.yaml")
        if not p.exists():
            known = ", ".join(packaged_specs())
            raise SourceSpecError(f"{path}: no such spec file or packaged spec (packaged: {known})")
    return parse_spec(read_user_file(text, SourceSpecError, what="spec"), text)


def packaged_specs() -> list[str]:
    """Source names of the specs shipped with Sitthi."""
    folder = files("sitthi.ingest").joinpath("specs")
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )
