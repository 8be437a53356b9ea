"""One person as a caller may see them: the fields their role or agreement allows, the
sensitive ones masked until revealed, each value with its source and date.

Shared by the API, the dashboard and the CLI; it reads a release (or a store) and decides
nothing about who the caller is: they pass the registry fields allowed and masked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sitthi.engines.duckdb import dict_rows, rows

if TYPE_CHECKING:
    import duckdb

    from sitthi.registry.cards import Card

#: Registry fields (the vocabulary of `sitthi.operations.dsa.REGISTRY_FIELDS`) and the
#: golden-record and profile columns each one stands for.
FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "person_id": ("person_id",),
    "household_id": ("household_id",),
    "title": ("title",),
    "first_name": ("first_name",),
    "last_name": ("last_name",),
    "sex": ("sex",),
    "birth_date": ("birth_date", "birth_precision"),
    "age": ("age",),
    "nationality": ("nationality", "thai"),
    "vital_status": ("vital_status", "alive"),
    "death_date": ("death_date",),
    "house_code": ("house_code",),
    "address": ("house_no", "moo"),
    "province_code": ("province_code",),
    "district_code": ("district_code",),
    "subdistrict_code": ("subdistrict_code",),
    "phone": ("phone",),
    "disability": (
        "disability",
        "disability_type",
        "disability_card_valid",
        "disability_card_no",
        "disability_card_issued",
        "disability_card_expiry",
    ),
    "health": ("health_scheme", "bedridden"),
    "income": (
        "annual_income",
        "deposit_balance",
        "land_rai",
        "household_income_per_person",
        "government_pension",
        "pension_amount",
    ),
    "employment": ("occupation", "formally_employed", "insured_wage", "sso_section", "sso_status"),
    "education": ("student", "class_level", "school_code"),
    "welfare_card": ("welfare_card", "welfare_card_status", "welfare_card_round"),
    "state_care": ("state_care_resident", "care_home"),
}
COLUMN_FIELD = {c: f for f, cs in FIELD_COLUMNS.items() for c in cs}
#: What a case worker sees masked until they state a purpose and reveal it (audited).
MASKED_FOR_CASEWORKERS = frozenset({"disability", "health", "income", "phone", "address"})
#: Record-level answers beyond the person's own fields, each a registry field too.
SECTIONS = ("entitlements", "gaps", "notices", "poverty", "household", "links")
#: What a household member shows, each column under the registry field it belongs to.
MEMBER_COLUMNS = {
    "title": "title",
    "first_name": "first_name",
    "last_name": "last_name",
    "sex": "sex",
    "age": "age",
    "vital_status": "alive",
}


@dataclass
class PersonRecord:
    person_id: str
    area: dict[str, str | None]  # province, district and subdistrict codes
    fields: dict[str, dict[str, Any]]  # registry field -> column -> value
    masked: list[str]  # registry fields withheld until revealed
    values: list[dict[str, Any]] = field(default_factory=list)  # with source and date
    entitlements: list[dict[str, Any]] | None = None
    gaps: list[dict[str, Any]] | None = None
    notices: list[dict[str, Any]] | None = None
    poverty: dict[str, Any] | None = None
    household: dict[str, Any] | None = None
    links: dict[str, Any] | None = None

    @property
    def shown(self) -> list[str]:
        return sorted(self.fields)

    @property
    def returned(self) -> list[str]:
        """Every person the answer names: the person, then their household's members."""
        members = (self.household or {}).get("members", [])
        return [self.person_id, *(m["person_id"] for m in members)]


def shown_reason(reason: str | None, shown: set[str] | frozenset[str]) -> str | None:
    """An entitlement's reason with only the values of fields the caller may see.

    The engine writes the profile values a rule read (``age=72, annual_income=12000.0``):
    only the pairs of shown fields stay; a reason that cannot be read pair by pair goes
    whole, since nothing of it can be shown safely.
    """
    if reason is None:
        return None
    kept = []
    for pair in reason.split(", "):
        column, equals, _ = pair.partition("=")
        if not equals or column not in COLUMN_FIELD:
            return None
        if COLUMN_FIELD[column] in shown:
            kept.append(pair)
    return ", ".join(kept) or None


def shown_detail(detail: str | None, shown: set[str] | frozenset[str]) -> str | None:
    """A gap's detail: the failed conditions (no values), or a death date (``died …``),
    which stays only for a caller who may see death dates."""
    if detail is not None and detail.startswith("died ") and "death_date" not in shown:
        return None
    return detail


#: The population groups of a Data Sharing Agreement, as conditions on a profile.
GROUP_CONDITIONS: dict[str, str] = {
    "all": "true",
    "elderly": "age >= 60",
    "disabled": "disability",
    "children": "age < 18",
    "low_income": "welfare_card or household_income_per_person <= 100000",
    "welfare_card_holders": "welfare_card",
    "bedridden": "bedridden",
    "state_care": "state_care_resident",
}


def population_condition(
    alias: str,
    *,
    groups: Sequence[str] = (),
    programmes: Sequence[str] = (),
) -> str:
    """SQL true for a person (``alias.person_id``) of one of ``groups`` or entitled to one
    of ``programmes`` (bound as ``$programmes``): the population an agreement covers."""
    tests = [f"coalesce(({GROUP_CONDITIONS[g]}), false)" for g in groups]
    if programmes:
        tests.append(
            "exists (select 1 from entitlements e where e.person_id = pop.person_id "
            "and e.programme in $programmes)"
        )
    if not tests:
        return "false"
    return (
        f"exists (select 1 from profiles pop where pop.person_id = {alias}.person_id "
        f"and ({' or '.join(tests)}))"
    )


def in_population(
    con: duckdb.DuckDBPyConnection,
    person_id: str,
    groups: Sequence[str] = (),
    programmes: Sequence[str] = (),
) -> bool:
    """Whether the person belongs to one of ``groups`` or is entitled to one of
    ``programmes`` (the population an agreement covers)."""
    condition = population_condition("p", groups=groups, programmes=programmes)
    found = rows(
        con,
        f"select {condition} from profiles p where p.person_id = $p",
        {"p": person_id, **({"programmes": list(programmes)} if programmes else {})},
    )
    return bool(found and found[0][0])


def pid_for_person(con: duckdb.DuckDBPyConnection, person_id: str) -> str | None:
    """The pseudonym the audit names a person by: the ID most of their records hold."""
    found = rows(
        con,
        "select pid_hash from person_pids where person_id = $p",
        {"p": person_id},
    )
    return str(found[0][0]) if found else None


def pids_for_persons(con: duckdb.DuckDBPyConnection, person_ids: list[str]) -> list[str]:
    """`pid_for_person` of many persons at once, in their order (the person ID where a
    person holds no valid ID)."""
    if not person_ids:
        return []
    found = dict(
        rows(
            con,
            "select person_id, pid_hash from person_pids where person_id in $p",
            {"p": list(person_ids)},
        )
    )
    return [str(found.get(p) or p) for p in person_ids]


def person_record(
    card: Card,
    household: dict[str, Any] | None,
    *,
    allowed: frozenset[str] | set[str],
    masked: frozenset[str] | set[str] = frozenset(),
) -> PersonRecord:
    """The allowed registry fields of a person's card (`sitthi.registry.cards`), with
    their household (`CardFile.household`); ``masked`` fields named but withheld."""
    shown = set(allowed) - set(masked)
    fields: dict[str, dict[str, Any]] = {}
    for name in sorted(shown & set(FIELD_COLUMNS)):
        present = {c: card.row[c] for c in FIELD_COLUMNS[name] if c in card.row}
        if present:
            fields[name] = present
    record = PersonRecord(
        person_id=card.person_id,
        area=card.area,
        fields=fields,
        masked=sorted(set(allowed) & set(masked)),
        values=[v for v in card.values if COLUMN_FIELD.get(v["field"]) in shown],
    )
    if "entitlements" in shown:
        record.entitlements = [
            {**e, "reason": shown_reason(e["reason"], shown)} for e in card.entitlements
        ]
    if "gaps" in shown:
        record.gaps = [{**g, "detail": shown_detail(g["detail"], shown)} for g in card.gaps]
    if "notices" in shown:
        record.notices = list(card.notices)
    if "poverty" in shown:
        record.poverty = card.poverty
    if "household" in shown and household is not None:
        record.household = _household(card.person_id, household, shown)
    if "links" in shown:
        record.links = card.links
    return record


def _household(person_id: str, household: dict[str, Any], shown: set[str]) -> dict[str, Any]:
    """The person's household and its other members, each with only the shown fields."""
    columns = ["person_id", *(column for name, column in MEMBER_COLUMNS.items() if name in shown)]
    return {
        "household_id": household["household_id"],
        **({"house_code": household["house_code"]} if "house_code" in shown else {}),
        "size": household["size"],
        "members": [
            {c: m[c] for c in columns} for m in household["members"] if m["person_id"] != person_id
        ],
    }


def member_pids(household: dict[str, Any] | None) -> dict[str, str | None]:
    """Each member's pseudonym by person ID (the audit names them by it)."""
    return {m["person_id"]: m["pid_hash"] for m in (household or {}).get("members", [])}


#: Search answers at most this many candidates, best first.
SEARCH_LIMIT = 20


def search_persons(
    con: duckdb.DuckDBPyConnection,
    *,
    first_name: str,
    last_name: str,
    birth_date: dt.date | None = None,
    areas: list[str] | tuple[str, ...] = (),
    limit: int = SEARCH_LIMIT,
) -> list[dict[str, Any]]:
    """Persons whose names (as any agency wrote them) sound like the ones given, scored.

    Candidates share the phonetic key of the given name or of the surname (so one
    misspelling still finds them); the score is the mean Jaro-Winkler of the two names on
    their similarity keys (characters, not bytes), with the birth date as a bonus or a
    penalty when given. ``areas`` (DOPA codes) limits the search to a case worker's own.
    """
    from sitthi.thai.names import normalize_name
    from sitthi.thai.phonetic import latin_phonetic_key, phonetic_key
    from sitthi.thai.similarity import sim_key

    first, last = normalize_name(first_name), normalize_name(last_name)
    if not first or not last:
        return []
    params: dict[str, Any] = {
        "fk": sim_key(first),
        "lk": sim_key(last),
        "fp": phonetic_key(first) or latin_phonetic_key(first),
        "lp": phonetic_key(last) or latin_phonetic_key(last),
        "limit": limit,
    }
    born = "0.0"
    if birth_date is not None:
        params["born"] = birth_date
        born = (
            "case when n.birth_date = $born then 0.2 when year(n.birth_date) = year($born) "
            "then 0.05 when n.birth_date is null then 0 else -0.2 end"
        )
    scope = "true"
    if areas:
        params["areas"] = list(areas)
        scope = (
            "(f.province_code in $areas or f.district_code in $areas "
            "or f.subdistrict_code in $areas)"
        )
    return dict_rows(
        con,
        f"""
        with candidates as (
            select n.person_id,
                   (jaro_winkler_similarity(n.first_name_key, $fk)
                    + jaro_winkler_similarity(n.last_name_key, $lk)) / 2 + {born} as score
            from person_names n
            where n.first_name_phonetic = $fp or n.last_name_phonetic = $lp)
        select c.person_id, round(max(c.score), 3) as score, g.first_name, g.last_name,
               g.birth_date, f.province_code, f.district_code, f.subdistrict_code
        from candidates c
        join persons g using (person_id)
        join profiles f using (person_id)
        where {scope}
        group by all
        having max(c.score) >= 0.75
        order by score desc, c.person_id
        limit $limit
        """,
        params,
    )
