"""Benchmark the API on loopback over a 10M-person release, audit writes included.

    .venv/bin/python benchmarks/bench_api.py                       # 10M persons (100 copies)
    .venv/bin/python benchmarks/bench_api.py --copies 10 --publish-repeats 3   # 1M
    .venv/bin/python benchmarks/bench_api.py --copies 100 --skip publish --audit postgres

The store: a real pipeline run (synth → ingest → link → rights) on a 100,000-person world,
copied N times with every identifier rewritten (`_api_store`), cached under
/work/bench-cache/api (``SITTHI_BENCH_CACHE``). Then, each in fresh processes:

* ``publish``: `sitthi publish` on that store, wall time and peak memory, several runs;
* ``serve``: `sitthi serve --workers 1` and ``--workers 2`` started, time from spawn to
  ``/api/v1/ready`` answering 200; then, per operational store (SQLite, PostgreSQL):
  person lookups (``POST /api/v1/persons/lookup`` as case workers, each answer audited)
  closed-loop for the most answers per second and open-loop at a fixed rate for the
  latency, and area statistics (``GET /api/v1/statistics``) as an analyst;
* ``publish-steps``: one more publish, in-process, step by step (`_publish_steps`);
* ``profile``: one lookup at a time in-process, each step timed (`_api_profile`).

Before each timed step the machine must be quiet (no pytest, CPU under 15 % for 3 s);
the load seen is kept with each result. Results: JSON lines on stdout and in
``results.jsonl`` beside the store.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import _loadgen as lg
from _api_store import CACHE, base_store, check_scaled, log, lookup_ids, scaled_store
from _measure import machine

HERE = Path(__file__).parent
VENV_BIN = Path(sys.executable).parent
PURPOSE = "ตรวจสอบสิทธิเบี้ยยังชีพผู้สูงอายุ (benchmark)"
#: Case-worker accounts the lookups rotate through: each stays under the default rate
#: limit (1,200 a minute per caller) up to 5,000 requests a second, so that the closed
#: loops measure the server, not the limiter.
CASEWORKERS = 256
#: Analyst accounts the statistics requests rotate through (the same reason).
ANALYSTS = 16
#: How long to wait for a quiet machine before measuring anyway (``--quiet-wait``).
QUIET_WAIT_MINUTES = [45.0]


# --- a quiet machine ---------------------------------------------------------------------


def _busy_fraction(seconds: float = 3.0) -> float:
    def sample() -> tuple[int, int]:
        with open("/proc/stat", encoding="ascii") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        idle = values[3] + values[4]
        return sum(values), idle

    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def wait_quiet() -> dict[str, Any]:
    """Wait until no pytest runs and the CPUs are idle; say what the load was."""
    deadline = time.monotonic() + QUIET_WAIT_MINUTES[0] * 60
    while True:
        tests = subprocess.run(["pgrep", "-f", "pytest"], capture_output=True, text=True)
        busy = _busy_fraction()
        with open("/proc/loadavg", encoding="ascii") as f:
            load = f.read().split()[0]
        quiet = not tests.stdout.strip() and busy < 0.15
        if quiet or time.monotonic() > deadline:
            return {"loadavg_1m": float(load), "cpu_busy": round(busy, 2), "quiet": quiet}
        log(f"waiting for a quiet machine (load {load}, CPU {busy:.0%}, pytest: "
            f"{'yes' if tests.stdout.strip() else 'no'})")  # fmt: skip
        time.sleep(60)


# --- processes ------------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    out = [pid]
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as f:
                for child in f.read().split():
                    out.extend(_tree(int(child)))
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its children (alive ones)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in _tree(pid):
        with contextlib.suppress(OSError), open(f"/proc/{p}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def peak_rss_mib(pid: int) -> list[float]:
    """The peak resident set (VmHWM, MiB) of ``pid`` and each of its children."""
    out = []
    for p in _tree(pid):
        with contextlib.suppress(OSError), open(f"/proc/{p}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    out.append(round(int(line.split()[1]) / 1024))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_status(url: str, timeout: float = 120) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


# --- publish --------------------------------------------------------------------------------


def bench_publish(store: Path, repeats: int, env: dict[str, str]) -> tuple[dict[str, Any], Path]:
    """``sitthi publish`` ``repeats`` times, each into an empty releases folder (release 1,
    no previous release to check the statistics against); the last one is kept."""
    runs, peaks, loads = [], [], []
    keep = store.parent / "releases"
    for i in range(repeats):
        target = store.parent / f"publish-run-{i}"
        shutil.rmtree(target, ignore_errors=True)
        loads.append(wait_quiet())
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(VENV_BIN / "sitthi"), "publish", "--db", str(store)],
            env={**env, "SITTHI_RELEASES_DIR": str(target)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        output = proc.stdout.read().decode() if proc.stdout else ""
        if status:
            sys.exit(f"sitthi publish failed:\n{output[-3000:]}")
        runs.append(round(seconds, 1))
        peaks.append(round(usage.ru_maxrss / 1024))
        log(
            f"publish run {i + 1}/{repeats}: {seconds:.1f} s, "
            f"peak {usage.ru_maxrss / 1024:,.0f} MiB"
        )
        if i < repeats - 1:
            shutil.rmtree(target)
        else:
            shutil.rmtree(keep, ignore_errors=True)
            target.rename(keep)
    release = keep / "1"
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    sizes = {f.name: f.stat().st_size for f in release.iterdir()}
    return {
        "step": "publish",
        "runs_s": runs,
        "median_s": sorted(runs)[len(runs) // 2],
        "peak_mib": peaks,
        "median_peak_mib": sorted(peaks)[len(peaks) // 2],
        "release_bytes": sum(sizes.values()),
        "release_db_bytes": sizes.get("release.duckdb"),
        "persons": manifest["tables"].get("persons"),
        "tables": manifest["tables"],
        "load": loads,
    }, keep


# --- the operational store ------------------------------------------------------------------


@contextlib.contextmanager
def postgres(root: Path) -> Iterator[str]:
    """A PostgreSQL server of our own (initdb, pg_ctl; durable: fsync on, the defaults);
    yields an admin URL without a database name."""
    for binary in ("initdb", "pg_ctl"):
        if shutil.which(binary) is None:
            sys.exit(f"{binary} not found: PostgreSQL is needed for --audit postgres")
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    prefix: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(root, "postgres", "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", free_port()
    subprocess.run(
        [*prefix, "initdb", "-D", str(data), "-U", "sitthi", "-A", "trust", "-E", "UTF8",
         "--locale=C", "--no-instructions"],
        check=True, capture_output=True, cwd=root,
    )  # fmt: skip
    subprocess.run(
        [*prefix, "pg_ctl", "-D", str(data), "-l", str(root / "server.log"), "-w", "-o",
         f"-h 127.0.0.1 -p {port} -k {root} -c max_connections=200", "start"],
        check=True, capture_output=True, cwd=root,
    )  # fmt: skip
    try:
        yield f"postgresql+psycopg://sitthi@127.0.0.1:{port}"
    finally:
        subprocess.run(
            [*prefix, "pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True,
            cwd=root,
        )


def new_database(admin_url: str, name: str) -> str:
    import sqlalchemy

    engine = sqlalchemy.create_engine(f"{admin_url}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(sqlalchemy.text(f"drop database if exists {name}"))
        c.execute(sqlalchemy.text(f"create database {name}"))
    engine.dispose()
    return f"{admin_url}/{name}"


def prepare_accounts(env: dict[str, str], release: Path) -> dict[str, Any]:
    """The case workers (every province) and an analyst, in the operational store of
    ``env``; and a signing key made before the server starts (two workers would each
    make their own, and refuse each other's tokens)."""
    import duckdb

    from sitthi.api.signing import new_key
    from sitthi.config import Settings
    from sitthi.context import Context
    from sitthi.operations.accounts import add_client

    settings = Settings(
        operations_url=env["SITTHI_OPERATIONS_URL"],
        releases_dir=Path(env["SITTHI_RELEASES_DIR"]),
        signing_keys_dir=Path(env["SITTHI_SIGNING_KEYS_DIR"]),
    )
    new_key(settings.signing_keys_dir, development=True)  # type: ignore[arg-type]
    con = duckdb.connect(str(release / "release.duckdb"), read_only=True)
    provinces = [
        r[0]
        for r in con.execute(
            "select distinct province_code from profiles where province_code is not null"
        ).fetchall()
    ]
    con.close()
    ctx = Context(settings=settings, db=Path(env["SITTHI_DB"]))
    accounts: dict[str, Any] = {"caseworkers": []}
    for i in range(CASEWORKERS):
        client, secret = add_client(
            ctx.operations, f"bench caseworker {i}", "caseworker", areas=provinces
        )
        accounts["caseworkers"].append((client.client_id, secret))
    accounts["analysts"] = []
    for i in range(ANALYSTS):
        client, secret = add_client(ctx.operations, f"bench analyst {i}", "analyst")
        accounts["analysts"].append((client.client_id, secret))
    ctx.operations.close()
    return accounts


def audit_count(env: dict[str, str]) -> int:
    from sqlalchemy import func, select

    from sitthi.operations.models import AuditRecord
    from sitthi.operations.store import OperationsStore

    store = OperationsStore.open(env["SITTHI_OPERATIONS_URL"])
    try:
        with store.session() as s:
            return int(s.scalar(select(func.count()).select_from(AuditRecord)) or 0)
    finally:
        store.close()


# --- the server -----------------------------------------------------------------------------


class Server:
    """`sitthi serve` (one worker) or uvicorn with two workers, started and timed."""

    def __init__(self, env: dict[str, str], workers: int) -> None:
        self.port = free_port()
        self.workers = workers
        command = [str(VENV_BIN / "sitthi"), "serve", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--workers", str(workers)]
        self.log = open(Path(env["SITTHI_RUN_DIR"]) / f"server-{self.port}.log", "wb")  # noqa: SIM115
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            command, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        url = f"http://127.0.0.1:{self.port}/api/v1/ready"
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited ({self.proc.returncode}): {self.log.name}")
            if http_status(url) == 200:
                break
            time.sleep(0.02)
        self.ready_s = time.perf_counter() - started
        # Every worker opens (and hashes) the release on its first request: ready from all
        # of them when 8 parallel requests on new connections all answer at once.
        deadline = time.perf_counter() + 600
        while time.perf_counter() < deadline:
            t = time.perf_counter()
            codes = asyncio.run(_parallel_ready(self.port, 8))
            if all(c == 200 for c in codes) and time.perf_counter() - t < 0.5:
                break
        self.warm_s = time.perf_counter() - started

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)  # the group of the server we started
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()

    def settle(self, idle_cpu: float = 0.05) -> None:
        """Wait until the server has finished what it was given (after an overload)."""
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            before = cpu_seconds(self.proc.pid)
            time.sleep(2)
            if cpu_seconds(self.proc.pid) - before < 2 * idle_cpu:
                return


async def _parallel_ready(port: int, n: int) -> list[int]:
    async def one() -> int:
        conn = lg.Connection("127.0.0.1", port)
        try:
            status, _ = await conn.request(lg.get("127.0.0.1", port, "/api/v1/ready"))
            return status
        finally:
            conn.close()

    return await asyncio.gather(*(one() for _ in range(n)))


def token(port: int, client_id: str, secret: str) -> str:
    import urllib.parse

    data = urllib.parse.urlencode(
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    ).encode()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/oauth2/client/token", data) as r:
        return str(json.loads(r.read())["access_token"])


# --- load ----------------------------------------------------------------------------------


class Lookups:
    """Prepared lookup requests: IDs held by someone in the release (``found``) and valid
    IDs nobody holds (``not_found``, ``missing`` of them in every 100), tokens in turn."""

    def __init__(self, port: int, tokens: list[str], ids: Path, missing: int, seed: int) -> None:
        import duckdb

        rows = duckdb.sql(f"select national_id, held from '{ids}'").fetchall()
        self.found = [n for n, held in rows if held]
        self.not_found = [n for n, held in rows if not held]
        rng = random.Random(seed)
        rng.shuffle(self.found)
        rng.shuffle(self.not_found)
        self.port, self.tokens, self.missing = port, tokens, missing
        self.offset = 0

    def __call__(self, i: int) -> tuple[bytes, str]:
        j = self.offset + i
        held = j % 100 >= self.missing
        pool = self.found if held else self.not_found
        body = {"national_id": pool[j % len(pool)], "purpose": PURPOSE}
        tok = self.tokens[j % len(self.tokens)]
        return lg.post_json("127.0.0.1", self.port, "/api/v1/persons/lookup", body, tok), (
            "found" if held else "not_found"
        )

    def advance(self, n: int) -> None:
        """Use fresh IDs in the next phase."""
        self.offset += n


def describe(result: lg.Result, server_cpu: float) -> dict[str, Any]:
    statuses: dict[str, int] = {}
    for s in result.status:
        statuses[str(s)] = statuses.get(str(s), 0) + 1
    return {
        "seconds": round(result.seconds, 1),
        "sent": result.sent,
        "answered": len(result.latency),
        "unfinished": result.unfinished,
        "statuses": statuses,
        "all": lg.summary(result),
        "found_200": lg.summary(result, "found", 200),
        "not_found_404": lg.summary(result, "not_found", 404),
        "server_cpu_s": round(server_cpu, 1),
        "client_cpu_s": round(result.client_cpu_seconds, 1),
        "connections": result.max_connections_used,
    }


def bench_serve(
    store: Path,
    release_dir: Path,
    ids: Path,
    *,
    audit: str,
    workers: int,
    args: argparse.Namespace,
    env: dict[str, str],
    admin_url: str | None,
) -> list[dict[str, Any]]:
    run = store.parent / f"run-{audit}-w{workers}"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir()
    env = {
        **env,
        "SITTHI_DB": str(store),
        "SITTHI_RELEASES_DIR": str(release_dir),
        "SITTHI_SIGNING_KEYS_DIR": str(run / "keys"),
        "SITTHI_RUN_DIR": str(run),
    }
    if audit == "sqlite":
        env["SITTHI_OPERATIONS_URL"] = f"sqlite:///{run / 'operations.sqlite'}"
    else:
        assert admin_url is not None
        env["SITTHI_OPERATIONS_URL"] = new_database(admin_url, f"bench_w{workers}")
    accounts = prepare_accounts(env, release_dir / "1")
    common = {"audit": audit, "workers": workers, "persons": args.persons_in_release}
    out: list[dict[str, Any]] = []

    load = wait_quiet()
    server = Server(env, workers)
    try:
        out.append({"step": "start", **common, "ready_s": round(server.ready_s, 2),
                    "all_workers_ready_s": round(server.warm_s, 2), "load": load})  # fmt: skip
        log(f"server ({audit}, {workers} worker(s)) ready in {server.ready_s:.1f} s")
        tokens = [token(server.port, c, s) for c, s in accounts["caseworkers"]]
        lookups = Lookups(server.port, tokens, ids, args.missing, seed=7)
        # warm-up: the buffer pool and the page cache, not measured
        lg.run(lg.closed_loop("127.0.0.1", server.port, lookups, concurrency=4, seconds=10))
        lookups.advance(100_000)
        server.settle()
        audited_before = audit_count(env)
        answered = 0

        for concurrency in args.concurrency:
            load = wait_quiet()
            cpu = cpu_seconds(server.proc.pid)
            res = lg.run(
                lg.closed_loop(
                    "127.0.0.1",
                    server.port,
                    lookups,
                    concurrency=concurrency,
                    seconds=args.closed_seconds,
                )
            )
            lookups.advance(res.sent + 1000)
            answered += len(res.latency)
            row = {"step": "lookup closed-loop", **common, "concurrency": concurrency,
                   **describe(res, cpu_seconds(server.proc.pid) - cpu), "load": load}  # fmt: skip
            out.append(row)
            log(f"closed-loop c={concurrency}: {row['all']}")
            server.settle()
        best = max(r["all"]["per_s"] for r in out if r["step"] == "lookup closed-loop")

        rates = [args.rate]
        if best < args.rate:  # the target rate is beyond the server: also half its maximum
            rates.append(max(1.0, round(best / 2, 1)))
        for rate in rates:
            load = wait_quiet()
            cpu = cpu_seconds(server.proc.pid)
            seconds = args.open_seconds if rate <= best else min(args.open_seconds, 20)
            res = lg.run(
                lg.open_loop(
                    "127.0.0.1", server.port, lookups, rate=rate, seconds=seconds,
                    max_connections=args.max_connections, drain_seconds=30,
                )
            )  # fmt: skip
            lookups.advance(res.sent + 1000)
            answered += len(res.latency)
            row = {"step": "lookup open-loop", **common, "rate": rate,
                   **describe(res, cpu_seconds(server.proc.pid) - cpu), "load": load}  # fmt: skip
            out.append(row)
            log(f"open-loop {rate}/s: found {row['found_200']}, missing {row['not_found_404']}")
            server.settle()

        # area statistics, as an analyst: one request at a time, three kinds of page
        analysts = [token(server.port, c, s) for c, s in accounts["analysts"]]
        import duckdb

        con = duckdb.connect(str(release_dir / "1" / "release.duckdb"), read_only=True)
        provinces = [
            r[0]
            for r in con.execute(
                "select distinct area_code from area_statistics where level = 'province'"
            ).fetchall()
        ]
        districts = [
            r[0]
            for r in con.execute(
                "select distinct area_code from area_statistics where level = 'district'"
            ).fetchall()
        ]
        con.close()  # fmt: skip
        rng = random.Random(11)
        pages = {
            "national": lambda: "/api/v1/statistics?level=national",
            "province (1,000 cells)": lambda: "/api/v1/statistics?level=province",
            "districts of a province": lambda: (
                "/api/v1/statistics?level=district&within=" + rng.choice(provinces)
            ),
            "subdistricts of a district, one indicator": lambda: (
                "/api/v1/statistics?level=subdistrict&indicator=elderly&within="
                + rng.choice(districts)
            ),
        }
        load = wait_quiet()
        for name, path in pages.items():
            paths = [path() for _ in range(args.stat_requests)]

            def make(i: int, paths: list[str] = paths) -> tuple[bytes, str]:
                tok = analysts[i % len(analysts)]
                return lg.get("127.0.0.1", server.port, paths[i % len(paths)], tok), "stat"

            res = lg.run(
                lg.closed_loop(
                    "127.0.0.1", server.port, make, concurrency=1, seconds=120,
                    requests=args.stat_requests,
                )
            )  # fmt: skip
            row = {"step": "statistics", **common, "page": name, **lg.summary(res),
                   "statuses": sorted(set(res.status)), "load": load}  # fmt: skip
            out.append(row)
            log(f"statistics {name}: {lg.summary(res)}")
        audited = audit_count(env) - audited_before
        out.append({"step": "audit", **common, "lookups_answered": answered,
                    "audit_records_written": audited,
                    "server_peak_rss_mib": peak_rss_mib(server.proc.pid)})  # fmt: skip
    finally:
        server.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=100_000, help="the base world")
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--publish-repeats", type=int, default=3)
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=["publish", "serve", "publish-steps", "profile"]
    )
    parser.add_argument("--audit", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--rate", type=float, default=500.0, help="open-loop requests/s")
    parser.add_argument("--open-seconds", type=float, default=60.0)
    parser.add_argument("--closed-seconds", type=float, default=30.0)
    parser.add_argument("--concurrency", nargs="+", type=int, default=[4, 16])
    parser.add_argument("--max-connections", type=int, default=256)
    parser.add_argument("--missing", type=int, default=10, help="not-found IDs in 100")
    parser.add_argument("--stat-requests", type=int, default=300)
    parser.add_argument("--profile-requests", type=int, default=200)
    parser.add_argument("--quiet-wait", type=float, default=45.0, help="minutes at most")
    parser.add_argument(
        "--no-check", action="store_true", help="skip checking the scaled store (~10 min)"
    )
    args = parser.parse_args()
    QUIET_WAIT_MINUTES[0] = args.quiet_wait

    base = base_store(args.persons)
    store = scaled_store(base, args.copies)
    if not args.no_check:
        check_scaled(store, base, args.copies)
    ids = lookup_ids(store)
    results = store.parent / "results.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITTHI_")}
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
    import sitthi

    header = {
        "step": "machine",
        "machine": machine(),
        "at": dt.datetime.now().isoformat(timespec="seconds"),
        "code": str(Path(sitthi.__file__).parent),
        "store": str(store),
        "store_bytes": store.stat().st_size,
    }
    emitted: list[dict[str, Any]] = [header]

    def emit(rows: list[dict[str, Any]] | dict[str, Any]) -> None:
        for row in rows if isinstance(rows, list) else [rows]:
            emitted.append(row)
            line = json.dumps(row, ensure_ascii=False, default=str)
            print(line, flush=True)
            with results.open("a", encoding="utf-8") as f:
                f.write(line + "\n")

    emit(header)
    release_dir = store.parent / "releases"
    if "publish" not in args.skip:
        row, release_dir = bench_publish(store, args.publish_repeats, env)
        emit(row)
    manifest = json.loads((release_dir / "1" / "manifest.json").read_text(encoding="utf-8"))
    args.persons_in_release = manifest["tables"]["persons"]
    if "serve" not in args.skip:
        with contextlib.ExitStack() as stack:
            admin = None
            if "postgres" in args.audit:
                admin = stack.enter_context(postgres(CACHE / "postgres"))
            for audit in args.audit:
                for workers in args.workers:
                    emit(
                        bench_serve(
                            store, release_dir, ids, audit=audit, workers=workers, args=args,
                            env=env, admin_url=admin,
                        )
                    )  # fmt: skip
    if "publish-steps" not in args.skip:
        target = store.parent / "publish-steps"
        shutil.rmtree(target, ignore_errors=True)
        load = wait_quiet()
        done = subprocess.run(
            [sys.executable, str(HERE / "_publish_steps.py"), str(store), str(target)],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        shutil.rmtree(target)
        emit({"step": "publish steps", **json.loads(done.stdout), "load": load})
    if "profile" not in args.skip:
        wait_quiet()
        done = subprocess.run(
            [sys.executable, str(HERE / "_api_profile.py"), str(release_dir),
             "--requests", str(args.profile_requests)],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        emit({"step": "profile", **json.loads(done.stdout)})


if __name__ == "__main__":
    main()
