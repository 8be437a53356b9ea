"""Run the search requests of one DCI envelope against a release, within an agreement.

Every request is read on its own (a bad one is answered ``rjct`` beside the good ones),
its query is checked against the agreement (which attributes it may search by), and it is
answered from the agreement's population and areas only, each record cut to the
agreement's fields. Nothing here writes: the caller audits what `Outcome` says was read
(pseudonyms, fields, the query's shape) before any of it leaves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from sitthi.api.dci import query as q
from sitthi.api.dci import records
from sitthi.api.dci.envelope import SearchReason, Status, parse_timestamp, timestamp
from sitthi.ingest.pseudonym import pseudonym
from sitthi.operations.audit import find_national_id
from sitthi.operations.dsa import ALL_AREAS
from sitthi.registry.access import GROUP_CONDITIONS, person_record
from sitthi.thai.national_id import normalize_national_id, parse_national_id

if TYPE_CHECKING:
    import duckdb

    from sitthi.api.auth import Principal
    from sitthi.api.policy import View
    from sitthi.operations.dsa import DataSharingAgreement
    from sitthi.registry.cards import CardFile

#: Members listed for one household at most.
MAX_MEMBERS = 50
MAX_REFERENCE_ID = 200
_INDIVIDUAL_WORDS = {"individual", "person", "member"}
_GROUP_WORDS = {"group", "household"}
_REGISTRY_WORDS = {"social", "socialregistry", "sr"}
_DEFAULT_REG_TYPE = {"individual": "Individual", "group": "Group"}
_RECORD_TYPE = {"individual": "Person", "group": "Group"}


@dataclass
class Outcome:
    """What one search request came to."""

    reference_id: str
    status: Status
    locale: str | None = None
    reason: SearchReason | None = None
    reason_th: str | None = None
    reason_en: str | None = None
    kind: q.RecordKind = "individual"
    reg_type: str | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    page: q.Page | None = None
    total: int = 0
    persons: list[str] = field(default_factory=list)  # pseudonyms, for the audit log
    fields: set[str] = field(default_factory=set)
    audit: dict[str, Any] = field(default_factory=dict)

    @property
    def reason_message(self) -> str | None:
        thai = (self.locale or "").lower().startswith("th")
        return self.reason_th if thai else self.reason_en

    def response_item(self, *, with_data: bool = True) -> dict[str, Any]:
        """One ``search_response`` item of the standard's ``SearchResponse``."""
        item: dict[str, Any] = {
            "reference_id": self.reference_id,
            "timestamp": timestamp(),
            "status": self.status.value,
        }
        if self.reason is not None:
            item["status_reason_code"] = self.reason.value
            item["status_reason_message"] = (self.reason_message or "")[:999]
        if self.status is Status.SUCC and with_data:
            item["data"] = {
                "version": "1.0.0",
                "reg_type": self.reg_type or _DEFAULT_REG_TYPE[self.kind],
                "reg_record_type": _RECORD_TYPE[self.kind],
                "reg_records": self.records,
            }
        if self.status is Status.SUCC and self.page is not None:
            item["pagination"] = {
                "page_size": self.page.size,
                "page_number": self.page.number,
                "total_count": self.total,
            }
        if self.locale:
            item["locale"] = self.locale
        return item

    def summary(self) -> dict[str, Any]:
        """The outcome without data, as the transaction keeps it for status queries."""
        out: dict[str, Any] = {
            "reference_id": self.reference_id,
            "status": self.status.value,
            "records": len(self.records),
        }
        if self.reason is not None:
            out["status_reason_code"] = self.reason.value
            out["status_reason_message"] = self.reason_en
        return out


@dataclass
class Searcher:
    """What every search request of one envelope is answered with."""

    cur: duckdb.DuckDBPyConnection
    cards: CardFile
    caller: Principal
    view: View
    dsa: DataSharingAgreement
    secret: bytes

    def run(self, requests: Sequence[Any]) -> list[Outcome]:
        """One outcome per search request, in order."""
        seen: set[str] = set()  # reference ids, each used once per message
        return [self._one(raw, seen) for raw in requests]

    def _one(self, raw: Any, seen: set[str]) -> Outcome:
        item = raw if isinstance(raw, dict) else {}
        reference_id = item.get("reference_id")
        locale = item.get("locale") if isinstance(item.get("locale"), str) else None
        locale = locale[:20] if locale else None
        if (
            not isinstance(reference_id, str)
            or not 0 < len(reference_id) <= MAX_REFERENCE_ID
            or find_national_id(reference_id) is not None
        ):
            # Not echoed: it may be missing, huge, or carry a national ID.
            return _rejected(
                "",
                locale,
                q.Rejected(
                    SearchReason.REFERENCE_ID_INVALID,
                    "reference_id ต้องเป็นข้อความ 1 ถึง 200 ตัวอักษร และไม่มีเลขประจำตัวประชาชน",
                    "reference_id must be text of 1 to 200 characters with no national ID",
                ),
            )
        if reference_id in seen:
            return _rejected(
                reference_id,
                locale,
                q.Rejected(
                    SearchReason.REFERENCE_ID_DUPLICATE,
                    "reference_id ซ้ำกับคำขออื่นในข้อความเดียวกัน",
                    "reference_id is used twice in one message",
                ),
            )
        seen.add(reference_id)
        if parse_timestamp(item.get("timestamp")) is None:
            return _rejected(
                reference_id,
                locale,
                q.Rejected(
                    SearchReason.TIMESTAMP_INVALID,
                    "timestamp ต้องเป็นเวลาแบบ ISO 8601 พร้อมเขตเวลา",
                    "timestamp must be an ISO 8601 date-time with a time zone",
                ),
            )
        try:
            return self._search(reference_id, locale, item.get("search_criteria"))
        except q.Rejected as rejected:
            return _rejected(reference_id, locale, rejected)

    def _search(self, reference_id: str, locale: str | None, criteria: Any) -> Outcome:
        if not isinstance(criteria, dict):
            raise q.Rejected(
                SearchReason.SEARCH_CRITERIA_INVALID,
                "ต้องมี search_criteria",
                "search_criteria is required (query_type, query)",
            )
        query_type = criteria.get("query_type")
        kind, reg_type = _kind(criteria)
        allowed = self.view.allowed
        if kind == "group" and "household_id" not in allowed:
            raise _refused(
                f"ข้อตกลง {self.dsa.id} ไม่แบ่งปันข้อมูลครัวเรือน",
                f"agreement {self.dsa.id} does not share households (household_id)",
            )
        page = q.read_page(criteria.get("pagination"))
        sort = q.read_sort(kind, criteria.get("sort"), allowed)
        echo: dict[str, str] = {}  # person_id -> the national ID that found them
        if query_type == "idtype-value":
            node, shape = self._identifier(kind, criteria.get("query"), echo)
        elif query_type == "predicate":
            node = q.read_predicate(kind, criteria.get("query"))
            q.check_allowed(node, allowed, self.dsa.id)
            shape = q.shape(node)
        elif query_type == "expression":
            node = q.read_expression(kind, criteria.get("query"))
            q.check_allowed(node, allowed, self.dsa.id)
            shape = q.shape(node)
        else:
            raise q.Rejected(
                SearchReason.SEARCH_CRITERIA_INVALID,
                "query_type ต้องเป็น idtype-value, predicate หรือ expression",
                "query_type must be idtype-value, predicate or expression",
            )
        outcome = Outcome(reference_id, Status.SUCC, locale, kind=kind, reg_type=reg_type)
        outcome.page = page
        if kind == "individual":
            self._individuals(outcome, node, sort, page, echo)
        else:
            self._groups(outcome, node, sort, page)
        outcome.audit = {
            "reference_id": reference_id,
            "status": "succ",
            "reg_type": kind,
            "query_type": query_type,
            "query": shape,
            "page": [page.size, page.number],
            "total": outcome.total,
            "returned": len(outcome.records),
        }
        return outcome

    # ------------------------------------------------------------------ identifiers

    def _identifier(
        self, kind: q.RecordKind, query: Any, echo: dict[str, str]
    ) -> tuple[q.Node, dict[str, Any]]:
        id_type = query.get("type") if isinstance(query, dict) else None
        value = query.get("value") if isinstance(query, dict) else None
        if id_type == "UIN":
            # As POST /api/v1/persons/lookup: matched through the keyed pseudonym; the ID
            # itself is never logged, audited or repeated in an error.
            parsed = parse_national_id(value) if isinstance(value, str) else None
            canonical = normalize_national_id(value) if parsed and parsed.valid else None
            if canonical is None or not isinstance(value, str):
                raise _refused(
                    "UIN ไม่ใช่เลขประจำตัวประชาชนที่ถูกต้อง (13 หลักพร้อมเลขตรวจสอบ)",
                    "the UIN is not a valid Thai national ID (13 digits with a check digit)",
                )
            pid = pseudonym(self.secret, canonical)
            person_id = self.cards.person_for_pid(pid)
            shape = {"type": "UIN", "pid": pid}
            if kind == "group":
                household = _household_of(self.cur, person_id) if person_id else None
                return q.resolved_household(household), shape
            if person_id is not None:
                echo[person_id] = canonical
            return q.resolved_person(person_id), shape
        if id_type == "HOUSEHOLD_ID":
            attribute = q.attributes_for(kind)["household_id"]
            node = q.Comparison(attribute, "eq", q.read_value(attribute, value))
            q.check_allowed(node, self.view.allowed, self.dsa.id)
            return node, {"type": "HOUSEHOLD_ID", "value": node.value}
        raise _refused(
            "รองรับเฉพาะ type UIN และ HOUSEHOLD_ID", "idtype-value: type must be UIN or HOUSEHOLD_ID"
        )

    # ------------------------------------------------------------------ the queries

    def _scope(self) -> tuple[str, dict[str, Any]]:
        """The agreement's areas and population, as a condition on profiles ``p``."""
        params: dict[str, Any] = {}
        reach = self.view.areas(self.caller)
        if ALL_AREAS in self.dsa.areas and not reach:
            area = "true"
        elif not reach:
            area = "false"  # the client's areas and its agreement's do not meet
        else:
            params["areas"] = list(reach)
            area = (
                "(p.province_code in $areas or p.district_code in $areas "
                "or p.subdistrict_code in $areas)"
            )
        population = self.dsa.population
        tests = [f"coalesce(({GROUP_CONDITIONS[g]}), false)" for g in population.groups]
        if population.programmes:
            params["programmes"] = list(population.programmes)
            tests.append(
                "exists (select 1 from entitlements e where e.person_id = p.person_id "
                "and e.programme in $programmes)"
            )
        return f"{area} and ({' or '.join(tests) or 'false'})", params

    def _individuals(
        self,
        outcome: Outcome,
        node: q.Node,
        sort: tuple[q.SortKey, ...],
        page: q.Page,
        echo: dict[str, str],
    ) -> None:
        scope, params = self._scope()
        compiled = q.compile_query(node, sort, exp.column("person_id", "p"))
        params.update(compiled.params)
        base = f"""
            with scoped as (select p.person_id from profiles p where {scope})
            select {{what}} from profiles p
            join scoped s on s.person_id = p.person_id
            left join persons g on g.person_id = p.person_id
            where {compiled.where}"""
        outcome.total = self._count(base, params)
        found = self.cur.execute(
            base.format(what="p.person_id")
            + f" order by {compiled.order} limit $limit offset $offset",
            {**params, "limit": page.size, "offset": page.offset},
        ).fetchall()
        for (person_id,) in found:
            shown = self._person(outcome, str(person_id), echo)
            if shown is not None:
                outcome.records.append(shown)

    def _groups(
        self, outcome: Outcome, node: q.Node, sort: tuple[q.SortKey, ...], page: q.Page
    ) -> None:
        scope, params = self._scope()
        compiled = q.compile_query(node, sort, exp.column("household_id", "h"))
        params.update(compiled.params)
        # A household is seen when one of its members is in the agreement's scope.
        base = f"""
            with scoped as (select p.household_id from profiles p
                            where p.household_id is not null and {scope})
            select {{what}} from households h
            left join household_profiles hp on hp.household_id = h.household_id
            where h.household_id in (select household_id from scoped) and {compiled.where}"""
        outcome.total = self._count(base, params)
        found = self.cur.execute(
            base.format(
                what="h.household_id, hp.members, h.province_code, h.district_code, "
                "h.subdistrict_code"
            )
            + f" order by {compiled.order} limit $limit offset $offset",
            {**params, "limit": page.size, "offset": page.offset},
        ).fetchall()
        for household_id, size, province, district, subdistrict in found:
            members = [
                shown
                for person_id in self._members(str(household_id), scope, dict(params))
                if (shown := self._person(outcome, person_id, {})) is not None
            ]
            area = {
                "province_code": province,
                "district_code": district,
                "subdistrict_code": subdistrict,
            }
            outcome.records.append(
                records.group(
                    str(household_id),
                    size=int(size) if size is not None else None,
                    area=area,
                    allowed=self.view.allowed,
                    members=members,
                )
            )
            outcome.fields.add("household_id")
            outcome.fields.update(f for f in area if f in self.view.allowed and area[f])

    def _members(self, household_id: str, scope: str, params: dict[str, Any]) -> list[str]:
        sql = f"""select p.person_id from profiles p
                  where p.household_id = $household and {scope}
                  order by p.person_id limit {MAX_MEMBERS}"""
        used = {k: v for k, v in params.items() if f"${k}" in sql}
        found = self.cur.execute(sql, {**used, "household": household_id}).fetchall()
        return [str(r[0]) for r in found]

    def _count(self, base: str, params: dict[str, Any]) -> int:
        found = self.cur.execute(base.format(what="count(*)"), params).fetchone()
        return int(found[0]) if found else 0

    def _person(
        self, outcome: Outcome, person_id: str, echo: dict[str, str]
    ) -> dict[str, Any] | None:
        card = self.cards.card(person_id)
        # The SQL scope already holds; checked again the persons API's way (fail closed).
        if card is None or not self.view.covers(self.caller, card.area, card.in_population):
            return None
        household = self.cards.household(card.household_id) if card.household_id else None
        record = person_record(card, household, allowed=self.view.allowed)
        pid = card.pid_hash
        identifiers = []
        if "national_id" in self.dsa.fields and self.dsa.real_ids and person_id in echo:
            identifiers.append(records.identifier(records.UIN, echo[person_id]))
            outcome.fields.add("national_id")
        if pid is not None and "pid_hash" in self.dsa.fields:
            identifiers.append(records.identifier(records.UIN_HMAC, pid))
            outcome.fields.add("pid_hash")
        if "person_id" in self.view.allowed:
            identifiers.append(records.identifier(records.PERSON_ID, person_id))
        outcome.persons.append(pid or person_id)
        outcome.fields.update(record.shown)
        for section in ("entitlements", "gaps", "notices"):
            if getattr(record, section) is not None:
                outcome.fields.add(section)
        return records.person(record, identifiers, self.view.allowed)


def _kind(criteria: dict[str, Any]) -> tuple[q.RecordKind, str | None]:
    """Individuals or groups, from ``reg_type`` (the registry core's), ``response_entity``
    (the social registry's Group/Member) or, failing both, the query's identifier type."""
    reg_type = criteria.get("reg_type")
    entity = criteria.get("response_entity")
    kinds = set()
    for value in (reg_type, entity):
        if value is None or value == "":
            continue
        word = str(value).rsplit(":", 1)[-1].lower() if isinstance(value, str) else ""
        if word in _REGISTRY_WORDS:
            continue  # the registry core's reg_type names the registry, not the records
        if word in _INDIVIDUAL_WORDS:
            kinds.add("individual")
        elif word in _GROUP_WORDS:
            kinds.add("group")
        else:
            raise _refused(
                "reg_type ต้องเป็น Individual หรือ Group",
                "reg_type (or response_entity) must end in Individual or Group",
            )
    if len(kinds) > 1:
        raise _refused("reg_type กับ response_entity ขัดกัน", "reg_type and response_entity disagree")
    if kinds:
        kind: q.RecordKind = "group" if "group" in kinds else "individual"
    else:
        query = criteria.get("query")
        by_household = isinstance(query, dict) and query.get("type") == "HOUSEHOLD_ID"
        kind = "group" if by_household else "individual"
    return kind, reg_type if isinstance(reg_type, str) and reg_type else None


def _refused(th: str, en: str) -> q.Rejected:
    return q.Rejected(SearchReason.SEARCH_CRITERIA_INVALID, th, en)


def _rejected(reference_id: str, locale: str | None, rejected: q.Rejected) -> Outcome:
    return Outcome(
        reference_id,
        Status.RJCT,
        locale,
        reason=rejected.code,
        reason_th=rejected.th,
        reason_en=rejected.en,
        audit={"reference_id": reference_id, "status": "rjct", "reason": rejected.code.value},
    )


def _household_of(cur: duckdb.DuckDBPyConnection, person_id: str) -> str | None:
    found = cur.execute(
        "select household_id from profiles where person_id = $p", {"p": person_id}
    ).fetchone()
    return str(found[0]) if found and found[0] is not None else None
