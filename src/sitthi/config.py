"""Configuration in one typed object, read once from the environment (prefix ``SITTHI_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from sitthi.errors import ConfigError

# Published in the source, so it protects nothing: fine for synthetic data, refused in
# production (full-stack-fastapi-template's rule for default secrets).
DEVELOPMENT_PSEUDONYM_KEY = "sitthi-development-key-not-secret"
MIN_KEY_LENGTH = 16
#: In production a key must resist guessing: 32 characters of some variety (a token_hex(32)
#: has 64 characters of 16 kinds; "aaaa…" or "abcdabcd…" of the same length does not).
MIN_PRODUCTION_KEY_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 10
MAKE_A_KEY = 'python -c "import secrets; print(secrets.token_hex(32))"'
#: What a setting must be, for the one-line error naming its variable.
_EXPECTED = {
    "environment": "expected development or production",
    "pseudonym_key_version": "expected a whole number ≥ 1",
    "suppression_k": "expected a whole number ≥ 2",
    "token_minutes": "expected minutes from 1 to 1440",
    "rate_limit_per_minute": "expected a whole number ≥ 1",
}
_SECRET = {"pseudonym_key"}  # never repeated in a message


class Settings(BaseSettings):
    """Every setting Sitthi reads. Pass it down; never read ``os.environ`` deep in the code.

    Example:
        >>> Settings(environment="Production").environment
        'production'
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

    pseudonym_key_version: int = Field(default=1, ge=1)
    """Recorded with every pseudonym, so a rotated key can be told from the old one."""

    operations_url: str | None = None
    """SQLAlchemy URL of the operational store (users, API clients, DSAs, the audit log,
    notice deliveries, review decisions), e.g. ``postgresql+psycopg://…`` in production.
    Default: a SQLite file beside the analytics store (``sitthi.operations.sqlite``)."""

    releases_dir: Path | None = None
    """Where `sitthi publish` puts releases. Default: ``releases/`` beside the store."""

    signing_keys_dir: Path | None = None
    """The API's token signing keys (Ed25519, one PEM file each; the newest signs). Default:
    ``signing-keys/`` beside the store. Development makes one on first use; production
    refuses those."""

    token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    """How long an access token from ``/oauth2/client/token`` is valid."""

    rate_limit_per_minute: int = Field(default=1200, ge=1)
    """Requests per minute one API caller (a client, a user, or an address before it signs
    in) may make on average; bursts of a tenth of that are allowed."""

    release_statistics: bool = True
    """Whether `sitthi publish` computes the suppressed area statistics (the slow part of a
    publish: the suppression's audit solves linear programmes per indicator). Off, a
    release still serves persons; its statistics routes answer that it has none."""

    suppression_k: int = Field(default=10, ge=2)
    """Aggregates that leave suppress every cell counting fewer than this many persons."""

    @field_validator("environment", mode="before")
    @classmethod
    def _any_case(cls, value: object) -> object:
        # `Production` is what people type; an unknown word stays an error, never development.
        return value.strip().lower() if isinstance(value, str) else value

    def pseudonym_secret(self) -> bytes:
        """The pseudonym key; refuses a weak one (`check_pseudonym_key`)."""
        if self.pseudonym_key_file is not None:
            from sitthi.yaml_models import read_user_file

            try:
                key = read_user_file(
                    self.pseudonym_key_file, ConfigError, what="pseudonym key", limit=4096
                ).strip()
            except ConfigError as exc:
                raise ConfigError(f"SITTHI_PSEUDONYM_KEY_FILE {exc}") from exc
            where = f"SITTHI_PSEUDONYM_KEY_FILE {self.pseudonym_key_file}"
        else:
            key, where = self.pseudonym_key.get_secret_value(), "SITTHI_PSEUDONYM_KEY"
        check_pseudonym_key(key, production=self.environment == "production", where=where)
        return key.encode("utf-8")


def _weakness(key: str, production: bool) -> str | None:
    if key == DEVELOPMENT_PSEUDONYM_KEY:
        return (
            "the default pseudonym key is published, so refused in production"
            if production
            else None
        )
    least = MIN_PRODUCTION_KEY_LENGTH if production else MIN_KEY_LENGTH
    if len(key) < least:
        return f"the pseudonym key must be at least {least} characters" + (
            " in production" if production else ""
        )
    if not production:
        return None
    if len(set(key)) < MIN_DISTINCT_CHARACTERS:
        return (
            f"the pseudonym key has only {len(set(key))} distinct characters "
            f"(production needs {MIN_DISTINCT_CHARACTERS})"
        )
    # A key that repeats a pattern is only as strong as the pattern.
    period = next((p for p in range(1, least) if key[p:] == key[:-p]), None)
    if period:
        return f"the pseudonym key repeats a pattern of {period} characters"
    return None


def check_pseudonym_key(key: str, *, production: bool, where: str) -> None:
    """Refuse a pseudonym key that is easy to guess; ``where`` says where it came from.

    Anywhere: fewer than 16 characters. In production also the published development key,
    fewer than 32 characters, fewer than 10 distinct ones, or a short pattern repeated.

    Example:
        >>> import secrets
        >>> check_pseudonym_key(secrets.token_hex(32), production=True, where="a test")
    """
    weakness = _weakness(key, production)
    if weakness:
        raise ConfigError(
            f"{where}: {weakness}; make a good one with `{MAKE_A_KEY}` and set "
            "SITTHI_PSEUDONYM_KEY or SITTHI_PSEUDONYM_KEY_FILE"
        )


def _describe(exc: PydanticValidationError) -> str:
    """One line per bad setting, naming its variable: pydantic's own text is a dozen lines
    with a link, and would quote a secret."""
    lines = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        expected = _EXPECTED.get(field, err["msg"])
        got = "" if field in _SECRET else f", got {str(err.get('input'))[:60]!r}"
        lines.append(f"SITTHI_{field.upper()}: {expected}{got}")
    return "\n".join(lines)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once; a bad setting is a `ConfigError`."""
    try:
        return Settings()
    except PydanticValidationError as exc:
        raise ConfigError(_describe(exc)) from exc
