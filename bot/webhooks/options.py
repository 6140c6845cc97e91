"""Tuning knobs of the webhook pipeline as one typed value.

They are read from the environment with every other setting in :mod:`bot.config`
(``WEBHOOK_*``, listed in ``scheducal-bot --help``); tests and benchmarks shorten them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.config import Settings


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
    def from_settings(cls, settings: Settings) -> WebhookOptions:
        return cls(
            hold=timedelta(seconds=settings.webhook_hold_seconds),
            lease=timedelta(seconds=settings.webhook_lease_seconds),
            max_attempts=settings.webhook_max_attempts,
            retry_base=settings.webhook_retry_base_seconds,
            retry_max=settings.webhook_retry_max_seconds,
            poll=settings.webhook_poll_seconds,
            concurrency=settings.webhook_concurrency,
            secret_grace=timedelta(hours=settings.webhook_secret_grace_hours),
        )

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failure (1, 2, 3 ...)."""
        return min(self.retry_max, self.retry_base * 2 ** max(attempts - 1, 0))
