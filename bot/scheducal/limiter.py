"""A client-side rate limiter so one process stays under ScheduCal's per-account limit.

Sliding-window log: at most ``limit`` requests start in any ``window`` seconds. Unlike a
token bucket with a full bucket (which allows up to twice the limit in the first
window), this never exceeds the server's "N per minute", whatever the server's own
window looks like. Waiters are served first come, first served: a burst queues in
order instead of collecting 429s.

When the server answers 429 anyway (another process shares the account),
:meth:`SlidingWindowLimiter.defer` holds every caller until ``Retry-After`` has passed,
so concurrent calls do not all hammer the server and each earn their own 429.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit <= 0:
            raise ValueError("limit must be a positive number of requests")
        if window <= 0:
            raise ValueError("window must be a positive number of seconds")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._starts: deque[float] = deque()
        self._blocked_until = 0.0
        self._lock = asyncio.Lock()  # FIFO: the first caller to wait is the first served

    def __repr__(self) -> str:
        return f"SlidingWindowLimiter(limit={self.limit}, window={self.window})"

    def _delay(self, now: float) -> float:
        """Seconds to wait before one more request may start (0 when it may start now)."""
        while self._starts and self._starts[0] <= now - self.window:
            self._starts.popleft()
        wait = self._blocked_until - now
        if len(self._starts) >= self.limit:
            wait = max(wait, self._starts[0] + self.window - now)
        return max(wait, 0.0)

    async def acquire(self) -> float:
        """Wait for a slot and take it; returns how long the caller waited (seconds)."""
        started = self._clock()
        async with self._lock:
            while True:
                now = self._clock()
                delay = self._delay(now)
                if delay <= 0:
                    self._starts.append(now)
                    return now - started
                await asyncio.sleep(delay)

    def defer(self, seconds: float) -> None:
        """Let no request start for ``seconds`` (the server said ``Retry-After``)."""
        self._blocked_until = max(self._blocked_until, self._clock() + seconds)
