"""Where one person lookup spends its time: the app in-process, every step timed.

    .venv/bin/python benchmarks/_api_profile.py RELEASES_DIR [--requests 300]

Runs the real app (`sitthi.api.app.create_app`) through Starlette's TestClient against a
release and a fresh SQLite operational store, sends lookups one at a time, and times each
step by wrapping the functions the route calls (nothing else changes): the token check,
the caller's view, the release cursor, each SQL statement of the person's record, and
the audit append. Prints one JSON object: per step, the median and p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

TIMES: dict[str, list[float]] = defaultdict(list)


def timed(name: str | Callable[..., str], fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            key = name(*args, **kwargs) if callable(name) else name
            TIMES[key].append((time.perf_counter() - started) * 1000)

    return wrapper


def _sql_name(con: Any, sql: str, *args: Any, **kwargs: Any) -> str:
    words = " ".join(sql.split())
    table = words.split(" from ", 1)[1].split()[0] if " from " in words else "?"
    where = words.split(" where ", 1)[1].split()[0] if " where " in words else ""
    return f"sql {table} by {where}"


def install() -> None:
    """Wrap the steps of a lookup in timers."""
    import sitthi.api.auth as auth
    import sitthi.api.routes.persons as persons
    import sitthi.registry.access as access
    from sitthi.api.limits import RateLimiter
    from sitthi.api.signing import KeySet
    from sitthi.api.state import ApiState
    from sitthi.operations import audit

    KeySet.verify = timed("token verify (EdDSA JWT)", KeySet.verify)  # type: ignore[method-assign]
    RateLimiter.check = timed("rate limit", RateLimiter.check)  # type: ignore[method-assign]
    ApiState.record = timed("audit append (whole)", ApiState.record)  # type: ignore[method-assign]
    audit.append_in = timed("audit append_in (chain head, insert)", audit.append_in)
    audit._checked = timed("audit entry check (ID scan, JSON)", audit._checked)  # type: ignore[attr-defined]
    auth.principal = timed("principal (whole)", auth.principal)
    persons.view_for = timed("view_for (DSA/areas)", persons.view_for)
    persons.release_cursor = timed("release cursor", persons.release_cursor)
    persons.pseudonym = timed("HMAC of the ID", persons.pseudonym)
    from sitthi.registry.cards import CardFile

    persons.release_cards = timed("release cards", persons.release_cards)
    persons.person_record = timed(
        "person_record (the caller's view of a card)", persons.person_record
    )
    for name in ("person_for_pid", "card", "household"):
        setattr(CardFile, name, timed(f"card file: {name}", getattr(CardFile, name)))
    access.rows = timed(_sql_name, access.rows)
    access.dict_rows = timed(_sql_name, access.dict_rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("releases", type=Path)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    import duckdb
    from fastapi.testclient import TestClient

    from sitthi.api.app import create_app
    from sitthi.config import Settings
    from sitthi.context import Context
    from sitthi.operations.accounts import add_client
    from sitthi.releases.catalog import release_numbers

    install()
    work = Path(tempfile.mkdtemp(prefix="sitthi-profile-"))
    newest = args.releases / str(release_numbers(args.releases)[-1])
    con = duckdb.connect(str(newest / "release.duckdb"), read_only=True)
    provinces = [
        r[0]
        for r in con.execute(
            "select distinct province_code from profiles where province_code is not null"
        ).fetchall()
    ]
    con.close()
    ids_file = args.releases.parent / "lookup-ids.parquet"
    found = [
        r[0]
        for r in duckdb.sql(
            f"select national_id from '{ids_file}' where held limit {args.requests}"
        ).fetchall()
    ]
    ctx = Context(
        settings=Settings(
            operations_url=f"sqlite:///{work / 'operations.sqlite'}",
            releases_dir=args.releases,
            signing_keys_dir=work / "keys",
            rate_limit_per_minute=10**9,
        ),
        db=work / "none.duckdb",
    )
    client_row, secret = add_client(
        ctx.operations, "profile caseworker", "caseworker", areas=provinces
    )
    started = time.perf_counter()
    client = TestClient(create_app(ctx))
    app_seconds = time.perf_counter() - started
    token = client.post(
        "/oauth2/client/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_row.client_id,
            "client_secret": secret,
        },
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    first = client.get("/api/v1/ready")
    ready_seconds = time.perf_counter() - started
    assert first.status_code == 200, first.text
    client.post(
        "/api/v1/persons/lookup",
        json={"national_id": found[0], "purpose": "profiling one request"},
        headers=headers,
    )
    TIMES.clear()
    totals, statuses = [], defaultdict(int)
    for nid in found:
        started = time.perf_counter()
        got = client.post(
            "/api/v1/persons/lookup",
            json={"national_id": nid, "purpose": "profiling one request"},
            headers=headers,
        )
        totals.append((time.perf_counter() - started) * 1000)
        statuses[got.status_code] += 1
    TIMES["whole request (TestClient)"] = totals

    def p95(xs: list[float]) -> float:
        return sorted(xs)[int(0.95 * (len(xs) - 1))]

    out: dict[str, Any] = {
        "requests": len(found),
        "statuses": dict(statuses),
        "create_app_s": round(app_seconds, 2),
        "first_ready_s": round(ready_seconds, 2),
        "steps_ms": {
            name: {
                "calls_per_request": round(len(xs) / len(found), 2),
                "median": round(statistics.median(xs), 2),
                "p95": round(p95(xs), 2),
            }
            for name, xs in sorted(TIMES.items(), key=lambda kv: -statistics.median(kv[1]))
        },
    }
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
