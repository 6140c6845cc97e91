"""Settings come from the environment, with local defaults and one-line errors."""

from __future__ import annotations

import pytest

from bot.config import DEFAULT_DATABASE_URL, ConfigError, Settings


def test_defaults_run_locally() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.port == 3000
    assert settings.host == "127.0.0.1"
    assert settings.scheducal_api_url == "https://api.scheducal.com"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.slack_command == "/meet"
    assert settings.scheducal_rate_limit == 60


def test_values_are_read_and_normalised() -> None:
    settings = Settings.from_env(
        {
            "SCHEDUCAL_API_URL": "http://127.0.0.1:8765/",
            "SCHEDUCAL_WEBHOOK_SECRET": "whsec_new, whsec_old ,",
            "SLACK_API_URL": "http://127.0.0.1:9000/api",
            "SLACK_COMMAND": "schedule",
            "PORT": "8080",
            "LOG_LEVEL": "debug",
        }
    )
    assert settings.scheducal_api_url == "http://127.0.0.1:8765"
    assert settings.scheducal_webhook_secrets == ("whsec_new", "whsec_old")
    assert settings.slack_api_url == "http://127.0.0.1:9000/api/"
    assert settings.slack_command == "/schedule"
    assert settings.port == 8080
    assert settings.log_level == "DEBUG"


def test_bad_number_names_the_variable() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"PORT": "eighty"})
    assert "PORT" in str(info.value)
    assert "port the web server listens on" in str(info.value)


def test_missing_required_setting_is_one_line_naming_it() -> None:
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1"})
    settings.require("SLACK_BOT_TOKEN")
    with pytest.raises(ConfigError) as info:
        settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("SLACK_SIGNING_SECRET is not set")
    assert "signing secret" in message
    with pytest.raises(ConfigError, match="SCHEDUCAL_WEBHOOK_SECRET"):
        settings.require("SCHEDUCAL_WEBHOOK_SECRET")


def test_secrets_stay_out_of_repr() -> None:
    settings = Settings.from_env(
        {
            "SCHEDUCAL_API_KEY": "key-abc123",
            "SCHEDUCAL_API_SECRET": "secret-def456",
            "SCHEDUCAL_WEBHOOK_SECRET": "whsec_ghi789",
            "SLACK_BOT_TOKEN": "xoxb-jkl012",
            "SLACK_SIGNING_SECRET": "sign-mno345",
            "SLACK_APP_TOKEN": "xapp-pqr678",
        }
    )
    text = repr(settings)
    for secret in ("abc123", "def456", "ghi789", "jkl012", "mno345", "pqr678"):
        assert secret not in text


def test_webhook_tuning_is_read_with_the_rest() -> None:
    settings = Settings.from_env({"WEBHOOK_HOLD_SECONDS": "0.5", "WEBHOOK_MAX_ATTEMPTS": "3"})
    assert settings.webhook_hold_seconds == 0.5
    assert settings.webhook_max_attempts == 3
    assert settings.webhook_lease_seconds == 60.0
    with pytest.raises(ConfigError, match="WEBHOOK_POLL_SECONDS"):
        Settings.from_env({"WEBHOOK_POLL_SECONDS": "soon"})
    with pytest.raises(ConfigError, match="WEBHOOK_RETRY_BASE_SECONDS must be positive"):
        Settings.from_env({"WEBHOOK_RETRY_BASE_SECONDS": "0"})


def test_date_order_is_checked() -> None:
    assert Settings.from_env({}).date_order == "MDY"
    assert Settings.from_env({"DATE_ORDER": "dmy"}).date_order == "DMY"
    with pytest.raises(ConfigError, match="DATE_ORDER='YMD' must be MDY or DMY"):
        Settings.from_env({"DATE_ORDER": "ymd"})
