"""A linked synthetic world with golden records, profiles and rights computed once."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from sitthi.engines.duckdb import connect
from sitthi.linkage.service import LinkReport
from sitthi.registry.golden import build_golden
from sitthi.registry.profile import build_profiles
from sitthi.registry.rules import load_rules
from sitthi.rights.engine import compute_rights
from sitthi.rights.programme import load_programmes


@pytest.fixture(scope="session")
def rights_store(
    world: Path, linked: tuple[Path, LinkReport], tmp_path_factory: pytest.TempPathFactory
):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("rights") / "store.duckdb"
    shutil.copy(linked[0], path)
    con = connect(path)
    as_of = dt.date.fromisoformat(
        json.loads((world / "manifest.json").read_text(encoding="utf-8"))["as_of"]
    )
    build_golden(con, load_rules())
    build_profiles(con, as_of)
    result = compute_rights(con, load_programmes(), as_of)
    con.execute(
        """create table truth_gaps as
           select distinct p.person_id, t.programme, t.error_type as gap
           from read_csv(?, all_varchar = true) t
           join identities i on i.national_id = t.national_id
           join person_records p on p.source = 'dopa' and p.record_id = i.pid_hash""",
        [str(world / "truth" / "welfare_errors.csv")],
    ).fetchall()
    return con, result
