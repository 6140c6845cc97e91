"""The inbox worker: claims stored events and brings them to Slack, exactly once.

Per event (see :mod:`bot.webhooks.handling` for what each type means):

1. ``prepare`` in one transaction, which also marks the row ``posting`` when a thread
   reply is due. A process that dies after this point left a ``posting`` row behind.
2. ``chat.postMessage`` with the event id in the message ``metadata``.
3. in one transaction: remember the reply's ts and apply the change it announced.
4. once per claimed batch of one appointment: ``chat.update`` of the parent
   (idempotent, so repeating it is harmless), then the batch is marked done.

A row found in ``posting`` without a reply ts (its worker died or Slack's answer was
lost) is checked against the thread with ``conversations.replies`` +
``include_all_metadata`` before anything is posted again. That call is heavily
rate-limited in real Slack, so it runs only on this recovery path.

Failures: a 429 waits ``Retry-After`` (without counting as a failed attempt); other
Slack errors and network errors back off exponentially; after ``max_attempts`` the
event is parked for ``scheducal-bot webhooks failed`` / ``replay``. Errors that cannot
heal by waiting (``channel_not_found``, ``invalid_blocks`` ...) park at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.slack.blocks import appointment_message
from bot.store.db import Database
from bot.store.models import Appointment
from bot.store.types import utcnow
from bot.webhooks import dbsession, handling, inbox, messages
from bot.webhooks.handling import Reply
from bot.webhooks.inbox import Claimed
from bot.webhooks.options import WebhookOptions

log = logging.getLogger(__name__)

METADATA_TYPE = "scheducal_webhook_event"
# ok:false errors that waiting will not fix: park at once (an operator replays later).
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "msg_too_long",
        "invalid_blocks",
        "invalid_arguments",
        "invalid_metadata_format",
        "no_text",
        "message_not_found",
        "cant_update_message",
    }
)


class SlackCallFailed(Exception):
    """A Slack call did not succeed. ``uncertain``: the request may have taken effect."""

    def __init__(
        self,
        error: str,
        *,
        uncertain: bool = False,
        retry_after: float | None = None,
        not_posted: bool = False,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.uncertain = uncertain
        self.retry_after = retry_after
        self.not_posted = not_posted  # set by _post: Slack surely did not post it

    @property
    def permanent(self) -> bool:
        return self.error in PERMANENT_ERRORS


SCHEDULE_EVENTS = ("appointment.updated", "appointment.canceled")
# Errors in the event's data (or our handling of it) that a retry would only repeat.
DATA_ERRORS = (ValueError, TypeError, LookupError, AssertionError)
INTAKE_BUSY_RATE = 50.0  # deliveries per second above which the worker steps back

_WAIT = object()  # try again later; the rest of the appointment's events wait too
_KEPT = object()  # parked or held: nothing to post now; go on with the next event
_FINISHED = object()  # posted and applied: refresh the parent, then done


class LostClaim(Exception):
    """Our lease on an event expired and another worker took it: stop touching it."""


@dataclass
class _Lease:
    renewed_at: float  # monotonic time the group's claims were last extended


def _header(headers: Any, name: str) -> str | None:
    if not headers:
        return None
    for key, value in dict(headers).items():
        if key.lower() == name.lower():
            return value[0] if isinstance(value, list) else str(value)
    return None


class Worker:
    """One per process. ``wake()`` after new events were committed; ``start``/``stop``."""

    def __init__(
        self,
        db: Database,
        slack: AsyncWebClient,
        *,
        options: WebhookOptions | None = None,
        default_channel: str | None = None,
        worker_id: str | None = None,
        intake_rate: Callable[[], float] | None = None,
    ) -> None:
        self._db = db
        self._slack = slack
        self._options = options or WebhookOptions()
        self._default_channel = default_channel or None
        self.worker_id = (
            worker_id or f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        )
        self._intake_rate = intake_rate
        self._in_progress = 0
        self._stopping = False
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._groups: set[asyncio.Task[None]] = set()

    # --- lifecycle ------------------------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    def yield_to(self, intake_rate: Callable[[], float]) -> None:
        """Step back while ``intake_rate()`` (deliveries per second) is high."""
        self._intake_rate = intake_rate

    async def start(self) -> None:
        self._stopping = False
        try:
            await self._release_dead_local_claims()
        except Exception as exc:  # noqa: BLE001 - the leases expire anyway
            log.warning("could not check for claims of a stopped worker: %s", exc)
        self._task = asyncio.create_task(self._run(), name="inbox-worker")

    async def _release_dead_local_claims(self) -> None:
        """Claims of a process on this host that is gone are released at once.

        A restarted ``serve`` would otherwise wait for its predecessor's leases to run
        out before finishing what it left in ``posting``. Claims of other hosts, or of
        processes here that are alive, are left to their leases.
        """
        async with dbsession.session(self._db) as session:
            owners = await inbox.claim_owners(session)
            dead = [owner for owner in owners if self._is_dead_local(owner)]
            if dead:
                released = await inbox.release_owners(session, dead)
                log.info("released %d claim(s) of %d stopped worker(s)", released, len(dead))

    def _is_dead_local(self, owner: str) -> bool:
        host = self.worker_id.rsplit(":", 2)[0]
        parts = owner.rsplit(":", 2)
        if owner == self.worker_id or len(parts) != 3 or parts[0] != host:
            return False
        try:
            pid = int(parts[1])
        except ValueError:
            return False
        if pid == os.getpid():
            return True  # our own pid, another id: a predecessor (e.g. a restarted container)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    async def stop(self, timeout: float = 15.0) -> None:
        """Finish the events in hand (claims of the rest are released), then stop.

        Tasks are cancelled only after ``timeout``: a SQLite connection abandoned in the
        middle of a transaction would keep the database's write lock.
        """
        self._stopping = True
        self._wake.set()
        deadline = asyncio.get_running_loop().time() + timeout
        if self._task is not None:  # first the loop, so that it starts no new group
            await asyncio.wait({self._task}, timeout=timeout)
        tasks = {t for t in (self._task, *self._groups) if t is not None and not t.done()}
        if tasks:
            remaining = max(deadline - asyncio.get_running_loop().time(), 0.1)
            _, pending = await asyncio.wait(tasks, timeout=remaining)
            for task in pending:
                log.warning("webhook worker still busy after %.0f s; cancelling", timeout)
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._task = None

    # --- the loop -------------------------------------------------------------------------

    async def _run(self) -> None:
        options = self._options
        while not self._stopping:
            self._wake.clear()
            free = options.concurrency - len(self._groups)
            claimed: dict[str, list[Claimed]] = {}
            if free > 0:
                try:
                    async with dbsession.session(self._db) as session:
                        claimed = await inbox.claim(
                            session,
                            worker_id=self.worker_id,
                            lease=options.lease,
                            max_appointments=free,
                        )
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 - database trouble: try again later
                    log.warning("webhook worker could not claim events: %s", exc)
            for events in claimed.values():
                task = asyncio.create_task(self._run_group(events))
                self._groups.add(task)
                task.add_done_callback(self._group_done)
            if claimed:  # perhaps more (several candidate rows may share an appointment)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), options.poll)

    def _group_done(self, task: asyncio.Task[None]) -> None:
        self._groups.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("webhook worker group crashed", exc_info=task.exception())
        self._wake.set()

    async def _run_group(self, events: list[Claimed]) -> None:
        """One appointment's events, in order; stop at the first that must wait.

        Each event is taken up to "reply posted, store updated"; then the parent is
        refreshed once for all of them and they are marked done together. A busy
        appointment thus costs one ``chat.update`` per batch, not one per event.
        """
        lease = _Lease(time.monotonic())
        finished: list[Claimed] = []
        index = 0
        try:
            for index, claimed in enumerate(events):  # noqa: B007 - used after the loop
                if self._stopping:
                    break
                await self._renew_if_due(lease, events[index:])
                await self._yield_to_intake()
                self._in_progress += 1
                try:
                    outcome = await self.handle(claimed)
                finally:
                    self._in_progress -= 1
                if outcome is _FINISHED:
                    finished.append(claimed)
                elif outcome is _WAIT:
                    index += 1
                    break
            else:
                index = len(events)
            if finished:
                await self._complete(finished)
        except LostClaim as exc:
            log.warning("webhook event %s was taken over by another worker; leaving it", exc)
            return
        finally:
            rest = [c.id for c in events[index:]]
            if rest:
                with contextlib.suppress(Exception):
                    async with dbsession.session(self._db) as session:
                        await inbox.release(session, rest, worker_id=self.worker_id)

    async def _complete(self, finished: list[Claimed]) -> None:
        """Refresh the parent (if the appointment is known), then mark the events done."""
        try:
            async with dbsession.session(self._db) as session:
                appointment = await handling.find_appointment(session, finished[0].event)
            if appointment is not None:
                await self.refresh_parent(appointment)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - every event of the batch tries again
            failure = exc if isinstance(exc, SlackCallFailed) else None
            error = failure.error if failure else f"{type(exc).__name__}: {exc}"
            for claimed in finished:
                await self._failed(claimed, error, failure=failure)
            return
        if appointment is not None and any(c.event.event_type in SCHEDULE_EVENTS for c in finished):
            await self._retire_stale_proposals(appointment)
        team_id = appointment.team_id if appointment is not None else None
        async with dbsession.session(self._db) as session:
            done = await inbox.mark_done_many(
                session, [c.id for c in finished], worker_id=self.worker_id, team_id=team_id
            )
        if done != len(finished):
            raise LostClaim(",".join(c.id for c in finished))

    async def _retire_stale_proposals(self, appointment: Appointment) -> None:
        """Remove the buttons of proposals the move or cancellation made pointless.

        Best effort: a click on a stale proposal is refused anyway (see decisions).
        """
        async with dbsession.session(self._db) as session:
            retired = await handling.retire_stale_proposals(session, appointment)
        for proposal, reason in retired:
            if not proposal.message_ts:
                continue
            text, blocks = messages.proposal_retired(
                proposal.attendee_name or "",
                proposal.attendee_email,
                proposal.proposed_start_utc,
                proposal.proposed_end_utc,
                appointment.timezone,
                reason=reason,
            )
            try:
                await self._call(
                    "chat.update",
                    channel=appointment.channel_id,
                    ts=proposal.message_ts,
                    text=text,
                    blocks=blocks,
                )
            except SlackCallFailed as failure:
                log.warning("could not retire proposal %s in Slack: %s", proposal.id, failure)

    async def _yield_to_intake(self) -> None:
        """While deliveries pour in, handle one event at a time.

        Worker and receiver share the event loop and the CPU; a stored event can wait, a
        delivery should be answered within milliseconds. So above ``INTAKE_BUSY_RATE``
        deliveries per second the worker narrows to one event in progress.
        """
        if self._intake_rate is None:
            return
        while (
            not self._stopping and self._in_progress >= 1 and self._intake_rate() > INTAKE_BUSY_RATE
        ):
            await asyncio.sleep(0.005)

    async def _renew_if_due(self, lease: _Lease, remaining: list[Claimed]) -> None:
        if time.monotonic() - lease.renewed_at < self._options.lease.total_seconds() / 3:
            return
        async with dbsession.session(self._db) as session:
            await inbox.renew(
                session,
                [c.id for c in remaining],
                worker_id=self.worker_id,
                lease=self._options.lease,
            )
        lease.renewed_at = time.monotonic()

    # --- one event ------------------------------------------------------------------------

    async def handle(self, claimed: Claimed) -> object:
        """Take one claimed event as far as it goes now.

        Returns ``_FINISHED`` (reply posted, store updated: the parent refresh and
        ``done`` follow for the group), ``_KEPT`` (held or parked: go on with the next
        event) or ``_WAIT`` (back-off or waiting for the appointment: the rest of the
        group waits too, to keep the order).
        """
        event = claimed.event
        try:
            reply_ts = claimed.slack_ts
            if claimed.status == "posting" and not reply_ts:
                reply_ts = await self._find_posted(claimed)
                if reply_ts:
                    log.info("webhook event %s had been posted before a restart", claimed.id)
                    await self._fenced(inbox.record_reply, claimed.id, slack_ts=reply_ts)
            async with dbsession.session(self._db) as session:
                prepared = await handling.prepare(session, event, reply_done=bool(reply_ts))
                reply = prepared.reply
                if prepared.appointment is None and not reply_ts:
                    outcome = await self._unknown_appointment(session, claimed)
                    if outcome is _WAIT or outcome is _KEPT:
                        return outcome
                    reply = outcome
                team_id = prepared.appointment.team_id if prepared.appointment else None
                if reply is not None and not await inbox.mark_posting(
                    session,
                    claimed.id,
                    worker_id=self.worker_id,
                    team_id=team_id,
                    lease=self._options.lease,
                ):
                    raise LostClaim(claimed.id)
            if reply is not None:
                reply_ts = await self._post(reply, claimed.id)
            async with dbsession.session(self._db) as session:
                if reply is not None and not await inbox.record_reply(
                    session, claimed.id, worker_id=self.worker_id, slack_ts=reply_ts or ""
                ):
                    raise LostClaim(claimed.id)
                await handling.finish(session, event, reply_ts)
            return _FINISHED
        except LostClaim:
            raise
        except SlackCallFailed as failure:
            return await self._failed(claimed, failure.error, failure=failure)
        except asyncio.CancelledError:
            raise
        except DATA_ERRORS as exc:
            # The same event will fail the same way (e.g. a proposal ending before it
            # starts): park it now instead of retrying for minutes.
            log.error(
                "webhook event %s (%s) cannot be handled: %s", claimed.id, event.event_type, exc
            )
            return await self._failed(claimed, f"{type(exc).__name__}: {exc}", permanent=True)
        except Exception as exc:  # noqa: BLE001 - database trouble or a bug: retry, then park
            log.exception("webhook event %s (%s) failed", claimed.id, event.event_type)
            return await self._failed(claimed, f"{type(exc).__name__}: {exc}")

    async def _unknown_appointment(self, session: AsyncSession, claimed: Claimed) -> Any:
        """Wait a while for our own create to land; then the default channel, or keep it.

        Returns ``_WAIT`` (try again shortly), ``_KEPT`` (parked as ``held``) or the
        :class:`Reply` for the default channel.
        """
        now = utcnow()
        deadline = claimed.received_at + self._options.hold
        event = claimed.event
        if now < deadline:
            step = min(max(self._options.hold.total_seconds() / 10, 0.2), 5.0)
            at = min(now + timedelta(seconds=step), deadline)
            if not await inbox.retry_later(
                session,
                claimed.id,
                worker_id=self.worker_id,
                at=at,
                error=None,
                count_attempt=False,
            ):
                raise LostClaim(claimed.id)
            return _WAIT
        if self._default_channel:
            text, blocks = handling.fallback_message(event)
            return Reply(self._default_channel, None, text, blocks)
        log.warning(
            "webhook event %s (%s) is for appointment %s, which this bot does not know; "
            "kept (set SCHEDUCAL_DEFAULT_CHANNEL to post such events)",
            claimed.id,
            event.event_type,
            event.appointment_id,
        )
        if not await inbox.park(
            session,
            claimed.id,
            worker_id=self.worker_id,
            status="held",
            error="unknown appointment and no SCHEDUCAL_DEFAULT_CHANNEL",
            count_attempt=False,
        ):
            raise LostClaim(claimed.id)
        return _KEPT

    async def _fenced(self, operation: Any, event_id: str, **kwargs: Any) -> None:
        async with dbsession.session(self._db) as session:
            if not await operation(session, event_id, worker_id=self.worker_id, **kwargs):
                raise LostClaim(event_id)

    async def _failed(
        self,
        claimed: Claimed,
        error: str,
        *,
        failure: SlackCallFailed | None = None,
        permanent: bool = False,
    ) -> object:
        """Back off (``_WAIT``) or park (``_KEPT``); ``posting`` stays unless surely not posted."""
        attempts = claimed.attempts + 1
        status = "pending" if failure is not None and failure.not_posted else None
        outcome = _WAIT
        try:
            async with dbsession.session(self._db) as session:
                if failure is not None and failure.retry_after is not None:
                    log.info(
                        "Slack rate limit: event %s waits %.0f s", claimed.id, failure.retry_after
                    )
                    at = utcnow() + timedelta(seconds=failure.retry_after)
                    ok = await inbox.retry_later(
                        session,
                        claimed.id,
                        worker_id=self.worker_id,
                        at=at,
                        error=error,
                        count_attempt=False,
                        status=status,
                    )
                elif (
                    permanent
                    or (failure is not None and failure.permanent)
                    or attempts >= self._options.max_attempts
                ):
                    log.error(
                        "webhook event %s (%s) parked after %d attempt(s): %s",
                        claimed.id,
                        claimed.event.event_type,
                        attempts,
                        error,
                    )
                    ok = await inbox.park(
                        session, claimed.id, worker_id=self.worker_id, error=error
                    )
                    outcome = _KEPT
                else:
                    delay = self._options.backoff(attempts)
                    log.warning(
                        "webhook event %s failed (attempt %d): %s; retrying in %.1f s",
                        claimed.id,
                        attempts,
                        error,
                        delay,
                    )
                    ok = await inbox.retry_later(
                        session,
                        claimed.id,
                        worker_id=self.worker_id,
                        at=utcnow() + timedelta(seconds=delay),
                        error=error,
                        status=status,
                    )
                if not ok:
                    raise LostClaim(claimed.id)
        except LostClaim:
            raise
        except Exception as exc:  # noqa: BLE001 - the lease expires and the event comes back
            log.warning("could not record the failure of event %s: %s", claimed.id, exc)
        return outcome

    # --- Slack ----------------------------------------------------------------------------

    async def _call(self, method: str, **params: Any) -> dict[str, Any]:
        """One Web API call; 429 waits ``Retry-After`` here (up to a limit)."""
        waited = 0.0
        while True:
            try:
                response = await self._slack.api_call(method, json=params)
                return dict(response.data) if isinstance(response.data, dict) else {}
            except SlackApiError as exc:
                status = exc.response.status_code
                data = exc.response.data if isinstance(exc.response.data, dict) else {}
                error = str(data.get("error") or f"HTTP {status}")
                if status == 429:
                    retry_after = float(_header(exc.response.headers, "Retry-After") or 1)
                    if waited + retry_after > self._options.max_rate_limit_wait:
                        raise SlackCallFailed("ratelimited", retry_after=retry_after) from None
                    log.info("Slack %s rate limited; waiting %.0f s", method, retry_after)
                    await asyncio.sleep(retry_after)
                    waited += retry_after
                    continue
                raise SlackCallFailed(error, uncertain=status >= 500) from None
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                raise SlackCallFailed(f"{method}: {type(exc).__name__}", uncertain=True) from None

    async def _post(self, reply: Reply, event_id: str) -> str:
        params: dict[str, Any] = {
            "channel": reply.channel,
            "text": reply.text,
            "blocks": reply.blocks,
            "unfurl_links": False,
            "unfurl_media": False,
            "metadata": {"event_type": METADATA_TYPE, "event_payload": {"event_id": event_id}},
        }
        if reply.thread_ts:
            params["thread_ts"] = reply.thread_ts
        try:
            data = await self._call("chat.postMessage", **params)
        except SlackCallFailed as failure:
            failure.not_posted = not failure.uncertain
            raise
        return str(data.get("ts") or "")

    async def refresh_parent(self, appointment: Appointment) -> None:
        text, blocks = appointment_message(appointment, appointment.invitees)
        await self._call(
            "chat.update",
            channel=appointment.channel_id,
            ts=appointment.message_ts,
            text=text,
            blocks=blocks,
        )

    async def _find_posted(self, claimed: Claimed) -> str | None:
        """The ts of this event's message if an earlier attempt did post it."""
        async with dbsession.session(self._db) as session:
            appointment = await handling.find_appointment(session, claimed.event)
        if appointment is not None:
            method = "conversations.replies"
            params: dict[str, Any] = {
                "channel": appointment.channel_id,
                "ts": appointment.message_ts,
            }
        elif self._default_channel:
            method = "conversations.history"
            oldest = claimed.received_at - timedelta(minutes=5)
            params = {"channel": self._default_channel, "oldest": f"{oldest.timestamp():.6f}"}
        else:
            return None
        cursor: str | None = None
        while True:
            page = await self._call(
                method,
                include_all_metadata=True,
                limit=200,
                **params,
                **({"cursor": cursor} if cursor else {}),
            )
            for message in page.get("messages") or []:
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if (
                    metadata.get("event_type") == METADATA_TYPE
                    and payload.get("event_id") == claimed.id
                ):
                    return str(message.get("ts"))
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None
