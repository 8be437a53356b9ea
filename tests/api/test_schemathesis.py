"""Schemathesis over the app's OpenAPI document, as each role and without a token.

For every operation of the document and every caller (the five roles' clients and a
caller with no token), Schemathesis generates requests — valid ones, invalid ones, and
valid ones carrying real persons of the release — and sends them in-process to the app,
over the real published release and a real SQLite operational store. Each operation is
fuzzed once per module, every generated request sent as every caller; the tests below
each check one property of what came back:

* no answer is a 5xx (503 included: the audit log works here);
* a caller without the operation's permission (its ``x-sitthi-permission``, granted by
  `GRANTS`) is refused, 401 without a token and 403 with one, and never answered;
* every answer is what the document says: status, content type and schema;
* a case worker is answered only about persons of their areas, an agency only about
  persons of its agreement.

Then the agency and its agreement (DSA-DEP-2569-001): persons of the release outside
its population, picked explicitly and drawn by a property test, are never read; nor are
persons outside an agreement's areas; and its lists hold its population only. Tests of
known bugs would be strict xfails naming the bug (none now).

Under the dev and ci profiles the examples are fixed (derandomized), a few per
operation; HYPOTHESIS_PROFILE=explore searches at random, and further.
"""

from __future__ import annotations

import copy
import json
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import hypothesis.strategies as st
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.python.asgi import ASGIClient, get_client
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sitthi.api.app import create_app
from sitthi.api.permissions import PUBLIC, Permission, declared, granted
from sitthi.config import Settings
from sitthi.context import Context
from sitthi.operations.accounts import add_client
from sitthi.operations.roles import Role
from tests.api.conftest import DEP_DSA, Api, _people

ROLES = ("admin", "analyst", "caseworker", "agency", "auditor")
ANONYMOUS = "anonymous"
CALLERS = (*ROLES, ANONYMOUS)
PURPOSE = "ตรวจสอบสิทธิตามคำร้องของผู้รับบริการ"
PROBLEM_JSON = "application/problem+json"

# Each operation's examples are sent as all six callers: a few per operation keep the
# module to seconds. The explore profile is not derandomized, and goes further.
EXAMPLES = 15 if settings.default.derandomize else 200
FUZZ = settings(
    settings.default,
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    # Nothing raises inside a run (exchanges are kept and judged by the tests), so there
    # is nothing to shrink.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
#: DSA-DEP-2569-001's population, read from the release: people with a disability, and
#: those entitled to the disability allowance (its groups and its programmes).
DEP_POPULATION = """
    select person_id from profiles where coalesce(disability, false)
    union select person_id from entitlements where programme = 'disability_allowance'
"""
CONFORMANCE = (status_code_conformance, content_type_conformance, response_schema_conformance)


def _document() -> dict[str, Any]:
    """The app's OpenAPI document, read at collection to name one test per operation
    (the routes do not depend on the data, so a throwaway context will do)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        ctx = Context(
            settings=Settings(
                operations_url=f"sqlite:///{root / 'operations.sqlite'}",
                releases_dir=root / "releases",
                signing_keys_dir=root / "keys",
            ),
            db=root / "store.duckdb",
        )
        return create_app(ctx).openapi()


def _without_security(document: dict[str, Any]) -> dict[str, Any]:
    """The document as fuzzed: without its bearer scheme, which would have schemathesis
    drop or replace the caller's token (its negative cases remove the Authorization
    header); who calls is what these tests choose, per role."""
    fuzzed = copy.deepcopy(document)
    for operations in fuzzed["paths"].values():
        for operation in operations.values():
            operation.pop("security", None)
    fuzzed.get("components", {}).pop("securitySchemes", None)
    return fuzzed


DOCUMENT = _document()
#: (method, path) → the permission the operation declares (None: a public route).
OPERATIONS = dict(sorted(declared(DOCUMENT).items(), key=lambda item: (item[0][1], item[0][0])))


def _label(method: str, path: str) -> str:
    return f"{method} {path}"


def _refused(caller: str, permission: str | None) -> bool:
    if permission is None:
        return False
    return caller == ANONYMOUS or not granted(Role(caller), Permission(permission))


def _pairs(keep: Callable[[str, str | None], bool]) -> list[Any]:
    return [
        pytest.param(caller, method, path, id=f"{caller}-{_label(method, path)}")
        for (method, path), permission in OPERATIONS.items()
        for caller in CALLERS
        if keep(caller, permission)
    ]


# ------------------------------------------------------------------ the fuzzing


@dataclass(frozen=True)
class Seed:
    """A real person of the release, to put into generated requests."""

    person_id: str
    national_id: str
    province: str
    first_name: str
    last_name: str
    birth_date: str


@dataclass
class Exchange:
    caller: str
    case: Case
    status: int
    content_type: str
    body: Any  # the answer's JSON, or its text if it is CSV, or None
    well_formed: bool  # the request's body, if any, parses as its content type says
    challenge: str | None = None  # WWW-Authenticate
    failures: dict[str, str] = field(default_factory=dict)  # conformance check → failure
    raised: str | None = None  # the exception the app raised instead of answering

    @property
    def answered(self) -> bool:
        return 200 <= self.status < 300

    def repro(self) -> str:
        try:
            curl = self.case.as_curl_command()
        except Exception:  # a case that cannot be printed still has a repr
            curl = repr(self.case)
        return f"as {self.caller}: {curl}"


def _well_formed(request: Any) -> bool:
    body = request.body
    if not body or "json" not in (request.headers.get("content-type") or ""):
        return True
    try:
        json.loads(body)
    except ValueError:  # not JSON, or not UTF-8
        return False
    return True


def _body_properties(method: str, path: str) -> dict[str, Any]:
    spec = DOCUMENT["paths"][path][method.lower()].get("requestBody", {})
    schema = spec.get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return dict(schema.get("properties", {}))


def _seeded(case: Case, seed: Seed, numbers: list[int]) -> Case:
    """A valid generated request about a real person (and a real release number)."""
    if case.path_parameters and "person_id" in case.path_parameters:
        case.path_parameters["person_id"] = seed.person_id
    if case.path_parameters and "number" in case.path_parameters:
        case.path_parameters["number"] = numbers[-1]
    if isinstance(case.body, dict):
        for key in ("national_id", "first_name", "last_name", "birth_date"):
            if key in case.body:
                case.body[key] = getattr(seed, key)
        if "fields" in case.body:  # a reveal's
            case.body["fields"] = ["disability", "health"]
        if "purpose" in _body_properties(case.method, case.path):
            case.body["purpose"] = PURPOSE
    parameters = DOCUMENT["paths"][case.path][case.method.lower()].get("parameters", [])
    if any(p["name"] == "purpose" and p["in"] == "query" for p in parameters):
        case.query = {**(case.query or {}), "purpose": PURPOSE}
    if case.query and "release" in case.query:
        case.query["release"] = numbers[-1]
    if case.query and "area" in case.query:  # a list's
        case.query["area"] = seed.province
    return case


@dataclass
class Served:
    """One app for the module, its accounts, Schemathesis' view of its document, and
    each operation's exchanges with every caller, fuzzed on first use."""

    api: Api
    schema: Any
    session: ASGIClient
    seeds: list[Seed]
    numbers: list[int]  # the published releases
    in_area: frozenset[str]  # persons of the case worker's area
    in_agreement: frozenset[str]  # persons of the DEP agreement's population
    person_of_pid: dict[str, str]  # pseudonym → person
    tokens: dict[str, tuple[float, dict[str, str]]] = field(default_factory=dict)
    runs: dict[tuple[str, str], dict[str, list[Exchange]]] = field(default_factory=dict)

    def named(self, body: Any) -> set[str]:
        """Every person an answer names: by person ID or by pseudonym, anywhere in it."""
        if isinstance(body, dict):
            return set().union(*(self.named(v) for v in body.values()))
        if isinstance(body, list):
            return set().union(*(self.named(v) for v in body))
        if isinstance(body, str):
            found = set(re.findall(r"\bP[0-9]{6,12}\b", body))
            pids = re.findall(r"\b[0-9a-f]{64}\b", body)
            return found | {self.person_of_pid.get(p, p) for p in pids}
        return set()

    def operation(self, method: str, path: str) -> APIOperation:
        return self.schema[path][method]

    def headers(self, caller: str) -> dict[str, str]:
        """A bearer header for ``caller``, fetched again before its token could expire."""
        if caller == ANONYMOUS:
            return {}
        fetched = self.tokens.get(caller)
        if fetched is None or time.monotonic() - fetched[0] > 10 * 60:
            fetched = (time.monotonic(), self.api.headers(caller))
            self.tokens[caller] = fetched
        return fetched[1]

    def send(self, caller: str, case: Case) -> Exchange:
        try:
            response = case.call(
                session=self.session, base_url="http://testserver", headers=self.headers(caller)
            )
        except Exception as exc:  # the app raised: what a real server answers with a 500
            return Exchange(caller, case, 500, "", None, True, raised=repr(exc))
        content_type = response.headers.get("content-type", [""])[0]
        try:
            body = response.json()
        except ValueError:
            body = response.text if content_type.startswith("text/csv") else None
        exchange = Exchange(
            caller,
            case,
            response.status_code,
            content_type,
            body,
            _well_formed(response.request),
            challenge=response.headers.get("www-authenticate", [None])[0],
        )
        for check in CONFORMANCE:
            try:
                case.validate_response(response, checks=[check])
            except FailureGroup as group:
                failure = group.exceptions[0]
                exchange.failures[check.__name__] = f"{failure.title}: {failure.message}"
        return exchange

    def strategy(self, method: str, path: str) -> st.SearchStrategy[Case]:
        operation = self.operation(method, path)
        return st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
            self.seeded(operation.as_strategy(GenerationMode.POSITIVE), self.seeds),
        )

    def seeded(self, cases: st.SearchStrategy[Case], seeds: list[Seed]) -> st.SearchStrategy[Case]:
        """``cases`` about persons drawn from ``seeds`` (by index: a strategy's repr
        holds what it samples from)."""
        numbers = self.numbers
        return st.tuples(cases, st.integers(0, len(seeds) - 1)).map(
            lambda drawn: _seeded(drawn[0], seeds[drawn[1]], numbers)
        )

    def exchanges(self, caller: str, method: str, path: str) -> list[Exchange]:
        """What ``caller`` was answered to the operation's generated requests: each is
        sent as every caller, so that generating them is paid for once."""
        key = (method, path)
        if key not in self.runs:
            found: dict[str, list[Exchange]] = {who: [] for who in CALLERS}

            @FUZZ
            @given(case=self.strategy(method, path))
            def fuzz(case: Case) -> None:
                for who in CALLERS:
                    found[who].append(self.send(who, case))

            fuzz()
            self.runs[key] = found
        return self.runs[key][caller]


@pytest.fixture(scope="module")
def served(api_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The accounts of `make_api`, made once for the module (each costs argon2 time), and
    no rate limit to speak of (the fuzzing is not what rate limits are for)."""
    folder = tmp_path_factory.mktemp("schemathesis")
    ctx = Context(
        settings=Settings(
            operations_url=f"sqlite:///{folder / 'operations.sqlite'}",
            releases_dir=api_base.parent / "releases",
            signing_keys_dir=folder / "keys",
            rate_limit_per_minute=1_000_000,
        ),
        db=api_base,
    )
    people = _people(api_base)
    area = people[0].province
    credentials = {}
    for account, kwargs in (
        ("admin", {}),
        ("analyst", {}),
        ("caseworker", {"areas": [area]}),
        ("agency", {"dsa_path": DEP_DSA}),
        ("auditor", {}),
    ):
        client, secret = add_client(ctx.operations, f"test {account}", account, **kwargs)
        credentials[account] = (client.client_id, secret)
    app = create_app(ctx)
    with TestClient(app, raise_server_exceptions=False) as client:
        api = Api(ctx, client, people, credentials, {})
        numbers = app.state.sitthi.catalog.numbers()
        release = duckdb.connect(
            str(ctx.releases_dir / str(numbers[-1]) / "release.duckdb"), read_only=True
        )
        try:
            names = {
                pid: (first, last, str(born or "1950-01-01"))
                for pid, first, last, born in release.execute(
                    "select person_id, first_name, last_name, birth_date from persons"
                ).fetchall()
            }
            person_of_pid = dict(
                release.execute("select pid_hash, person_id from person_ids").fetchall()
            )
            area_rows = release.execute(
                """select person_id from profiles where starts_with(province_code, $a)
                   or starts_with(district_code, $a) or starts_with(subdistrict_code, $a)""",
                {"a": area},
            ).fetchall()
            agreement_rows = release.execute(DEP_POPULATION).fetchall()
        finally:
            release.close()
        everyone = [
            Seed(
                p.person_id,
                p.national_id,
                p.province,
                *names.get(p.person_id, ("สมชาย", "ใจดี", "1950-01-01")),
            )
            for p in people
        ]
        in_area = frozenset(r[0] for r in area_rows)
        in_agreement = frozenset(r[0] for r in agreement_rows)
        # As many persons of the case worker's area, of the agreement, and of neither.
        seeds = [
            *[s for s in everyone if s.person_id in in_area][:20],
            *[s for s in everyone if s.person_id in in_agreement][:20],
            *[s for s in everyone if s.person_id not in in_area | in_agreement][:20],
        ]
        yield Served(
            api=api,
            schema=schemathesis.openapi.from_dict(_without_security(app.openapi())),
            session=get_client(app),
            seeds=seeds,
            numbers=numbers,
            in_area=in_area,
            in_agreement=in_agreement,
            person_of_pid=person_of_pid,
        )


def _explain(exchanges: list[Exchange], problem: Callable[[Exchange], str | None]) -> str:
    """Each distinct problem once, with the shortest request that shows it."""
    shown: dict[str, Exchange] = {}
    for e in exchanges:
        what = problem(e)
        if what is None:
            continue
        what = what.strip().splitlines()[0][:200] if what.strip() else what
        if what not in shown or len(e.repro()) < len(shown[what].repro()):
            shown[what] = e
    return "\n".join(f"- {what}\n    {e.repro()}" for what, e in shown.items())


# ------------------------------------------------------------------ properties


@pytest.mark.parametrize(("caller", "method", "path"), _pairs(lambda caller, permission: True))
def test_no_input_makes_a_server_error(served: Served, caller: str, method: str, path: str) -> None:
    exchanges = served.exchanges(caller, method, path)
    assert exchanges
    report = _explain(
        exchanges,
        lambda e: f"{e.status} {e.raised or e.body}" if e.status >= 500 else None,
    )
    assert not report, f"{_label(method, path)} as {caller}:\n{report}"


@pytest.mark.parametrize(("caller", "method", "path"), _pairs(_refused))
def test_a_caller_without_the_permission_is_always_refused(
    served: Served, caller: str, method: str, path: str
) -> None:
    """401 without a token, 403 with a role that lacks the operation's permission — for
    every generated input (a body that is not even JSON included), never an answer."""
    want = 401 if caller == ANONYMOUS else 403
    exchanges = served.exchanges(caller, method, path)

    def wrong(e: Exchange) -> str | None:
        if e.answered or e.status >= 500:
            return f"{e.status}: answered a caller without {OPERATIONS[(method, path)]}"
        if e.status != want or e.content_type != PROBLEM_JSON:
            return f"{e.status} {e.content_type}, not {want} {PROBLEM_JSON}"
        if want == 401 and not (e.challenge or "").startswith("Bearer"):
            return f"401 without a Bearer challenge (WWW-Authenticate: {e.challenge})"
        return None

    report = _explain(exchanges, wrong)
    assert not report, f"{_label(method, path)} as {caller}:\n{report}"


#: (caller, METHOD path) pairs whose 2xx answers the document misdescribes.
MISDESCRIBED_ANSWERS: dict[tuple[str, str], str] = {}


def _answer_pairs() -> list[Any]:
    out = []
    for param in _pairs(lambda caller, permission: not _refused(caller, permission)):
        caller, method, path = param.values
        reason = MISDESCRIBED_ANSWERS.get((caller, _label(method, path)))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(*param.values, id=param.id, marks=marks))
    return out


@pytest.mark.parametrize(("caller", "method", "path"), _answer_pairs())
def test_every_answer_is_what_the_document_says(
    served: Served, caller: str, method: str, path: str
) -> None:
    """Each 2xx: a documented status and content type, a body of the documented schema."""
    exchanges = served.exchanges(caller, method, path)
    report = _explain(
        [e for e in exchanges if e.answered],
        lambda e: next(iter(e.failures.values()), None),
    )
    assert not report, f"{_label(method, path)} as {caller}:\n{report}"


def test_every_refusal_is_documented_on_its_operation(served: Served) -> None:
    """Each refusal, to each caller, of each operation: a documented status and content
    type, and a body of the documented schema."""
    exchanges = [
        e
        for method, path in OPERATIONS
        for caller in CALLERS
        for e in served.exchanges(caller, method, path)
        if not e.answered and e.status < 500
    ]
    report = _explain(
        exchanges,
        lambda e: (
            f"{_label(e.case.method, e.case.path)}: {next(iter(e.failures.values()))}"
            if e.failures
            else None
        ),
    )
    assert not report, report


@pytest.mark.parametrize("caller", ["caseworker", "agency"])
def test_persons_are_answered_only_within_the_callers_scope(served: Served, caller: str) -> None:
    """A case worker is answered about persons of their areas only, an agency about
    persons of its agreement's population only — whoever the generated request names,
    and whoever the answer names besides (household members, search candidates, the
    rows of a list)."""
    scope = served.in_area if caller == "caseworker" else served.in_agreement
    reached = [
        e
        for (method, path), permission in OPERATIONS.items()
        if path.startswith(("/api/v1/persons", "/api/v1/exports"))
        and not _refused(caller, permission)
        for e in served.exchanges(caller, method, path)
        if e.answered and served.named(e.body)
    ]
    assert reached, f"the fuzzing never reached a person as {caller}"

    def outside(e: Exchange) -> str | None:
        beyond = sorted(served.named(e.body) - scope)
        if not beyond:
            return None
        return f"{_label(e.case.method, e.case.path)} {e.status} names {beyond[:5]}"

    report = _explain(reached, outside)
    assert not report, report


# ------------------------------------------------------------------ out of the agreement


def _outsiders(served: Served) -> list[Seed]:
    return [s for s in served.seeds if s.person_id not in served.in_agreement]


def test_the_agency_never_reads_a_person_outside_its_agreement_whatever_it_asks(
    served: Served,
) -> None:
    """Generated lookups and reads, each about a person of the release outside the DEP
    agreement's population: never an answer."""
    outsiders = _outsiders(served)
    assert len(outsiders) > 10
    lookup = served.operation("POST", "/api/v1/persons/lookup")
    read = served.operation("GET", "/api/v1/persons/{person_id}")
    cases = served.seeded(
        st.one_of(
            lookup.as_strategy(GenerationMode.POSITIVE), read.as_strategy(GenerationMode.POSITIVE)
        ),
        outsiders,
    )

    @FUZZ
    @given(case=cases, with_release=st.booleans())
    def property_(case: Case, with_release: bool) -> None:
        if not with_release and case.query:
            case.query.pop("release", None)
        exchange = served.send("agency", case)
        assert not exchange.answered, f"{exchange.status}: {exchange.repro()}"
        assert exchange.status < 500, exchange.repro()
        # with the body valid and the release published, the reason is the agreement
        if exchange.status == 403:
            assert exchange.body["type"] == "urn:sitthi:problem:outside-area"

    property_()


def test_an_agencys_lists_hold_only_persons_of_its_agreement(served: Served) -> None:
    """Gap lists of every province where the agreement has someone: every row a person
    of its population (named by pseudonym: the agreement has no real IDs)."""
    headers = served.headers("agency")
    provinces = sorted({s.province for s in served.seeds if s.person_id in served.in_agreement})
    listed: set[str] = set()
    for province in provinces:
        got = served.api.client.get(
            "/api/v1/exports/gaps", params={"area": province}, headers=headers
        )
        assert got.status_code == 200, got.text
        assert "national_id" not in got.text.splitlines()[0]
        listed |= served.named(got.text)
    assert listed, "no gap list named anyone"
    assert listed <= served.in_agreement, sorted(listed - served.in_agreement)[:5]


def _agency(api: Api, name: str, **kwargs: Any) -> dict[str, str]:
    client, secret = add_client(api.ctx.operations, name, "agency", **kwargs)
    api.credentials[name] = (client.client_id, secret)
    return api.headers(name)


def _asks(api: Api, seed: Any, headers: dict[str, str]) -> list[int]:
    """A lookup by national ID, a read by person ID, and a reveal, about ``seed``."""
    return [
        api.client.post(
            "/api/v1/persons/lookup",
            json={"national_id": seed.national_id, "purpose": PURPOSE},
            headers=headers,
        ).status_code,
        api.client.get(
            f"/api/v1/persons/{seed.person_id}", params={"purpose": PURPOSE}, headers=headers
        ).status_code,
        api.client.post(
            f"/api/v1/persons/{seed.person_id}/reveal",
            json={"fields": ["disability"], "purpose": PURPOSE},
            headers=headers,
        ).status_code,
    ]


def _population(api: Api) -> frozenset[str]:
    release = duckdb.connect(str(api.ctx.releases_dir / "1" / "release.duckdb"), read_only=True)
    try:
        found = release.execute(DEP_POPULATION).fetchall()
    finally:
        release.close()
    return frozenset(r[0] for r in found)


def test_persons_outside_the_agreement_are_refused_to_the_agency(api: Api) -> None:
    population = _population(api)
    outside = [p for p in api.people if p.person_id not in population]
    inside = [p for p in api.people if p.person_id in population]
    assert outside
    assert inside
    headers = api.headers("agency")
    for person in outside[:5]:
        got = _asks(api, person, headers)
        assert got == [403, 403, 403], f"{person.person_id} (outside DSA-DEP-2569-001): {got}"
    # the agreement's own population is answered (reveal is no agency's to do)
    assert _asks(api, inside[0], headers) == [200, 200, 403]


def test_persons_outside_the_agreements_areas_are_refused_to_the_agency(
    served: Served, tmp_path: Path
) -> None:
    """The DEP agreement, narrowed to one province: persons of its population elsewhere
    are refused."""
    api = served.api
    inside = [p for p in api.people if p.person_id in served.in_agreement]
    province = inside[0].province
    text = DEP_DSA.read_text(encoding="utf-8")
    narrowed = text.replace("DSA-DEP-2569-001", "DSA-TEST-AREA-2569-001").replace(
        "areas: [all]", f'areas: ["{province}"]'
    )
    assert f'areas: ["{province}"]' in narrowed
    dsa = tmp_path / "narrowed.yaml"
    dsa.write_text(narrowed, encoding="utf-8")
    headers = _agency(api, "test agency of one province", dsa_path=dsa)
    elsewhere = [p for p in inside if p.province != province]
    assert elsewhere
    for person in elsewhere[:5]:
        assert _asks(api, person, headers)[:2] == [403, 403], person.person_id
    assert _asks(api, inside[0], headers)[:2] == [200, 200]


def test_an_agency_client_narrower_than_its_agreement_sees_only_its_areas(
    served: Served,
) -> None:
    api = served.api
    inside = [p for p in api.people if p.person_id in served.in_agreement]
    province = inside[0].province
    headers = _agency(api, "test agency client of one province", dsa_path=DEP_DSA, areas=[province])
    elsewhere = next(p for p in inside if p.province != province)
    got = {
        "read": _asks(api, elsewhere, headers)[:2],
        "list": api.client.get(
            "/api/v1/exports/gaps", params={"area": elsewhere.province}, headers=headers
        ).status_code,
    }
    assert got == {"read": [403, 403], "list": 403}


# ------------------------------------------------------------------ known: body before token


def test_a_malformed_body_is_refused_for_want_of_a_token_first(served: Served) -> None:
    wrong = []
    for (method, path), permission in OPERATIONS.items():
        spec = DOCUMENT["paths"][path][method.lower()]
        if permission is None or "application/json" not in spec.get("requestBody", {}).get(
            "content", {}
        ):
            continue
        url = path.replace("{person_id}", served.seeds[0].person_id)
        refused = [r for r in ROLES if _refused(r, permission)]
        for caller in [ANONYMOUS, *refused[:1]]:
            for body in (b"\x00", b"{", b"\xff\xfe{"):
                got = served.api.client.request(
                    method,
                    url,
                    content=body,
                    headers={"Content-Type": "application/json", **served.headers(caller)},
                )
                if got.status_code != (401 if caller == ANONYMOUS else 403):
                    wrong.append(f"{caller} {method} {url} {body!r}: {got.status_code} {got.text}")
    assert not wrong, "\n".join(wrong)


def test_the_document_and_the_grants_agree(served: Served) -> None:
    """The operations tested are the app's, and each declares a permission or is public."""
    assert served.api.client.app.openapi()["paths"].keys() == DOCUMENT["paths"].keys()
    for (method, path), permission in OPERATIONS.items():
        assert (permission is None) == (path in PUBLIC), _label(method, path)
