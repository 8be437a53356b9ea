"""No plaintext left behind: a killed load leaves no decoded extract anywhere on disk.

Before: ``kill -9`` while a cp874 extract loaded left a UTF-8 copy of the whole file —
IDs, names and the columns the DSA does not allow — in the system temp folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

from .conftest import KEY

Extract = Callable[[str], Path]


def _files_holding(folder: Path, needles: list[bytes]) -> list[Path]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if any(n in data for n in needles):
                found.append(path)
    return found


def test_a_cp874_load_killed_while_staged_leaves_no_extract_data(
    tmp_path: Path, extract: Extract
) -> None:
    lao = extract("lao")
    text = lao.read_bytes().decode("cp874")
    second = text.splitlines()[1]
    # What a decoded copy would hold: a row's Thai text in UTF-8, and its national ID.
    fields = [f.strip('"') for f in second.split(",")]
    needles = [fields[8].encode("utf-8"), fields[6].encode("ascii")]
    assert all(needles)
    store, temp = tmp_path / "store", tmp_path / "temp"
    store.mkdir()
    temp.mkdir()
    script = textwrap.dedent(f"""
        import datetime as dt, time
        from pathlib import Path
        import sitthi.ingest.readers as readers
        from sitthi.engines.duckdb import connect
        from sitthi.ingest.service import ingest_file
        from sitthi.ingest.spec import load_spec
        def hang(*args, **kwargs):  # the parser is about to read the staged extract
            print("staged", flush=True)
            time.sleep(60)
        readers._parse = hang
        con = connect({str(store / "s.duckdb")!r})
        ingest_file(con, load_spec("lao"), Path({str(lao)!r}), key={KEY!r}, key_version=1,
                    load_date=dt.date(2026, 10, 1))
    """)
    env = {**os.environ, "TMPDIR": str(temp)}
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env
    ) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "staged"
        # While staged, the decoded extract is readable only through the process's own fd.
        staged = [Path(f"/proc/{proc.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{proc.pid}/fd")]
        assert any(
            p.is_file() and needles[0] in p.read_bytes() for p in staged if p.exists()
        )  # the test looks at the right thing
        assert _files_holding(store, needles) == []
        assert _files_holding(temp, needles) == []
        os.kill(proc.pid, signal.SIGKILL)
    assert _files_holding(store, needles) == []
    assert _files_holding(temp, needles) == []
    assert [p.name for p in store.iterdir() if p.name.startswith(".sitthi-staging")] == []
