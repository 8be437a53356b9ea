"""One person or household as a case worker sees it: the golden record by dimension, each
value with its source and date, and the person's rights, gaps and disagreements.

Reads what `sitthi rights` wrote (``persons``, ``person_values``, ``profiles``,
``entitlements``, ``gaps``, ``conflicts``, ``household_profiles``); it computes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sitthi.engines.duckdb import dict_rows, one
from sitthi.errors import ValidationError
from sitthi.registry.rules import SurvivorshipRules, load_rules

if TYPE_CHECKING:
    import duckdb

#: The golden fields that are not facts: who the person is and where they live.
IDENTITY = "identity"


@dataclass
class PersonLookup:
    person_id: str
    profile: dict[str, Any]
    # dimension -> field, label_th, kind, value, source, date; in the survivorship rules' order
    values: dict[str, list[dict[str, Any]]]
    entitlements: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)


def _require(con: duckdb.DuckDBPyConnection, tables: tuple[str, ...]) -> None:
    present = one(
        con,
        "select count(*) from duckdb_tables() where table_name in $t "
        "and database_name = current_database()",
        {"t": list(tables)},
    )
    if present < len(tables):
        raise ValidationError("the store has no registry yet: run `sitthi rights` first")


def lookup_person(
    con: duckdb.DuckDBPyConnection, person_id: str, rules: SurvivorshipRules | None = None
) -> PersonLookup:
    """The person's profile and golden values by dimension, with rights and gaps."""
    _require(con, ("persons", "person_values", "profiles", "entitlements", "gaps", "conflicts"))
    profile = dict_rows(con, "select * from profiles where person_id = $p", {"p": person_id})
    if not profile:
        raise ValidationError(f"no person {person_id} in the registry (see `sitthi explain`)")
    rules = rules or load_rules()
    dimension = {n: r.dimension or IDENTITY for n, r in rules.fields.items()}
    values: dict[str, list[dict[str, Any]]] = {}
    for v in dict_rows(
        con,
        """select field, value, source, record_id, as_of, from_authority
           from person_values where person_id = $p order by field""",
        {"p": person_id},
    ):
        rule = rules.fields.get(v["field"])
        # What a reader needs to show the value: its Thai label and its kind.
        v["label_th"] = _label(rules, v["field"])
        v["kind"] = "sex" if v["field"] == "sex" else (rule.type if rule else "text")
        values.setdefault(dimension.get(v["field"], IDENTITY), []).append(v)
    order = {name: i for i, name in enumerate(rules.fields)}
    for found in values.values():
        found.sort(key=lambda v: order.get(v["field"], len(order)))
    params = {"p": person_id}
    return PersonLookup(
        person_id=person_id,
        profile=profile[0],
        values=values,
        entitlements=dict_rows(
            con, "select * from entitlements where person_id = $p order by programme", params
        ),
        gaps=dict_rows(
            con, "select * from gaps where person_id = $p order by programme, gap", params
        ),
        conflicts=[
            {**c, "label_th": _label(rules, c["field"])}
            for c in dict_rows(
                con,
                """select field, chosen_value, chosen_source, other_value, other_source
                   from conflicts where person_id = $p order by field, other_source""",
                params,
            )
        ],
    )


def _label(rules: SurvivorshipRules, name: str) -> str:
    rule = rules.fields.get(name)
    return rule.th if rule and rule.th else name


def lookup_household(con: duckdb.DuckDBPyConnection, household_id: str) -> dict[str, Any]:
    """The household's profile, its poverty index verdict, and its living members."""
    _require(con, ("household_profiles", "profiles"))
    found = dict_rows(
        con, "select * from household_profiles where household_id = $h", {"h": household_id}
    )
    if not found:
        raise ValidationError(f"no household {household_id} in the registry")
    household = found[0]
    has_poverty = one(
        con,
        "select count(*) from duckdb_tables() where table_name = 'household_poverty' "
        "and database_name = current_database()",
    )
    poverty = (
        dict_rows(
            con,
            "select poor, failed, failed_dimensions from household_poverty where household_id = $h",
            {"h": household_id},
        )
        if has_poverty
        else []
    )
    household["poverty"] = poverty[0] if poverty else None
    household["members_list"] = dict_rows(
        con,
        """select p.person_id, g.first_name, g.last_name, p.age, p.alive
           from profiles p join persons g using (person_id)
           where p.household_id = $h order by p.age desc nulls last, p.person_id""",
        {"h": household_id},
    )
    return household
