"""The audit log: who read whose record, for what, under which agreement; hash-chained.

Every read of person-level data is appended here *before* it is answered: `append`
either writes the record or raises `AuditUnavailable`, and the caller then answers
nothing (the API: 503). Each record holds the canonical JSON of its `AuditEntry` and
``hash = SHA-256(prev_hash ‖ entry)``, so editing, deleting, inserting or reordering a
record breaks the chain at that point, and `verify` names the first bad ``seq``.
Anchors (a signed ``seq`` and ``hash``, every `ANCHOR_EVERY` records and on demand)
tell a log cut short from one that simply ended, and a chain rebuilt from scratch by
someone without the key from the one that was written.

National IDs never enter the log: callers pass pseudonyms (``pid_hash``), and an entry
in which any 13-digit number passes the Thai ID checksum is refused.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

from sqlalchemy import insert, select
from sqlalchemy.exc import SQLAlchemyError

from sitthi.errors import SitthiError
from sitthi.operations.chain import (
    GENESIS,
    VerifyResult,
    anchor_key_from,
    anchor_signature,
    canonical_json,
    chain_hash,
    check_chain,
    key_id,
)
from sitthi.operations.models import AuditAnchor, AuditRecord, utcnow
from sitthi.operations.roles import Role
from sitthi.operations.store import reason

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitthi.operations.store import OperationsStore

ActorKind = Literal["user", "client", "system"]
Action = Literal["read", "reveal", "export", "refused", "change"]
ACTIONS: tuple[str, ...] = get_args(Action)

#: The lock name every writer of the chain takes (`OperationsStore.session(exclusive=…)`).
AUDIT_LOCK = "audit_log"
#: Records between two automatic anchors.
ANCHOR_EVERY = 1000
_PSEUDONYM = re.compile(r"[0-9a-f]{64}")
# A pseudonym (a SHA-256 in hex) may hold 13 digits in a row by chance; it is taken out
# before looking for national IDs, so only digits outside one are checked.
_HEX_TOKEN = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{64}(?![0-9A-Za-z])")
# Digits in groups joined by one space, dash or dot: "1101700203158", "1-1017-00203-15-8".
_DIGIT_GROUPS = re.compile(r"[0-9]+(?:[ \-.][0-9]+)*")
_GROUP_SEPARATOR = re.compile(r"[ \-.]")


class AuditUnavailable(SitthiError):
    """The audit record could not be written, so the read must not be answered."""


class AuditEntryRefused(AuditUnavailable):
    """The entry itself is wrong (a national ID in it, an unknown action): a bug in the
    caller, refused like an unavailable log so that nothing is answered either way."""


class AuditBroken(SitthiError):
    """`verify` found the chain broken (the message names the first bad record)."""


@dataclass(frozen=True)
class Actor:
    """Who acts: a user's name, a client's id, or the system (a shell, a scheduler)."""

    name: str
    kind: ActorKind
    role: Role | None = None


SYSTEM = Actor("system", "system")


def local_actor() -> Actor:
    """The operator at this machine's shell, as ``cli:<login name>``."""
    try:
        login = getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment nor in /etc/passwd
        login = "unknown"
    return Actor(f"cli:{login}", "system")


@dataclass(frozen=True)
class AuditEntry:
    """One audited action. ``persons`` are pseudonyms (``pid_hash``), never national IDs.

    Example:
        >>> entry = AuditEntry(
        ...     actor="somsri", actor_kind="user", role=Role.CASEWORKER, action="read",
        ...     route="GET /persons/{pid}", persons=["a" * 64], fields=["first_name"],
        ... )
    """

    actor: str
    actor_kind: ActorKind
    action: Action
    route: str
    """The API route (``GET /persons/{pid}``) or the command (``sitthi audit person``)."""
    role: Role | None = None
    dsa_id: str | None = None
    purpose: str | None = None
    query: Mapping[str, Any] = field(default_factory=dict)
    """The request's parameters, as JSON values (pseudonyms, never national IDs)."""
    persons: Sequence[str] = ()
    fields: Sequence[str] = ()
    release: int | None = None
    status: int = 200
    """The answer's status: an HTTP code for the API, an exit code for a command."""
    at: dt.datetime = field(default_factory=utcnow)

    def __post_init__(self) -> None:
        # Lists or tuples, dicts or mappings: one form, so equal entries compare equal.
        if self.role is not None:
            object.__setattr__(self, "role", Role(self.role))  # "caseworker" is a role too
        object.__setattr__(self, "persons", tuple(self.persons))
        object.__setattr__(self, "fields", tuple(self.fields))
        object.__setattr__(self, "query", dict(self.query))

    @classmethod
    def by(cls, actor: Actor, *, action: Action, route: str, **details: Any) -> AuditEntry:
        """An entry for ``actor`` (its name, kind and role filled in)."""
        return cls(
            actor=actor.name,
            actor_kind=actor.kind,
            role=actor.role,
            action=action,
            route=route,
            **details,
        )

    def document(self, seq: int) -> dict[str, Any]:
        """The JSON object hashed into the chain (with its ``seq``, so it cannot move)."""
        return {
            "seq": seq,
            "at": self.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor": self.actor,
            "actor_kind": self.actor_kind,
            "role": self.role.value if self.role is not None else None,
            "dsa_id": self.dsa_id,
            "purpose": self.purpose,
            "action": self.action,
            "route": self.route,
            "query": dict(self.query),
            "persons": list(self.persons),
            "fields": list(self.fields),
            "release": self.release,
            "status": self.status,
        }

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> AuditEntry:
        at = dt.datetime.strptime(doc["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
        return cls(
            actor=doc["actor"],
            actor_kind=doc["actor_kind"],
            action=doc["action"],
            route=doc["route"],
            role=Role(doc["role"]) if doc.get("role") else None,
            dsa_id=doc.get("dsa_id"),
            purpose=doc.get("purpose"),
            query=doc.get("query") or {},
            persons=tuple(doc.get("persons") or ()),
            fields=tuple(doc.get("fields") or ()),
            release=doc.get("release"),
            status=doc.get("status", 200),
            at=at,
        )


@dataclass(frozen=True)
class LoggedEntry:
    """An entry as the log holds it."""

    seq: int
    hash: str
    entry: AuditEntry


def is_pseudonym(value: object) -> bool:
    """True for a pseudonym as the registry writes it: 64 lower-case hex digits."""
    return isinstance(value, str) and _PSEUDONYM.fullmatch(value) is not None


def find_national_id(value: object) -> str | None:
    """The first national ID (a 13-digit number passing the checksum) in ``value``, with
    its digits masked but the last four, or None.

    ``value`` is a text or a JSON document, every key, text and number of which is looked
    at on its own (JSON's escapes, such as ``\\u0019`` for a control character, would
    otherwise lend an ID digits that are not in it). Digits may be Thai or grouped as on
    the card; pseudonyms (64 hex digits) are skipped.

    Example:
        >>> find_national_id({"q": ["1-1017-00203-15-8"]}), find_national_id("1101700203159")
        ('*********3158', None)
    """
    if isinstance(value, str):
        return _national_id_in(value)
    if isinstance(value, Mapping):
        pieces: Iterable[object] = (p for pair in value.items() for p in pair)
    elif isinstance(value, list | tuple):
        pieces = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return _national_id_in(str(value))
    else:
        return None
    return next((found for p in pieces if (found := find_national_id(p))), None)


def _national_id_in(text: str) -> str | None:
    from sitthi.thai.digits import to_ascii_digits
    from sitthi.thai.national_id import is_valid_national_id

    scanned = _HEX_TOKEN.sub(" ", to_ascii_digits(text))
    for match in _DIGIT_GROUPS.finditer(scanned):
        groups = _GROUP_SEPARATOR.split(match.group())
        # Every run of whole groups: "2490 1101700203158" holds an ID after a year.
        for start in range(len(groups)):
            digits = ""
            for group in groups[start:]:
                digits += group
                if len(digits) >= 13:
                    break
            if len(digits) == 13 and is_valid_national_id(digits):
                return "*" * 9 + digits[-4:]
    return None


def _checked(entry: AuditEntry, seq: int) -> str:
    """The entry's canonical JSON, or `AuditEntryRefused` saying what is wrong."""
    problems = []
    if not entry.actor:
        problems.append("no actor")
    if entry.actor_kind not in get_args(ActorKind):
        problems.append(f"actor_kind {entry.actor_kind!r}")
    if entry.action not in ACTIONS:
        problems.append(f"action {entry.action!r} (expected one of {', '.join(ACTIONS)})")
    if not entry.route:
        problems.append("no route")
    if entry.at.tzinfo is None:
        problems.append("a naive time (pass UTC)")
    bad = [p for p in entry.persons if not is_pseudonym(p)]
    if bad:
        problems.append(f"{len(bad)} persons not given as pseudonyms (64 hex digits)")
    if problems:
        raise AuditEntryRefused(f"audit entry refused: {'; '.join(problems)}")
    try:
        entry_json = canonical_json(entry.document(seq))
    except (TypeError, ValueError) as exc:
        raise AuditEntryRefused(f"audit entry refused: not JSON: {exc}") from exc
    found = find_national_id(json.loads(entry_json))  # what is stored, as stored
    if found:
        raise AuditEntryRefused(
            f"audit entry refused: it holds a national ID ({found}); pass pseudonyms"
        )
    return entry_json


def append(
    store: OperationsStore,
    entry: AuditEntry,
    *,
    anchor_key: bytes | None = None,
    anchor_every: int = ANCHOR_EVERY,
) -> int:
    """Write ``entry`` as the next record of the chain; return its ``seq``.

    One transaction that excludes every other writer of the chain from its start (SQLite:
    ``BEGIN IMMEDIATE``; PostgreSQL: an advisory lock), so two appends never link to the
    same head; the unique ``prev_hash`` would refuse a fork even so.

    Args:
        anchor_key: the key anchors are signed with (`anchor_key_from`); with it, every
            ``anchor_every``-th record is anchored in the same transaction.

    Raises:
        AuditUnavailable: the record was not written, for whatever reason. The caller
            must then answer nothing.
    """
    found = append_many(store, [entry], anchor_key=anchor_key, anchor_every=anchor_every)[0]
    if isinstance(found, AuditEntryRefused):
        raise found
    return found


def append_in(
    session: Session,
    entry: AuditEntry,
    *,
    anchor_key: bytes | None = None,
    anchor_every: int = ANCHOR_EVERY,
) -> int:
    """`append` inside a session the caller opened with ``exclusive=AUDIT_LOCK`` (so that
    a change and its record commit together, or neither does)."""
    found = _chain_in(session, [entry], anchor_key=anchor_key, anchor_every=anchor_every)[0]
    if isinstance(found, AuditEntryRefused):
        raise found
    return found


def append_many(
    store: OperationsStore,
    entries: Sequence[AuditEntry],
    *,
    anchor_key: bytes | None = None,
    anchor_every: int = ANCHOR_EVERY,
) -> list[int | AuditEntryRefused]:
    """`append` of several entries in one transaction (one disk sync for all: the group
    commit of `sitthi.operations.audit_batch`): per entry its ``seq``, or the refusal of
    an entry that is itself wrong (the others are written all the same).

    Raises:
        AuditUnavailable: nothing was written.
    """
    try:
        with store.session(exclusive=AUDIT_LOCK) as session:
            return _chain_in(session, entries, anchor_key=anchor_key, anchor_every=anchor_every)
    except AuditUnavailable:
        raise
    except Exception as exc:
        raise AuditUnavailable(f"the audit log cannot be written: {_why(exc)}") from exc


def _chain_in(
    session: Session,
    entries: Sequence[AuditEntry],
    *,
    anchor_key: bytes | None,
    anchor_every: int,
) -> list[int | AuditEntryRefused]:
    """Link ``entries`` after the head of the chain, in order, skipping refused ones."""
    head = session.execute(
        select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (head[0], head[1]) if head is not None else (0, GENESIS)
    out: list[int | AuditEntryRefused] = []
    records: list[dict[str, Any]] = []
    anchors: list[tuple[int, str]] = []
    for entry in entries:
        try:
            entry_json = _checked(entry, seq + 1)
        except AuditEntryRefused as exc:
            out.append(exc)
            continue
        seq += 1
        digest = chain_hash(prev_hash, entry_json)
        records.append(
            {
                "seq": seq,
                "at": entry.at,
                "actor": entry.actor,
                "actor_kind": entry.actor_kind,
                "action": entry.action,
                "dsa_id": entry.dsa_id,
                "entry": entry_json,
                "prev_hash": prev_hash,
                "hash": digest,
            }
        )
        if anchor_key is not None and seq % anchor_every == 0:
            anchors.append((seq, digest))
        prev_hash = digest
        out.append(seq)
    if records:
        # one INSERT for the batch (the ORM's unit of work cost more than the write)
        session.execute(insert(AuditRecord), records)
    for anchored, digest in anchors:
        _anchor_in(session, anchored, digest, anchor_key)  # type: ignore[arg-type]
    session.flush()
    return out


def _anchor_in(session: Session, seq: int, digest: str, key: bytes) -> AuditAnchor:
    at = utcnow()
    anchor = AuditAnchor(
        seq=seq,
        hash=digest,
        at=at,
        key_id=key_id(key),
        signature=anchor_signature(key, seq, digest, at),
    )
    session.add(anchor)
    session.flush()
    return anchor


def anchor(store: OperationsStore, key: bytes) -> AuditAnchor | None:
    """Anchor the chain's head now (None for an empty log). Anchor before a backup, at
    shutdown, and after `verify`: a log cut after its newest anchor cannot be told from
    one that ended there."""
    try:
        with store.session(exclusive=AUDIT_LOCK) as session:
            head = session.execute(
                select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq.desc()).limit(1)
            ).first()
            return None if head is None else _anchor_in(session, head[0], head[1], key)
    except SQLAlchemyError as exc:
        raise AuditUnavailable(f"the audit log cannot be anchored: {reason(exc)}") from exc


def verify(store: OperationsStore, keys: Iterable[bytes] = ()) -> VerifyResult:
    """Walk the chain from its first record and report the first one that is wrong
    (`check_chain` says what each kind of tampering looks like).

    Args:
        keys: anchor keys (`anchor_key_from`); given, every anchor's signature must be
            right and made with one of them. Not given, anchors are still compared with
            the records they name, but a forged anchor would pass.

    The records are read in batches inside one snapshot, so appends made meanwhile do
    not disturb the walk.
    """
    try:
        with store.snapshot() as session:
            anchors = list(session.scalars(select(AuditAnchor).order_by(AuditAnchor.seq)))
            rows = session.execute(
                select(AuditRecord.seq, AuditRecord.prev_hash, AuditRecord.hash, AuditRecord.entry)
                .order_by(AuditRecord.seq)
                .execution_options(yield_per=5000)
            )
            try:
                records = ((r.seq, r.prev_hash, r.hash, r.entry) for r in rows)
                return check_chain(records, list(anchors), keys)
            finally:
                rows.close()  # a walk that stops early leaves PostgreSQL's cursor open
    except SQLAlchemyError as exc:
        raise AuditUnavailable(f"the audit log cannot be read: {reason(exc)}") from exc


def _entries(rows: Iterable[Any]) -> list[LoggedEntry]:
    return [
        LoggedEntry(seq, digest, AuditEntry.from_document(json.loads(entry_json)))
        for seq, digest, entry_json in rows
    ]


def show(
    store: OperationsStore, *, person: str | None = None, limit: int = 20
) -> list[LoggedEntry]:
    """The newest ``limit`` records, newest first; only those naming pseudonym ``person``
    if given."""
    if person is not None:
        return subject_accesses(store, person)[::-1][:limit]
    try:
        with store.snapshot() as session:
            rows = session.execute(
                select(AuditRecord.seq, AuditRecord.hash, AuditRecord.entry)
                .order_by(AuditRecord.seq.desc())
                .limit(limit)
            ).all()
    except SQLAlchemyError as exc:
        raise AuditUnavailable(f"the audit log cannot be read: {reason(exc)}") from exc
    return _entries(rows)


def subject_accesses(store: OperationsStore, pid_hash: str) -> list[LoggedEntry]:
    """Every record naming person ``pid_hash``, oldest first: who looked at their data,
    when, for what and under which agreement (a PDPA s.30 access request).

    The entries themselves are searched (not a separate index a tamperer could edit
    apart from the chain); a pseudonym holds only hex digits, so it is safe in ``LIKE``.
    """
    if not is_pseudonym(pid_hash):
        raise AuditEntryRefused("a person is named by their pseudonym: 64 hex digits")
    try:
        with store.snapshot() as session:
            rows = session.execute(
                select(AuditRecord.seq, AuditRecord.hash, AuditRecord.entry)
                .where(AuditRecord.entry.like(f'%"{pid_hash}"%'))
                .order_by(AuditRecord.seq)
            ).all()
    except SQLAlchemyError as exc:
        raise AuditUnavailable(f"the audit log cannot be read: {reason(exc)}") from exc
    return [e for e in _entries(rows) if pid_hash in e.entry.persons]


def _why(exc: Exception) -> str:
    return reason(exc) if isinstance(exc, SQLAlchemyError) else f"{type(exc).__name__}: {exc}"


__all__ = [
    "ACTIONS",
    "ANCHOR_EVERY",
    "AUDIT_LOCK",
    "GENESIS",
    "SYSTEM",
    "Actor",
    "AuditBroken",
    "AuditEntry",
    "AuditEntryRefused",
    "AuditUnavailable",
    "LoggedEntry",
    "VerifyResult",
    "anchor",
    "anchor_key_from",
    "append",
    "append_in",
    "append_many",
    "canonical_json",
    "chain_hash",
    "find_national_id",
    "is_pseudonym",
    "key_id",
    "local_actor",
    "show",
    "subject_accesses",
    "verify",
]
