"""Tables to suppress: small random ones for the attack, and one the size of Thailand."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Shares of the registry's persons in ten groups, from common to rare (a subdistrict of
#: ~2,700 registered persons has a handful in the rarest).
NATIONAL_SHARES = (0.36, 0.22, 0.14, 0.09, 0.07, 0.05, 0.03, 0.02, 0.015, 0.005)


def random_cells(
    rng: np.random.Generator,
    *,
    provinces: int = 2,
    districts: tuple[int, int] = (1, 4),
    subdistricts: tuple[int, int] = (1, 5),
    categories: int = 3,
    mean: float = 12.0,
) -> pd.DataFrame:
    """A small table with many small counts (and zeros): one row per subdistrict × category."""
    rows = []
    for p in range(provinces):
        for d in range(int(rng.integers(districts[0], districts[1] + 1))):
            for s in range(int(rng.integers(subdistricts[0], subdistricts[1] + 1))):
                code = f"{10 + p:02d}{d + 1:02d}{s + 1:02d}"
                size = rng.gamma(1.5, mean / 1.5, categories)
                for c in range(categories):
                    rows.append((code, f"c{c}", int(rng.poisson(size[c]))))
    return pd.DataFrame(rows, columns=["subdistrict_code", "category", "persons"])


def national_cells(seed: int = 0, shares: tuple[float, ...] = NATIONAL_SHARES) -> pd.DataFrame:
    """Every subdistrict of Thailand (geothai: 77 provinces, 928 districts, 7,436
    subdistricts) × ten groups, ~20 million persons."""
    import geothai

    rng = np.random.default_rng(seed)
    codes = [
        s.code
        for p in geothai.provinces()
        for d in geothai.districts(p.code)
        for s in geothai.subdistricts(d.code)
    ]
    size = rng.lognormal(np.log(2200), 0.7, len(codes))
    expected = size[:, None] * np.asarray(shares)[None, :]
    counts = rng.negative_binomial(5, 5 / (5 + expected))
    return pd.DataFrame(
        {
            "subdistrict_code": np.repeat(codes, len(shares)),
            "group": np.tile([f"group_{i}" for i in range(len(shares))], len(codes)),
            "persons": counts.ravel(),
        }
    )


def next_month(
    cells: pd.DataFrame, rng: np.random.Generator, *, changing: float = 0.3, size: float = 2.0
) -> pd.DataFrame:
    """The same table a month later: a share of cells gains or loses a few persons."""
    moved = rng.random(len(cells)) < changing
    step = rng.poisson(size, len(cells)) * rng.choice([-1, 1], len(cells))
    persons = np.maximum(cells["persons"].to_numpy() + np.where(moved, step, 0), 0)
    return cells.assign(persons=persons)
