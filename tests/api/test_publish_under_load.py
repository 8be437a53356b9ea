"""A release published while requests run: every answer succeeds and comes wholly from one
release, the old one until the new one is there, the new one after."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import duckdb
import httpx
import uvicorn

from sitthi.api.app import create_app
from sitthi.config import Settings
from sitthi.context import Context
from sitthi.operations.accounts import add_client
from sitthi.releases.publish import publish

PURPOSE = "ตรวจสอบการเผยแพร่ระหว่างให้บริการ"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_publishing_under_load_gives_no_failed_or_mixed_answer(
    registry_store: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store.duckdb"
    shutil.copy(registry_store, store)
    ctx = Context(
        settings=Settings(
            operations_url=f"sqlite:///{tmp_path / 'ops.sqlite'}",
            signing_keys_dir=tmp_path / "keys",
            release_statistics=False,  # the switch is under test, not the statistics
            rate_limit_per_minute=1_000_000,  # nor the rate limit
        ),
        db=store,
    )
    publish(ctx)
    con = duckdb.connect(str(store))
    person_id, province = con.execute(
        """select e.person_id, f.province_code from entitlements e
           join profiles f using (person_id) order by e.person_id limit 1"""
    ).fetchone()
    before = con.execute(
        "select count(*) from entitlements where person_id = ?", [person_id]
    ).fetchone()[0]
    # Release 2 will say something else of this person: no entitlements.
    con.execute("delete from entitlements where person_id = ?", [person_id])
    con.close()
    client, secret = add_client(ctx.operations, "load test", "caseworker", areas=[province])

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    token = httpx.post(
        f"{base}/oauth2/client/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": secret,
        },
    ).json()["access_token"]

    answers: list[tuple[int, int, int]] = []  # status, release, entitlements
    stop = threading.Event()

    def hammer() -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as h:
            while not stop.is_set():
                got = h.get(f"/api/v1/persons/{person_id}", params={"purpose": PURPOSE})
                body = got.json()
                answers.append(
                    (got.status_code, body.get("release", 0), len(body.get("entitlements", [])))
                )

    workers = [threading.Thread(target=hammer) for _ in range(3)]
    for w in workers:
        w.start()
    time.sleep(0.5)
    publish(ctx)
    time.sleep(0.8)
    stop.set()
    for w in workers:
        w.join()
    server.should_exit = True
    thread.join(timeout=10)

    assert answers
    assert all(status == 200 for status, _, _ in answers), {a[0] for a in answers}
    assert {r for _, r, _ in answers} == {1, 2}, "answers from both releases"
    for _, release, entitled in answers:
        assert entitled == (before if release == 1 else 0), "an answer mixed two releases"
    first_new = next(i for i, a in enumerate(answers) if a[1] == 2)
    # once a request saw release 2, no request started later is answered from release 1
    # (three workers may finish an in-flight request from 1 just after)
    assert sum(1 for a in answers[first_new:] if a[1] == 1) <= len(workers)
