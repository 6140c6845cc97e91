"""The in-process turnstile that queues SQLite sessions, receiver first."""

from __future__ import annotations

import asyncio

import pytest

from bot.webhooks.dbsession import Turnstile


async def test_urgent_waiters_go_first_and_order_is_kept_within_a_class() -> None:
    turnstile = Turnstile()
    order: list[str] = []

    async def take(name: str, urgent: bool) -> None:
        async with turnstile.hold(urgent=urgent):
            order.append(name)
            await asyncio.sleep(0)

    await turnstile.acquire()  # held: everyone below queues
    tasks = [
        asyncio.create_task(take("worker-1", False)),
        asyncio.create_task(take("worker-2", False)),
        asyncio.create_task(take("insert-1", True)),
        asyncio.create_task(take("insert-2", True)),
    ]
    await asyncio.sleep(0.01)
    turnstile.release()
    await asyncio.gather(*tasks)
    assert order == ["insert-1", "insert-2", "worker-1", "worker-2"]


async def test_a_cancelled_waiter_does_not_keep_the_turnstile() -> None:
    turnstile = Turnstile()
    await turnstile.acquire()
    waiter = asyncio.create_task(turnstile.acquire())
    after = asyncio.create_task(turnstile.acquire(urgent=True))
    await asyncio.sleep(0.01)
    turnstile.release()  # handed to `after` (urgent); `waiter` still queued
    await after
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    turnstile.release()
    await asyncio.wait_for(turnstile.acquire(), 1)  # free again: nothing leaked


async def test_a_waiter_cancelled_as_it_is_handed_the_turnstile_passes_it_on() -> None:
    turnstile = Turnstile()
    await turnstile.acquire()
    first = asyncio.create_task(turnstile.acquire())
    second = asyncio.create_task(turnstile.acquire())
    await asyncio.sleep(0.01)
    turnstile.release()  # `first` now owns it, but has not run yet
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, 1)  # passed on to the next waiter
