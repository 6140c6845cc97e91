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
    "DATABASE_URL": "SQLAlchemy URL of the database",
    "HOST": "interface the web server binds to",
    "PORT": "port the web server listens on",
    "PUBLIC_URL": "public HTTPS base URL of this app (for webhook registration)",
    "LOG_LEVEL": "logging level (DEBUG, INFO, WARNING, ERROR)",
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
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 3000
    public_url: str = ""
    log_level: str = "INFO"

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
            database_url=get("DATABASE_URL", DEFAULT_DATABASE_URL),
            host=get("HOST", "127.0.0.1"),
            port=get_int("PORT", 3000),
            public_url=get("PUBLIC_URL").rstrip("/"),
            log_level=get("LOG_LEVEL", "INFO").upper(),
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
