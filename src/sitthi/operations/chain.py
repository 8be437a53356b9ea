"""The audit chain's arithmetic: canonical JSON, chained hashes, signed anchors, and the
walk that finds the first broken link. Pure functions: `sitthi.operations.audit` reads
and writes the store.

A record is ``(seq, prev_hash, hash, entry)`` with ``hash = SHA-256(prev_hash ‖ entry)``
and the ``seq`` inside ``entry`` too; the first record's ``prev_hash`` is `GENESIS`. An
anchor is ``(seq, hash, at)`` signed with HMAC-SHA256 under a key kept outside the store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

#: What `check_chain` found wrong, at the first bad record.
Problem = Literal["edited", "deleted", "inserted", "reordered", "rewritten", "truncated", "anchor"]

#: ``prev_hash`` of the first record.
GENESIS = "0" * 64
#: Hashes of recent records the walk remembers, to tell an insertion from a rewrite.
_LOOKBACK = 1024
_ANCHOR_KEY_LABEL = b"sitthi audit anchors v1"


class Anchor(Protocol):
    """What an anchor row offers (`sitthi.operations.models.AuditAnchor`)."""

    @property
    def seq(self) -> int: ...
    @property
    def hash(self) -> str: ...
    @property
    def at(self) -> dt.datetime: ...
    @property
    def key_id(self) -> str: ...
    @property
    def signature(self) -> str: ...


@dataclass(frozen=True)
class VerifyResult:
    """What a verification found: ``ok``, or the first bad ``seq`` and what is wrong."""

    ok: bool
    records: int
    head_seq: int
    head_hash: str | None
    anchors: int
    signatures_checked: bool
    first_bad_seq: int | None = None
    problem: Problem | None = None
    detail: str = ""

    def summary(self) -> str:
        """One line: ``audit log intact: …`` or ``audit log broken at seq N (…): …``."""
        if not self.ok:
            return f"audit log broken at seq {self.first_bad_seq} ({self.problem}): {self.detail}"
        head = f"head seq {self.head_seq} hash {self.head_hash}" if self.head_hash else "empty"
        signed = "signatures checked" if self.signatures_checked else "signatures not checked"
        return (
            f"audit log intact: {self.records:,} records, {head}; "
            f"{self.anchors:,} anchors ({signed})"
        )


def canonical_json(document: Mapping[str, Any]) -> str:
    """One text for one document: keys sorted, no spaces, UTF-8 (Thai kept), NFC.

    Example:
        >>> canonical_json({"b": 1, "a": "ก"})
        '{"a":"ก","b":1}'
    """
    return json.dumps(
        _nfc(document), ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )


def chain_hash(prev_hash: str, entry_json: str) -> str:
    """``SHA-256(prev_hash ‖ entry)``: the 32 bytes of the previous hash, then the entry's
    UTF-8 bytes, as 64 hex digits.

    Example:
        >>> chain_hash(GENESIS, "{}")[:16]
        'fb1634c4e6cd4b1f'
    """
    return hashlib.sha256(bytes.fromhex(prev_hash) + entry_json.encode("utf-8")).hexdigest()


def anchor_key_from(secret: bytes) -> bytes:
    """The anchor-signing key derived from a configured secret (the caller passes the
    settings' key, e.g. ``settings.pseudonym_secret()``): a key of its own, so a
    signature tells nothing about the secret it was derived from."""
    return hmac.new(secret, _ANCHOR_KEY_LABEL, hashlib.sha256).digest()


def key_id(key: bytes) -> str:
    """A short public name of an anchor key, so an anchor says which key signed it."""
    return hmac.new(key, b"key id", hashlib.sha256).hexdigest()[:16]


def anchor_signature(key: bytes, seq: int, digest: str, at: dt.datetime) -> str:
    """HMAC-SHA256 of ``seq|hash|at`` (``at`` in ISO 8601, UTC)."""
    message = f"{seq}|{digest}|{at.astimezone(dt.UTC).isoformat()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class _Broken(Exception):
    def __init__(self, seq: int, problem: Problem, detail: str) -> None:
        self.seq, self.problem, self.detail = seq, problem, detail


def check_chain(
    rows: Iterable[tuple[int, str, str, str]],
    anchors: list[Anchor],
    keys: Iterable[bytes] = (),
) -> VerifyResult:
    """Walk ``rows`` (``seq, prev_hash, hash, entry`` in ``seq`` order) and report the
    first record that is wrong; ``anchors`` sorted by ``seq``.

    What each kind of tampering looks like:

    - ``edited``: a record's content no longer gives its hash;
    - ``deleted``: a ``seq`` is missing (a gap);
    - ``inserted``: a record does not link to the one before it (a forged record, or the
      one before it rewritten);
    - ``reordered``: a record sits at another ``seq`` than it was written at;
    - ``rewritten``: an anchored record was replaced and the chain after it rebuilt;
    - ``truncated``: an anchor names a record past the end of the log;
    - ``anchor``: an anchor's signature is wrong, or made with a key not given (checked
      only when ``keys`` are given).

    The walk is a Python loop by nature: each hash needs the one before it.
    """
    by_id = {key_id(k): k for k in keys}
    try:
        if by_id:
            _check_signatures(anchors, by_id)
        records, head_seq, head_hash = _walk(rows, anchors)
    except _Broken as broken:
        return VerifyResult(
            ok=False,
            records=0,
            head_seq=0,
            head_hash=None,
            anchors=len(anchors),
            signatures_checked=bool(by_id),
            first_bad_seq=broken.seq,
            problem=broken.problem,
            detail=broken.detail,
        )
    return VerifyResult(
        ok=True,
        records=records,
        head_seq=head_seq,
        head_hash=head_hash,
        anchors=len(anchors),
        signatures_checked=bool(by_id),
    )


def _check_signatures(anchors: list[Anchor], keys: dict[str, bytes]) -> None:
    for a in anchors:
        key = keys.get(a.key_id)
        if key is None:
            raise _Broken(
                a.seq, "anchor", f"its anchor was signed with key {a.key_id}, not a given key"
            )
        if not hmac.compare_digest(a.signature, anchor_signature(key, a.seq, a.hash, a.at)):
            raise _Broken(a.seq, "anchor", "its anchor's signature is wrong (a forged anchor)")


def _walk(
    rows: Iterable[tuple[int, str, str, str]], anchors: list[Anchor]
) -> tuple[int, int, str | None]:
    anchored: dict[int, list[Anchor]] = {}
    for a in anchors:
        anchored.setdefault(a.seq, []).append(a)
    recent: OrderedDict[str, int] = OrderedDict()
    expected, prev, count = 1, GENESIS, 0
    for seq, prev_hash, digest, entry_json in rows:
        if seq != expected:
            missing = f"seq {expected}" if seq == expected + 1 else f"seq {expected}–{seq - 1}"
            raise _Broken(expected, "deleted", f"{missing} missing (the log jumps to seq {seq})")
        if _rehash(prev_hash, entry_json) != digest:
            raise _Broken(seq, "edited", "its content no longer matches its hash")
        # A link to an older record than the one before: what lies between was slipped in.
        if prev_hash != prev and prev_hash in recent:
            after = recent[prev_hash]
            raise _Broken(
                after + 1, "inserted", f"seq {seq} links to seq {after}: seq {after + 1} was added"
            )
        written_at = _written_seq(entry_json)
        if written_at != seq:
            raise _Broken(seq, "reordered", f"it holds the record written as seq {written_at}")
        if prev_hash != prev:
            raise _Broken(
                seq,
                "inserted",
                f"it does not link to seq {seq - 1}: a forged record, or seq {seq - 1} rewritten",
            )
        for a in anchored.get(seq, ()):
            if a.hash != digest:
                raise _Broken(
                    seq,
                    "rewritten",
                    f"an anchor of {a.at:%Y-%m-%d %H:%M} names another record here",
                )
        recent[digest] = seq
        if len(recent) > _LOOKBACK:
            recent.popitem(last=False)
        expected, prev, count = seq + 1, digest, count + 1
    head_seq = expected - 1
    if anchors and anchors[-1].seq > head_seq:
        newest = anchors[-1]
        raise _Broken(
            head_seq + 1,
            "truncated",
            f"the log ends at seq {head_seq}, but an anchor of {newest.at:%Y-%m-%d %H:%M} "
            f"saw it reach seq {newest.seq}",
        )
    return count, head_seq, prev if count else None


def _rehash(prev_hash: str, entry_json: str) -> str | None:
    try:
        return chain_hash(prev_hash, entry_json)
    except ValueError:  # a prev_hash that is not hex any more
        return None


def _written_seq(entry_json: str) -> int | None:
    try:
        seq = json.loads(entry_json).get("seq")
    except (ValueError, AttributeError):
        return None
    return seq if isinstance(seq, int) else None


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, Mapping):
        return {str(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nfc(v) for v in value]
    return value
