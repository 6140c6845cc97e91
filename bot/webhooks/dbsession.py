"""Sessions for the webhook pipeline, queued in-process on SQLite.

SQLite has one writer, and the store begins every transaction with ``BEGIN IMMEDIATE``.
When several tasks of one process ask at once, all but one wait in SQLite's busy
handler, which sleeps in growing steps (up to 100 ms) instead of waking when the lock
is free: under load that, not the work, dominated the inbox writer's and the worker's
time. Queuing this pipeline's sessions on an ``asyncio.Lock`` first hands the database
over without sleeping. PostgreSQL sessions are not queued.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.store.db import Database

_locks: weakref.WeakKeyDictionary[Database, asyncio.Lock] = weakref.WeakKeyDictionary()


def _lock(db: Database) -> asyncio.Lock:
    lock = _locks.get(db)
    if lock is None:
        lock = _locks[db] = asyncio.Lock()
    return lock


@asynccontextmanager
async def session(db: Database) -> AsyncIterator[AsyncSession]:
    """``db.session()`` (committed at the end), queued on SQLite."""
    if not db.is_sqlite:
        async with db.session() as s:
            yield s
        return
    async with _lock(db), db.session() as s:
        yield s


@asynccontextmanager
async def transaction(db: Database) -> AsyncIterator[AsyncConnection]:
    """A Core connection in a transaction (no ORM session: for the receiver's hot path)."""
    if not db.is_sqlite:
        async with db.engine.begin() as conn:
            yield conn
        return
    async with _lock(db), db.engine.begin() as conn:
        yield conn
