"""Configuration in one typed object, read once from the environment (prefix ``SITTHI_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from sitthi.errors import ConfigError

# Published in the source, so it protects nothing: fine for synthetic data, refused in
# production (full-stack-fastapi-template's rule for default secrets).
DEVELOPMENT_PSEUDONYM_KEY = "sitthi-development-key-not-secret"


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

    db: Path = Path("data/sitthi.duckdb")
    """The analytics store (a DuckDB file) when a command gets no ``--db``."""

    duckdb_memory_limit: str | None = None
    """Memory DuckDB may use, e.g. ``6GB`` (DuckDB's default is 80 % of RAM). A lower limit
    spills to disk: a 10M-row load peaks near 20 GB by default, 6.5 GB with ``6GB``."""

    pseudonym_key: SecretStr = SecretStr(DEVELOPMENT_PSEUDONYM_KEY)
    """Key of the HMAC-SHA256 pseudonym of national IDs. Keep it outside the database."""

    pseudonym_key_file: Path | None = None
    """A file holding the key (wins over ``pseudonym_key``), e.g. a mounted secret."""

    pseudonym_key_version: int = 1
    """Recorded with every pseudonym, so a rotated key can be told from the old one."""

    def pseudonym_secret(self) -> bytes:
        """The pseudonym key; refuses the development key outside development mode."""
        if self.pseudonym_key_file is not None:
            try:
                key = self.pseudonym_key_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(
                    f"SITTHI_PSEUDONYM_KEY_FILE {self.pseudonym_key_file}: {exc.strerror}"
                ) from exc
        else:
            key = self.pseudonym_key.get_secret_value()
        if self.environment != "development" and key == DEVELOPMENT_PSEUDONYM_KEY:
            raise ConfigError(
                "the default pseudonym key is refused outside development: set "
                "SITTHI_PSEUDONYM_KEY or SITTHI_PSEUDONYM_KEY_FILE"
            )
        if len(key) < 16:
            raise ConfigError("the pseudonym key must be at least 16 characters")
        return key.encode("utf-8")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings()
