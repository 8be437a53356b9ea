"""The DCI envelope (``signature``, ``header``, ``message``) as pydantic models, the status
and reason codes of the standard, and the answer's header.

Field names and shapes follow the DCI social-registry API v1.0.0 (``MsgHeader_V1.0.0``,
``MsgCallbackHeader_V1.0.0``, ``SearchRequest``, ``TxnStatusRequest``). The models check
the shape a request must have before anything else is read; the content of each search
request is checked one by one (`sitthi.api.dci.query`), because the standard answers a
bad search request with its own ``rjct`` status inside a valid answer, beside the others.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

VERSION = "1.0.0"
#: How Sitthi names itself in the envelopes it sends (``sender_id``) and receives
#: (``receiver_id``).
REGISTRY_ID = "sitthi"
#: Search requests one envelope may carry (each is a query; the body is at most 64 KiB).
MAX_SEARCH_REQUESTS = 10
#: A message timestamp may be this far ahead of Sitthi's clock.
MESSAGE_TS_SKEW = dt.timedelta(minutes=5)


class Status(StrEnum):
    """``RequestStatus``: received, pending, succeeded, rejected."""

    RCVD = "rcvd"
    PDNG = "pdng"
    SUCC = "succ"
    RJCT = "rjct"


class HeaderReason(StrEnum):
    """``MsgHeaderStatusReasonCode``: why a whole message was refused."""

    VERSION_INVALID = "rjct.version.invalid"
    MESSAGE_ID_DUPLICATE = "rjct.message_id.duplicate"
    MESSAGE_TS_INVALID = "rjct.message_ts.invalid"
    ACTION_INVALID = "rjct.action.invalid"
    ACTION_NOT_SUPPORTED = "rjct.action.not_supported"
    TOTAL_COUNT_INVALID = "rjct.total_count.invalid"
    TOTAL_COUNT_LIMIT_EXCEEDED = "rjct.total_count.limit_exceeded"


class SearchReason(StrEnum):
    """``SearchStatusReasonCode``: why one search request was refused."""

    REFERENCE_ID_INVALID = "rjct.reference_id.invalid"
    REFERENCE_ID_DUPLICATE = "rjct.reference_id.duplicate"
    TIMESTAMP_INVALID = "rjct.timestamp.invalid"
    SEARCH_CRITERIA_INVALID = "rjct.search_criteria.invalid"
    FILTER_INVALID = "rjct.filter.invalid"
    SORT_INVALID = "rjct.sort.invalid"
    PAGINATION_INVALID = "rjct.pagination.invalid"
    TOO_MANY_RECORDS = "rjct.search.too_many_records_found"


class ErrorCode(StrEnum):
    """The transport-level ``Error`` codes (an acknowledgement's or an HTTP error's)."""

    REQUEST_BAD = "err.request.bad"
    REQUEST_UNAUTHORIZED = "err.request.unauthorized"
    REQUEST_FORBIDDEN = "err.request.forbidden"
    VERSION_NOT_SUPPORTED = "err.version.not_supported"
    SENDER_ID_INVALID = "err.sender_id.invalid"
    SENDER_URI_INVALID = "err.sender_uri.invalid"
    RECEIVER_ID_INVALID = "err.receiver_id.invalid"
    SIGNATURE_MISSING = "err.signature.missing"
    SIGNATURE_INVALID = "err.signature.invalid"
    ENCRYPTION_INVALID = "err.encryption.invalid"
    SERVICE_UNAVAILABLE = "err.service.unavailable"


class MsgHeader(BaseModel):
    """``MsgHeader_V1.0.0``: the header of a request."""

    model_config = ConfigDict(extra="allow")

    version: str = Field(VERSION, max_length=20)
    message_id: str = Field(min_length=1, max_length=200)
    message_ts: str = Field(min_length=1, max_length=64, description="ISO 8601 with zone.")
    action: str = Field(min_length=1, max_length=50)
    sender_id: str = Field(min_length=1, max_length=200)
    sender_uri: str | None = Field(None, max_length=2000)
    receiver_id: str | None = Field(None, max_length=200)
    total_count: int = Field(ge=0, le=1_000_000)
    is_msg_encrypted: bool = False
    meta: Any = None


class SearchMessage(BaseModel):
    """``SearchRequest``: a batch of search requests, each checked on its own."""

    model_config = ConfigDict(extra="allow")

    transaction_id: str = Field(min_length=1, max_length=99)
    search_request: list[dict[str, Any]] = Field(
        min_length=1,
        description="Each: reference_id, timestamp, search_criteria (query_type, query, "
        "reg_type, pagination, sort), locale.",
    )


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signature: str | None = Field(
        None, max_length=2000, description="Signature of header and message (see docs/DCI.md)."
    )
    header: MsgHeader

    @model_validator(mode="before")
    @classmethod
    def _not_encrypted(cls, data: Any) -> Any:
        # An encrypted message has another shape; say so rather than list its fields.
        header = data.get("header") if isinstance(data, dict) else None
        if isinstance(header, dict) and header.get("is_msg_encrypted") is True:
            raise ValueError("encrypted messages (is_msg_encrypted) are not supported")
        return data


class SearchEnvelope(_Envelope):
    """The body of ``/registry/sync/search`` and ``/registry/search``."""

    message: SearchMessage


class TxnStatusQuery(BaseModel):
    model_config = ConfigDict(extra="allow")

    reference_id: str = Field(min_length=1, max_length=200)
    txn_type: Literal["search"]
    attribute_type: Literal["transaction_id", "correlation_id", "reference_id_list"]
    attribute_value: str | list[str]
    locale: str | None = Field(None, max_length=20)


class TxnStatusMessage(BaseModel):
    """``TxnStatusRequest``."""

    model_config = ConfigDict(extra="allow")

    transaction_id: str = Field(min_length=1, max_length=99)
    txnstatus_request: TxnStatusQuery


class TxnStatusEnvelope(_Envelope):
    """The body of ``/registry/sync/txn/status``."""

    message: TxnStatusMessage


def timestamp(moment: dt.datetime | None = None) -> str:
    """ISO 8601 in UTC with milliseconds, as the standard's examples write it."""
    moment = moment or dt.datetime.now(dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_timestamp(text: object) -> dt.datetime | None:
    """An ISO 8601 moment with a time zone, or None."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def new_id() -> str:
    return uuid.uuid4().hex


def answer_header(
    request_header: MsgHeader,
    *,
    action: str,
    status: Status,
    total_count: int,
    completed_count: int,
    reason: str | None = None,
    reason_message: str | None = None,
) -> dict[str, Any]:
    """``MsgCallbackHeader_V1.0.0`` of Sitthi's answer to ``request_header``."""
    header: dict[str, Any] = {
        "version": VERSION,
        "message_id": new_id(),
        "message_ts": timestamp(),
        "action": action,
        "status": status.value,
        "total_count": total_count,
        "completed_count": completed_count,
        "sender_id": REGISTRY_ID,
        "receiver_id": request_header.sender_id,
        "is_msg_encrypted": False,
    }
    if reason is not None:
        header["status_reason_code"] = reason
    if reason_message is not None:
        header["status_reason_message"] = reason_message[:999]
    return header
