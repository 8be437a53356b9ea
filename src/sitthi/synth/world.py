"""Generate a synthetic Thailand: population, facts, payments, agency extracts and truth.

``generate_world`` is the service behind ``sitthi synth`` and ``sitthi demo``.

Output layout::

    OUT/extracts/<agency files>       what agencies would send (CSV, Excel; UTF-8, cp874)
    OUT/truth/persons.parquet         the true persons with every fact
    OUT/truth/households.parquet      the true households with the 17 indicators
    OUT/truth/payments.parquet        every allowance payment, before agency noise
    OUT/truth/linkage_truth.csv       source, record_id -> person_id (+ planted errors)
    OUT/truth/welfare_errors.csv      every planted welfare error
    OUT/manifest.json                 seed, size, as-of date, files, counts
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import geothai
import numpy as np
import pandas as pd

from sitthi.errors import ValidationError
from sitthi.synth import facts, hard_negatives, identity, moves, welfare
from sitthi.synth.agencies import AGENCIES, Extract, World
from sitthi.synth.household import household_facts
from sitthi.synth.noise import NoiseModel, load_noise_model
from sitthi.synth.population import generate_population
from sitthi.synth.writer import write_extract

DEFAULT_AS_OF = dt.date(2026, 10, 1)  # first day of fiscal year 2570 BE
MAX_PERSONS = 70_000_000

Progress = Callable[[str], None]
STEPS = 4 + len(AGENCIES)  # population, facts, payments, one per agency, truth


@dataclass
class WorldSummary:
    """What was generated: enough for a readable report and for tests."""

    out: str
    seed: int
    persons: int
    households: int
    as_of: str
    seconds: float
    population: dict[str, float | int] = field(default_factory=dict)
    extracts: list[dict[str, object]] = field(default_factory=list)
    planted: dict[str, int] = field(default_factory=dict)
    welfare_errors: dict[str, int] = field(default_factory=dict)


def _stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream per component, so changing one leaves the rest alone."""
    return np.random.default_rng([seed, sum(ord(c) * 31**i for i, c in enumerate(name)) % 2**32])


def _area_names(hh: pd.DataFrame) -> pd.DataFrame:
    subs = hh["subdistrict_code"].unique()
    table = pd.DataFrame({"subdistrict_code": subs})
    addresses = [geothai.address(code) for code in subs]
    table["subdistrict_name"] = [a.subdistrict.name_th if a else "" for a in addresses]
    table["district_name"] = [a.district.name_th if a else "" for a in addresses]
    table["province_name"] = [a.province.name_th if a else "" for a in addresses]
    return hh.merge(table, on="subdistrict_code", how="left")


def build_world(
    persons: int,
    seed: int,
    as_of: dt.date = DEFAULT_AS_OF,
    noise: NoiseModel | None = None,
    progress: Progress | None = None,
) -> tuple[World, NoiseModel]:
    """The true world in memory (no files). See `generate_world` for the arguments."""
    if seed < 0:
        raise ValidationError(f"--seed must be 0 or more, got {seed}")
    if not 1 <= persons <= MAX_PERSONS:
        raise ValidationError(f"--persons must be between 1 and {MAX_PERSONS:,}, got {persons:,}")
    noise = noise or load_noise_model()
    step = progress or (lambda _msg: None)

    step("population")
    hard = noise.population
    pop = generate_population(_stream(seed, "population"), persons, as_of, hard)
    hh = _area_names(pop.households)
    p = pop.persons
    rng = _stream(seed, "identity")
    hh_index = hh.set_index("household_id")
    district = hh_index.loc[p["household_id"], "district_code"].to_numpy()
    ids, p["id_category"] = identity.national_ids(
        rng, pd.DatetimeIndex(p["birth_date"]).year.to_numpy(), district
    )
    row_of = pd.Series(np.arange(len(p)), index=p["person_id"].to_numpy())
    first_twin = row_of.reindex(p["twin_of"].to_numpy()).fillna(-1).to_numpy(dtype=np.int64)
    p["national_id"] = identity.consecutive_twin_ids(
        rng, ids, first_twin, hard.twins_consecutive_ids
    )
    thai = p["id_category"].isin(welfare.THAI_CATEGORIES).to_numpy()
    p["second_national_id"] = identity.reissued_ids(
        rng, p["national_id"].to_numpy().astype(str), thai, hard.reissued_id
    )
    p["phone"], p["phone_shared"] = identity.phones(
        rng,
        p["age"].to_numpy(),
        p["household_id"].to_numpy(dtype=object),
        (p["role"] == "head").to_numpy(),
        hard.shared_phone,
    )
    p["death_date"] = identity.deaths(
        rng, p["age"].to_numpy(), p["birth_date"].to_numpy().astype("datetime64[D]"), as_of
    )
    p["namesake"] = hard_negatives.plant_namesakes(rng, p, hh, hard.namesakes)
    p["family_namesake"] = hard_negatives.plant_family_namesakes(rng, p, hard.family_namesakes)
    p["relative_national_id"] = identity.relative_ids(p)
    p["previous_household_id"] = moves.plant_moves(_stream(seed, "moves"), p, hh, hard.moved)

    step("facts")
    p = facts.person_facts(_stream(seed, "facts"), p)
    p = welfare.welfare_card(_stream(seed, "welfare_card"), p)
    p = welfare.disability_cards(_stream(seed, "disability_cards"), p, as_of)
    hh = household_facts(_stream(seed, "household"), p, hh)
    p = p.merge(hh[["household_id", *moves.ADDRESS_COLUMNS]], on="household_id", how="left")

    step("payments")
    payments, errors = welfare.allowance_payments(
        _stream(seed, "payments"), p, hh, as_of, noise.welfare
    )
    errors = pd.concat([errors, welfare.welfare_card_errors(p)], ignore_index=True)
    world = World(
        persons=p,
        households=hh,
        payments=payments,
        welfare_errors=errors,
        as_of=as_of,
        coverage=noise.coverage,
    )
    return world, noise


def generate_world(
    out: Path,
    *,
    persons: int = 100_000,
    seed: int = 42,
    as_of: dt.date = DEFAULT_AS_OF,
    noise: NoiseModel | None = None,
    progress: Progress | None = None,
) -> WorldSummary:
    """Generate a synthetic world and write it under ``out``.

    Args:
        out: directory to write into (created; existing generated files are replaced).
        persons: number of people.
        seed: the same seed gives byte-identical files.
        as_of: the day the extracts are taken (ages, deaths and card expiry depend on it).
        noise: error rates; the packaged noise model by default.
        progress: called with the name of each step, for progress display.

    Returns:
        A `WorldSummary` of what was written.

    Example:
        >>> s = generate_world(Path("/tmp/w"), persons=500, seed=1)  # doctest: +SKIP
        >>> s.persons
        500
    """
    started = time.perf_counter()
    step = progress or (lambda _msg: None)
    world, noise = build_world(persons, seed, as_of, noise, step)
    try:
        (out / "extracts").mkdir(parents=True, exist_ok=True)
        (out / "truth").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(f"{out}: cannot create output directory: {exc.strerror}") from exc

    extracts: list[Extract] = []
    for name, build in AGENCIES.items():
        step(f"extract {name}")
        extract = build(world, noise.agencies[name], _stream(seed, f"agency:{name}"))
        if extract.frame.empty:
            continue  # nothing to report (a small world without care-home residents): no file
        write_extract(extract, out / "extracts")
        extracts.append(extract)

    step("truth")
    truth = pd.concat([e.truth for e in extracts], ignore_index=True)
    truth.to_csv(out / "truth" / "linkage_truth.csv", index=False)
    errors = world.welfare_errors
    errors.to_csv(out / "truth" / "welfare_errors.csv", index=False)
    # The relative's ID is a helper of the noise, not a fact of the person.
    world.persons.drop(columns=["relative_national_id"]).to_parquet(
        out / "truth" / "persons.parquet", index=False
    )
    world.households.to_parquet(out / "truth" / "households.parquet", index=False)
    world.payments.drop(columns=["person_index"]).to_parquet(
        out / "truth" / "payments.parquet", index=False
    )

    summary = _summarise(world, extracts, truth, errors, out, seed, time.perf_counter() - started)
    # The manifest holds only what the seed decides, so it is byte-identical across runs.
    manifest = {k: v for k, v in asdict(summary).items() if k not in ("out", "seconds")}
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return summary


def _summarise(
    world: World,
    extracts: list[Extract],
    truth: pd.DataFrame,
    errors: pd.DataFrame,
    out: Path,
    seed: int,
    seconds: float,
) -> WorldSummary:
    p = world.persons
    alive = p["death_date"].isna()
    planted = truth["planted"].fillna("").str.split(";").explode()
    return WorldSummary(
        out=str(out),
        seed=seed,
        persons=len(p),
        households=len(world.households),
        as_of=world.as_of.isoformat(),
        seconds=round(seconds, 2),
        population={
            "alive": int(alive.sum()),
            "died_in_last_two_years": int((~alive).sum()),
            "share_60_plus": round(float((p["age"] >= 60).mean()), 4),
            "share_under_15": round(float((p["age"] < 15).mean()), 4),
            "with_disability": int(p["has_disability"].sum()),
            "disability_registered": int(p["disability_registered"].sum()),
            "welfare_card_registered": int(p["welfare_card_registered"].sum()),
            "non_thai": int(p["id_category"].isin([6, 7, 0]).sum()),
            "twins": int(p["twin"].sum()),
            "namesakes": int(p["namesake"].sum()),
            "family_namesakes": int(p["family_namesake"].sum()),
            "born_jan_first_day_unknown": int(p["birth_day_unknown"].sum()),
            "registered_twice": int(p["second_national_id"].notna().sum()),
            "moved": int(p["previous_household_id"].notna().sum()),
            "shared_phone": int(p["phone_shared"].sum()),
            "poor_households_bmn": int(
                (world.households[[f"ind_{i:02d}" for i in range(1, 18)]] == 0).any(axis=1).sum()
            ),
        },
        extracts=[
            {
                "source": e.source,
                "file": f"extracts/{e.file}",
                "title": e.title,
                "format": e.fmt,
                "encoding": e.encoding,
                "key": e.key,
                "date_style": e.date_style,
                "rows": len(e.frame),
            }
            for e in extracts
        ],
        planted={k: int(v) for k, v in planted[planted != ""].value_counts().items()},
        welfare_errors={
            f"{a}/{b}": int(v)
            for (a, b), v in errors.groupby(["programme", "error_type"]).size().sort_index().items()
        },
    )
