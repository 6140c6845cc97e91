"""A client-side rate limiter so one process stays under ScheduCal's per-account limit.

Sliding window: at most ``limit`` requests in any ``window`` seconds. Unlike a token
bucket that starts full (which allows up to twice the limit in the first window), it
never exceeds the server's "N per minute", whatever the server's own window looks like.

A request occupies its slot from the moment it is sent until ``window`` seconds after
its reply (or failure) arrived. The server counted the request somewhere in between,
so however long the network took, the server never sees more than ``limit`` requests
in a window from this process. Waiters are served first come, first served: a burst
queues in order instead of collecting 429s.

When the server answers 429 anyway (another process shares the account),
:meth:`SlidingWindowLimiter.defer` holds every caller until ``Retry-After`` has passed,
so concurrent calls do not each go and earn their own 429.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress


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
        self._finished: deque[float] = deque()  # when each recent request finished, in order
        self._in_flight = 0
        self._blocked_until = 0.0
        self._lock = asyncio.Lock()  # FIFO: the first caller to wait is the first served
        self._released = asyncio.Event()

    def __repr__(self) -> str:
        return f"SlidingWindowLimiter(limit={self.limit}, window={self.window})"

    def _delay(self, now: float) -> float:
        """Seconds until one more request may start; ``inf`` = when a request finishes."""
        while self._finished and self._finished[0] <= now - self.window:
            self._finished.popleft()
        wait = self._blocked_until - now
        if self._in_flight + len(self._finished) >= self.limit:
            # A slot frees when the oldest finished request leaves the window; if every
            # slot is still in flight, nothing frees before one of them finishes.
            free_at = self._finished[0] + self.window - now if self._finished else math.inf
            wait = max(wait, free_at)
        return max(wait, 0.0)

    async def acquire(self) -> float:
        """Wait for a slot and take it; returns how long the caller waited (seconds).

        Every :meth:`acquire` must be paired with one :meth:`release`; :meth:`slot` does it.
        """
        started = self._clock()
        async with self._lock:
            while True:
                delay = self._delay(self._clock())
                if delay <= 0:
                    self._in_flight += 1
                    return self._clock() - started
                self._released.clear()
                timeout = None if math.isinf(delay) else delay
                with suppress(TimeoutError):  # woken by a release, or the delay is over
                    await asyncio.wait_for(self._released.wait(), timeout)

    def release(self) -> None:
        """The request that held a slot has finished (successfully or not)."""
        self._in_flight -= 1
        self._finished.append(self._clock())
        self._released.set()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[float]:
        """``async with limiter.slot() as waited:`` around one request."""
        waited = await self.acquire()
        try:
            yield waited
        finally:
            self.release()

    def defer(self, seconds: float) -> None:
        """Let no request start for ``seconds`` (the server said ``Retry-After``)."""
        self._blocked_until = max(self._blocked_until, self._clock() + seconds)
