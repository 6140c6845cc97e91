"""Group commit for the receiver: many concurrent deliveries, one INSERT and one commit.

SQLite has one writer at a time and a commit costs an fsync; one transaction per
request would put every delivery in a queue behind the lock. Instead each request
hands its row to :class:`InboxWriter` and waits; a single task takes everything that
queued up meanwhile (no artificial delay: a lone request is written at once), inserts
it with one ``INSERT ... ON CONFLICT DO NOTHING RETURNING id`` and resolves every
waiter after the commit. PostgreSQL gains the same way (fewer round trips).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable

from bot.store.db import Database
from bot.webhooks import dbsession, inbox
from bot.webhooks.inbox import InboxRow

log = logging.getLogger(__name__)

_Item = tuple[InboxRow, asyncio.Future[bool]]


class InboxWriter:
    """``await writer.store(row)`` -> True when new, False for a duplicate id."""

    def __init__(
        self, db: Database, *, on_commit: Callable[[], None] | None = None, max_batch: int = 500
    ) -> None:
        self._db = db
        self._on_commit = on_commit
        self._max_batch = max_batch
        self._queue: asyncio.Queue[_Item | None] = asyncio.Queue()  # None: stop
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._recent: deque[tuple[float, int]] = deque()  # (monotonic time, rows) per batch

    def rate(self, window: float = 0.25) -> float:
        """Deliveries per second over the last ``window`` seconds (the worker yields to them)."""
        horizon = time.monotonic() - window
        while self._recent and self._recent[0][0] < horizon:
            self._recent.popleft()
        return sum(rows for _, rows in self._recent) / window + self._queue.qsize() / window

    async def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="inbox-writer")

    async def stop(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop.

        Never cancelled in the middle of a transaction if it can be helped: a SQLite
        connection abandoned mid-transaction keeps the write lock until it is collected.
        """
        if self._task is None:
            return
        self._stopping = True
        await self._queue.put(None)
        done, _ = await asyncio.wait({self._task}, timeout=timeout)
        if not done:
            log.warning("inbox writer did not finish in %.0f s; cancelling it", timeout)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if item is not None and not item[1].done():
                item[1].set_exception(RuntimeError("the inbox writer stopped"))

    async def store(self, row: InboxRow) -> bool:
        if self._stopping or self._task is None or self._task.done():
            raise RuntimeError("the inbox writer is not running")
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        await self._queue.put((row, future))
        return await future

    async def _run(self) -> None:
        while True:
            first = await self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self._max_batch and not self._queue.empty():
                item = self._queue.get_nowait()
                if item is None:
                    stop = True
                    break
                batch.append(item)
            await self._write(batch)
            if stop:
                return

    async def _write(self, batch: list[_Item]) -> None:
        self._recent.append((time.monotonic(), len(batch)))
        try:
            async with dbsession.transaction(self._db, urgent=True) as conn:
                new_ids = await inbox.insert_events(conn, [row for row, _ in batch])
        except Exception as exc:  # noqa: BLE001 - handed to every waiter, which answers 503
            log.warning("inbox insert of %d event(s) failed: %s", len(batch), exc)
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        claimed: set[str] = set()
        for row, future in batch:
            # Within one batch the same id may come twice: only the first is "new".
            is_new = row.id in new_ids and row.id not in claimed
            claimed.add(row.id)
            if not future.done():
                future.set_result(is_new)
        if new_ids and self._on_commit is not None:
            self._on_commit()
