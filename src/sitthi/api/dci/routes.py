"""The DCI social-registry routes: sync and async search, and a transaction's status.

Each route parses the envelope, checks the caller (its token's role, then the envelope's
signature against a key of a sender that belongs to that caller), checks the header,
runs the searches within the caller's agreement, audits what they read, and answers with
an envelope signed by Sitthi. What is refused where (see docs/DCI.md):

* no token, a role without ``dci:search``: 401/403 problem (as every route);
* a body that is not the envelope's shape: 422 problem naming the parameter;
* a signature missing or wrong: 401; an unknown sender, or one of another client: 403 —
  problem+json carrying the DCI ``errors: [{code, message}]`` too (``err.signature.*``,
  ``err.sender_id.invalid``), and audited as a refusal;
* a bad header (version, action, message_ts, total_count, a message id used before):
  the answer envelope with ``header.status = rjct`` and its ``rjct.*`` code (sync), or an
  ``ERR`` acknowledgement (async);
* a bad search request: its own ``rjct.*`` item beside the others' answers;
* the audit log cannot be written: 503 and no data (sync), or a ``rjct`` callback
  without records (async).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import JSONResponse

from sitthi.api.auth import Principal, guarded, require, state
from sitthi.api.dci import senders
from sitthi.api.dci.canonical import NotCanonical, parse_json
from sitthi.api.dci.delivery import post_json
from sitthi.api.dci.envelope import (
    MAX_SEARCH_REQUESTS,
    MESSAGE_TS_SKEW,
    REGISTRY_ID,
    VERSION,
    ErrorCode,
    HeaderReason,
    MsgHeader,
    SearchEnvelope,
    Status,
    TxnStatusEnvelope,
    answer_header,
    new_id,
    parse_timestamp,
    timestamp,
)
from sitthi.api.dci.search import Outcome, Searcher
from sitthi.api.dci.signature import SignatureError, sign, verify
from sitthi.api.permissions import Permission
from sitthi.api.policy import View, view_for
from sitthi.api.problems import Problem
from sitthi.api.routes.registry import release_cursor
from sitthi.api.state import ApiState
from sitthi.operations.audit import find_national_id
from sitthi.operations.dci_models import DciSender, DciTransaction

router = APIRouter(prefix="/registry", tags=["dci"])
_log = logging.getLogger(__name__)

Caller = Annotated[Principal, Depends(require(Permission.DCI_SEARCH))]


class DciProblem(Problem):
    """A problem+json that is also the DCI ``HttpErrorResponse`` (``errors: [{code,
    message}]``), so a DCI client and an RFC 9457 one both read it."""

    def __init__(
        self,
        status: int,
        error: ErrorCode,
        th: str,
        en: str,
        *,
        parameter: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        slug = error.value.removeprefix("err.").replace(".", "-").replace("_", "-")
        super().__init__(status, f"dci-{slug}", th, en, parameter=parameter, headers=headers)
        self.error = error

    def body(self, instance: str) -> dict[str, Any]:
        out = super().body(instance)
        out["errors"] = [{"code": self.error.value, "message": self.en}]
        return out


async def _raw_envelope(request: Request) -> dict[str, Any]:
    """The body exactly as sent (the signature covers it, not Sitthi's reading of it)."""
    try:
        document = parse_json(await request.body())
    except NotCanonical as exc:
        raise DciProblem(
            400, ErrorCode.REQUEST_BAD, f"เนื้อหาคำขอไม่ใช่ JSON ที่ใช้ได้: {exc}", str(exc)
        ) from None
    if not isinstance(document, dict):
        raise DciProblem(400, ErrorCode.REQUEST_BAD, "เนื้อหาต้องเป็น object", "not an object")
    return document


RawEnvelope = Annotated[dict[str, Any], Depends(_raw_envelope)]


# ------------------------------------------------------------------------ routes


@router.post("/sync/search", **guarded(Permission.DCI_SEARCH))
def sync_search(
    request: Request, body: SearchEnvelope, raw: RawEnvelope, caller: Caller
) -> JSONResponse:
    """DCI synchronous search: the answer (a signed ``on-search`` envelope) at once.

    ``query_type`` ``idtype-value`` (``UIN``, ``HOUSEHOLD_ID``), ``predicate`` or
    ``expression``; ``reg_type`` Individual or Group; records within the caller's Data
    Sharing Agreement only. See docs/DCI.md.
    """
    s = state(request)
    sender = _sender(s, caller, request, raw, body.header)
    view = _view(s, caller)
    rejected = _header_problem(body.header, len(body.message.search_request), action="search")
    correlation_id = new_id()
    found, cur = release_cursor(request, None)
    if rejected is None:
        try:
            _begin(s, sender, body, correlation_id, mode="sync")
        except senders.DuplicateMessage:
            rejected = (HeaderReason.MESSAGE_ID_DUPLICATE, "this message_id was used before")
    if rejected is not None:
        return _signed(s, _rejected_answer(body, correlation_id, *rejected))
    outcomes = _searcher(s, found.number, cur, caller, view).run(body.message.search_request)
    try:
        _audit(s, caller, request, view, found.number, body, correlation_id, outcomes, "sync")
    except Problem:
        _finish(s, correlation_id, outcomes, Status.RJCT)
        raise DciProblem(
            503,
            ErrorCode.SERVICE_UNAVAILABLE,
            "บันทึกการเข้าถึงไม่ได้ จึงไม่ตอบข้อมูล โปรดลองใหม่ภายหลัง",
            "the audit log cannot be written, so no data is answered; try again later",
            headers={"Retry-After": "30"},
        ) from None
    _finish(s, correlation_id, outcomes, Status.SUCC)
    return _signed(s, _answer(body, correlation_id, outcomes))


@router.post("/search", **guarded(Permission.DCI_SEARCH))
def async_search(
    request: Request,
    body: SearchEnvelope,
    raw: RawEnvelope,
    caller: Caller,
    background: BackgroundTasks,
) -> JSONResponse:
    """DCI asynchronous search: an ``ACK`` with a ``correlation_id`` now; the signed answer
    is posted later to the sender's registered ``/registry/on-search`` callback."""
    s = state(request)
    sender = _sender(s, caller, request, raw, body.header)
    view = _view(s, caller)
    rejected = _header_problem(body.header, len(body.message.search_request), action="search")
    if rejected is not None:
        code = (
            ErrorCode.VERSION_NOT_SUPPORTED
            if rejected[0] is HeaderReason.VERSION_INVALID
            else ErrorCode.REQUEST_BAD
        )
        return _error_ack(code, f"{rejected[0].value}: {rejected[1]}")
    callback = _callback(sender, body.header.sender_uri, production=s.ctx.production)
    if callback is None:
        return _error_ack(
            ErrorCode.SENDER_URI_INVALID,
            "sender_uri is not a callback registered for this sender (or none is registered)",
        )
    correlation_id = new_id()
    # The release is fixed now: the answer says what Sitthi knew when it was asked.
    found, cursor = release_cursor(request, None)
    cursor.close()  # the search takes a cursor of its own, in the background task's thread
    try:
        _begin(s, sender, body, correlation_id, mode="async", callback=callback)
    except senders.DuplicateMessage:
        return _error_ack(
            ErrorCode.REQUEST_BAD,
            f"{HeaderReason.MESSAGE_ID_DUPLICATE.value}: this message_id was used before",
        )
    background.add_task(
        _run_async, s, request, caller, view, body, correlation_id, callback, found.number
    )
    return JSONResponse(
        {
            "message": {
                "ack_status": "ACK",
                "timestamp": timestamp(),
                "correlation_id": correlation_id,
            }
        }
    )


@router.post("/sync/txn/status", **guarded(Permission.DCI_SEARCH))
def sync_txn_status(
    request: Request, body: TxnStatusEnvelope, raw: RawEnvelope, caller: Caller
) -> JSONResponse:
    """Where one of the caller's own transactions stands (status and per-request outcome,
    never the records: those were answered once, and audited)."""
    s = state(request)
    sender = _sender(s, caller, request, raw, body.header)
    rejected = _header_problem(body.header, 1, action="txn-status")
    by_id = body.message.transaction_id
    row, wanted = (None, None) if rejected else _transaction(s, sender, body)
    if rejected is not None or row is None:
        header = answer_header(
            body.header,
            action="txn-on-status",
            status=Status.RJCT,
            total_count=1,
            completed_count=0,
            reason=rejected[0].value if rejected else None,
            reason_message=rejected[1] if rejected else "no transaction of this sender matches",
        )
        message: dict[str, Any] = {"transaction_id": by_id, "correlation_id": ""}
        return _signed(s, {"header": header, "message": message})
    items = [
        {"timestamp": timestamp(row.updated_at), **item}
        for item in row.items
        if wanted is None or item.get("reference_id") in wanted
    ]
    header = answer_header(
        body.header, action="txn-on-status", status=Status.SUCC, total_count=1, completed_count=1
    )
    message = {
        "transaction_id": by_id,
        "correlation_id": row.correlation_id,
        "txnstatus_response": {
            "txn_type": "search",
            "txn_status": {
                "transaction_id": row.transaction_id,
                "correlation_id": row.correlation_id,
                "search_response": items,
                # Sitthi's additions: the transaction's own status and its delivery.
                "status": row.status,
                "status_reason_code": row.status_reason_code,
                "delivery": {
                    "callback_uri": row.callback_uri,
                    "attempts": row.attempts,
                    "delivered_at": timestamp(row.delivered_at) if row.delivered_at else None,
                    "last_error": row.last_error,
                },
            },
        },
    }
    return _signed(s, {"header": header, "message": message})


def _transaction(
    s: ApiState, sender: DciSender, body: TxnStatusEnvelope
) -> tuple[DciTransaction | None, set[str] | None]:
    """The sender's transaction a status request names, and which reference ids it wants
    (None: all)."""
    query = body.message.txnstatus_request
    value = query.attribute_value
    if query.attribute_type == "reference_id_list":
        # The standard names the transaction by the message's transaction_id here.
        row = senders.find_transaction(
            s.ctx.operations,
            sender.sender_id,
            transaction_id=body.message.transaction_id,
            correlation_id=None,
        )
        return row, set(value) if isinstance(value, list) else {value}
    text = value if isinstance(value, str) else ""
    row = senders.find_transaction(
        s.ctx.operations,
        sender.sender_id,
        transaction_id=text if query.attribute_type == "transaction_id" else None,
        correlation_id=text if query.attribute_type == "correlation_id" else None,
    )
    return row, None


# ------------------------------------------------------------------------ checks


def _sender(
    s: ApiState,
    caller: Principal,
    request: Request,
    raw: dict[str, Any],
    header: MsgHeader,
) -> DciSender:
    """The sender whose key signed the envelope, if it belongs to the caller; else 401/403."""
    operations = s.ctx.operations
    try:
        verify(
            raw.get("signature"),
            raw["header"],
            raw.get("message"),
            keys_of=lambda sender_id: senders.current_keys(operations, sender_id),
        )
    except SignatureError as exc:
        status = 403 if exc.code == ErrorCode.SENDER_ID_INVALID else 401
        s.audit_refusal(caller, request, status, f"DCI {exc.code}: {exc}")
        raise DciProblem(
            status, ErrorCode(exc.code), f"ลายมือชื่อของข้อความใช้ไม่ได้: {exc}", str(exc)
        ) from None
    sender = senders.get_sender(operations, header.sender_id)
    if sender is None or sender.client_id != caller.subject:
        s.audit_refusal(caller, request, 403, "DCI err.sender_id.invalid: another client's")
        raise DciProblem(
            403,
            ErrorCode.SENDER_ID_INVALID,
            "ผู้ส่งนี้ไม่ได้ลงทะเบียนไว้กับไคลเอนต์ที่เรียก",
            "this sender_id is not registered to the calling client",
            parameter="header.sender_id",
        )
    if header.receiver_id not in (None, "", REGISTRY_ID):
        raise DciProblem(
            400,
            ErrorCode.RECEIVER_ID_INVALID,
            f"receiver_id ต้องเป็น {REGISTRY_ID}",
            f"receiver_id must be {REGISTRY_ID}",
            parameter="header.receiver_id",
        )
    if find_national_id(header.message_id) is not None:
        raise _carries_id("header.message_id")
    return sender


def _carries_id(parameter: str) -> DciProblem:
    return DciProblem(
        400,
        ErrorCode.REQUEST_BAD,
        f"{parameter} ต้องไม่มีเลขประจำตัวประชาชน",
        f"{parameter} must not carry a national ID",
        parameter=parameter,
    )


def _view(s: ApiState, caller: Principal) -> View:
    view = view_for(caller, s.ctx.operations, dt.date.today())
    if view.dsa is None:  # only agreements answer DCI searches
        raise Problem(403, "forbidden", "ต้องมีข้อตกลงแบ่งปันข้อมูล", "a DSA is required")
    return view


def _header_problem(
    header: MsgHeader, requests: int, *, action: str
) -> tuple[HeaderReason, str] | None:
    """The header's ``rjct`` reason and why, or None when it is fine."""
    if header.version != VERSION:
        return HeaderReason.VERSION_INVALID, f"version must be {VERSION}"
    if header.action != action:
        return HeaderReason.ACTION_INVALID, f"action must be {action} on this route"
    moment = parse_timestamp(header.message_ts)
    if moment is None or moment > dt.datetime.now(dt.UTC) + MESSAGE_TS_SKEW:
        return HeaderReason.MESSAGE_TS_INVALID, "message_ts: ISO 8601 with a zone, not ahead"
    if requests > MAX_SEARCH_REQUESTS:
        return (
            HeaderReason.TOTAL_COUNT_LIMIT_EXCEEDED,
            f"at most {MAX_SEARCH_REQUESTS} search requests per message",
        )
    if header.total_count != requests:
        return HeaderReason.TOTAL_COUNT_INVALID, "total_count must count the search requests"
    return None


def _callback(sender: DciSender, asked: str | None, *, production: bool) -> str | None:
    """The registered callback to answer at: the one asked for if it is registered, the
    only one if none is asked for; never a URI that is not registered (nor, in production,
    one that is not https, even if it was registered in development)."""
    if asked:
        found = asked if asked in sender.callback_uris else None
    else:
        found = sender.callback_uris[0] if len(sender.callback_uris) == 1 else None
    if found is not None and production and not found.startswith("https://"):
        return None
    return found


def _searcher(s: ApiState, release: int, cur: Any, caller: Principal, view: View) -> Searcher:
    assert view.dsa is not None
    _, cards = s.catalog.cards(release)  # the same release as the cursor's
    return Searcher(cur, cards, caller, view, view.dsa, s.ctx.settings.pseudonym_secret())


# ------------------------------------------------------------------ transactions


def _begin(
    s: ApiState,
    sender: DciSender,
    body: SearchEnvelope,
    correlation_id: str,
    *,
    mode: str,
    callback: str | None = None,
) -> None:
    if find_national_id(body.message.transaction_id) is not None:
        raise _carries_id("message.transaction_id")
    senders.begin_transaction(
        s.ctx.operations,
        sender_id=sender.sender_id,
        message_id=body.header.message_id,
        transaction_id=body.message.transaction_id,
        correlation_id=correlation_id,
        mode=mode,
        total_count=len(body.message.search_request),
        callback_uri=callback,
    )


def _finish(s: ApiState, correlation_id: str, outcomes: list[Outcome], status: Status) -> None:
    # The answer stands or falls with the audit, not with this bookkeeping.
    with contextlib.suppress(Exception):
        senders.finish_transaction(
            s.ctx.operations,
            correlation_id,
            status=status.value,
            items=[o.summary() for o in outcomes] if status is Status.SUCC else [],
        )


def _audit(
    s: ApiState,
    caller: Principal,
    request: Request,
    view: View,
    release: int,
    body: SearchEnvelope,
    correlation_id: str,
    outcomes: list[Outcome],
    mode: str,
) -> None:
    """One audit record for the envelope: every person answered (pseudonyms), every field,
    and each request's query shape (pseudonyms where an ID was asked for)."""
    persons = sorted({p for o in outcomes for p in o.persons})
    fields = sorted({f for o in outcomes for f in o.fields})
    s.record(
        caller,
        request,
        action="read",
        persons=persons,
        fields=fields,
        release=release,
        purpose=view.dsa.purpose if view.dsa else None,
        query={
            "dci": "search",
            "mode": mode,
            "sender_id": body.header.sender_id,
            "message_id": body.header.message_id,
            "transaction_id": body.message.transaction_id,
            "correlation_id": correlation_id,
            "requests": [o.audit for o in outcomes],
        },
    )


# ------------------------------------------------------------------------ answers


def _answer(
    body: SearchEnvelope, correlation_id: str, outcomes: list[Outcome], *, with_data: bool = True
) -> dict[str, Any]:
    header = answer_header(
        body.header,
        action="on-search",
        status=Status.SUCC if with_data else Status.RJCT,
        total_count=len(outcomes),
        completed_count=len(outcomes) if with_data else 0,
        reason_message=None if with_data else "the audit log cannot be written: no data",
    )
    items = [o.response_item() for o in outcomes] if with_data else []
    message = {
        "transaction_id": body.message.transaction_id,
        "correlation_id": correlation_id,
        "search_response": items,
    }
    return {"header": header, "message": message}


def _rejected_answer(
    body: SearchEnvelope, correlation_id: str, reason: HeaderReason, why: str
) -> dict[str, Any]:
    header = answer_header(
        body.header,
        action="on-search",
        status=Status.RJCT,
        total_count=body.header.total_count,
        completed_count=0,
        reason=reason.value,
        reason_message=why,
    )
    message = {
        "transaction_id": body.message.transaction_id,
        "correlation_id": correlation_id,
        "search_response": [],
    }
    return {"header": header, "message": message}


def _signed(s: ApiState, envelope: dict[str, Any]) -> JSONResponse:
    return JSONResponse(signed_envelope(s, envelope))


def signed_envelope(s: ApiState, envelope: dict[str, Any]) -> dict[str, Any]:
    """``envelope`` with Sitthi's signature over its header and message."""
    key = s.keys.current
    signature = sign(
        envelope["header"],
        envelope["message"],
        private_key=key.private,
        sender_id=REGISTRY_ID,
        key_id=key.kid,
    )
    return {"signature": signature, **envelope}


def _error_ack(code: ErrorCode, message: str) -> JSONResponse:
    """The standard's acknowledgement with ``ERR``: nothing will be called back."""
    ack = {
        "ack_status": "ERR",
        "timestamp": timestamp(),
        "correlation_id": "",
        "error": {"code": code.value, "message": message[:999]},
    }
    return JSONResponse({"message": ack}, status_code=400)


def _run_async(
    s: ApiState,
    request: Request,
    caller: Principal,
    view: View,
    body: SearchEnvelope,
    correlation_id: str,
    callback: str,
    release: int,
) -> None:
    """Search, audit, then post the signed answer to the callback (a background task)."""
    outcomes: list[Outcome] = []
    audited = False
    try:
        _, cur = s.catalog.cursor(release)
        outcomes = _searcher(s, release, cur, caller, view).run(body.message.search_request)
        _audit(s, caller, request, view, release, body, correlation_id, outcomes, "async")
        audited = True
    except Exception as exc:  # no audit, or a bug: either way no data leaves
        # The kind only: an exception's text may quote what was searched for.
        _log.error("DCI async search %s answered rjct: %s", correlation_id, type(exc).__name__)
        audited = False
    _finish(s, correlation_id, outcomes, Status.SUCC if audited else Status.RJCT)
    envelope = signed_envelope(s, _answer(body, correlation_id, outcomes, with_data=audited))
    operations = s.ctx.operations

    def record(delivered: bool, error: str | None) -> None:
        with contextlib.suppress(Exception):
            senders.record_delivery(operations, correlation_id, delivered=delivered, error=error)

    post_json(callback, envelope, on_attempt=record)
