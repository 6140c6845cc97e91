"""Repository functions for the webhook inbox (``inbox_events``), on SQLite and PostgreSQL.

Life of a row (``status``):

* ``pending``  stored by the receiver; due when ``next_attempt_at`` has passed.
* ``posting``  the worker is about to call (or has called) Slack for it. A row left in
  ``posting`` with ``slack_ts`` empty may or may not have reached Slack (crash, timeout):
  it is checked against the thread before anything is posted again.
* ``done``     handled; ``slack_ts`` is the thread reply, when there was one.
* ``parked``   failed too often (or cannot succeed); listed by ``webhooks failed``.
* ``held``     the appointment is unknown and no default channel is set: kept and logged.

Claims: a worker owns a row while ``claimed_by`` is its id and ``claimed_until`` (the
lease) lies ahead. Claims go by appointment: a worker takes every open event of an
appointment at once, and only for appointments with nothing claimed elsewhere and
nothing waiting in back-off, so one appointment's events are handled by one worker,
in order. Every later write is fenced with ``claimed_by``: a worker whose lease
expired cannot overwrite its successor's work.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.scheducal.events import WebhookEvent, parse_event
from bot.store.models import InboxEvent
from bot.store.types import utcnow

OPEN_STATUSES = ("pending", "posting")
FAILED_STATUSES = ("parked", "held")
MAX_EVENT_ID_LENGTH = 64  # the column width; longer ids are refused by the receiver
# Any constant: serialises claims across processes sharing one PostgreSQL database.
_PG_CLAIM_LOCK_ID = 0x5C4EDCA2


@dataclass(frozen=True)
class InboxRow:
    """What the receiver stores for one delivery."""

    id: str
    event_type: str
    appointment_id: str
    payload: str  # the raw body (UTF-8), exactly as signed

    @classmethod
    def from_event(cls, event: WebhookEvent, body: str) -> InboxRow:
        return cls(
            id=event.id,
            event_type=event.event_type,
            appointment_id=event.appointment_id,
            payload=body,
        )


@dataclass(frozen=True)
class Claimed:
    """A claimed row, as the worker needs it."""

    id: str
    status: str
    attempts: int
    received_at: datetime
    slack_ts: str | None
    event: WebhookEvent

    @property
    def order_key(self) -> tuple[datetime, datetime, str]:
        """Per appointment: when it happened (an attendee's answer: when they answered)."""
        attendee = self.event.attendee
        happened = attendee.responded_at if attendee and attendee.responded_at else None
        return (happened or self.event.timestamp, self.event.timestamp, self.id)


def _insert_for(session: AsyncSession | AsyncConnection):  # type: ignore[no-untyped-def]
    dialect = (
        session.dialect.name if isinstance(session, AsyncConnection) else session.bind.dialect.name
    )
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def insert_events(
    session: AsyncSession | AsyncConnection, rows: Sequence[InboxRow]
) -> set[str]:
    """Insert what is new (``ON CONFLICT DO NOTHING``); return the ids actually inserted."""
    unique: dict[str, InboxRow] = {}
    for row in rows:
        unique.setdefault(row.id, row)
    if not unique:
        return set()
    now = utcnow()
    values = [
        {
            "event_id": row.id,
            "event_type": row.event_type,
            "appointment_scheducal_id": row.appointment_id,
            "payload": row.payload,
            "received_at": now,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
        }
        for row in unique.values()
    ]
    insert = _insert_for(session)
    # Core, and one statement for any number of rows (SQLAlchemy's "insertmanyvalues"
    # batches them into multi-row VALUES), so it is compiled once and cached.
    table = InboxEvent.__table__
    statement = (
        insert(table)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(table.c.event_id)
    )
    result = await session.execute(statement, values)
    return set(result.scalars())


def _to_claimed(row: InboxEvent) -> Claimed:
    return Claimed(
        id=row.event_id,
        status=row.status,
        attempts=row.attempts,
        received_at=row.received_at,
        slack_ts=row.slack_ts,
        event=parse_event(json.loads(row.payload)),
    )


async def claim(
    session: AsyncSession, *, worker_id: str, lease: timedelta, max_appointments: int
) -> dict[str, list[Claimed]]:
    """Claim every open event of up to ``max_appointments`` appointments that are ready.

    Ready: an event is due and unclaimed (or its lease expired), and the appointment
    has no event claimed by someone else and none waiting in back-off. Returns the
    claimed events by appointment id, each list in handling order.

    Three plain statements in one transaction instead of one correlated query: with
    thousands of waiting events the correlated "is the appointment busy" test made each
    claim cost tens of milliseconds, all of it holding SQLite's write lock.
    """
    now = utcnow()
    is_pg = session.bind.dialect.name == "postgresql"
    if is_pg:
        # One claim at a time across processes, so the "busy" set below sees every
        # committed claim; the row locks (SKIP LOCKED) keep out anyone else's writes.
        await session.execute(text(f"SELECT pg_advisory_xact_lock({_PG_CLAIM_LOCK_ID})"))
    open_rows = InboxEvent.status.in_(OPEN_STATUSES)
    busy_query = select(InboxEvent.appointment_scheducal_id).where(
        open_rows, or_(InboxEvent.claimed_until >= now, InboxEvent.next_attempt_at > now)
    )
    busy = set((await session.execute(busy_query.distinct())).scalars())
    due_query = (
        select(InboxEvent.appointment_scheducal_id)
        .where(
            open_rows,
            InboxEvent.next_attempt_at <= now,
            or_(InboxEvent.claimed_until.is_(None), InboxEvent.claimed_until < now),
        )
        .order_by(InboxEvent.received_at)
        .limit(max_appointments * 8)
    )
    if busy:  # in SQL, or a busy appointment's many waiting rows could fill the window
        due_query = due_query.where(InboxEvent.appointment_scheducal_id.not_in(busy))
    if is_pg:
        due_query = due_query.with_for_update(skip_locked=True)
    chosen: list[str | None] = []
    for appointment_id in (await session.execute(due_query)).scalars():
        if appointment_id not in busy and appointment_id not in chosen:
            chosen.append(appointment_id)
            if len(chosen) == max_appointments:
                break
    if not chosen:
        return {}
    statement = (
        update(InboxEvent)
        .where(InboxEvent.appointment_scheducal_id.in_(chosen), open_rows)
        .values(claimed_by=worker_id, claimed_until=now + lease)
        .returning(InboxEvent)
        .execution_options(synchronize_session=False)
    )
    claimed = (await session.execute(statement)).scalars().all()
    groups: dict[str, list[Claimed]] = {}
    unreadable: list[str] = []
    for item in claimed:
        try:
            event = _to_claimed(item)
        except ValueError:  # stored before a stricter parser: never blocks the others
            unreadable.append(item.event_id)
            continue
        groups.setdefault(item.appointment_scheducal_id or "", []).append(event)
    if unreadable:
        await session.execute(
            update(InboxEvent)
            .where(InboxEvent.event_id.in_(unreadable))
            .values(
                status="parked",
                claimed_by=None,
                claimed_until=None,
                last_error="stored payload is no longer a valid event",
            )
            .execution_options(synchronize_session=False)
        )
    for events in groups.values():
        events.sort(key=lambda c: c.order_key)
    return groups


def _owned(event_id: str, worker_id: str):  # type: ignore[no-untyped-def]
    return and_(InboxEvent.event_id == event_id, InboxEvent.claimed_by == worker_id)


async def _fenced_update(
    session: AsyncSession, event_id: str, worker_id: str, **values: object
) -> bool:
    result = await session.execute(
        update(InboxEvent)
        .where(_owned(event_id, worker_id))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def renew(
    session: AsyncSession, event_ids: Iterable[str], *, worker_id: str, lease: timedelta
) -> None:
    await session.execute(
        update(InboxEvent)
        .where(InboxEvent.event_id.in_(list(event_ids)), InboxEvent.claimed_by == worker_id)
        .values(claimed_until=utcnow() + lease)
        .execution_options(synchronize_session=False)
    )


async def mark_posting(
    session: AsyncSession, event_id: str, *, worker_id: str, team_id: str | None, lease: timedelta
) -> bool:
    """Before a Slack post: if the process dies now, the post will be checked, not repeated."""
    return await _fenced_update(
        session,
        event_id,
        worker_id,
        status="posting",
        team_id=team_id,
        claimed_until=utcnow() + lease,
    )


async def record_reply(
    session: AsyncSession, event_id: str, *, worker_id: str, slack_ts: str
) -> bool:
    """The thread reply exists (``slack_ts``); only the parent refresh may remain."""
    return await _fenced_update(session, event_id, worker_id, slack_ts=slack_ts)


async def mark_done_many(
    session: AsyncSession, event_ids: Sequence[str], *, worker_id: str, team_id: str | None
) -> int:
    """Finish events (claims released); returns how many were still ours."""
    values: dict[str, object] = {
        "status": "done",
        "claimed_by": None,
        "claimed_until": None,
        "last_error": None,
    }
    if team_id is not None:
        values["team_id"] = team_id
    result = await session.execute(
        update(InboxEvent)
        .where(InboxEvent.event_id.in_(list(event_ids)), InboxEvent.claimed_by == worker_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


async def retry_later(
    session: AsyncSession,
    event_id: str,
    *,
    worker_id: str,
    at: datetime,
    error: str | None,
    count_attempt: bool = True,
    status: str | None = None,
) -> bool:
    """Release the claim and try again at ``at`` (``status`` stays unless given)."""
    values: dict[str, object] = {"claimed_by": None, "claimed_until": None, "next_attempt_at": at}
    if error is not None:
        values["last_error"] = error[:1000]
    if count_attempt:
        values["attempts"] = InboxEvent.attempts + 1
    if status is not None:
        values["status"] = status
    return await _fenced_update(session, event_id, worker_id, **values)


async def park(
    session: AsyncSession,
    event_id: str,
    *,
    worker_id: str,
    error: str,
    status: str = "parked",
    count_attempt: bool = True,
) -> bool:
    values: dict[str, object] = {
        "status": status,
        "claimed_by": None,
        "claimed_until": None,
        "last_error": error[:1000],
    }
    if count_attempt:
        values["attempts"] = InboxEvent.attempts + 1
    return await _fenced_update(session, event_id, worker_id, **values)


async def release(session: AsyncSession, event_ids: Iterable[str], *, worker_id: str) -> None:
    """Give back claims without changing anything else (used on shutdown)."""
    await session.execute(
        update(InboxEvent)
        .where(InboxEvent.event_id.in_(list(event_ids)), InboxEvent.claimed_by == worker_id)
        .values(claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )


async def claim_owners(session: AsyncSession) -> list[str]:
    """Workers holding unexpired claims."""
    result = await session.execute(
        select(InboxEvent.claimed_by)
        .where(InboxEvent.claimed_by.is_not(None), InboxEvent.claimed_until >= utcnow())
        .distinct()
    )
    return [owner for owner in result.scalars() if owner]


async def release_owners(session: AsyncSession, owners: Sequence[str]) -> int:
    """Release every claim of ``owners`` (workers known to be gone)."""
    result = await session.execute(
        update(InboxEvent)
        .where(InboxEvent.claimed_by.in_(list(owners)))
        .values(claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


async def list_failed(session: AsyncSession, *, limit: int = 100) -> list[InboxEvent]:
    """Parked and held events, oldest first."""
    result = await session.execute(
        select(InboxEvent)
        .where(InboxEvent.status.in_(FAILED_STATUSES))
        .order_by(InboxEvent.received_at)
        .limit(limit)
    )
    return list(result.scalars())


async def get(session: AsyncSession, event_id: str) -> InboxEvent | None:
    return await session.get(InboxEvent, event_id)


async def replay(session: AsyncSession, event_id: str) -> str | None:
    """Put a parked or held event back in the queue; return its previous status.

    A parked event that may have reached Slack (no reply ts recorded) comes back as
    ``posting``, so the worker looks for it in the thread before posting; a held one
    never got that far. Other states are left alone (replaying a ``done`` event would
    post twice). Returns None when there is no such event.
    """
    row = await session.get(InboxEvent, event_id, with_for_update=True)
    if row is None:
        return None
    previous = row.status
    if previous in FAILED_STATUSES:
        row.status = "posting" if previous == "parked" and not row.slack_ts else "pending"
        row.attempts = 0
        row.next_attempt_at = utcnow()
        row.received_at = utcnow()  # restarts the wait for an unknown appointment
        row.claimed_by = row.claimed_until = None
    return previous
