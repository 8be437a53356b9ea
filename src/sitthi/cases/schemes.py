"""Aid schemes: one-off help a department may pay on a request, as validated YAML.

A scheme names the help types it answers, its eligibility (restricted SQL, as programmes
are written, over the person's profile and their aid history: `AID_COLUMNS`), the amount
of one payment, its caps (per payment, per fiscal year in times and baht, ever), the
schemes it excludes (a household aided under one is not aided under the other for the
same need within ``excludes.days``), and the regulation each rule rests on.

Example:
    >>> s = load_schemes()["dsdw_emergency_aid"]
    >>> s.department, s.caps.per_payment
    ('dsdw', 3000)
"""

from __future__ import annotations

from functools import cache, cached_property
from importlib.resources import files
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlglot import exp

from sitthi.errors import RuleError
from sitthi.registry.profile import PROFILE_COLUMNS
from sitthi.rights.expressions import ExpressionError, check_expression, check_type, thresholds
from sitthi.rights.programme import NAME, Condition
from sitthi.yaml_models import parse_yaml_model, read_user_file

#: What a scheme's rules may read besides the profile: the request's household and its aid
#: history under the scheme (the cap's unit: the person or the household) this fiscal year.
AID_COLUMNS: dict[str, tuple[str, str]] = {
    "poor": ("boolean", "the household is poor by the จปฐ. index (NULL: not surveyed)"),
    "times_this_year": ("integer", "payments under this scheme this fiscal year"),
    "baht_this_year": ("integer", "baht paid under this scheme this fiscal year"),
    "household_aid_this_year": (
        "integer",
        "baht paid to the household under any scheme this fiscal year",
    ),
}
COLUMNS = {c: t for c, (t, _) in {**PROFILE_COLUMNS, **AID_COLUMNS}.items()}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Caps(_Strict):
    """Limits the rules cannot pass, whatever the amount rule says."""

    per_payment: int = Field(gt=0)
    times_per_year: int | None = Field(None, gt=0)  # per fiscal year (1 October – 30 September)
    baht_per_year: int | None = Field(None, gt=0)
    times_ever: int | None = Field(None, gt=0)
    per: Literal["person", "household"] = "person"
    cite: str = Field(min_length=1)  # the clause that sets the caps


class Excludes(_Strict):
    schemes: tuple[str, ...] = Field(min_length=1)
    days: int = Field(gt=0, le=3660)
    cite: str = Field(min_length=1)


class Scheme(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    department: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_th: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    legal_source: tuple[str, ...] = Field(min_length=1)
    help_types: tuple[str, ...] = Field(min_length=1)
    eligibility: dict[str, Condition] = Field(min_length=1)
    amount: str = Field(min_length=1)  # one payment, baht; capped by caps.per_payment
    caps: Caps
    excludes: Excludes | None = None

    @model_validator(mode="after")
    def _names(self) -> Scheme:
        for name in self.eligibility:
            if not NAME.fullmatch(name) or name == "amount":
                raise ValueError(f"eligibility: condition name {name!r} must be lower-case")
        return self

    def checked(self) -> dict[str, exp.Expr]:
        """Condition name (and ``amount``) → checked expression."""
        return self._checked

    @cached_property
    def _checked(self) -> dict[str, exp.Expr]:
        rules = {**{n: c.when for n, c in self.eligibility.items()}, "amount": self.amount}
        out = {}
        for name, rule in rules.items():
            try:
                out[name] = check_expression(rule, set(COLUMNS))
            except ExpressionError as exc:
                raise ValueError(f"{_where(name)}: {exc}") from exc
        limits = thresholds(out[n] for n in self.eligibility)
        for name, tree in out.items():
            try:
                check_type(tree, COLUMNS, condition=name != "amount", limits=limits)
            except ExpressionError as exc:
                raise ValueError(f"{_where(name)}: {exc}") from exc
        return out


def _where(name: str) -> str:
    return "amount" if name == "amount" else f"eligibility.{name}"


def parse_scheme(text: str, name: str) -> Scheme:
    scheme = parse_yaml_model(text, name, Scheme, RuleError, "a scheme is a mapping (id, …)")
    try:
        scheme.checked()
    except ValueError as exc:
        raise RuleError(f"{name}: scheme {scheme.id}: {exc}") from exc
    return scheme


def check_schemes(schemes: dict[str, Scheme]) -> None:
    """Departments, help types and excluded schemes must exist."""
    from sitthi.cases.catalog import load_catalog

    catalog = load_catalog()
    for s in schemes.values():
        if s.department not in catalog.departments:
            raise RuleError(f"scheme {s.id}: unknown department {s.department!r}")
        unknown = sorted(set(s.help_types) - set(catalog.help_types))
        if unknown:
            raise RuleError(f"scheme {s.id}: unknown help types {', '.join(unknown)}")
        missing = sorted(set(s.excludes.schemes if s.excludes else ()) - set(schemes))
        if missing:
            raise RuleError(f"scheme {s.id}: excludes unknown schemes {', '.join(missing)}")


def load_schemes(*paths: Path) -> dict[str, Scheme]:
    """The packaged schemes, then those of ``paths`` (files or folders; the same ``id``
    replaces a packaged scheme)."""
    found = dict(_packaged())
    for path in paths:
        chosen = sorted(path.glob("*.y*ml")) if path.is_dir() else [path]
        if not chosen:
            raise RuleError(f"{path}: no scheme files (.yaml) in this folder")
        for p in chosen:
            s = parse_scheme(read_user_file(p, RuleError, what="scheme"), str(p))
            found[s.id] = s
    check_schemes(found)
    return found


@cache
def _packaged() -> tuple[tuple[str, Scheme], ...]:
    folder = files("sitthi.cases").joinpath("schemes")
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            s = parse_scheme(entry.read_text(encoding="utf-8"), f"cases/schemes/{entry.name}")
            out.append((s.id, s))
    return tuple(out)
