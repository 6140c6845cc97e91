"""The client-side sliding-window limiter, alone and inside the client."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.scheducal.limiter import SlidingWindowLimiter
from tests.scheducal.flaky import Reply, ok


async def _use(limiter: SlidingWindowLimiter, log: list, name: int, hold: float = 0.0) -> None:
    async with limiter.slot():
        started = time.monotonic()
        await asyncio.sleep(hold)
        log.append((name, started, time.monotonic()))


async def test_a_burst_queues_in_order_and_never_exceeds_the_window():
    limiter = SlidingWindowLimiter(3, window=0.25)
    log: list = []
    await asyncio.gather(*(_use(limiter, log, i) for i in range(8)))
    assert [name for name, _, _ in log] == list(range(8))  # first come, first served
    for i in range(len(log) - 3):
        # The 4th request after i may start only once i has been finished for a window.
        assert log[i + 3][1] - log[i][2] >= 0.25 - 1e-3
    assert log[3][1] - log[0][1] < 0.4  # ...and not much later than that


async def test_requests_in_flight_hold_their_slot_until_they_finish():
    limiter = SlidingWindowLimiter(2, window=0.1)
    log: list = []
    slow = [asyncio.create_task(_use(limiter, log, i, hold=0.3)) for i in range(2)]
    await asyncio.sleep(0.05)
    await _use(limiter, log, 2)
    await asyncio.gather(*slow)
    finished_first = min(end for _, _, end in log[:2])
    third_start = next(start for name, start, _ in log if name == 2)
    assert third_start >= finished_first + 0.1 - 1e-3


async def test_defer_holds_every_caller():
    limiter = SlidingWindowLimiter(100, window=1.0)
    limiter.defer(0.2)
    started = time.monotonic()
    waited = await limiter.acquire()
    limiter.release()
    assert time.monotonic() - started >= 0.19 and waited >= 0.19


async def test_cancelled_waiters_and_holders_leak_no_slot():
    limiter = SlidingWindowLimiter(1, window=0.1)
    holder = asyncio.create_task(_use(limiter, [], 0, hold=10))
    await asyncio.sleep(0.02)
    waiter = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0.02)
    waiter.cancel()
    holder.cancel()
    for task in (waiter, holder):
        with pytest.raises(asyncio.CancelledError):
            await task
    started = time.monotonic()
    async with limiter.slot():
        pass
    assert time.monotonic() - started < 0.2  # only the holder's window, nothing stuck


def test_limiter_rejects_nonsense():
    with pytest.raises(ValueError):
        SlidingWindowLimiter(0)
    with pytest.raises(ValueError):
        SlidingWindowLimiter(1, window=0)
    assert repr(SlidingWindowLimiter(60)) == "SlidingWindowLimiter(limit=60, window=60.0)"


async def test_client_limiter_spaces_a_burst_at_the_server(flaky, make_client):
    flaky.default = ok([])
    client = make_client(rate_limit_per_minute=3, rate_limit_window=0.25)
    await asyncio.gather(*(client.list_webhooks() for _ in range(7)))
    arrivals = sorted(r.at for r in flaky.requests)
    assert len(arrivals) == 7
    for i in range(len(arrivals) - 3):
        assert arrivals[i + 3] - arrivals[i] >= 0.25 - 1e-3


async def test_without_the_limiter_a_burst_goes_out_at_once(flaky, make_client):
    flaky.default = Reply(json={"success": True, "data": []})
    client = make_client(rate_limit_per_minute=None)
    assert client.limiter is None
    await asyncio.gather(*(client.list_webhooks() for _ in range(7)))
    arrivals = sorted(r.at for r in flaky.requests)
    assert arrivals[-1] - arrivals[0] < 0.2
