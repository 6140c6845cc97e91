"""Signed webhook delivery with the documented retry schedule, in background workers.

Each (event, webhook) pair is a :class:`Delivery`. Attempt 1 goes out at once; after a
failure (non-2xx, timeout, connection error) the next attempt waits 1 min, 5 min, 30 min,
then 2 h, each multiplied by ``time_scale``; after the fifth failure the delivery is
``undelivered`` until replayed. A fixed pool of workers sends attempts concurrently, so a
slow receiver holds at most one worker per in-flight request and the API never waits.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from yarl import URL

from bot.sandbox.state import Event, SandboxState
from bot.sandbox.validation import format_utc
from bot.scheducal.signing import SIGNATURE_HEADER, sign

log = logging.getLogger(__name__)

# Seconds to wait before attempt 1..5 (attempt n+1 is counted from attempt n's failure).
RETRY_DELAYS: tuple[float, ...] = (0.0, 60.0, 300.0, 1800.0, 7200.0)
USER_AGENT = "ScheduCal-Webhooks/1.0 (sandbox)"

PENDING, DELIVERING, RETRYING, DELIVERED, UNDELIVERED, ABANDONED = (
    "pending",
    "delivering",
    "retrying",
    "delivered",
    "undelivered",
    "abandoned",
)


def safe_url(url: str) -> str:
    """The URL without user info or query string, fit for logs and listings."""
    try:
        return str(URL(url).with_user(None).with_query(None).with_fragment(None))
    except (ValueError, TypeError):
        return "<invalid url>"


@dataclass
class Attempt:
    number: int
    at: datetime
    url: str
    status: int | None
    error: str | None
    duration_ms: float

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "at": format_utc(self.at),
            "url": safe_url(self.url),
            "status": self.status,
            "error": self.error,
            "durationMs": round(self.duration_ms, 1),
            "ok": self.ok,
        }


@dataclass(eq=False)
class Delivery:
    event: Event
    webhook_id: str
    state: str = PENDING
    attempts: list[Attempt] = field(default_factory=list)
    schedule_step: int = 0  # index into RETRY_DELAYS of the next attempt
    next_attempt_at: datetime | None = None
    replays: int = 0
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "eventId": self.event.id,
            "eventType": self.event.event_type,
            "webhookId": self.webhook_id,
            "state": self.state,
            "attempts": [a.to_json() for a in self.attempts],
            "nextAttemptAt": format_utc(self.next_attempt_at) if self.next_attempt_at else None,
            "replays": self.replays,
            "reason": self.reason,
        }


class Dispatcher:
    """Owns the delivery queue, the worker pool and the HTTP session used to deliver."""

    def __init__(
        self,
        state: SandboxState,
        *,
        time_scale: float = 1.0,
        timeout: float = 5.0,
        concurrency: int = 50,
        delays: tuple[float, ...] = RETRY_DELAYS,
    ) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.state = state
        self.time_scale = time_scale
        self.timeout = timeout
        self.concurrency = concurrency
        self.delays = delays
        self._queue: asyncio.Queue[Delivery] = asyncio.Queue()
        self._timers: dict[Delivery, asyncio.TimerHandle] = {}
        self._outstanding: set[Delivery] = set()
        self._idle = asyncio.Event()  # nothing queued, in flight or waiting for a retry
        self._idle.set()
        self._active = 0  # deliveries queued or in flight (not those waiting on a timer)
        self._settled = asyncio.Event()
        self._settled.set()
        self._workers: list[asyncio.Task[None]] = []
        self._session: aiohttp.ClientSession | None = None
        state.on_event = self.enqueue

    # -- lifecycle ------------------------------------------------------------------
    async def start(self) -> None:
        connector = aiohttp.TCPConnector(limit=self.concurrency, limit_per_host=self.concurrency)
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=self.timeout),
            headers={"User-Agent": USER_AGENT},
        )
        self._workers = [
            asyncio.create_task(self._work(), name=f"sandbox-delivery-{n}")
            for n in range(self.concurrency)
        ]

    async def stop(self) -> None:
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def wait_idle(self, timeout: float = 10.0, *, retries: bool = True) -> None:
        """Wait until no delivery is queued, in flight or (``retries=True``) due to retry.

        ``retries=False`` returns as soon as every delivery has either finished or is
        waiting for a later retry: what an interactive tool wants when the schedule runs
        in real minutes. Raises ``TimeoutError`` after ``timeout`` seconds.
        """
        event = self._idle if retries else self._settled
        await asyncio.wait_for(event.wait(), timeout)

    # -- scheduling -----------------------------------------------------------------
    def enqueue(self, event: Event) -> list[Delivery]:
        """Start delivering ``event`` to every active webhook subscribed to its type."""
        created = []
        for webhook in self.state.subscribers(event):
            delivery = Delivery(event, webhook.id)
            event.deliveries.append(delivery)
            self._schedule(delivery, 0)
            created.append(delivery)
        return created

    def redeliver(self, event: Event) -> list[Delivery]:
        """Send ``event`` again to its current subscribers, as a fresh delivery each."""
        return self.enqueue(event)

    def replay(self, event: Event, webhook_id: str | None = None) -> list[Delivery]:
        """Restart the retry schedule of the undelivered deliveries of ``event``."""
        replayed = []
        for delivery in event.deliveries:
            if delivery.state != UNDELIVERED:
                continue
            if webhook_id is not None and delivery.webhook_id != webhook_id:
                continue
            delivery.replays += 1
            delivery.schedule_step = 0
            delivery.reason = None
            self._schedule(delivery, 0)
            replayed.append(delivery)
        return replayed

    def undelivered(self) -> list[Delivery]:
        return [
            d for e in self.state.events.values() for d in e.deliveries if d.state == UNDELIVERED
        ]

    def _schedule(self, delivery: Delivery, step: int) -> None:
        delay = self.delays[step] * self.time_scale
        delivery.schedule_step = step
        delivery.state = PENDING if step == 0 else RETRYING
        delivery.next_attempt_at = datetime.now(UTC) + timedelta(seconds=delay)
        self._outstanding.add(delivery)
        self._idle.clear()
        if delay <= 0:
            self._busy(+1)
            self._queue.put_nowait(delivery)
        else:
            loop = asyncio.get_running_loop()
            self._timers[delivery] = loop.call_later(delay, self._due, delivery)

    def _due(self, delivery: Delivery) -> None:
        self._timers.pop(delivery, None)
        self._busy(+1)
        self._queue.put_nowait(delivery)

    def _busy(self, delta: int) -> None:
        self._active += delta
        if self._active:
            self._settled.clear()
        else:
            self._settled.set()

    def _finish(self, delivery: Delivery, state: str, reason: str | None = None) -> None:
        delivery.state = state
        delivery.reason = reason
        delivery.next_attempt_at = None
        self._outstanding.discard(delivery)
        if not self._outstanding:
            self._idle.set()

    # -- sending --------------------------------------------------------------------
    async def _work(self) -> None:
        while True:
            delivery = await self._queue.get()
            try:
                await self._attempt(delivery)
            except Exception:  # a bug here must not kill the worker pool
                log.exception("webhook delivery of event %s crashed", delivery.event.id)
                self._finish(delivery, UNDELIVERED, "internal error in the sandbox")
            finally:
                self._busy(-1)
                self._queue.task_done()

    async def _attempt(self, delivery: Delivery) -> None:
        webhook = self.state.webhooks.get(delivery.webhook_id)
        if webhook is None or not webhook.active:
            self._finish(delivery, ABANDONED, "webhook deleted or deactivated")
            return
        if self._session is None:
            raise RuntimeError("the dispatcher is not started")
        delivery.state = DELIVERING
        number = len(delivery.attempts) + 1
        event = delivery.event
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(event.body, webhook.secret),
        }
        status: int | None = None
        error: str | None = None
        began = time.perf_counter()
        at = datetime.now(UTC)
        try:
            async with self._session.post(
                webhook.url, data=event.body, headers=headers, allow_redirects=False
            ) as response:
                status = response.status
                await response.content.read(1024)
        except TimeoutError:
            error = f"no response within {self.timeout:g} s"
        except aiohttp.ClientError as exc:
            error = f"{type(exc).__name__}: {exc}"
        except ValueError as exc:  # e.g. an URL aiohttp cannot send to
            error = f"invalid webhook URL: {exc}"
        attempt = Attempt(
            number, at, webhook.url, status, error, (time.perf_counter() - began) * 1e3
        )
        delivery.attempts.append(attempt)
        if attempt.ok:
            self._finish(delivery, DELIVERED)
            log.debug("event %s delivered to %s", event.id, safe_url(webhook.url))
            return
        why = error or f"HTTP {status}"
        next_step = delivery.schedule_step + 1
        if next_step < len(self.delays):
            log.info(
                "event %s to %s failed (%s); retry %d in %g s",
                event.id,
                safe_url(webhook.url),
                why,
                next_step + 1,
                self.delays[next_step] * self.time_scale,
            )
            self._schedule(delivery, next_step)
        else:
            log.warning(
                "event %s to %s undelivered after %d attempts (%s)",
                event.id,
                safe_url(webhook.url),
                len(self.delays),
                why,
            )
            self._finish(delivery, UNDELIVERED, why)
