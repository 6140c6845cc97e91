"""Sessions for the webhook pipeline, queued in-process on SQLite, receiver first.

SQLite has one writer, and the store begins every transaction with ``BEGIN IMMEDIATE``.
When several tasks of one process ask at once, all but one wait in SQLite's busy
handler, which sleeps in growing steps (up to 100 ms) instead of waking when the lock
is free: under load that, not the work, dominated the inbox writer's and the worker's
time. This pipeline's sessions therefore queue in-process first, and the receiver's
inserts (``urgent``) go ahead of the worker's sessions: a delivery waits for at most
one worker transaction, never for the worker's whole queue. PostgreSQL sessions are
not queued.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.store.db import Database


class Turnstile:
    """A lock with two queues: urgent waiters are let in before the others."""

    def __init__(self) -> None:
        self._busy = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._normal: deque[asyncio.Future[None]] = deque()

    async def acquire(self, *, urgent: bool = False) -> None:
        if not self._busy and not self._urgent and not self._normal:
            self._busy = True
            return
        queue = self._urgent if urgent else self._normal
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # it was handed to us as we were cancelled: pass it on
            else:
                queue.remove(waiter)
            raise

    def release(self) -> None:
        for queue in (self._urgent, self._normal):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # stays busy: ownership moves to the waiter
                    return
        self._busy = False

    @asynccontextmanager
    async def hold(self, *, urgent: bool = False) -> AsyncIterator[None]:
        await self.acquire(urgent=urgent)
        try:
            yield
        finally:
            self.release()


_turnstiles: weakref.WeakKeyDictionary[Database, Turnstile] = weakref.WeakKeyDictionary()


def _turnstile(db: Database) -> Turnstile:
    turnstile = _turnstiles.get(db)
    if turnstile is None:
        turnstile = _turnstiles[db] = Turnstile()
    return turnstile


@asynccontextmanager
async def session(db: Database) -> AsyncIterator[AsyncSession]:
    """``db.session()`` (committed at the end), queued on SQLite."""
    if not db.is_sqlite:
        async with db.session() as s:
            yield s
        return
    async with _turnstile(db).hold(), db.session() as s:
        yield s


@asynccontextmanager
async def transaction(db: Database, *, urgent: bool = False) -> AsyncIterator[AsyncConnection]:
    """A Core connection in a transaction (no ORM session: for the receiver's hot path)."""
    if not db.is_sqlite:
        async with db.engine.begin() as conn:
            yield conn
        return
    async with _turnstile(db).hold(urgent=urgent), db.engine.begin() as conn:
        yield conn
