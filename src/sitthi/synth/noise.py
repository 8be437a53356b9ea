"""The noise model: error rates per agency, as validated data (``noise.yaml``)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sitthi.errors import ValidationError as SitthiValidationError

Rate = Field(ge=0.0, le=1.0)


class AgencyNoise(BaseModel):
    """Shares of an extract's rows that get each kind of error."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    missing_id: float = Rate
    id_typo: float = Rate
    title_variant: float = Rate
    title_glued: float = Rate
    spelling_variant: float = Rate
    keyboard_typo: float = Rate
    era_mixup: float = Rate
    partial_birth_date: float = Rate
    missing_birth_date: float = Rate
    day_month_swap: float = Rate
    maiden_name: float = Rate
    duplicate: float = Rate
    # The right valid ID with one or two other things wrong.
    jan_first_birth: float = Rate
    birth_year_off: float = Rate
    maiden_title: float = Rate
    name_swap: float = Rate
    two_field_errors: float = Rate
    id_thai_digits: float = Rate
    id_separators: float = Rate
    # Another valid ID than the person's own.
    id_typo_valid: float = Rate
    second_id: float = Rate
    relative_id: float = Rate
    # Addresses.
    stale_address: float = Rate


class WelfareErrorRates(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    exclusion: float = Rate
    inclusion_under_60: float = Rate
    inclusion_pensioner: float = Rate
    inclusion_no_card: float = Rate
    inclusion_expired_card: float = Rate
    paid_twice: float = Rate
    paid_after_death: float = Rate


class PopulationNoise(BaseModel):
    """The hard cases of the true population, before any agency writes it down."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    twins: float = Rate
    twins_similar_names: float = Rate
    twins_consecutive_ids: float = Rate
    namesakes: float = Rate
    family_namesakes: float = Rate
    elderly_jan_first: float = Rate
    reissued_id: float = Rate
    moved: float = Rate
    shared_phone: float = Rate


class CoverageRates(BaseModel):
    """How completely each agency covers the people it should."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cdd_households_surveyed: float = Rate
    nhso_dead_still_listed: float = Rate
    moe_migrants_with_g_code: float = Rate


class NoiseModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    agencies: dict[str, AgencyNoise]
    welfare: WelfareErrorRates
    population: PopulationNoise
    coverage: CoverageRates


def load_noise_model(path: Path | None = None) -> NoiseModel:
    """Read and validate a noise model; the packaged ``noise.yaml`` by default."""
    if path is None:
        text = files("sitthi.synth").joinpath("noise.yaml").read_text(encoding="utf-8")
        name = "noise.yaml (packaged)"
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SitthiValidationError(f"{path}: cannot read noise model: {exc.strerror}") from exc
        name = str(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SitthiValidationError(f"{name}: not valid YAML: {exc}") from exc
    try:
        return NoiseModel.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise SitthiValidationError(f"{name}: field {where}: {first['msg']}") from exc
