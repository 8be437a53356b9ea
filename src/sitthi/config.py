"""Configuration in one typed object, read once from the environment (prefix ``SITTHI_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting Sitthi reads. Pass it down; never read ``os.environ`` deep in the code.

    Example:
        >>> Settings(environment="development").environment
        'development'
    """

    model_config = SettingsConfigDict(env_prefix="SITTHI_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    """``production`` refuses unsafe defaults (such as a default pseudonym key)."""

    data_dir: Path = Path("data")
    """Where stores and outputs go when a command is not told otherwise."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings()
