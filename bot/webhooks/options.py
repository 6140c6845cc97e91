"""Tuning knobs of the webhook pipeline, from the environment (all optional).

They are not in :mod:`bot.config` because only this package reads them and the
defaults suit production; tests and benchmarks shorten them.

| Variable                          | Default | Meaning                                           |
|-----------------------------------|---------|---------------------------------------------------|
| WEBHOOK_HOLD_SECONDS              | 30      | how long an event for an unknown appointment waits |
| WEBHOOK_LEASE_SECONDS             | 60      | a worker's claim on an event (crash recovery time) |
| WEBHOOK_MAX_ATTEMPTS              | 8       | failed attempts before an event is parked          |
| WEBHOOK_RETRY_BASE_SECONDS        | 2       | first back-off; doubles per attempt                |
| WEBHOOK_RETRY_MAX_SECONDS         | 300     | longest back-off                                   |
| WEBHOOK_POLL_SECONDS              | 1       | how often the worker looks for due events anyway   |
| WEBHOOK_CONCURRENCY               | 8       | appointments handled at the same time              |
| WEBHOOK_SECRET_GRACE_HOURS        | 24      | how long a rotated-out secret is still accepted    |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot.config import ConfigError


@dataclass(frozen=True)
class WebhookOptions:
    hold: timedelta = timedelta(seconds=30)
    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 8
    retry_base: float = 2.0
    retry_max: float = 300.0
    poll: float = 1.0
    concurrency: int = 8
    secret_grace: timedelta = timedelta(hours=24)
    max_rate_limit_wait: float = 30.0  # a longer Retry-After releases the event instead

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebhookOptions:
        env = os.environ if env is None else env

        def number(name: str, default: float) -> float:
            raw = env.get(name, "").strip()
            if not raw:
                return default
            try:
                value = float(raw)
            except ValueError:
                raise ConfigError(f"{name}={raw!r} is not a number") from None
            if value <= 0:
                raise ConfigError(f"{name} must be positive")
            return value

        defaults = cls()
        return cls(
            hold=timedelta(seconds=number("WEBHOOK_HOLD_SECONDS", defaults.hold.total_seconds())),
            lease=timedelta(
                seconds=number("WEBHOOK_LEASE_SECONDS", defaults.lease.total_seconds())
            ),
            max_attempts=int(number("WEBHOOK_MAX_ATTEMPTS", defaults.max_attempts)),
            retry_base=number("WEBHOOK_RETRY_BASE_SECONDS", defaults.retry_base),
            retry_max=number("WEBHOOK_RETRY_MAX_SECONDS", defaults.retry_max),
            poll=number("WEBHOOK_POLL_SECONDS", defaults.poll),
            concurrency=int(number("WEBHOOK_CONCURRENCY", defaults.concurrency)),
            secret_grace=timedelta(
                hours=number(
                    "WEBHOOK_SECRET_GRACE_HOURS", defaults.secret_grace.total_seconds() / 3600
                )
            ),
        )

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failure (1, 2, 3 ...)."""
        return min(self.retry_max, self.retry_base * 2 ** max(attempts - 1, 0))
