"""Survivorship rules: the YAML that says where each golden field comes from.

Example:
    >>> rules = load_rules()
    >>> rules.fields["death_date"].authority
    ('dopa',)
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sitthi.errors import RuleError
from sitthi.ingest.spec import Dimension
from sitthi.yaml_models import parse_yaml_model, read_user_file

FieldType = Literal["text", "date", "number", "boolean"]

#: source_records columns a golden field may come from.
IdentityColumn = Literal[
    "title",
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "house_code",
    "house_no",
    "moo",
    "subdistrict_code",
    "district_code",
    "province_code",
    "phone",
    "street",
    "postcode",
    "other_id",
]


class FieldRule(BaseModel):
    """One golden field: its origin, type, authorities, and whether to record conflicts."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    origin: Literal["identity", "fact"] = Field(alias="from")
    column: IdentityColumn | None = None
    dimension: Dimension | None = None
    indicator: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]*$")
    type: FieldType = "text"
    authority: tuple[str, ...] = ()
    conflicts: bool = False
    th: str | None = None  # the field's name in Thai, for reports
    #: The value for a person the authority does not list, once its extract is loaded: for
    #: complete rolls, where "not on the pension roll" means "no government pension".
    absent: str | None = None
    #: The value holds only over the fact's own period (the ``valid_from``/``valid_to``
    #: columns of the source's spec: a pension's start, a care-home admission), not on
    #: every day: a profile takes the value in force on its day. An undated fact (dated
    #: by its extract) holds on every day.
    dated: bool = False

    @field_validator("absent", mode="before")
    @classmethod
    def _absent_as_text(cls, value: object) -> object:
        # YAML reads `absent: false` as a boolean; golden values are compared as text.
        if isinstance(value, bool):
            return str(value).lower()
        return str(value) if isinstance(value, int | float) else value

    @model_validator(mode="after")
    def _origin_has_its_keys(self) -> FieldRule:
        if self.origin == "identity" and (self.column is None or self.indicator):
            raise ValueError("an identity field names a `column` (and no indicator)")
        if self.origin == "fact" and (self.column or not (self.dimension and self.indicator)):
            raise ValueError("a fact field names a `dimension` and an `indicator` (no column)")
        if self.absent is not None and not self.authority:
            raise ValueError("`absent` needs an `authority` whose extract lists everyone")
        if self.dated and self.origin != "fact":
            raise ValueError("only a fact is `dated` (an identity column has no period)")
        return self


class SurvivorshipRules(BaseModel):
    """Every golden field, by name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    fields: dict[str, FieldRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _names_are_columns(self) -> SurvivorshipRules:
        bad = [n for n in self.fields if not n.isidentifier() or n != n.lower()]
        if bad:
            raise ValueError(f"field names must be lower-case identifiers: {', '.join(bad)}")
        return self


PACKAGED = "survivorship.yaml"


def parse_rules(text: str, name: str) -> SurvivorshipRules:
    """Validate survivorship rules; errors name the file, line and field."""
    return parse_yaml_model(
        text,
        name,
        SurvivorshipRules,
        RuleError,
        "survivorship rules are a mapping (version, fields)",
    )


def load_rules(path: Path | None = None) -> SurvivorshipRules:
    """The rules in ``path``, or the packaged ones."""
    if path is None:
        text = files("sitthi.registry").joinpath(PACKAGED).read_text(encoding="utf-8")
        return parse_rules(text, f"registry/{PACKAGED}")
    return parse_rules(read_user_file(path, RuleError, what="survivorship rules"), str(path))
