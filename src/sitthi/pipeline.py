"""The main job, stage by stage: the service behind ``sitthi demo``; the pipeline's order
lives here and nowhere else.

Each stage is its own service (`sitthi.synth`, `sitthi.ingest`, …); this module only runs
them in order on one store, so the CLI and tests share one path through the pipeline.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sitthi.config import Settings
from sitthi.errors import ValidationError
from sitthi.ingest.service import IngestResult, ingest_file
from sitthi.ingest.spec import load_spec

if TYPE_CHECKING:
    import duckdb

    from sitthi.context import Context


def ingest_world(
    con: duckdb.DuckDBPyConnection,
    world: Path,
    settings: Settings,
    progress: Callable[[str], None] | None = None,
) -> list[IngestResult]:
    """Load every extract of a synthetic world with its packaged spec.

    The load date and the extract date are the world's as-of date, so the demo gives the
    same answer whatever day it is run.
    """
    try:
        manifest = json.loads((world / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(
            f"{world}: not a synthetic world (no readable manifest.json)"
        ) from exc
    as_of = dt.date.fromisoformat(manifest["as_of"])
    key = settings.pseudonym_secret()
    results = []
    for extract in manifest["extracts"]:
        if progress:
            progress(f"ingest {extract['source']}")
        results.append(
            ingest_file(
                con,
                load_spec(extract["source"]),
                world / extract["file"],
                key=key,
                key_version=settings.pseudonym_key_version,
                load_date=as_of,
                extract_date=as_of,
            )
        )
    return results


class DemoReporter(Protocol):
    """How `run_demo` shows its work: a progress callback per stage, then each result."""

    def stage(self, name: str, total: int) -> AbstractContextManager[Callable[[str], None]]: ...

    def show(self, name: str, result: object) -> None: ...


#: The demo's API clients, one per role (development only): their secrets are written
#: beside the demo store, owner-only, so that `sitthi serve` can be tried at once.
DEMO_CLIENTS = "demo-clients.json"


def run_demo(ctx: Context, out: Path, *, persons: int, seed: int, reporter: DemoReporter) -> None:
    """The whole main job on a synthetic Thailand, stage by stage, into ``out``:
    world → ingest → link (with its accuracy) → rights (with the gaps' accuracy) →
    quality report → release → the demo's API clients.

    Each stage's result goes to ``reporter.show`` under the stage's name: ``world``,
    ``ingest``, ``link``, ``link_accuracy``, ``rights``, ``gap_accuracy``, ``quality``,
    ``release``, ``cases`` (a few help requests decided), ``clients``.
    """
    from sitthi.linkage.evaluate import evaluate_store
    from sitthi.linkage.service import STEPS as LINK_STEPS
    from sitthi.linkage.service import link_store
    from sitthi.quality.report import build_quality_report, write_html, write_json
    from sitthi.releases.content import TABLES, derived_tables
    from sitthi.releases.publish import publish
    from sitthi.rights.evaluate import evaluate_gaps
    from sitthi.rights.service import STEPS as RIGHTS_STEPS
    from sitthi.rights.service import run_rights
    from sitthi.synth.world import STEPS, generate_world

    with reporter.stage("synthetic world", STEPS) as step:
        summary = generate_world(out / "world", persons=persons, seed=seed, progress=step)
    reporter.show("world", summary)
    con = ctx.store()
    try:
        with reporter.stage("ingest", len(summary.extracts)) as step:
            reporter.show("ingest", ingest_world(con, out / "world", ctx.settings, step))
        with reporter.stage("link", LINK_STEPS) as step:
            report = link_store(con, memory_limit=ctx.settings.duckdb_memory_limit, progress=step)
        reporter.show("link", report)
        truth = out / "world" / "truth"
        reporter.show("link_accuracy", evaluate_store(con, truth / "linkage_truth.csv"))
        with reporter.stage("rights", RIGHTS_STEPS) as step:
            rights = run_rights(con, dt.date.fromisoformat(summary.as_of), progress=step)
        reporter.show("rights", rights)
        gaps = evaluate_gaps(con, truth / "welfare_errors.csv", truth / "linkage_truth.csv")
        reporter.show("gap_accuracy", (gaps, rights))
        quality = build_quality_report(con)
        write_json(quality, out / "quality.json")
        write_html(quality, out / "quality.html")
        reporter.show("quality", out / "quality.html")
    finally:
        con.close()
    with reporter.stage("publish", len(TABLES) + len(derived_tables()) + 1) as step:
        reporter.show("release", publish(ctx, progress=step))
    if not ctx.production:
        from sitthi.cases.demo import demo_cases

        reporter.show("cases", demo_cases(ctx))
        reporter.show("clients", demo_clients(ctx, out / DEMO_CLIENTS))


#: The demo's dashboard users (development only): a case worker of the most populous
#: province and an analyst, signing in at /app/ with the passwords in DEMO_CLIENTS.
DEMO_USERS = (("demo-caseworker", "caseworker"), ("demo-analyst", "analyst"))


def demo_clients(ctx: Context, path: Path) -> dict[str, Any]:
    """One API client per role, and the dashboard's users, for trying the API and the
    dashboard (development only), kept in ``path``.

    A second demo run reuses the accounts of the first when their secrets still verify.
    The caseworkers (client and user) cover the province with the most people; the agency
    acts under the packaged DEP agreement. The file maps each role to its client, and
    ``users`` to the dashboard users (name → role, areas, password).
    """
    from importlib.resources import files

    from sitthi.operations.accounts import add_client, verify_client, verify_user

    if ctx.production:
        raise ValidationError("demo API clients are for development only")
    if path.exists():
        known = json.loads(path.read_text(encoding="utf-8"))
        users = known.get("users", {})
        clients = {k: v for k, v in known.items() if k != "users"}
        if (
            all(
                verify_client(ctx.operations, c["client_id"], c["client_secret"])
                for c in clients.values()
            )
            and {u["role"] for u in users.values()} == {role for _, role in DEMO_USERS}
            and all(verify_user(ctx.operations, n, u["password"]) for n, u in users.items())
        ):
            return dict(known)
    con = ctx.store(read_only=True)
    try:
        province = con.execute(
            "select province_code from profiles where province_code is not null "
            "group by 1 order by count(*) desc, 1 limit 1"
        ).fetchone()
    finally:
        con.close()
    areas = [province[0]] if province else []
    dsa = files("sitthi.operations") / "dsas" / "dep-disability-registry.yaml"
    made: dict[str, Any] = {}
    for role, kwargs in (
        ("admin", {}),
        ("analyst", {}),
        ("caseworker", {"areas": areas}),
        ("agency", {"dsa_path": str(dsa)}),
        ("auditor", {}),
    ):
        client, secret = add_client(ctx.operations, f"demo {role}", role, **kwargs)
        made[role] = {"client_id": client.client_id, "client_secret": secret}
    made["users"] = {}
    for wanted, role in DEMO_USERS:
        scope = areas if role == "caseworker" else []
        name, password = _demo_user(ctx, wanted, role, scope)
        made["users"][name] = {"role": role, "areas": scope, "password": password}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(made, f, indent=1)
    return made


def _demo_user(ctx: Context, name: str, role: str, areas: list[str]) -> tuple[str, str]:
    """A demo user made afresh: its name, and its password. Passwords are kept only as
    hashes, so where an earlier demo's user is there without its file, the new one takes
    the next free name (demo-caseworker-2, …)."""
    from sitthi.operations.accounts import AccountError, add_user

    for n in range(1, 100):
        candidate = name if n == 1 else f"{name}-{n}"
        try:
            user, password = add_user(ctx.operations, candidate, role, areas)
        except AccountError:
            continue
        return user.name, password
    raise ValidationError(f"no free name for the demo user {name}")
