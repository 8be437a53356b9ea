"""A DCI search request's criteria, checked and turned into parameterised SQL over a release.

Three query types of the standard are read into one small tree (`Comparison`, `All`,
`Any`, `Not`):

* ``idtype-value`` — ``{"type": "UIN", "value": "…"}`` (the national ID, matched through
  its keyed pseudonym, never kept) or ``{"type": "HOUSEHOLD_ID", "value": "HH…"}``;
* ``predicate`` — the standard's list of ``{seq_num, expression1, condition,
  expression2}``, each expression ``{attribute_name, operator, attribute_value}``; the
  list's items must all hold; Sitthi also lets an expression be such an item itself, so
  ``and``/``or``/``not`` nest (``not`` with one expression negates it; with two it reads
  "the first and not the second");
* ``expression`` — ``{"type": …, "value": {"expression": {"collection": …, "query":
  {…}}}}`` with the MongoDB-like query of the standard's example: ``$and``, ``$or``,
  ``$not``, and ``{attribute: {"$lt": 5}}`` (``$eq $gt $lt $ge $gte $le $lte $in``).

Attributes come from an allow-list (`INDIVIDUAL`, `GROUP`): each names its column, the
type its values must have and the registry field of the agreement it reveals; a query on
an attribute whose field the caller's DSA does not list is refused. Values become
``$v0, $v1 …`` parameters and columns are written by sqlglot from the allow-list: no text
of a request is ever put into SQL. Trees are limited in depth and size.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlglot import exp

from sitthi.api.dci.envelope import SearchReason

RecordKind = Literal["individual", "group"]
Operator = Literal["eq", "gt", "lt", "ge", "le", "in"]
OPERATORS: tuple[Operator, ...] = ("eq", "gt", "lt", "ge", "le", "in")
#: ``expression`` queries spell the operators MongoDB's way.
_MONGO_OPERATORS: dict[str, Operator] = {
    "$eq": "eq",
    "$gt": "gt",
    "$lt": "lt",
    "$ge": "ge",
    "$gte": "ge",
    "$le": "le",
    "$lte": "le",
    "$in": "in",
}
#: Nesting of and/or/not, counted from the list (or the expression's top) down.
MAX_DEPTH = 4
#: Comparisons in one query.
MAX_COMPARISONS = 20
#: Values in one ``in`` list.
MAX_IN_VALUES = 50
DEFAULT_PAGE_SIZE = 20
#: Larger pages are cut to this (the answer's ``pagination.page_size`` says so).
MAX_PAGE_SIZE = 100
#: Deeper pages are refused: a partner that needs more should narrow its query.
MAX_OFFSET = 10_000
MAX_SORT_KEYS = 3

_HOUSEHOLD_ID = re.compile(r"HH[0-9a-f]{16}")
_PERSON_ID = re.compile(r"P[0-9]{6,12}")


class Rejected(Exception):
    """A search request the standard answers with ``rjct`` and a reason code.

    The message (Thai and English) names what is wrong, never a value that was sent.
    """

    def __init__(self, code: SearchReason, th: str, en: str) -> None:
        super().__init__(en)
        self.code, self.th, self.en = code, th, en


def _criteria(th: str, en: str) -> Rejected:
    return Rejected(SearchReason.SEARCH_CRITERIA_INVALID, th, en)


# ---------------------------------------------------------------- the attribute list


ValueType = Literal[
    "int", "date", "bool", "code2", "code4", "code6", "sex", "name", "household", "person"
]


@dataclass(frozen=True)
class Attribute:
    """One queryable attribute: where it lives, what its values are, what it reveals."""

    name: str
    table: str  # the alias in the generated query: p (profiles), g (persons), h, hp
    column: str
    type: ValueType
    field: str | None  # the DSA field a query on it reveals; None: internal only
    ordered: bool = False  # gt/lt/ge/le make sense

    def column_sql(self) -> exp.Column:
        return exp.column(self.column, self.table)


def _attributes(*found: Attribute, aliases: Mapping[str, str]) -> dict[str, Attribute]:
    out = {a.name: a for a in found}
    out.update({alias: out[name] for alias, name in aliases.items()})
    return out


#: What a search for persons may ask about (``p``: profiles, ``g``: golden records).
INDIVIDUAL = _attributes(
    Attribute("age", "p", "age", "int", "age", ordered=True),
    Attribute("birth_date", "g", "birth_date", "date", "birth_date", ordered=True),
    Attribute("sex", "p", "sex", "sex", "sex"),
    Attribute("province_code", "p", "province_code", "code2", "province_code"),
    Attribute("district_code", "p", "district_code", "code4", "district_code"),
    Attribute("subdistrict_code", "p", "subdistrict_code", "code6", "subdistrict_code"),
    Attribute("disability", "p", "disability", "bool", "disability"),
    Attribute("disability_type", "p", "disability_type", "name", "disability"),
    Attribute("first_name", "g", "first_name", "name", "first_name"),
    Attribute("last_name", "g", "last_name", "name", "last_name"),
    Attribute("household_id", "p", "household_id", "household", "household_id"),
    Attribute("welfare_card", "p", "welfare_card", "bool", "welfare_card"),
    Attribute("bedridden", "p", "bedridden", "bool", "health"),
    Attribute("alive", "p", "alive", "bool", "vital_status"),
    Attribute("person_id", "p", "person_id", "person", "person_id"),
    # The names DCI's Person object uses for the same things.
    aliases={
        "gender": "sex",
        "birthdate": "birth_date",
        "is_disabled": "disability",
        "given_name": "first_name",
        "surname": "last_name",
        "household_identifier": "household_id",
    },
)
#: What a search for households may ask about (``h``: households, ``hp``: their profile).
GROUP = _attributes(
    Attribute("household_id", "h", "household_id", "household", "household_id"),
    Attribute("province_code", "h", "province_code", "code2", "province_code"),
    Attribute("district_code", "h", "district_code", "code4", "district_code"),
    Attribute("subdistrict_code", "h", "subdistrict_code", "code6", "subdistrict_code"),
    Attribute("group_size", "hp", "members", "int", "household_id", ordered=True),
    aliases={"group_identifier": "household_id", "household_identifier": "household_id"},
)
#: The person an ``idtype-value`` UIN query resolved to (never named by a request).
_RESOLVED_PERSON = Attribute("(resolved person)", "p", "person_id", "person", None)
_RESOLVED_HOUSEHOLD = Attribute("(resolved household)", "h", "household_id", "household", None)


def attributes_for(kind: RecordKind) -> dict[str, Attribute]:
    return INDIVIDUAL if kind == "individual" else GROUP


# ---------------------------------------------------------------------- the tree


@dataclass(frozen=True)
class Comparison:
    attribute: Attribute
    operator: Operator
    value: Any  # already checked and converted (an int, a date, a code, a tuple for in)


@dataclass(frozen=True)
class All:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node


Node = Comparison | All | AnyOf | Not


def comparisons(node: Node) -> Iterator[Comparison]:
    if isinstance(node, Comparison):
        yield node
    elif isinstance(node, Not):
        yield from comparisons(node.part)
    else:
        for part in node.parts:
            yield from comparisons(part)


def shape(node: Node) -> Any:
    """The tree as JSON for the audit log (values were checked: no ID can be among them)."""
    if isinstance(node, Comparison):
        value = node.value
        if isinstance(value, tuple):
            value = [v.isoformat() if isinstance(v, dt.date) else v for v in value]
        elif isinstance(value, dt.date):
            value = value.isoformat()
        return [node.attribute.name, node.operator, value]
    if isinstance(node, Not):
        return {"not": shape(node.part)}
    return {"and" if isinstance(node, All) else "or": [shape(p) for p in node.parts]}


# ------------------------------------------------------------------ reading values


def _value(attribute: Attribute, operator: Operator, raw: Any) -> Any:
    if operator == "in":
        if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_IN_VALUES:
            raise _criteria(
                f"ค่าของ {attribute.name} (in) ต้องเป็นรายการ 1 ถึง {MAX_IN_VALUES} ค่า",
                f"{attribute.name} in: the value must be a list of 1 to {MAX_IN_VALUES}",
            )
        return tuple(read_value(attribute, v) for v in raw)
    if operator != "eq" and not attribute.ordered:
        raise _criteria(
            f"{attribute.name} ใช้ได้เฉพาะ eq หรือ in",
            f"{attribute.name} takes eq or in only, not {operator}",
        )
    return read_value(attribute, raw)


def _bad_value(attribute: Attribute, what: str) -> Rejected:
    # Never the value itself: it could be someone's national ID.
    return _criteria(f"ค่าของ {attribute.name} ไม่ถูกต้อง ({what})", f"{attribute.name}: {what}")


def read_value(attribute: Attribute, raw: Any) -> Any:
    """One value of ``attribute``, checked and converted (a `Rejected` that never repeats
    it otherwise)."""
    kind = attribute.type
    if kind == "int":
        if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) <= 4:
            raw = int(raw.strip())
        if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 1000:
            raise _bad_value(attribute, "expected a whole number from 0 to 1000")
        return raw
    if kind == "bool":
        if isinstance(raw, str) and raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        if not isinstance(raw, bool):
            raise _bad_value(attribute, "expected true or false")
        return raw
    if not isinstance(raw, str):
        raise _bad_value(attribute, "expected text")
    text = unicodedata.normalize("NFC", raw).strip()
    if kind == "date":
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            raise _bad_value(attribute, "expected a date YYYY-MM-DD") from None
    if kind in ("code2", "code4", "code6"):
        width = int(kind[-1])
        if not (text.isascii() and text.isdigit() and len(text) == width):
            raise _bad_value(attribute, f"expected a DOPA code of {width} digits")
        return text
    if kind == "sex":
        # DCI's sex codes; the registry holds M and F (no other value is recorded).
        found = {"male": "M", "female": "F", "m": "M", "f": "F"}.get(text.lower())
        if found is None:
            raise _bad_value(attribute, "expected male or female")
        return found
    if kind == "household":
        if not _HOUSEHOLD_ID.fullmatch(text):
            raise _bad_value(attribute, "expected a household ID HH and 16 hex digits")
        return text
    if kind == "person":
        if not _PERSON_ID.fullmatch(text):
            raise _bad_value(attribute, "expected a person ID P and 6 to 12 digits")
        return text
    if not 1 <= len(text) <= 100 or any(c.isdigit() for c in text):
        # Names and types hold no digits, so no national ID can travel in one.
        raise _bad_value(attribute, "expected 1 to 100 characters, no digits")
    return text


# ----------------------------------------------------------------- reading queries


@dataclass
class _Budget:
    comparisons: int = 0


def _attribute(kind: RecordKind, name: Any) -> Attribute:
    found = attributes_for(kind).get(name) if isinstance(name, str) else None
    if found is None:
        known = ", ".join(sorted({a.name for a in attributes_for(kind).values()}))
        label = name if isinstance(name, str) and name.isidentifier() else "(unreadable)"
        raise _criteria(
            f"ค้นหาด้วย {label} ไม่ได้ (ที่ค้นได้: {known})",
            f"cannot search {kind} records by {label}; searchable: {known}",
        )
    return found


def _comparison(kind: RecordKind, name: Any, operator: Any, raw: Any, budget: _Budget) -> Node:
    attribute = _attribute(kind, name)
    if operator not in OPERATORS:
        raise _criteria(
            f"ไม่รู้จักตัวดำเนินการของ {attribute.name}",
            f"{attribute.name}: operator must be one of {', '.join(OPERATORS)}",
        )
    budget.comparisons += 1
    if budget.comparisons > MAX_COMPARISONS:
        raise _criteria(
            f"เงื่อนไขมากเกิน {MAX_COMPARISONS} ข้อ", f"more than {MAX_COMPARISONS} comparisons"
        )
    return Comparison(attribute, operator, _value(attribute, operator, raw))


def _too_deep() -> Rejected:
    return _criteria(f"เงื่อนไขซ้อนลึกเกิน {MAX_DEPTH} ชั้น", f"nested deeper than {MAX_DEPTH}")


def read_predicate(kind: RecordKind, query: Any) -> Node:
    """The standard's ``ExpPredicateWithConditionList`` (nesting allowed) as a tree."""
    if not isinstance(query, list) or not query:
        raise _criteria(
            "query ของ predicate ต้องเป็นรายการเงื่อนไข", "a predicate query is a non-empty list"
        )
    budget = _Budget()
    items = sorted(
        enumerate(query),
        key=lambda iv: (_seq(iv[1]), iv[0]),
    )
    return _all([_predicate_item(kind, item, 1, budget) for _, item in items])


def _seq(item: Any) -> float:
    seq = item.get("seq_num") if isinstance(item, dict) else None
    return float(seq) if isinstance(seq, int | float) and not isinstance(seq, bool) else 0.0


def _predicate_item(kind: RecordKind, item: Any, depth: int, budget: _Budget) -> Node:
    if depth > MAX_DEPTH:
        raise _too_deep()
    if not isinstance(item, dict) or not isinstance(item.get("expression1"), dict):
        raise _criteria(
            "แต่ละเงื่อนไขต้องมี expression1", "each predicate item needs an expression1 object"
        )
    first = _predicate_expression(kind, item["expression1"], depth, budget)
    condition = item.get("condition") or None
    second_raw = item.get("expression2") or None
    if condition not in (None, "and", "or", "not"):
        raise _criteria("condition ต้องเป็น and, or หรือ not", "condition must be and, or or not")
    if second_raw is None:
        if condition in ("and", "or"):
            raise _criteria(
                f"condition {condition} ต้องมี expression2", f"condition {condition} needs two"
            )
        return Not(first) if condition == "not" else first
    if condition is None:
        raise _criteria("มี expression2 แต่ไม่มี condition", "expression2 needs a condition")
    second = _predicate_expression(kind, second_raw, depth, budget)
    if condition == "and":
        return _all([first, second])
    if condition == "or":
        return AnyOf((first, second))
    return _all([first, Not(second)])


def _predicate_expression(kind: RecordKind, node: Any, depth: int, budget: _Budget) -> Node:
    if not isinstance(node, dict):
        raise _criteria("expression ต้องเป็น object", "an expression must be an object")
    if "expression1" in node:  # Sitthi's nesting: an expression may be an item itself
        return _predicate_item(kind, node, depth + 1, budget)
    missing = [k for k in ("attribute_name", "operator", "attribute_value") if k not in node]
    if missing:
        raise _criteria(
            f"expression ขาด {', '.join(missing)}", f"an expression lacks {', '.join(missing)}"
        )
    return _comparison(
        kind, node["attribute_name"], node["operator"], node["attribute_value"], budget
    )


def read_expression(kind: RecordKind, query: Any) -> Node:
    """The standard's ``ExpTemplate`` with the MongoDB-like query of its example."""
    value = query.get("value") if isinstance(query, dict) else None
    expression = value.get("expression") if isinstance(value, dict) else None
    body = expression.get("query") if isinstance(expression, dict) else None
    if not isinstance(body, dict) or not body:
        raise _criteria(
            "query ของ expression ต้องเป็น {type, value: {expression: {query: {...}}}}",
            "an expression query is {type, value: {expression: {collection, query: {...}}}}",
        )
    return _mongo(kind, body, 1, _Budget())


def _mongo(kind: RecordKind, node: Any, depth: int, budget: _Budget) -> Node:
    if depth > MAX_DEPTH:
        raise _too_deep()
    if not isinstance(node, dict) or not node:
        raise _criteria("เงื่อนไขต้องเป็น object", "each condition must be a non-empty object")
    parts: list[Node] = []
    for key, value in node.items():
        if key in ("$and", "$or"):
            if not isinstance(value, list) or not value:
                raise _criteria(f"{key} ต้องเป็นรายการ", f"{key} takes a non-empty list")
            found = [_mongo(kind, v, depth + 1, budget) for v in value]
            parts.append(_all(found) if key == "$and" else AnyOf(tuple(found)))
        elif key == "$not":
            parts.append(Not(_mongo(kind, value, depth + 1, budget)))
        elif isinstance(value, dict):
            if len(value) != 1 or next(iter(value)) not in _MONGO_OPERATORS:
                raise _criteria(
                    "เงื่อนไขของแต่ละข้อมูลต้องมีตัวดำเนินการเดียว",
                    f"each attribute takes one of {', '.join(_MONGO_OPERATORS)}",
                )
            operator, raw = next(iter(value.items()))
            parts.append(_comparison(kind, key, _MONGO_OPERATORS[operator], raw, budget))
        else:
            parts.append(_comparison(kind, key, "eq", value, budget))
    return _all(parts)


def _all(parts: list[Node]) -> Node:
    return parts[0] if len(parts) == 1 else All(tuple(parts))


def check_allowed(node: Node, allowed: frozenset[str], dsa_id: str) -> None:
    """Refuse a query on an attribute whose field the agreement does not list."""
    for comparison in comparisons(node):
        needed = comparison.attribute.field
        if needed is not None and needed not in allowed:
            raise _criteria(
                f"ข้อตกลง {dsa_id} ไม่อนุญาตให้ค้นด้วย {comparison.attribute.name}",
                f"agreement {dsa_id} does not allow searching by {comparison.attribute.name} "
                f"(its field {needed} is not shared)",
            )


# ------------------------------------------------------------------ paging, sorting


@dataclass(frozen=True)
class Page:
    size: int
    number: int
    asked: int  # the page size asked for (before the cap)

    @property
    def offset(self) -> int:
        return self.size * (self.number - 1)


def read_page(raw: Any) -> Page:
    if raw is None:
        return Page(DEFAULT_PAGE_SIZE, 1, DEFAULT_PAGE_SIZE)
    bad = Rejected(
        SearchReason.PAGINATION_INVALID,
        "pagination ต้องมี page_size และ page_number เป็นจำนวนเต็มตั้งแต่ 1",
        "pagination: page_size and page_number are whole numbers from 1",
    )
    if not isinstance(raw, dict):
        raise bad
    size, number = raw.get("page_size", DEFAULT_PAGE_SIZE), raw.get("page_number", 1)
    for value in (size, number):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise bad
    page = Page(min(size, MAX_PAGE_SIZE), number, size)
    if page.offset > MAX_OFFSET:
        raise Rejected(
            SearchReason.PAGINATION_INVALID,
            f"ขอหน้าลึกเกิน {MAX_OFFSET} รายการ โปรดจำกัดเงื่อนไขการค้นหา",
            f"pages beyond record {MAX_OFFSET} are not served; narrow the search",
        )
    return page


@dataclass(frozen=True)
class SortKey:
    attribute: Attribute
    descending: bool


def read_sort(kind: RecordKind, raw: Any, allowed: frozenset[str]) -> tuple[SortKey, ...]:
    if raw is None or raw == []:
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_SORT_KEYS:
        raise Rejected(
            SearchReason.SORT_INVALID,
            f"sort ต้องเป็นรายการไม่เกิน {MAX_SORT_KEYS} ข้อ",
            f"sort is a list of at most {MAX_SORT_KEYS} keys",
        )
    keys = []
    for item in raw:
        name = item.get("attribute_name") if isinstance(item, dict) else None
        order = item.get("sort_order", "asc") if isinstance(item, dict) else None
        found = attributes_for(kind).get(name) if isinstance(name, str) else None
        if found is None or order not in ("asc", "desc"):
            raise Rejected(
                SearchReason.SORT_INVALID,
                "เรียงลำดับด้วยข้อมูลนี้ไม่ได้",
                "sort: attribute_name must be a searchable attribute, sort_order asc or desc",
            )
        if found.field is not None and found.field not in allowed:
            raise Rejected(
                SearchReason.SORT_INVALID,
                f"ข้อตกลงไม่อนุญาตให้เรียงด้วย {found.name}",
                f"the agreement does not share {found.field}, so cannot sort by it",
            )
        keys.append(SortKey(found, order == "desc"))
    return tuple(keys)


# ------------------------------------------------------------------------ to SQL


@dataclass
class Compiled:
    """SQL text (from sqlglot, over allow-listed columns) and its parameters."""

    where: str
    order: str
    params: dict[str, Any] = field(default_factory=dict)


def compile_query(node: Node | None, sort: tuple[SortKey, ...], key: exp.Column) -> Compiled:
    """``node`` as a WHERE condition and ``sort`` as an ORDER BY (``key`` breaks ties)."""
    params: dict[str, Any] = {}

    def placeholder(value: Any) -> exp.Placeholder:
        name = f"v{len(params)}"
        params[name] = value
        return exp.Placeholder(this=name)

    def build(n: Node) -> exp.Expr:
        if isinstance(n, Comparison):
            column = n.attribute.column_sql()
            test: exp.Expr
            if n.operator == "in":
                test = column.isin(*(placeholder(v) for v in n.value))
            else:
                test = _BINARY[n.operator](this=column, expression=placeholder(n.value))
            # Two-valued logic: an unknown value fails the test, and `not` of it passes.
            return exp.func("coalesce", test, exp.false())
        if isinstance(n, Not):
            return exp.not_(build(n.part))
        built = [build(p) for p in n.parts]
        return exp.and_(*built) if isinstance(n, All) else exp.or_(*built)

    where = build(node).sql("duckdb") if node is not None else "true"
    order = [
        exp.Ordered(this=k.attribute.column_sql(), desc=k.descending, nulls_first=False)
        for k in sort
    ]
    order.append(exp.Ordered(this=key, desc=False))
    return Compiled(where, ", ".join(o.sql("duckdb") for o in order), params)


_BINARY: dict[str, Callable[..., exp.Expr]] = {
    "eq": exp.EQ,
    "gt": exp.GT,
    "lt": exp.LT,
    "ge": exp.GTE,
    "le": exp.LTE,
}


def resolved_person(person_id: str | None) -> Node:
    """The person a UIN matched, as a comparison (one that matches no one when none)."""
    return Comparison(_RESOLVED_PERSON, "eq", person_id or "")


def resolved_household(household_id: str | None) -> Node:
    return Comparison(_RESOLVED_HOUSEHOLD, "eq", household_id or "")
