"""Settings: a bad one is one line naming its variable; a weak key is refused in production."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitthi.config import DEVELOPMENT_PSEUDONYM_KEY, Settings, get_settings
from sitthi.errors import ConfigError


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)  # no .env file of the checkout
    for name in Settings.model_fields:
        monkeypatch.delenv(f"SITTHI_{name.upper()}", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize("value", ["Production", "PRODUCTION", " production "])
def test_the_environment_is_read_in_any_case(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SITTHI_ENVIRONMENT", value)
    assert get_settings().environment == "production"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("SITTHI_ENVIRONMENT", "prod", "expected development or production, got 'prod'"),
        ("SITTHI_PSEUDONYM_KEY_VERSION", "abc", "expected a whole number ≥ 1, got 'abc'"),
        ("SITTHI_PSEUDONYM_KEY_VERSION", "0", "expected a whole number ≥ 1, got '0'"),
        ("SITTHI_PSEUDONYM_KEY_VERSION", "1.5", "expected a whole number ≥ 1, got '1.5'"),
    ],
)
def test_a_bad_setting_is_one_line_naming_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        get_settings()
    assert str(caught.value) == f"{variable}: {expected}"


def test_a_bad_dotenv_file_is_named_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SITTHI_ENVIRONMENT=staging\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="SITTHI_ENVIRONMENT: expected development or prod"):
        get_settings()


def test_development_accepts_the_development_key() -> None:
    assert Settings(environment="development").pseudonym_secret() == (
        DEVELOPMENT_PSEUDONYM_KEY.encode()
    )


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (DEVELOPMENT_PSEUDONYM_KEY, "the default pseudonym key is published"),
        ("0123456789abcdef0123", "at least 32 characters in production"),
        ("a" * 64, "only 1 distinct characters"),
        ("0123456789" * 4, "repeats a pattern of 10 characters"),
        ("correct-horse-battery-stapl" * 2, "repeats a pattern of 27 characters"),
    ],
)
def test_production_refuses_a_weak_key(key: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        Settings(environment="production", pseudonym_key=key).pseudonym_secret()
    assert "secrets.token_hex(32)" in str(caught.value)
    assert key not in str(caught.value)


def test_production_accepts_a_good_key(tmp_path: Path) -> None:
    key = secrets.token_hex(32)
    assert Settings(environment="production", pseudonym_key=key).pseudonym_secret()
    (tmp_path / "key").write_text(f"{key}\n", encoding="utf-8")
    settings = Settings(environment="production", pseudonym_key_file=tmp_path / "key")
    assert settings.pseudonym_secret() == key.encode()


def test_development_still_refuses_a_short_key() -> None:
    with pytest.raises(ConfigError, match="at least 16 characters"):
        Settings(pseudonym_key="short").pseudonym_secret()


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_key_file_that_never_ends_is_not_read() -> None:
    with pytest.raises(ConfigError, match=r"SITTHI_PSEUDONYM_KEY_FILE /dev/zero: .*\(a device\)"):
        Settings(pseudonym_key_file=Path("/dev/zero")).pseudonym_secret()
