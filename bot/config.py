"""Every setting of the bot, read from the environment in one place.

Each setting has a default that runs locally (SQLite file, local sandbox), except
the secrets that only a real deployment has; those are checked by
:meth:`Settings.require`, which stops start-up with one line naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

DEFAULT_SCHEDUCAL_API_URL = "https://api.scheducal.com"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///scheducal-bot.sqlite3"


class ConfigError(SystemExit):
    """A missing or malformed setting; its message is the one line shown to the operator."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# What each setting is for: used in error messages and in `scheducal-bot --help`.
SETTING_HELP: dict[str, str] = {
    "SCHEDUCAL_API_URL": "base URL of the ScheduCal API",
    "SCHEDUCAL_API_KEY": "ScheduCal API key, sent with every API call",
    "SCHEDUCAL_API_SECRET": "ScheduCal API secret, sent with every API call",
    "SCHEDUCAL_WEBHOOK_SECRET": "whsec_ secret(s) that sign ScheduCal webhooks, comma-separated",
    "SCHEDUCAL_RATE_LIMIT": "ScheduCal requests per minute this process may make",
    "SCHEDUCAL_DEFAULT_CHANNEL": "Slack channel for webhook events of unknown appointments",
    "SLACK_BOT_TOKEN": "Slack bot token (xoxb-...) used for every Web API call",
    "SLACK_SIGNING_SECRET": "Slack signing secret that verifies requests to /slack/events",
    "SLACK_APP_TOKEN": "Slack app-level token (xapp-...); when set, Socket Mode is used",
    "SLACK_API_URL": "base URL of the Slack Web API",
    "SLACK_COMMAND": "name of the slash command",
    "DATE_ORDER": "how numeric dates like 4/5 are read: MDY (April 5, default) or DMY (4 May)",
    "DATABASE_URL": "SQLAlchemy URL of the database",
    "HOST": "interface the web server binds to",
    "PORT": "port the web server listens on",
    "PUBLIC_URL": "public HTTPS base URL of this app (for webhook registration)",
    "LOG_LEVEL": "logging level (DEBUG, INFO, WARNING, ERROR)",
    "WEBHOOK_HOLD_SECONDS": "how long an event for an unknown appointment waits (30)",
    "WEBHOOK_LEASE_SECONDS": "a webhook worker's claim on an event, i.e. crash recovery time (60)",
    "WEBHOOK_MAX_ATTEMPTS": "failed Slack attempts before a webhook event is parked (8)",
    "WEBHOOK_RETRY_BASE_SECONDS": "first back-off after a failed Slack call; doubles (2)",
    "WEBHOOK_RETRY_MAX_SECONDS": "longest back-off after failed Slack calls (300)",
    "WEBHOOK_POLL_SECONDS": "how often the webhook worker looks for due events anyway (1)",
    "WEBHOOK_CONCURRENCY": "appointments the webhook worker handles at the same time (8)",
    "WEBHOOK_SECRET_GRACE_HOURS": "how long a rotated-out webhook secret is still accepted (24)",
}


def _split_secrets(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    """Immutable snapshot of the configuration. Secrets are hidden from ``repr``."""

    scheducal_api_url: str = DEFAULT_SCHEDUCAL_API_URL
    scheducal_api_key: str = field(default="", repr=False)
    scheducal_api_secret: str = field(default="", repr=False)
    scheducal_webhook_secrets: tuple[str, ...] = field(default=(), repr=False)
    scheducal_rate_limit: int = 60
    scheducal_default_channel: str = ""
    slack_bot_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    slack_api_url: str = DEFAULT_SLACK_API_URL
    slack_command: str = "/meet"
    date_order: str = "MDY"
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 3000
    public_url: str = ""
    log_level: str = "INFO"
    # Tuning of the webhook pipeline; the defaults suit production, tests shorten them.
    webhook_hold_seconds: float = 30.0
    webhook_lease_seconds: float = 60.0
    webhook_max_attempts: int = 8
    webhook_retry_base_seconds: float = 2.0
    webhook_retry_max_seconds: float = 300.0
    webhook_poll_seconds: float = 1.0
    webhook_concurrency: int = 8
    webhook_secret_grace_hours: float = 24.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def get(name: str, default: str = "") -> str:
            return env.get(name, default).strip() or default

        def get_int(name: str, default: int) -> int:
            raw = get(name, str(default))
            try:
                value = int(raw)
            except ValueError:
                raise ConfigError(
                    f"{name}={raw!r} is not a whole number ({SETTING_HELP[name]})"
                ) from None
            if value <= 0:
                raise ConfigError(f"{name} must be positive ({SETTING_HELP[name]})")
            return value

        def get_float(name: str, default: float) -> float:
            raw = get(name, str(default))
            try:
                value = float(raw)
            except ValueError:
                message = f"{name}={raw!r} is not a number ({SETTING_HELP[name]})"
                raise ConfigError(message) from None
            if not value > 0:
                raise ConfigError(f"{name} must be positive ({SETTING_HELP[name]})")
            return value

        date_order = get("DATE_ORDER", "MDY").upper()
        if date_order not in ("MDY", "DMY"):
            raise ConfigError(
                f"DATE_ORDER={date_order!r} must be MDY or DMY ({SETTING_HELP['DATE_ORDER']})"
            )

        slack_api_url = get("SLACK_API_URL", DEFAULT_SLACK_API_URL)
        if not slack_api_url.endswith("/"):
            slack_api_url += "/"
        command = get("SLACK_COMMAND", "/meet")
        if not command.startswith("/"):
            command = "/" + command
        return cls(
            scheducal_api_url=get("SCHEDUCAL_API_URL", DEFAULT_SCHEDUCAL_API_URL).rstrip("/"),
            scheducal_api_key=get("SCHEDUCAL_API_KEY"),
            scheducal_api_secret=get("SCHEDUCAL_API_SECRET"),
            scheducal_webhook_secrets=_split_secrets(get("SCHEDUCAL_WEBHOOK_SECRET")),
            scheducal_rate_limit=get_int("SCHEDUCAL_RATE_LIMIT", 60),
            scheducal_default_channel=get("SCHEDUCAL_DEFAULT_CHANNEL"),
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_api_url=slack_api_url,
            slack_command=command,
            date_order=date_order,
            database_url=get("DATABASE_URL", DEFAULT_DATABASE_URL),
            host=get("HOST", "127.0.0.1"),
            port=get_int("PORT", 3000),
            public_url=get("PUBLIC_URL").rstrip("/"),
            log_level=get("LOG_LEVEL", "INFO").upper(),
            webhook_hold_seconds=get_float("WEBHOOK_HOLD_SECONDS", 30.0),
            webhook_lease_seconds=get_float("WEBHOOK_LEASE_SECONDS", 60.0),
            webhook_max_attempts=get_int("WEBHOOK_MAX_ATTEMPTS", 8),
            webhook_retry_base_seconds=get_float("WEBHOOK_RETRY_BASE_SECONDS", 2.0),
            webhook_retry_max_seconds=get_float("WEBHOOK_RETRY_MAX_SECONDS", 300.0),
            webhook_poll_seconds=get_float("WEBHOOK_POLL_SECONDS", 1.0),
            webhook_concurrency=get_int("WEBHOOK_CONCURRENCY", 8),
            webhook_secret_grace_hours=get_float("WEBHOOK_SECRET_GRACE_HOURS", 24.0),
        )

    def require(self, *names: str) -> None:
        """Stop with one line naming the first missing setting and what it is for."""
        by_env_name = {f.name.upper(): f.name for f in fields(self)}
        by_env_name["SCHEDUCAL_WEBHOOK_SECRET"] = "scheducal_webhook_secrets"
        for name in names:
            if not getattr(self, by_env_name[name]):
                raise ConfigError(f"{name} is not set: it is the {SETTING_HELP[name]}.")

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some settings replaced (used by `shell` and by tests)."""
        from dataclasses import replace

        return replace(self, **changes)
