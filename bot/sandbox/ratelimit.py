"""Per-account sliding-window rate limit (60 requests per rolling minute by default)."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from bot.sandbox.errors import ApiError


class RateLimiter:
    """Admit at most ``limit`` requests per ``window`` seconds per key; ``limit=None`` admits all.

    Refused requests are not counted, so a client that honours ``Retry-After`` gets in
    exactly when the oldest counted request leaves the window.
    """

    def __init__(
        self,
        limit: int | None,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit is not None and limit < 1:
            raise ValueError("rate limit must be a positive number of requests, or None")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}

    def check(self, key: str) -> None:
        """Count one request for ``key`` or raise a 429 :class:`ApiError` with ``Retry-After``."""
        if self.limit is None:
            return
        now = self._clock()
        seen = self._seen.setdefault(key, deque())
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        if len(seen) >= self.limit:
            wait = max(1, math.ceil(seen[0] + self.window - now))
            raise ApiError(
                429,
                "rate_limit_exceeded",
                f"rate limit of {self.limit} requests per minute exceeded; retry in {wait} s",
                headers={"Retry-After": str(wait)},
            )
        seen.append(now)
