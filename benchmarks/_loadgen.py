"""A small HTTP/1.1 load generator for bench_api.py: raw asyncio sockets, keep-alive.

No load tool (wrk, oha, hey, ab, vegeta, k6) is installed on the benchmark machine, so
this one is written for the job: requests are prepared bytes, responses are read by their
Content-Length, connections are reused.

* `open_loop`: requests are *scheduled* at a fixed rate, whatever the server does, and
  each one's latency counts from its scheduled time (so a slow server is not hidden by a
  client that waits for it: no coordinated omission). When every connection is busy a
  new one is opened, up to ``max_connections``; beyond that requests wait in the client,
  and that wait is part of their latency.
* `closed_loop`: ``concurrency`` connections each send the next request as soon as the
  previous answer arrives: the most the server answers per second.

It runs in the benchmark's own process, on the same two cores as the server: its CPU
time is reported with every result.
"""

from __future__ import annotations

import asyncio
import json
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Result:
    """Per request: scheduled and finished (loop clock, s), status (0 = failed), tag."""

    scheduled: list[float] = field(default_factory=list)
    latency: list[float] = field(default_factory=list)
    status: list[int] = field(default_factory=list)
    tag: list[str] = field(default_factory=list)
    sent: int = 0
    unfinished: int = 0
    seconds: float = 0.0
    client_cpu_seconds: float = 0.0
    max_connections_used: int = 0


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, payload: bytes) -> tuple[int, bytes]:
        """Send one prepared request and read its answer; reconnect when closed."""
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            assert self.reader is not None
            try:
                self.writer.write(payload)
                head = await self.reader.readuntil(b"\r\n\r\n")
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise
                continue
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            length, close = 0, False
            for line in lines[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "connection" and value.strip().lower() == "close":
                    close = True
            body = await self.reader.readexactly(length) if length else b""
            if close:
                self.close()
            return status, body
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def post_json(host: str, port: int, path: str, body: dict[str, object], token: str) -> bytes:
    data = json.dumps(body, separators=(",", ":")).encode()
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    ).encode() + data


def get(host: str, port: int, path: str, token: str | None = None) -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{auth}\r\n".encode()


async def open_loop(
    host: str,
    port: int,
    make: Callable[[int], tuple[bytes, str]],
    *,
    rate: float,
    seconds: float,
    max_connections: int = 256,
    drain_seconds: float = 30.0,
) -> Result:
    """Requests ``make(i)`` at ``i / rate`` seconds for ``seconds``; each one's latency
    from its scheduled time. Requests still unanswered ``drain_seconds`` after the last
    one was due are counted as ``unfinished``."""
    loop = asyncio.get_running_loop()
    result = Result()
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    opened = 0
    tasks: set[asyncio.Task[None]] = set()

    async def one(i: int, due: float) -> None:
        nonlocal opened
        payload, tag = make(i)
        try:
            conn = idle.get_nowait()
        except asyncio.QueueEmpty:
            if opened < max_connections:
                opened += 1
                conn = Connection(host, port)
            else:
                conn = await idle.get()  # every connection busy: wait in the client
        try:
            status, _ = await conn.request(payload)
        except (OSError, asyncio.IncompleteReadError):
            status = 0
            conn.close()
        result.scheduled.append(due)
        result.latency.append(loop.time() - due)
        result.status.append(status)
        result.tag.append(tag)
        idle.put_nowait(conn)

    cpu = _cpu()
    start = loop.time() + 0.05
    total = int(rate * seconds)
    for i in range(total):
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one(i, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    result.sent = total
    if tasks:
        _, pending = await asyncio.wait(set(tasks), timeout=drain_seconds)
        result.unfinished = len(pending)
        for task in pending:
            task.cancel()
    result.seconds = loop.time() - start
    result.client_cpu_seconds = _cpu() - cpu
    result.max_connections_used = opened
    while not idle.empty():
        idle.get_nowait().close()
    return result


async def closed_loop(
    host: str,
    port: int,
    make: Callable[[int], tuple[bytes, str]],
    *,
    concurrency: int,
    seconds: float,
    requests: int | None = None,
) -> Result:
    """``concurrency`` connections, each sending its next request when an answer comes,
    for ``seconds`` (or until ``requests`` are answered, if sooner)."""
    loop = asyncio.get_running_loop()
    result = Result()
    counter = iter(range(10**9))
    cpu = _cpu()
    start = loop.time()
    deadline = start + seconds

    async def worker() -> None:
        conn = Connection(host, port)
        while loop.time() < deadline and (requests is None or len(result.latency) < requests):
            payload, tag = make(next(counter))
            sent = loop.time()
            try:
                status, _ = await conn.request(payload)
            except (OSError, asyncio.IncompleteReadError):
                status = 0
                conn.close()
            if loop.time() <= deadline:  # answers after the deadline are not counted
                result.scheduled.append(sent)
                result.latency.append(loop.time() - sent)
                result.status.append(status)
                result.tag.append(tag)
        conn.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.seconds = min(seconds, loop.time() - start)
    result.sent = len(result.latency)
    result.client_cpu_seconds = _cpu() - cpu
    result.max_connections_used = concurrency
    return result


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (q in 0…100) of ``values``."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def summary(result: Result, tag: str | None = None, status: int | None = None) -> dict[str, float]:
    """Count, achieved rate and latency percentiles (ms) of the answers with ``tag`` and
    ``status`` (all when None)."""
    picked = [
        lat
        for lat, t, s in zip(result.latency, result.tag, result.status, strict=True)
        if (tag is None or t == tag) and (status is None or s == status)
    ]
    return {
        "n": len(picked),
        "per_s": round(len(picked) / result.seconds, 1) if result.seconds else 0.0,
        "p50_ms": round(percentile(picked, 50) * 1000, 1),
        "p95_ms": round(percentile(picked, 95) * 1000, 1),
        "p99_ms": round(percentile(picked, 99) * 1000, 1),
        "max_ms": round(max(picked) * 1000, 1) if picked else float("nan"),
    }


def run(coro: object) -> Result:
    """``asyncio.run`` with the current time measured by the loop's clock."""
    started = time.perf_counter()
    out = asyncio.run(coro)  # type: ignore[arg-type]
    assert isinstance(out, Result)
    out.seconds = out.seconds or time.perf_counter() - started
    return out
