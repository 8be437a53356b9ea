"""The poverty index per household and person, and TPMAP's target poor.

A household's indicator values come from its members' household-survey records (the
survey is answered per household, so members carry the same values; where they differ the
worst counts). A household that fails at least one indicator is poor; its members are
poor. The *target poor* (คนจนเป้าหมาย) are the poor who are also registered for the state
welfare card; the poor who are not are the outreach list.
"""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from sitthi.engines.duckdb import one, run
from sitthi.errors import RuleError
from sitthi.yaml_models import parse_yaml_model

if TYPE_CHECKING:
    import duckdb


class Label(BaseModel):
    """A dimension's names."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    th: str
    en: str


class Indicator(BaseModel):
    """One survey indicator and its dimension."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    dimension: str
    th: str


class IndicatorSet(BaseModel):
    """The indicators of the index, by fact indicator name."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int = Field(ge=1)
    dimensions: dict[str, Label]
    indicators: dict[str, Indicator] = Field(min_length=1)


def load_indicators() -> IndicatorSet:
    """The packaged indicator set (TPMAP's 17 จปฐ. indicators)."""
    text = files("sitthi.poverty").joinpath("indicators.yaml").read_text(encoding="utf-8")
    found = parse_yaml_model(
        text, "poverty/indicators.yaml", IndicatorSet, RuleError, "a mapping of indicators"
    )
    unknown = {i.dimension for i in found.indicators.values()} - set(found.dimensions)
    if unknown:
        raise RuleError(f"poverty/indicators.yaml: unknown dimensions {sorted(unknown)}")
    return found


def build_poverty(con: duckdb.DuckDBPyConnection, indicators: IndicatorSet) -> int:
    """Write ``household_poverty`` and ``person_poverty``; returns surveyed households."""
    run(
        con,
        "create or replace temp table poverty_indicators (indicator varchar, dimension varchar)",
    )
    con.executemany(
        "insert into poverty_indicators values (?, ?)",
        [(k, v.dimension) for k, v in indicators.indicators.items()],
    )
    run(
        con,
        """
        create or replace table household_poverty as
        with values_ as (
            select ph.household_id, f.indicator, i.dimension, min(f.value_number) as value
            from facts f
            join poverty_indicators i on i.indicator = f.indicator
            join person_records p on p.source = f.source and p.record_id = f.record_id
            join person_households ph on ph.person_id = p.person_id
            where f.value_number is not null
            group by all)
        select h.household_id, h.province_code, h.district_code, h.subdistrict_code,
               h.members,
               list(v.indicator order by v.indicator) filter (v.value = 0) as failed,
               list(distinct v.dimension order by v.dimension) filter (v.value = 0)
                   as failed_dimensions,
               count(*) filter (v.value = 0) > 0 as poor
        from households h
        join values_ v using (household_id)
        group by all
        """,
    )
    run(
        con,
        """
        create or replace table person_poverty as
        select pr.person_id, pr.household_id, hp.poor,
               coalesce(pr.welfare_card, false) as welfare_card,
               hp.poor and coalesce(pr.welfare_card, false) as target_poor,
               hp.poor and not coalesce(pr.welfare_card, false) as outreach,
               hp.province_code, hp.district_code, hp.subdistrict_code
        from profiles pr
        join household_poverty hp on hp.household_id = pr.household_id
        where pr.alive
        """,
    )
    return int(one(con, "select count(*) from household_poverty"))
