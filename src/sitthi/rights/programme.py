"""A programme: who is eligible, for how much, how enrolment shows, and how to claim.

Programmes are YAML files, validated twice: the shape by pydantic (errors name the file,
line and field), then every rule by `sitthi.rights.expressions` (errors name the file, the
programme, the condition and the column).

Example:
    >>> p = load_programmes()["old_age_allowance"]
    >>> p.unit, list(p.eligibility)[:3]
    ('baht/month', ['thai', 'alive', 'age_60'])
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from importlib.resources import files
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlglot import exp

from sitthi.errors import RuleError
from sitthi.registry.profile import PROFILE_COLUMNS
from sitthi.rights.expressions import ExpressionError, check_expression, check_type, thresholds
from sitthi.yaml_models import parse_yaml_model, read_user_file

#: A condition's name: a report label and an SQL literal.
NAME = re.compile(r"[a-z][a-z0-9_]*")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """One eligibility condition, named so that a failure can be reported."""

    when: str = Field(min_length=1)  # restricted SQL over the profile, true when met
    th: str = Field(min_length=1)  # the condition in Thai, for notices and reports
    en: str = Field(min_length=1)


class Enrolment(_Strict):
    """How the data shows a person receives the programme.

    Either a fact (``indicator`` with ``value``; optional ``amount`` and ``payer``
    indicators of the same record), or a profile column that is true for members.
    """

    indicator: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]*$")
    value: str | None = None
    amount: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]*$")
    payer: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]*$")
    profile: str | None = None

    @model_validator(mode="after")
    def _one_way(self) -> Enrolment:
        if (self.indicator is None) == (self.profile is None):
            raise ValueError("enrolment is either a fact (indicator, value) or a profile column")
        if self.indicator is not None and self.value is None:
            raise ValueError("an enrolment fact needs the `value` that means enrolled")
        if self.profile is not None and self.profile not in PROFILE_COLUMNS:
            raise ValueError(f"unknown profile column {self.profile!r}")
        if self.profile is not None and PROFILE_COLUMNS[self.profile][0] != "boolean":
            raise ValueError(f"profile column {self.profile!r} is not true or false")
        return self


class Claim(_Strict):
    """What to tell a person who misses the right."""

    how_th: str = Field(min_length=1)
    where_th: str = Field(min_length=1)


class Programme(_Strict):
    """A welfare programme with its rules, in a YAML file."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_th: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    legal_source: tuple[str, ...] = Field(min_length=1)
    unit: str = Field(min_length=1)
    administered_by_th: str = Field(min_length=1)  # who pays or registers: payment errors go there
    eligibility: dict[str, Condition] = Field(min_length=1)
    amount: str = Field(min_length=1)
    enrolment: Enrolment
    claim: Claim

    @model_validator(mode="after")
    def _condition_names(self) -> Programme:
        for name in self.eligibility:
            # Names become report labels and SQL literals; "amount" is the amount's own.
            if not NAME.fullmatch(name) or name == "amount":
                raise ValueError(
                    f"eligibility: condition name {name!r} must be lower-case letters, digits "
                    "and _ (and not 'amount')"
                )
        return self

    def checked(self) -> dict[str, exp.Expr]:
        """Every rule, parsed and checked: condition name (and ``amount``) → expression.

        Checked once per programme (the type check runs each rule on sample profiles);
        the trees are shared, so a caller that rewrites one works on a copy.

        Raises:
            ValueError: naming the condition and what is wrong with it.
        """
        return self._checked

    @cached_property
    def _checked(self) -> dict[str, exp.Expr]:
        types = {c: t for c, (t, _) in PROFILE_COLUMNS.items()}
        rules = {**{n: c.when for n, c in self.eligibility.items()}, "amount": self.amount}
        out = {}
        for name, rule in rules.items():
            with _naming(name):
                out[name] = check_expression(rule, set(types))
        # Every rule also meets the conditions' thresholds: an amount that breaks at 60 is
        # found on the sample aged 60, where the newly eligible are.
        limits = thresholds(out[n] for n in self.eligibility)
        for name, tree in out.items():
            with _naming(name):
                check_type(tree, types, condition=name != "amount", limits=limits)
        return out


@contextmanager
def _naming(name: str) -> Iterator[None]:
    """An error in the rule ``name``, named: ``eligibility.age_60: …`` or ``amount: …``."""
    try:
        yield
    except ExpressionError as exc:
        where = "amount" if name == "amount" else f"eligibility.{name}"
        raise ValueError(f"{where}: {exc}") from exc


PACKAGED = "programmes"
YAML = (".yaml", ".yml")


def parse_programme(text: str, name: str) -> Programme:
    """Validate one programme file; every error names the file (and line or condition)."""
    programme = parse_yaml_model(
        text, name, Programme, RuleError, "a programme is a mapping (id, name_th, eligibility, …)"
    )
    try:
        programme.checked()
    except ValueError as exc:
        raise RuleError(f"{name}: programme {programme.id}: {exc}") from exc
    return programme


def load_programmes(*folders: Path) -> dict[str, Programme]:
    """The packaged programmes, then those in ``folders`` (YAML files, or folders of them; a
    user's file replaces a packaged programme with the same ``id``)."""
    found: dict[str, Programme] = {}
    packaged = files("sitthi.rights").joinpath(PACKAGED)
    for entry in sorted(packaged.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            p = parse_programme(
                entry.read_text(encoding="utf-8"), f"rights/{PACKAGED}/{entry.name}"
            )
            found[p.id] = p
    for folder in folders:
        if folder.is_dir():
            paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in YAML)
            if not paths:
                raise RuleError(f"{folder}: no programme files (.yaml, .yml) in this folder")
        elif folder.is_file():
            if folder.suffix.lower() not in YAML:
                raise RuleError(f"{folder}: a programme is a .yaml or .yml file")
            paths = [folder]
        else:
            raise RuleError(f"{folder}: no such programme file or folder")
        for path in paths:
            text = read_user_file(path, RuleError, what="programme")
            p = parse_programme(text, str(path))
            found[p.id] = p
    return found
