"""When and how long the client waits before trying a ScheduCal call again."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# Statuses worth another attempt after a backoff (429 is handled with Retry-After).
RETRY_STATUSES = frozenset({500, 502, 503, 504})
# Error statuses after which the server may nevertheless have done what was asked.
AMBIGUOUS_STATUSES = frozenset({500, 502, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded attempts; exponential backoff with full jitter; a ceiling on Retry-After.

    ``max_attempts`` counts every attempt (4 = one try and three retries).
    ``backoff_base``/``backoff_cap``: the n-th retry waits a uniformly random time in
    ``[0, min(cap, base * 2**(n-1))]`` ("full jitter"), so clients that failed together
    do not retry together.
    ``max_retry_after``: a 429 whose ``Retry-After`` is longer than this is not waited
    out; the call fails with :class:`RateLimitExceeded` carrying ``retry_after``, so a
    person hears "try again in N s" instead of a request hanging for minutes.
    """

    max_attempts: int = 4
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    max_retry_after: float = 60.0
    rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def backoff(self, retry_number: int) -> float:
        """Seconds to wait before retry number ``retry_number`` (1 for the first retry)."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (retry_number - 1))
        return self.rng.uniform(0.0, ceiling)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date; None when absent or bad."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN, infinities
        return None
    return max(seconds, 0.0)
