"""Group commit for the audit log: many requests' records, one transaction.

Every answer waits for its audit record to be committed, and a commit waits for the disk
(SQLite's WAL sync, PostgreSQL's WAL flush): one commit per answer caps a server at a few
hundred answers a second whatever else it does. Here the request threads of a process
hand their records to whichever of them is free to write: it takes every record waiting
at that moment, links them into the chain and commits them in one transaction, then
wakes their requests. No answer leaves before its own record is durable, as before; an
entry that is itself wrong is refused alone; a failed commit refuses every request of
its batch (503), and nothing of the batch is in the log.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitthi.operations.audit import AuditEntry, AuditUnavailable, append_many

if TYPE_CHECKING:
    from sitthi.operations.store import OperationsStore

#: Records one transaction takes at most (a burst is cut into several commits).
MAX_BATCH = 512


@dataclass
class _Waiting:
    entry: AuditEntry
    done: bool = False
    seq: int = 0
    error: AuditUnavailable | None = None


class GroupCommit:
    """`append` for many threads at once: each call returns when its record is committed."""

    def __init__(self, store: OperationsStore, *, anchor_key: bytes | None = None) -> None:
        self.store = store
        self.anchor_key = anchor_key
        self._cond = threading.Condition()
        self._queue: list[_Waiting] = []
        self._writing = False

    def append(self, entry: AuditEntry) -> int:
        """Write ``entry`` as a record of the chain; its ``seq``.

        Raises:
            AuditUnavailable: the record was not written; answer nothing.
        """
        mine = _Waiting(entry)
        with self._cond:
            self._queue.append(mine)
            while not mine.done:
                if self._writing:
                    self._cond.wait()
                    continue
                # Nobody is writing: this thread writes what waits, its own record first
                # among them or already written by the one before.
                self._writing = True
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                self._cond.release()
                try:
                    self._write(batch)
                finally:
                    self._cond.acquire()
                    self._writing = False
                    self._cond.notify_all()
        if mine.error is not None:
            raise mine.error
        return mine.seq

    def _write(self, batch: list[_Waiting]) -> None:
        try:
            found = append_many(self.store, [w.entry for w in batch], anchor_key=self.anchor_key)
        except AuditUnavailable as exc:
            for w in batch:
                w.error, w.done = exc, True
            return
        except BaseException as exc:  # e.g. interrupted: the batch is not in the log
            for w in batch:
                w.error = AuditUnavailable(f"the audit log cannot be written: {exc!r}")
                w.done = True
            raise
        for w, result in zip(batch, found, strict=True):
            if isinstance(result, int):
                w.seq = result
            else:
                w.error = result
            w.done = True
