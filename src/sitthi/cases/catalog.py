"""The vocabulary of help requests and where each goes: validated data, not code.

``catalog.yaml`` names the departments, help types, channels and urgencies (with their SLA
hours); ``routing.yaml`` sends a help type in an area to a department and office, the
first matching rule winning. Both are checked on loading (an unknown department or help
type in a rule is an error naming the file and the rule).

Example:
    >>> c = load_catalog()
    >>> c.route("elderly_hardship", "840101").department
    'dop'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from pydantic import BaseModel, ConfigDict, Field

from sitthi.errors import RuleError, ValidationError
from sitthi.operations.roles import area_covers
from sitthi.yaml_models import parse_yaml_model

_CODE = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Named(_Strict):
    th: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Department(Named):
    short_th: str = Field(min_length=1)


class Urgency(Named):
    sla_hours: int = Field(gt=0, le=24 * 365)


class CatalogFile(_Strict):
    departments: dict[str, Department] = Field(min_length=1)
    help_types: dict[str, Named] = Field(min_length=1)
    channels: dict[str, Named] = Field(min_length=1)
    urgencies: dict[str, Urgency] = Field(min_length=1)


class Rule(_Strict):
    help_types: tuple[str, ...] = Field(min_length=1)
    areas: tuple[str, ...] = ()
    department: str = Field(pattern=_CODE)
    office: str = Field(min_length=1)


class RoutingFile(_Strict):
    rules: tuple[Rule, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Route:
    department: str
    office: str


@dataclass(frozen=True)
class Catalog:
    departments: dict[str, Department]
    help_types: dict[str, Named]
    channels: dict[str, Named]
    urgencies: dict[str, Urgency]
    rules: tuple[Rule, ...]

    def route(self, help_type: str, area_code: str) -> Route:
        """The department and office for ``help_type`` in ``area_code``; the provincial
        office (พมจ.) when no rule matches."""
        from sitthi.thai.areas import area_name

        province = area_name(area_code[:2]) or area_code[:2]
        for rule in self.rules:
            if help_type in rule.help_types and (
                not rule.areas or any(area_covers(a, area_code) for a in rule.areas)
            ):
                return Route(rule.department, rule.office.format(province=province))
        return Route("opdc", f"สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัด{province}")

    def due(self, urgency: str, received_at: dt.datetime) -> dt.datetime:
        """When a request received at ``received_at`` must be decided by."""
        return received_at + dt.timedelta(hours=self.urgencies[urgency].sla_hours)

    def check(self, what: str, value: str, known: Mapping[str, object]) -> str:
        """``value`` if it is one of ``known``, else an error listing them."""
        if value not in known:
            raise ValidationError(
                f"unknown {what} {value!r}; expected one of {', '.join(sorted(known))}"
            )
        return value


def parse_catalog(catalog_text: str, routing_text: str, names: tuple[str, str]) -> Catalog:
    """Validate the two files; every error names its file (and rule)."""
    c = parse_yaml_model(
        catalog_text, names[0], CatalogFile, RuleError, "the catalog maps departments, …"
    )
    r = parse_yaml_model(routing_text, names[1], RoutingFile, RuleError, "routing has rules")
    for i, rule in enumerate(r.rules, start=1):
        where = f"{names[1]}: rule {i}"
        if rule.department not in c.departments:
            raise RuleError(f"{where}: unknown department {rule.department!r}")
        unknown = sorted(set(rule.help_types) - set(c.help_types))
        if unknown:
            raise RuleError(f"{where}: unknown help types {', '.join(unknown)}")
        try:
            rule.office.format(province="x")
        except (KeyError, IndexError, ValueError):
            raise RuleError(f"{where}: office may use only {{province}}") from None
    return Catalog(c.departments, c.help_types, c.channels, c.urgencies, r.rules)


@cache
def load_catalog() -> Catalog:
    """The packaged catalog and routing rules."""
    here = files("sitthi.cases")
    return parse_catalog(
        here.joinpath("catalog.yaml").read_text(encoding="utf-8"),
        here.joinpath("routing.yaml").read_text(encoding="utf-8"),
        ("cases/catalog.yaml", "cases/routing.yaml"),
    )
