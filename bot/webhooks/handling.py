"""What one webhook event means for the store and the thread (no Slack calls here).

Each event is handled in three steps so that a crash anywhere leaves a state the
worker can finish without posting twice (see :mod:`bot.webhooks.worker`):

1. :func:`prepare` (one transaction, before any Slack call): find the appointment,
   apply what may be applied early (an RSVP, a new proposal: both idempotent) and
   decide the thread reply, if any.
2. the worker posts the reply;
3. :func:`finish` (after the post): apply what the reply describes (new schedule,
   cancellation). Until then the store still holds the old values, so if the post
   must be repeated, ``prepare`` decides the same reply again; and an echo of a change
   the bot made itself (already in the store) finds no difference: no reply.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import raiseload

from bot.scheducal.events import WebhookEvent, parse_event
from bot.slack.blocks import person_text, section
from bot.slack.text import date_token, escape, truncate
from bot.store import repo
from bot.store.models import Appointment, InboxEvent, Proposal
from bot.webhooks import messages


@dataclass
class Reply:
    channel: str
    thread_ts: str | None  # None: a top-level message (default channel fallback)
    text: str
    blocks: list[dict[str, Any]]


@dataclass
class Prepared:
    appointment: Appointment | None  # None: unknown (or not posted in Slack yet)
    reply: Reply | None = None


def _zone(name: str | None, fallback: str) -> ZoneInfo:
    for candidate in (name, fallback):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def to_utc(wall: datetime, zone_name: str | None, fallback_zone: str) -> datetime:
    """A ScheduCal wall time in its zone as an aware datetime."""
    return wall.replace(tzinfo=_zone(zone_name, fallback_zone)).astimezone(ZoneInfo("UTC"))


async def find_appointment(
    session: AsyncSession, event: WebhookEvent, *, with_invitees: bool = True
) -> Appointment | None:
    """The appointment with a thread to post in, or None (unknown, or parent not posted).

    ``with_invitees=False`` skips loading the attendees (only the parent render needs them).
    """
    if with_invitees:
        appointment = await repo.get_by_scheducal_id(session, event.appointment_id)
    else:
        statement = (
            select(Appointment)
            .where(Appointment.scheducal_id == event.appointment_id)
            .options(raiseload(Appointment.invitees))
        )
        appointment = (await session.execute(statement)).scalar_one_or_none()
    if appointment is None or not appointment.message_ts:
        return None
    return appointment


async def prepare(session: AsyncSession, event: WebhookEvent, *, reply_done: bool) -> Prepared:
    """Step 1. ``reply_done``: the thread reply was already posted (only finish remains)."""
    appointment = await find_appointment(session, event, with_invitees=False)
    if appointment is None:
        return Prepared(None)
    message = await _decide(session, appointment, event)
    if message is None or reply_done:
        return Prepared(appointment)
    text, blocks = message
    reply = Reply(appointment.channel_id, appointment.message_ts, text, blocks)
    return Prepared(appointment, reply)


async def _record_response(
    session: AsyncSession, appointment: Appointment, event: WebhookEvent, response: str
) -> bool:
    """The attendee's answer into the tally; False when a newer one is already there."""
    attendee = event.attendee
    assert attendee is not None  # parse_event guarantees it for attendee events
    return await repo.record_response(
        session,
        appointment.id,
        email=attendee.email,
        name=attendee.name or None,
        response=response,
        responded_at=attendee.responded_at or event.timestamp,
    )


async def _decide(
    session: AsyncSession, appointment: Appointment, event: WebhookEvent
) -> tuple[str, list[dict[str, Any]]] | None:
    kind = event.event_type
    if kind == "attendee.responded":
        attendee = event.attendee
        assert attendee is not None  # parse_event guarantees it
        applied = await _record_response(session, appointment, event, attendee.response or "none")
        return messages.responded(
            attendee.name, attendee.email, attendee.response or "none", superseded=not applied
        )
    if kind == "attendee.proposed_new_time":
        attendee = event.attendee
        assert attendee is not None and attendee.proposed_start and attendee.proposed_end
        if attendee.response:  # proposing usually answers "tentative" too (Exchange)
            await _record_response(session, appointment, event, attendee.response)
        zone = event.time_zone or appointment.timezone
        start = to_utc(attendee.proposed_start, zone, appointment.timezone)
        end = to_utc(attendee.proposed_end, zone, appointment.timezone)
        proposal, _ = await repo.add_proposal(
            session,
            appointment.id,
            event_id=event.id,
            attendee_email=attendee.email,
            attendee_name=attendee.name or None,
            proposed_start_utc=start,
            proposed_end_utc=end,
        )
        return messages.proposal(
            proposal.id, attendee.name, attendee.email, start, end, appointment.timezone
        )
    if kind == "appointment.updated":
        changes = schedule_changes(appointment, event)
        if not changes:
            return None  # nothing new (e.g. the echo of our own reschedule): parent only
        return messages.updated(changes)
    if kind == "appointment.canceled":
        if appointment.status == "canceled":
            return None  # the echo of our own cancel
        return messages.canceled(event.comment)
    return None


def new_schedule(appointment: Appointment, event: WebhookEvent) -> dict[str, Any]:
    """What ``appointment.updated`` says the appointment is now (only the fields it carries)."""
    zone = event.time_zone or appointment.timezone
    values: dict[str, Any] = {"timezone": zone}
    values["start_utc"] = (
        to_utc(event.start, zone, appointment.timezone) if event.start else appointment.start_utc
    )
    values["end_utc"] = (
        to_utc(event.end, zone, appointment.timezone) if event.end else appointment.end_utc
    )
    if event.subject is not None:
        values["subject"] = event.subject
    if event.location is not None:
        values["location"] = event.location
    return values


def _shown(value: str | None) -> str:
    return escape(truncate(value, 300)) if value else "_none_"


def schedule_changes(appointment: Appointment, event: WebhookEvent) -> list[messages.Change]:
    new = new_schedule(appointment, event)
    changes: list[messages.Change] = []
    zone = new["timezone"]
    if new["start_utc"] != appointment.start_utc or new["end_utc"] != appointment.end_utc:
        changes.append(
            messages.Change(
                "When",
                f"{date_token(appointment.start_utc, appointment.timezone)} – "
                f"{date_token(appointment.end_utc, appointment.timezone)}",
                f"{date_token(new['start_utc'], zone)} – {date_token(new['end_utc'], zone)}",
            )
        )
    elif zone != appointment.timezone:
        changes.append(messages.Change("Zone", _shown(appointment.timezone), _shown(zone)))
    if "subject" in new and new["subject"] != appointment.subject:
        changes.append(
            messages.Change("Subject", _shown(appointment.subject), _shown(new["subject"]))
        )
    if "location" in new and (new["location"] or None) != (appointment.location or None):
        changes.append(
            messages.Change("Location", _shown(appointment.location), _shown(new["location"]))
        )
    return changes


async def finish(session: AsyncSession, event: WebhookEvent, reply_ts: str | None) -> None:
    """Step 3: apply what the reply announced (idempotent: safe to run again)."""
    if event.event_type == "attendee.proposed_new_time" and reply_ts:
        proposal = (
            await session.execute(select(Proposal).where(Proposal.event_id == event.id))
        ).scalar_one_or_none()
        if proposal is not None and proposal.message_ts != reply_ts:
            await repo.set_proposal_message_ts(session, proposal.id, reply_ts)
    if event.event_type not in ("appointment.updated", "appointment.canceled"):
        return
    appointment = await find_appointment(session, event, with_invitees=False)
    if appointment is None:
        return
    if event.event_type == "appointment.updated" and schedule_changes(appointment, event):
        await repo.update_schedule(session, appointment.id, **new_schedule(appointment, event))
    elif event.event_type == "appointment.canceled" and appointment.status != "canceled":
        await repo.mark_canceled(session, appointment.id)


async def time_when_proposed(
    session: AsyncSession, proposal: Proposal
) -> tuple[datetime, datetime] | None:
    """The appointment's time as ScheduCal reported it with the proposal (its inbox event)."""
    row = await session.get(InboxEvent, proposal.event_id)
    if row is None:
        return None
    try:
        event = parse_event(json.loads(row.payload))
    except ValueError:  # InvalidEventError and JSONDecodeError are ValueErrors
        return None
    if event.start is None or event.end is None:
        return None
    zone = event.time_zone or "UTC"
    return to_utc(event.start, zone, "UTC"), to_utc(event.end, zone, "UTC")


def stale_reason(appointment: Appointment, then: tuple[datetime, datetime] | None) -> str | None:
    """Why a proposal no longer applies ("canceled" / "moved"), or None while it does."""
    if appointment.status != "active":
        return "canceled"
    if then is not None and then != (appointment.start_utc, appointment.end_utc):
        return "moved"
    return None


async def retire_stale_proposals(
    session: AsyncSession, appointment: Appointment
) -> list[tuple[Proposal, str]]:
    """Close the open proposals the appointment's move or cancellation made pointless."""
    retired = []
    for proposal in await repo.list_open_proposals(session, appointment.id):
        reason = stale_reason(appointment, await time_when_proposed(session, proposal))
        if reason and await repo.decide_proposal(
            session, proposal.id, status="stale", decided_by=None
        ):
            retired.append((proposal, reason))
    return retired


def fallback_message(event: WebhookEvent) -> tuple[str, list[dict[str, Any]]]:
    """The default-channel message for an event about an appointment we do not know."""
    zone = event.time_zone or "UTC"
    detail: list[dict[str, Any]] = []
    attendee = event.attendee
    if event.event_type == "attendee.responded" and attendee:
        detail = messages.responded(
            attendee.name, attendee.email, attendee.response or "none", superseded=False
        )[1]
    elif event.event_type == "attendee.proposed_new_time" and attendee:
        assert attendee.proposed_start and attendee.proposed_end
        start = to_utc(attendee.proposed_start, zone, "UTC")
        detail = [
            section(
                f"{person_text(attendee.name, attendee.email)} proposed {date_token(start, zone)}"
            )
        ]
    elif event.event_type == "appointment.updated" and event.start:
        detail = [section(f"Now at {date_token(to_utc(event.start, zone, 'UTC'), zone)}")]
    elif event.event_type == "appointment.canceled":
        detail = messages.canceled(event.comment)[1]
    return messages.unknown_appointment(
        event.event_type, event.appointment_id, event.subject, detail
    )
