"""Configuration: every wrong value names its variable; secrets never print."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.settings import ConfigError, describe_settings, load_settings


def test_defaults_mean_embedded_servers() -> None:
    settings = load_settings({})
    assert settings.embedded_postgres and settings.embedded_redis
    assert settings.port == 8000


def test_environment_values_are_converted() -> None:
    settings = load_settings(
        {
            "PINGAN_PORT": "8123",
            "PINGAN_LOG_JSON": "false",
            "PINGAN_ALLOWED_ORIGINS": "https://wall.example, https://ops.example",
            "PINGAN_REDIS_URL": "redis://10.0.0.1:6379/2",
        }
    )
    assert settings.port == 8123
    assert settings.log_json is False
    assert settings.allowed_origins == ["https://wall.example", "https://ops.example"]
    assert not settings.embedded_redis and settings.embedded_postgres


@pytest.mark.parametrize(
    ("env", "named", "reason"),
    [
        ({"PINGAN_PORT": "eighty"}, "PINGAN_PORT", "int"),
        ({"PINGAN_PORT": "70000"}, "PINGAN_PORT", "65535"),
        ({"PINGAN_LOG_LEVEL": "LOUD"}, "PINGAN_LOG_LEVEL", "LOUD"),
        ({"PINGAN_POSITION_FRESHNESS_S": "-1"}, "PINGAN_POSITION_FRESHNESS_S", "> 0"),
        ({"PINGAN_DB_POOL_MIN": "50", "PINGAN_DB_POOL_MAX": "10"}, "PINGAN_DB_POOL_MIN", "exceed"),
        ({"PINGAN_REDIS_PREFIX": "has space"}, "PINGAN_REDIS_PREFIX", "matching regex"),
        ({"PINGAN_PROT": "1"}, "PINGAN_PROT", "unknown setting"),
    ],
)
def test_bad_value_names_the_variable(env: dict[str, str], named: str, reason: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    message = str(caught.value)
    assert message.startswith(named + ":")
    assert reason in message


def test_toml_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    file = tmp_path / "pingan.toml"
    file.write_text('port = 9001\nhost = "0.0.0.0"\n', encoding="utf-8")
    settings = load_settings({"PINGAN_CONFIG_FILE": str(file), "PINGAN_PORT": "9002"})
    assert settings.host == "0.0.0.0"
    assert settings.port == 9002


def test_unreadable_toml_names_the_file(tmp_path: Path) -> None:
    file = tmp_path / "broken.toml"
    file.write_text("port = = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="PINGAN_CONFIG_FILE"):
        load_settings({"PINGAN_CONFIG_FILE": str(file)})


def test_describe_hides_secrets_and_passwords() -> None:
    settings = load_settings(
        {
            "PINGAN_DATABASE_URL": "postgresql://app:s3cret@db.internal:5432/pingan",
            "PINGAN_SECRET_KEY": "very-secret-signing-key",
        }
    )
    shown = describe_settings(settings)
    text = repr(shown)
    assert "s3cret" not in text and "very-secret-signing-key" not in text
    assert shown["database_url"] == "postgresql://app:********@db.internal:5432/pingan"
    assert shown["secret_key"] == "********"
