"""The DCI social-registry API end to end: signed envelopes in, signed answers out, each
within the sender's agreement, audited before it leaves; async answers at a real server.

Two partners: DEP under the packaged DSA (people with a disability; sex, age, area codes,
disability, entitlements, gaps, pid_hash) and a welfare office under a test DSA (everyone
of one province; names, birth dates, households). Nothing is mocked.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from sitthi.api.app import create_app
from sitthi.api.dci import senders
from sitthi.api.dci.signature import sign
from sitthi.config import Settings
from sitthi.context import Context
from sitthi.ingest.pseudonym import pseudonym
from sitthi.operations.accounts import add_client
from sitthi.operations.models import AuditRecord
from sitthi.thai.national_id import check_digit
from tests.api.conftest import DEP_DSA, Api, _people

WELFARE_DSA = """\
id: DSA-TEST-WELFARE-001
name: ข้อตกลงทดสอบ สำนักงานพัฒนาสังคมจังหวัด
partner: สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัด (ทดสอบ)
purpose: ติดตามครัวเรือนเปราะบางในจังหวัดเพื่อจัดสวัสดิการ (ข้อตกลงสำหรับการทดสอบ)
legal_basis:
  pdpa_section: PDPA s.24(4)
  law: พระราชบัญญัติส่งเสริมการจัดสวัสดิการสังคม พ.ศ. 2546 มาตรา 4
real_ids: false
population:
  groups: [all]
areas: ["{province}"]
valid_from: 2026-10-01
valid_to: 2027-09-30
fields: [pid_hash, person_id, household_id, first_name, last_name, sex, age, birth_date,
         province_code, district_code, subdistrict_code]
"""


class _Callbacks(BaseHTTPRequestHandler):
    received: list[dict[str, Any]]
    status: int

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        self.server.received.append(json.loads(self.rfile.read(length)))  # type: ignore[attr-defined]
        self.send_response(self.server.status)  # type: ignore[attr-defined]
        self.end_headers()

    def log_message(self, *args: Any) -> None:  # quiet
        pass


@dataclass
class CallbackServer:
    """A real HTTP server on a free local port, keeping what is posted to it."""

    server: ThreadingHTTPServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/registry/on-search"

    @property
    def received(self) -> list[dict[str, Any]]:
        return self.server.received  # type: ignore[attr-defined,no-any-return]


def _serve() -> CallbackServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Callbacks)
    server.received = []  # type: ignore[attr-defined]
    server.status = 200  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return CallbackServer(server, thread)


def _stop(callbacks: CallbackServer) -> None:
    callbacks.server.shutdown()
    callbacks.server.server_close()


@dataclass
class Partner:
    sender_id: str
    account: str
    key: Ed25519PrivateKey
    key_id: str = "k1"


@dataclass
class Dci:
    api: Api
    dep: Partner
    welfare: Partner
    province: str
    callbacks: CallbackServer
    release: Path
    _tokens: dict[str, dict[str, str]] = field(default_factory=dict)

    def headers(self, account: str) -> dict[str, str]:
        if account not in self._tokens:
            self._tokens[account] = self.api.headers(account)
        return self._tokens[account]

    def envelope(
        self,
        partner: Partner,
        requests: list[dict[str, Any]],
        *,
        action: str = "search",
        key: Ed25519PrivateKey | None = None,
        signer: str | None = None,
        **header: Any,
    ) -> dict[str, Any]:
        head = {
            "version": "1.0.0",
            "message_id": str(uuid.uuid4()),
            "message_ts": dt.datetime.now(dt.UTC).isoformat(),
            "action": action,
            "sender_id": partner.sender_id,
            "receiver_id": "sitthi",
            "total_count": len(requests),
            "is_msg_encrypted": False,
            **header,
        }
        message = {"transaction_id": f"txn-{uuid.uuid4().hex[:8]}", "search_request": requests}
        signature = sign(
            head,
            message,
            private_key=key or partner.key,
            sender_id=signer or partner.sender_id,
            key_id=partner.key_id,
        )
        return {"signature": signature, "header": head, "message": message}

    def post(self, partner: Partner, body: Any, path: str = "/registry/sync/search") -> Any:
        return self.api.client.post(path, json=body, headers=self.headers(partner.account))

    def search(self, partner: Partner, *criteria: dict[str, Any]) -> Any:
        got = self.post(partner, self.envelope(partner, [request(c) for c in criteria]))
        assert got.status_code == 200, got.text
        return got.json()

    def sql(self, query: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        con = duckdb.connect(str(self.release), read_only=True)
        try:
            return con.execute(query, params or []).fetchall()
        finally:
            con.close()

    def pid(self, national_id: str) -> str:
        return pseudonym(self.api.ctx.settings.pseudonym_secret(), national_id)

    def audit(self) -> list[dict[str, Any]]:
        with self.api.ctx.operations.session() as session:
            rows = session.scalars(select(AuditRecord).order_by(AuditRecord.seq)).all()
            return [json.loads(r.entry) for r in rows]


def request(criteria: dict[str, Any], reference_id: str | None = None) -> dict[str, Any]:
    return {
        "reference_id": reference_id or f"ref-{uuid.uuid4().hex[:8]}",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(),
        "search_criteria": criteria,
    }


def uin(national_id: str, **more: Any) -> dict[str, Any]:
    return {"query_type": "idtype-value", "query": {"type": "UIN", "value": national_id}, **more}


def predicate(*expressions: tuple[str, str, Any], **more: Any) -> dict[str, Any]:
    items = [
        {"expression1": {"attribute_name": a, "operator": o, "attribute_value": v}}
        for a, o, v in expressions
    ]
    return {"query_type": "predicate", "query": items, **more}


def attributes(record: dict[str, Any]) -> dict[str, Any]:
    return {a["name"]: a["value"] for a in record.get("additional_attributes", [])}


def identifiers(record: dict[str, Any]) -> dict[str, str]:
    return {i["identifier_type"]: i["identifier_value"] for i in record.get("identifier", [])}


def _build(api_base: Path, folder: Path, callbacks: CallbackServer) -> Dci:
    """An app over the shared release with its own operational store, three clients (DEP,
    the welfare office, an analyst) and a sender for each partner."""
    ctx = Context(
        settings=Settings(
            operations_url=f"sqlite:///{folder / 'operations.sqlite'}",
            releases_dir=api_base.parent / "releases",
            signing_keys_dir=folder / "keys",
        ),
        db=api_base,
    )
    people = _people(api_base)
    # The welfare office's province: the one with the most people of the sample
    province = max({p.province for p in people}, key=[p.province for p in people].count)
    dsa = folder / "welfare.yaml"
    dsa.write_text(WELFARE_DSA.replace("{province}", province), encoding="utf-8")
    credentials = {}
    for account, kwargs in (
        ("agency", {"role": "agency", "dsa_path": DEP_DSA}),
        ("welfare", {"role": "agency", "dsa_path": dsa}),
        ("analyst", {"role": "analyst"}),
    ):
        client, secret = add_client(ctx.operations, f"test {account}", **kwargs)  # type: ignore[arg-type]
        credentials[account] = (client.client_id, secret)
    api = Api(ctx, TestClient(create_app(ctx), raise_server_exceptions=False), people,
              credentials, {})  # fmt: skip
    dep = Partner("dep.go.th", "agency", Ed25519PrivateKey.generate())
    welfare = Partner("welfare.test", "welfare", Ed25519PrivateKey.generate())
    for partner in (dep, welfare):
        senders.add_sender(
            ctx.operations,
            partner.sender_id,
            client_id=credentials[partner.account][0],
            public_key=partner.key.public_key(),
            key_id=partner.key_id,
            callback_uris=[callbacks.url],
        )
    release = ctx.releases_dir / "1" / "release.duckdb"
    return Dci(api, dep, welfare, province, callbacks, release)


@pytest.fixture(scope="module")
def shared(api_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dci]:
    """One app for the tests that change nothing but the audit log (which only grows)."""
    callbacks = _serve()
    built = _build(api_base, tmp_path_factory.mktemp("dci"), callbacks)
    yield built
    built.api.client.close()
    _stop(callbacks)


@pytest.fixture
def dci(shared: Dci) -> Dci:
    shared.callbacks.received.clear()
    shared.callbacks.server.status = 200  # type: ignore[attr-defined]
    return shared


@pytest.fixture
def fresh(api_base: Path, tmp_path: Path) -> Iterator[Dci]:
    """An app of its own, for a test that revokes keys or breaks the audit log."""
    callbacks = _serve()
    built = _build(api_base, tmp_path, callbacks)
    yield built
    built.api.client.close()
    _stop(callbacks)


def _jwks_key(dci: Dci, kid: str) -> Ed25519PublicKey:
    jwks = dci.api.client.get("/.well-known/jwks.json").json()
    found = next(k for k in jwks["keys"] if k["kid"] == kid)
    key = jwt.PyJWK(found).key
    assert isinstance(key, Ed25519PublicKey)
    return key


def _integral(value: Any) -> Any:
    """RFC 8785 writes 600.0 as 600 (json.dumps would write 600.0); the rest of it is
    json.dumps with sorted keys, for these answers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value


def verify_sitthi(dci: Dci, envelope: dict[str, Any]) -> None:
    """Check Sitthi's signature as docs/DCI.md tells a partner to, without Sitthi's code."""
    parts = envelope["signature"].removeprefix("Signature:").split(",")
    params = {k.strip(): v.strip().strip('"') for k, v in (p.split("=", 1) for p in parts)}
    sender, kid, algorithm = params["kidId"].split("|")
    assert (sender, algorithm) == ("sitthi", "ed25519")
    body = json.dumps(
        _integral({"header": envelope["header"], "message": envelope["message"]}),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    digest = base64.b64encode(hashlib.blake2b(body, digest_size=64).digest()).decode()
    signing = "\n".join(
        (f"(created): {params['created']}", f"(expires): {params['expires']}",
         f"digest: BLAKE-512={digest}")
    )  # fmt: skip
    _jwks_key(dci, kid).verify(base64.b64decode(params["signature"]), signing.encode())


def _disabled_in_release(dci: Dci) -> list[str]:
    found = {r[0] for r in dci.sql("select person_id from profiles where disability")}
    return [p.national_id for p in dci.api.people if p.person_id in found]


# ------------------------------------------------------------------- UIN searches


def test_a_uin_search_answers_the_person_with_only_the_agreements_fields(dci: Dci) -> None:
    disabled = next(p for p in dci.api.people if p.disabled)
    answer = dci.search(dci.dep, uin(disabled.national_id))
    verify_sitthi(dci, answer)
    assert answer["header"]["status"] == "succ"
    assert answer["header"]["receiver_id"] == "dep.go.th"
    item = answer["message"]["search_response"][0]
    assert item["status"] == "succ"
    assert item["pagination"]["total_count"] == 1
    [record] = item["data"]["reg_records"]
    assert identifiers(record) == {"UIN_HMAC": dci.pid(disabled.national_id)}
    assert record["is_disabled"] is True
    assert record["address"][0]["region_code"] == disabled.province
    # DSA-DEP-2569-001: sex, age, area codes, disability, entitlements, gaps, pid_hash
    assert set(record) <= {"@type", "identifier", "sex", "address", "is_disabled",
                           "disability_type", "additional_attributes"}  # fmt: skip
    assert set(attributes(record)) <= {"age", "disability_card_valid", "disability_card_no",
        "disability_card_issued", "disability_card_expiry", "entitlements", "gaps"}  # fmt: skip
    assert disabled.national_id not in json.dumps(answer)
    # audited before it left: the pseudonym, never the ID
    entry = dci.audit()[-1]
    assert entry["action"] == "read"
    assert entry["route"] == "POST /registry/sync/search"
    assert entry["dsa_id"] == "DSA-DEP-2569-001"
    assert entry["persons"] == [dci.pid(disabled.national_id)]
    assert entry["query"]["requests"][0]["query"] == {
        "type": "UIN",
        "pid": dci.pid(disabled.national_id),
    }
    assert disabled.national_id not in json.dumps(dci.audit())


def test_a_uin_not_found_outside_the_population_or_malformed(dci: Dci) -> None:
    unknown = "110170020315" + str(check_digit("110170020315"))
    able = next(p for p in dci.api.people if not p.disabled and p.national_id != unknown)
    bad = able.national_id[:-1] + str((int(able.national_id[-1]) + 1) % 10)
    answer = dci.search(dci.dep, uin(unknown), uin(able.national_id), uin(bad))
    nobody, outside, malformed = answer["message"]["search_response"]
    for item in (nobody, outside):
        assert item["status"] == "succ"
        assert item["data"]["reg_records"] == []
        assert item["pagination"]["total_count"] == 0
    assert malformed["status"] == "rjct"
    assert malformed["status_reason_code"] == "rjct.search_criteria.invalid"
    assert "national ID" in malformed["status_reason_message"]
    for national_id in (unknown, able.national_id, bad):
        assert national_id not in json.dumps(answer)
        assert national_id not in json.dumps(dci.audit())
    assert dci.audit()[-1]["persons"] == []


# -------------------------------------------------------------- predicate searches


def test_a_predicate_search_answers_only_the_agreements_population_and_fields(dci: Dci) -> None:
    rows = dci.sql(
        """select province_code, count(*) from profiles p
           where p.age >= 60 and (p.disability or exists (select 1 from entitlements e
                 where e.person_id = p.person_id and e.programme = 'disability_allowance'))
           group by 1 order by 2 desc limit 1"""
    )
    province = rows[0][0]
    expected = {
        r[0]
        for r in dci.sql(
            """select (select pid_hash from person_ids i where i.person_id = p.person_id
                       order by records desc, pid_hash limit 1)
               from profiles p where p.age >= 60 and p.province_code = ?
               and (p.disability or exists (select 1 from entitlements e
                    where e.person_id = p.person_id and e.programme = 'disability_allowance'))""",
            [province],
        )
    }
    everyone = dci.sql(
        "select count(*) from profiles where age >= 60 and province_code = ?", [province]
    )[0][0]
    assert everyone > len(expected) > 0  # the agreement's population is a real cut
    both = predicate(("age", "ge", 60), ("province_code", "eq", province))
    mongo = {
        "query_type": "expression",
        "query": {"type": "ns:org:QueryType:NoSql", "value": {"expression": {"query": {
            "$and": [{"age": {"$gte": 60}}, {"province_code": province}]}}}},
    }  # fmt: skip
    answer = dci.search(dci.dep, both, mongo)
    for item in answer["message"]["search_response"]:
        assert item["status"] == "succ", item
        found = item["data"]["reg_records"]
        assert {identifiers(r)["UIN_HMAC"] for r in found} == expected
        assert item["pagination"]["total_count"] == len(expected)
        for record in found:
            assert record["is_disabled"] is True or "entitlements" in attributes(record)
            assert attributes(record)["age"] >= 60
            assert record["address"][0]["region_code"] == province
            for entitlement in attributes(record).get("entitlements", []):
                # the rule's reason quotes profile values: only the agreement's stay
                quoted = {p.split("=")[0] for p in entitlement.get("reason", "").split(", ")}
                assert quoted <= {"age", "disability_card_valid", ""}, entitlement
            assert "name" not in record
            assert "birth_date" not in record
            assert set(identifiers(record)) == {"UIN_HMAC"}
    assert sorted(dci.audit()[-1]["persons"]) == sorted(expected)


def test_a_field_the_agreement_does_not_share_cannot_be_searched_or_sorted(dci: Dci) -> None:
    answer = dci.search(
        dci.dep,
        predicate(("first_name", "eq", "สมศรี")),
        predicate(("age", "ge", 90), sort=[{"attribute_name": "birth_date"}]),
        predicate(("age", "ge", 90)),
        {"query_type": "idtype-value", "query": {"type": "HOUSEHOLD_ID", "value": "HH" + "0" * 16}},
    )
    name, sort, fine, household = answer["message"]["search_response"]
    assert name["status"] == "rjct"
    assert name["status_reason_code"] == "rjct.search_criteria.invalid"
    assert "does not allow searching by first_name" in name["status_reason_message"]
    assert "data" not in name
    assert sort["status_reason_code"] == "rjct.sort.invalid"
    assert household["status"] == "rjct"
    assert "household" in household["status_reason_message"]
    assert fine["status"] == "succ"  # the good request of the batch is answered
    requests = dci.audit()[-1]["query"]["requests"]
    assert [r.get("status", "succ") for r in requests] == ["rjct", "rjct", "succ", "rjct"]


def test_thai_reason_messages_for_a_thai_locale(dci: Dci) -> None:
    body = dci.envelope(dci.dep, [{**request(predicate(("income", "ge", 1))), "locale": "th"}])
    item = dci.post(dci.dep, body).json()["message"]["search_response"][0]
    assert item["status"] == "rjct"
    assert "ค้นหาด้วย income ไม่ได้" in item["status_reason_message"]


# ---------------------------------------------------------------------- pagination


def test_pages_are_disjoint_ordered_and_capped(dci: Dci) -> None:
    def page(size: Any, number: int) -> Any:
        criteria = predicate(("province_code", "eq", dci.province),
                             pagination={"page_size": size, "page_number": number})  # fmt: skip
        return dci.search(dci.welfare, criteria)["message"]["search_response"][0]

    first, second = page(5, 1), page(5, 2)
    total = first["pagination"]["total_count"]
    everyone = dci.sql("select count(*) from profiles where province_code = ?", [dci.province])
    assert total == everyone[0][0] > 10
    ids = [[identifiers(r)["PERSON_ID"] for r in p["data"]["reg_records"]] for p in (first, second)]
    assert len(ids[0]) == len(ids[1]) == 5
    ordered = [r[0] for r in dci.sql(
        "select person_id from profiles where province_code = ? order by person_id limit 10",
        [dci.province])]  # fmt: skip
    assert ids[0] + ids[1] == ordered
    assert second["pagination"] == {"page_size": 5, "page_number": 2, "total_count": total}
    big = page(1000, 1)
    assert big["pagination"]["page_size"] == 100
    assert len(big["data"]["reg_records"]) == min(100, total)
    zero = page(0, 1)
    assert zero["status"] == "rjct"
    assert zero["status_reason_code"] == "rjct.pagination.invalid"
    # and the welfare office's agreement holds to its province
    elsewhere = next(p.province for p in dci.api.people if p.province != dci.province)
    outside = dci.search(dci.welfare, predicate(("province_code", "eq", elsewhere)))
    assert outside["message"]["search_response"][0]["data"]["reg_records"] == []


# ----------------------------------------------------------------------- households


def test_a_household_id_search_answers_the_group_with_its_members(dci: Dci) -> None:
    sampled = [p.person_id for p in dci.api.people if p.province == dci.province]
    household, size = dci.sql(
        """select h.household_id, hp.members from households h
           join household_profiles hp using (household_id)
           join profiles p on p.household_id = h.household_id
           where h.province_code = ? and hp.members >= 2 and list_contains(?, p.person_id)
           order by hp.members desc, 1 limit 1""",
        [dci.province, sampled],
    )[0]
    members = {
        r[0]
        for r in dci.sql(
            "select person_id from profiles where household_id = ? and province_code = ?",
            [household, dci.province],
        )
    }
    query = {"query_type": "idtype-value", "query": {"type": "HOUSEHOLD_ID", "value": household}}
    answer = dci.search(dci.welfare, query)
    item = answer["message"]["search_response"][0]
    assert item["data"]["reg_record_type"] == "Group"
    [group] = item["data"]["reg_records"]
    assert group["group_identifier"][0]["identifier_value"] == household
    assert group["group_size"] == size
    listed = {identifiers(m["demographic_info"])["PERSON_ID"] for m in group["member_list"]}
    assert listed == members
    for member in group["member_list"]:
        person = member["demographic_info"]
        assert person["household_identifier"] == household
        assert "given_name" in person["name"]
        assert "is_disabled" not in person  # not the welfare office's to see
    # Households by size: this one among them, every one at least as large
    bigger = dci.search(dci.welfare, predicate(("group_size", "ge", size), reg_type="Group",
                                               pagination={"page_size": 100}))  # fmt: skip
    groups = bigger["message"]["search_response"][0]["data"]["reg_records"]
    assert household in {g["group_identifier"][0]["identifier_value"] for g in groups}
    assert all(g["group_size"] >= size for g in groups)
    assert all(g["place"]["region_code"] == dci.province for g in groups)
    # A member's UIN with reg_type Group finds the same household
    holder = next(p for p in dci.api.people if p.person_id in members)
    by_uin = dci.search(dci.welfare, uin(holder.national_id, reg_type="ns:org:RegistryType:Group"))
    [same] = by_uin["message"]["search_response"][0]["data"]["reg_records"]
    assert same["group_identifier"] == group["group_identifier"]
    assert holder.national_id not in json.dumps(dci.audit())


# ------------------------------------------------------------------- who may send


def test_signatures_and_senders_are_checked_and_refusals_audited(fresh: Dci) -> None:
    dci = fresh
    person = dci.api.people[0]
    good = dci.envelope(dci.dep, [request(uin(person.national_id))])

    def refused(body: Any, partner: Partner = dci.dep) -> tuple[int, str]:
        got = dci.post(partner, body)
        assert got.headers["content-type"] == "application/problem+json"
        assert person.national_id not in got.text
        problem = got.json()
        assert problem["title_th"]
        return got.status_code, problem["errors"][0]["code"]

    tampered = json.loads(json.dumps(good))
    tampered["message"]["search_request"][0]["search_criteria"]["query"]["value"] = dci.api.people[
        1
    ].national_id
    assert refused(tampered) == (401, "err.signature.invalid")
    assert refused({**good, "signature": None}) == (401, "err.signature.missing")
    stranger = Ed25519PrivateKey.generate()
    one = [request(predicate(("age", "ge", 100)))]
    assert refused(dci.envelope(dci.dep, one, key=stranger)) == (401, "err.signature.invalid")
    unknown = dci.envelope(Partner("nobody.example", "agency", stranger), one)
    assert refused(unknown) == (403, "err.sender_id.invalid")
    # the welfare office's sender, with DEP's token: not DEP's to use
    theirs = dci.envelope(dci.welfare, [request(uin(person.national_id))])
    assert refused(theirs, dci.dep) == (403, "err.sender_id.invalid")
    old = dci.envelope(dci.dep, one)
    senders.revoke_key(dci.api.ctx.operations, "dep.go.th", "k1")
    assert refused(old) == (401, "err.signature.invalid")
    refusals = [e for e in dci.audit() if e["action"] == "refused"]
    assert len(refusals) == 6
    assert all(e["route"] == "POST /registry/sync/search" for e in refusals)
    assert not [e for e in dci.audit() if e["action"] == "read"]


def test_a_rotated_key_verifies_alongside_the_old_until_it_is_revoked(fresh: Dci) -> None:
    dci = fresh
    new = Ed25519PrivateKey.generate()
    senders.add_key(dci.api.ctx.operations, "dep.go.th", new.public_key(), key_id="k2")
    rotated = Partner("dep.go.th", "agency", new, "k2")
    one = [request(predicate(("age", "ge", 100)))]
    assert dci.post(rotated, dci.envelope(rotated, one)).status_code == 200
    assert dci.post(dci.dep, dci.envelope(dci.dep, one)).status_code == 200
    senders.revoke_key(dci.api.ctx.operations, "dep.go.th", "k1")
    assert dci.post(rotated, dci.envelope(rotated, one)).status_code == 200
    assert dci.post(dci.dep, dci.envelope(dci.dep, one)).status_code == 401


def test_header_problems_are_the_standards_rjct_codes(dci: Dci) -> None:
    one = [request(predicate(("age", "ge", 100)))]

    def header_of(body: Any) -> dict[str, Any]:
        got = dci.post(dci.dep, body)
        assert got.status_code == 200, got.text
        verify_sitthi(dci, got.json())
        return got.json()["header"]  # type: ignore[no-any-return]

    assert header_of(dci.envelope(dci.dep, one, version="0.9"))["status_reason_code"] == (
        "rjct.version.invalid"
    )
    assert header_of(dci.envelope(dci.dep, one, total_count=3))["status_reason_code"] == (
        "rjct.total_count.invalid"
    )
    assert header_of(dci.envelope(dci.dep, one, action="subscribe"))["status_reason_code"] == (
        "rjct.action.invalid"
    )
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    assert header_of(dci.envelope(dci.dep, one, message_ts=future))["status_reason_code"] == (
        "rjct.message_ts.invalid"
    )
    eleven = dci.envelope(dci.dep, one * 11)
    assert header_of(eleven)["status_reason_code"] == "rjct.total_count.limit_exceeded"
    once = dci.envelope(dci.dep, one)
    assert header_of(once)["status"] == "succ"
    replay = header_of(once)
    assert (replay["status"], replay["status_reason_code"]) == ("rjct", "rjct.message_id.duplicate")


def test_a_malformed_envelope_is_a_problem_naming_the_parameter(dci: Dci) -> None:
    one = [request(predicate(("age", "ge", 100)))]
    body = dci.envelope(dci.dep, one)
    del body["header"]["message_id"]
    got = dci.post(dci.dep, body)
    assert got.status_code == 422
    assert got.json()["parameter"] == "header.message_id"
    no_message = {"signature": "x", "header": dci.envelope(dci.dep, one)["header"]}
    assert dci.post(dci.dep, no_message).json()["parameter"] == "message"
    twice = b'{"header": {}, "header": {}, "message": {}}'
    got = dci.api.client.post(
        "/registry/sync/search",
        content=twice,
        headers={**dci.headers("agency"), "content-type": "application/json"},
    )
    assert got.status_code in (400, 422)
    assert "Traceback" not in got.text
    encrypted = dci.envelope(dci.dep, one, is_msg_encrypted=True)
    got = dci.post(dci.dep, encrypted)
    assert got.status_code == 422
    assert "encrypted" in got.json()["title"]


def test_an_analyst_token_never_reaches_the_dci_routes(dci: Dci) -> None:
    body = dci.envelope(dci.dep, [request(uin(dci.api.people[0].national_id))])
    got = dci.api.client.post("/registry/sync/search", json=body, headers=dci.headers("analyst"))
    assert got.status_code == 403
    assert dci.api.client.post("/registry/sync/search", json=body).status_code == 401


# ------------------------------------------------------------------- no audit, no data


def test_no_audit_no_data(fresh: Dci) -> None:
    dci = fresh
    disabled = next(p for p in dci.api.people if p.disabled)
    token = dci.headers("agency")
    assert token
    with dci.api.ctx.operations.session() as session:
        session.execute(text("drop table audit_log"))
    got = dci.post(dci.dep, dci.envelope(dci.dep, [request(uin(disabled.national_id))]))
    assert got.status_code == 503
    assert got.headers["content-type"] == "application/problem+json"
    assert got.json()["errors"][0]["code"] == "err.service.unavailable"
    assert "reg_records" not in got.text
    assert dci.pid(disabled.national_id) not in got.text
    # asynchronous: the callback says rjct and carries no records
    ack = dci.post(
        dci.dep, dci.envelope(dci.dep, [request(uin(disabled.national_id))]), "/registry/search"
    )
    assert ack.json()["message"]["ack_status"] == "ACK"
    [posted] = dci.callbacks.received
    verify_sitthi(dci, posted)
    assert posted["header"]["status"] == "rjct"
    assert posted["message"]["search_response"] == []
    assert dci.pid(disabled.national_id) not in json.dumps(posted)


# ------------------------------------------------------------------------- async


def test_an_async_search_is_acknowledged_then_delivered_signed_to_the_callback(dci: Dci) -> None:
    national_ids = _disabled_in_release(dci)[:2]
    body = dci.envelope(dci.dep, [request(uin(n), f"r{i}") for i, n in enumerate(national_ids)])
    ack = dci.post(dci.dep, body, "/registry/search")
    assert ack.status_code == 200, ack.text
    message = ack.json()["message"]
    assert message["ack_status"] == "ACK"
    correlation_id = message["correlation_id"]
    [posted] = dci.callbacks.received  # the background task ran before the client returned
    verify_sitthi(dci, posted)
    assert posted["header"]["action"] == "on-search"
    assert posted["header"]["status"] == "succ"
    assert posted["message"]["correlation_id"] == correlation_id
    assert posted["message"]["transaction_id"] == body["message"]["transaction_id"]
    items = posted["message"]["search_response"]
    assert [i["reference_id"] for i in items] == ["r0", "r1"]
    assert [identifiers(i["data"]["reg_records"][0])["UIN_HMAC"] for i in items] == [
        dci.pid(n) for n in national_ids
    ]
    entry = dci.audit()[-1]
    assert entry["route"] == "POST /registry/search"
    assert entry["query"]["mode"] == "async"
    assert sorted(entry["persons"]) == sorted(dci.pid(n) for n in national_ids)
    # the transaction's status, asked for with a signed envelope of its own
    status = dci.envelope(dci.dep, [], action="txn-status", total_count=1)
    status["message"] = {
        "transaction_id": body["message"]["transaction_id"],
        "txnstatus_request": {
            "reference_id": "s1",
            "txn_type": "search",
            "attribute_type": "correlation_id",
            "attribute_value": correlation_id,
        },
    }
    status["signature"] = sign(status["header"], status["message"], private_key=dci.dep.key,
                               sender_id="dep.go.th", key_id="k1")  # fmt: skip
    got = dci.post(dci.dep, status, "/registry/sync/txn/status")
    assert got.status_code == 200, got.text
    verify_sitthi(dci, got.json())
    txn = got.json()["message"]["txnstatus_response"]["txn_status"]
    assert txn["status"] == "succ"
    assert txn["delivery"]["attempts"] == 1
    assert txn["delivery"]["delivered_at"]
    assert [(i["reference_id"], i["status"], i["records"]) for i in txn["search_response"]] == [
        ("r0", "succ", 1),
        ("r1", "succ", 1),
    ]
    assert "reg_records" not in got.text


def test_an_async_answer_goes_only_to_a_registered_callback(dci: Dci) -> None:
    criteria = [request(predicate(("age", "ge", 60)))]
    elsewhere = dci.envelope(dci.dep, criteria, sender_uri="http://127.0.0.1:9/steal")
    got = dci.post(dci.dep, elsewhere, "/registry/search")
    assert got.status_code == 400
    assert got.json()["message"]["ack_status"] == "ERR"
    assert got.json()["message"]["error"]["code"] == "err.sender_uri.invalid"
    named = dci.envelope(dci.dep, criteria, sender_uri=dci.callbacks.url)
    assert dci.post(dci.dep, named, "/registry/search").json()["message"]["ack_status"] == "ACK"
    assert len(dci.callbacks.received) == 1
    assert not [e for e in dci.audit() if e["query"].get("message_id") == elsewhere["header"][
        "message_id"]]  # fmt: skip


def test_a_callback_that_fails_is_recorded_on_the_transaction(fresh: Dci) -> None:
    dci = fresh
    dci.callbacks.server.status = 404  # type: ignore[attr-defined]
    body = dci.envelope(dci.dep, [request(predicate(("age", "ge", 100)))])
    correlation_id = dci.post(dci.dep, body, "/registry/search").json()["message"]["correlation_id"]
    row = senders.find_transaction(
        dci.api.ctx.operations, "dep.go.th", transaction_id=None, correlation_id=correlation_id
    )
    assert row is not None
    assert (row.attempts, row.delivered_at, row.last_error) == (1, None, "HTTP 404")
