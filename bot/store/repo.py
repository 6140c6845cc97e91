"""Repository functions: every read and write the bot makes on appointments.

Each function takes an ``AsyncSession`` and only flushes; the caller's
``Database.session()`` block commits. Datetimes go in aware (any zone) and come out
aware in UTC. Functions that change one appointment by id raise :class:`NotFoundError`
when it does not exist; lookups return ``None`` instead.

Concurrency, on both back ends:

* ``ref`` comes from a per-team counter row bumped with one ``UPDATE ... RETURNING``;
  the row lock (PostgreSQL) or the write lock (SQLite, ``BEGIN IMMEDIATE``) makes
  concurrent reservations queue, so refs are unique and gap-free in normal use.
* ``reserve_appointment`` with an idempotency key already in use returns the existing
  row. If two callers race with the same key, the loser's insert fails on the unique
  constraint inside a SAVEPOINT (which also undoes its counter bump) and it returns
  the winner's row.
* ``decide_proposal`` and ``record_response`` are conditional UPDATEs whose row count
  says whether this caller won, so double clicks and late webhook deliveries are no-ops.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import (
    INVITEE_RESPONSES,
    PROPOSAL_STATUSES,
    Appointment,
    Invitee,
    Proposal,
    TeamCounter,
)
from bot.store.types import require_aware, utcnow

# ScheduCal reports these as well; they mean the same as "none".
_RESPONSE_ALIASES = {"notResponded": "none"}
_REF_PATTERN = re.compile(r"^\s*#?\s*(\d{1,9})\s*$")


class NotFoundError(LookupError):
    """The appointment or proposal with that id does not exist."""


@dataclass(frozen=True)
class InviteeDraft:
    """An attendee to store with a new appointment."""

    email: str
    name: str | None = None
    slack_user_id: str | None = None


def normalize_email(email: str) -> str:
    """Emails are matched case-insensitively, so they are stored lower-case and trimmed."""
    return email.strip().lower()


def parse_ref(text: str) -> int | None:
    """``"#12"``, ``"12"`` or ``" # 12 "`` -> 12; anything else -> None."""
    match = _REF_PATTERN.match(text or "")
    if match is None:
        return None
    value = int(match.group(1))
    return value if value > 0 else None


def _check_range(start_utc: datetime, end_utc: datetime) -> None:
    require_aware(start_utc, "start")
    require_aware(end_utc, "end")
    if end_utc <= start_utc:
        raise ValueError("the end of an appointment must be after its start")


# --- appointments -------------------------------------------------------------------------


async def _allocate_ref(s: AsyncSession, team_id: str) -> int:
    """The next short reference of ``team_id``: one atomic increment of its counter row."""
    bump = (
        update(TeamCounter)
        .where(TeamCounter.team_id == team_id)
        .values(last_ref=TeamCounter.last_ref + 1)
        .returning(TeamCounter.last_ref)
        .execution_options(synchronize_session=False)
    )
    ref = (await s.execute(bump)).scalar_one_or_none()
    if ref is not None:
        return ref
    # First appointment of the team: create the counter without tripping over a
    # concurrent creator (ON CONFLICT DO NOTHING waits for it, then does nothing).
    dialect = postgresql if s.bind.dialect.name == "postgresql" else sqlite
    await s.execute(
        dialect.insert(TeamCounter)
        .values(team_id=team_id, last_ref=0)
        .on_conflict_do_nothing(index_elements=["team_id"])
    )
    return (await s.execute(bump)).scalar_one()


async def _by_key(s: AsyncSession, team_id: str, idempotency_key: str) -> Appointment | None:
    stmt = select(Appointment).where(
        Appointment.team_id == team_id, Appointment.idempotency_key == idempotency_key
    )
    return (await s.execute(stmt)).scalar_one_or_none()


async def reserve_appointment(
    s: AsyncSession,
    *,
    team_id: str,
    idempotency_key: str,
    channel_id: str,
    organizer_id: str,
    subject: str,
    start_utc: datetime,
    end_utc: datetime,
    timezone: str,
    location: str | None,
    notes: str | None,
    invitees: Sequence[InviteeDraft],
) -> tuple[Appointment, bool]:
    """Store a new appointment in status ``sending`` with the next ref of the team.

    Returns ``(appointment, True)`` when created, or ``(existing, False)`` when this
    team already used ``idempotency_key`` (the double-click guard). The key is scoped
    to the team, so two workspaces can never see each other's rows through it.
    """
    _check_range(start_utc, end_utc)
    drafts = _unique_drafts(invitees)
    existing = await _by_key(s, team_id, idempotency_key)
    if existing is not None:
        return existing, False
    try:
        async with s.begin_nested():
            appointment = Appointment(
                team_id=team_id,
                ref=await _allocate_ref(s, team_id),
                idempotency_key=idempotency_key,
                channel_id=channel_id,
                organizer_id=organizer_id,
                subject=subject,
                start_utc=start_utc,
                end_utc=end_utc,
                timezone=timezone,
                location=location,
                notes=notes,
                status="sending",
                invitees=[
                    Invitee(
                        team_id=team_id,
                        email=email,
                        name=draft.name,
                        slack_user_id=draft.slack_user_id,
                        response="none",
                        gmail_first_invite=False,
                    )
                    for email, draft in drafts
                ],
            )
            s.add(appointment)
            await s.flush()
    except IntegrityError:
        existing = await _by_key(s, team_id, idempotency_key)
        if existing is None:
            raise
        return existing, False
    return appointment, True


def _unique_drafts(drafts: Iterable[InviteeDraft]) -> list[tuple[str, InviteeDraft]]:
    seen: dict[str, InviteeDraft] = {}
    for draft in drafts:
        email = normalize_email(draft.email)
        if not email:
            raise ValueError("an invitee needs an email address")
        seen.setdefault(email, draft)
    return list(seen.items())


async def get_appointment(s: AsyncSession, appointment_id: int) -> Appointment | None:
    return await s.get(Appointment, appointment_id)


async def _require(s: AsyncSession, appointment_id: int) -> Appointment:
    appointment = await s.get(Appointment, appointment_id)
    if appointment is None:
        raise NotFoundError(f"no appointment with id {appointment_id}")
    return appointment


async def get_by_ref(s: AsyncSession, team_id: str, ref: int) -> Appointment | None:
    stmt = select(Appointment).where(Appointment.team_id == team_id, Appointment.ref == ref)
    return (await s.execute(stmt)).scalar_one_or_none()


async def get_by_scheducal_id(s: AsyncSession, scheducal_id: str) -> Appointment | None:
    stmt = select(Appointment).where(Appointment.scheducal_id == scheducal_id)
    return (await s.execute(stmt)).scalar_one_or_none()


async def _set_status(s: AsyncSession, appointment_id: int, status: str) -> Appointment:
    appointment = await _require(s, appointment_id)
    appointment.status = status
    await s.flush()
    return appointment


async def mark_sent(s: AsyncSession, appointment_id: int, scheducal_id: str) -> Appointment:
    """ScheduCal created it: remember its id and make it ``active``."""
    appointment = await _require(s, appointment_id)
    appointment.scheducal_id = scheducal_id
    appointment.status = "active"
    await s.flush()
    return appointment


async def mark_failed(s: AsyncSession, appointment_id: int) -> Appointment:
    """ScheduCal refused or was unreachable; the ref stays taken so messages stay unique."""
    return await _set_status(s, appointment_id, "failed")


async def reactivate(s: AsyncSession, appointment_id: int) -> Appointment:
    """Undo a store-first cancel that ScheduCal refused: the appointment is ``active`` again."""
    appointment = await _require(s, appointment_id)
    if appointment.scheducal_id is None:
        raise ValueError(f"appointment {appointment_id} was never sent; it cannot be reactivated")
    return await _set_status(s, appointment_id, "active")


async def fail_stale_sends(s: AsyncSession, *, created_before: datetime) -> list[Appointment]:
    """Mark ``failed`` every appointment still ``sending`` that was reserved before the cut-off.

    A send takes seconds; a row left ``sending`` long after belongs to a process that stopped
    between the reservation and ScheduCal's answer. Returns the rows changed.
    """
    require_aware(created_before, "created_before")
    stale = (
        (
            await s.execute(
                select(Appointment)
                .where(Appointment.status == "sending", Appointment.created_at < created_before)
                .order_by(Appointment.id)
            )
        )
        .scalars()
        .all()
    )
    for appointment in stale:
        appointment.status = "failed"
    await s.flush()
    return list(stale)


async def set_message_ts(s: AsyncSession, appointment_id: int, ts: str) -> Appointment:
    """The ts of the channel message (the thread parent) that shows this appointment."""
    appointment = await _require(s, appointment_id)
    appointment.message_ts = ts
    await s.flush()
    return appointment


async def list_upcoming(
    s: AsyncSession,
    team_id: str,
    *,
    now: datetime,
    channel_id: str | None = None,
    user_id: str | None = None,
    limit: int = 50,
) -> list[Appointment]:
    """Active appointments of a team that have not ended yet, soonest first.

    ``channel_id`` keeps those posted in that channel; ``user_id`` keeps those the
    Slack user organises or is invited to (both filters may be combined).
    """
    require_aware(now, "now")
    stmt = select(Appointment).where(
        Appointment.team_id == team_id,
        Appointment.status == "active",
        Appointment.end_utc > now,
    )
    if channel_id is not None:
        stmt = stmt.where(Appointment.channel_id == channel_id)
    if user_id is not None:
        invited = exists().where(
            Invitee.appointment_id == Appointment.id, Invitee.slack_user_id == user_id
        )
        stmt = stmt.where(or_(Appointment.organizer_id == user_id, invited))
    stmt = stmt.order_by(Appointment.start_utc, Appointment.id).limit(limit)
    return list((await s.execute(stmt)).scalars())


async def update_schedule(
    s: AsyncSession,
    appointment_id: int,
    *,
    start_utc: datetime,
    end_utc: datetime,
    timezone: str,
    subject: str | None = None,
    location: str | None = None,
) -> Appointment:
    """New time (and optionally subject/location); ``None`` leaves those two as they are."""
    _check_range(start_utc, end_utc)
    appointment = await _require(s, appointment_id)
    appointment.start_utc = start_utc
    appointment.end_utc = end_utc
    appointment.timezone = timezone
    if subject is not None:
        appointment.subject = subject
    if location is not None:
        appointment.location = location
    await s.flush()
    return appointment


async def mark_canceled(s: AsyncSession, appointment_id: int) -> Appointment:
    return await _set_status(s, appointment_id, "canceled")


# --- invitees -----------------------------------------------------------------------------


async def get_invitee(s: AsyncSession, appointment_id: int, email: str) -> Invitee | None:
    stmt = select(Invitee).where(
        Invitee.appointment_id == appointment_id, Invitee.email == normalize_email(email)
    )
    return (await s.execute(stmt)).scalar_one_or_none()


async def add_invitee(
    s: AsyncSession,
    appointment_id: int,
    *,
    email: str,
    name: str | None = None,
    slack_user_id: str | None = None,
) -> tuple[Invitee, bool]:
    """Add an attendee; ``(existing, False)`` when that email is already invited.

    An existing attendee keeps their response; a missing name or Slack id is filled in.
    """
    appointment = await _require(s, appointment_id)
    email = normalize_email(email)
    if not email:
        raise ValueError("an invitee needs an email address")
    existing = await get_invitee(s, appointment_id, email)
    if existing is None:
        try:
            async with s.begin_nested():
                invitee = Invitee(
                    team_id=appointment.team_id,
                    appointment_id=appointment_id,
                    email=email,
                    name=name,
                    slack_user_id=slack_user_id,
                    response="none",
                    gmail_first_invite=False,
                )
                s.add(invitee)
                await s.flush()
        except IntegrityError:  # added concurrently by someone else
            existing = await get_invitee(s, appointment_id, email)
            if existing is None:
                raise
        else:
            await s.refresh(appointment, ["invitees"])
            return invitee, True
    existing.name = existing.name or name
    existing.slack_user_id = existing.slack_user_id or slack_user_id
    await s.flush()
    return existing, False


async def record_invitation(
    s: AsyncSession,
    appointment_id: int,
    email: str,
    *,
    gmail_first_invite: bool = False,
    error: str | None = None,
) -> Invitee:
    """The outcome of sending this attendee's invitation (``error`` = what went wrong)."""
    invitee = await get_invitee(s, appointment_id, email)
    if invitee is None:
        raise NotFoundError(f"{email} is not invited to appointment {appointment_id}")
    invitee.gmail_first_invite = gmail_first_invite
    invitee.invite_error = error
    await s.flush()
    return invitee


async def record_response(
    s: AsyncSession,
    appointment_id: int,
    *,
    email: str,
    name: str | None,
    response: str,
    responded_at: datetime,
) -> bool:
    """Store an attendee's RSVP unless a newer one is already stored.

    Returns False (and changes nothing) when ``responded_at`` is older than the stored
    response: webhooks are retried and may arrive out of order. An equal time is
    applied again (a redelivery is harmless). An attendee not invited through the bot
    (e.g. added in ScheduCal's dashboard) is added. ``notResponded`` is stored as
    ``none``. Pass the event's timestamp when the attendee has no ``respondedAt``.
    """
    require_aware(responded_at, "responded_at")
    response = _RESPONSE_ALIASES.get(response, response)
    if response not in INVITEE_RESPONSES:
        raise ValueError(f"unknown response {response!r}")
    appointment = await _require(s, appointment_id)
    email = normalize_email(email)
    if await get_invitee(s, appointment_id, email) is None:
        await add_invitee(s, appointment_id, email=email, name=name)
    values: dict[str, object] = {"response": response, "responded_at": responded_at}
    if name:
        values["name"] = name
    stmt = (
        update(Invitee)
        .where(
            Invitee.appointment_id == appointment.id,
            Invitee.email == email,
            or_(Invitee.responded_at.is_(None), Invitee.responded_at <= responded_at),
        )
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
    return (await s.execute(stmt)).rowcount == 1


# --- proposals ----------------------------------------------------------------------------


async def add_proposal(
    s: AsyncSession,
    appointment_id: int,
    *,
    event_id: str,
    attendee_email: str,
    attendee_name: str | None,
    proposed_start_utc: datetime,
    proposed_end_utc: datetime,
) -> tuple[Proposal, bool]:
    """Store a proposed new time, once per webhook event: ``(existing, False)`` on a repeat."""
    _check_range(proposed_start_utc, proposed_end_utc)
    appointment = await _require(s, appointment_id)
    existing = await _proposal_by_event(s, event_id)
    if existing is not None:
        return existing, False
    try:
        async with s.begin_nested():
            proposal = Proposal(
                team_id=appointment.team_id,
                appointment_id=appointment_id,
                event_id=event_id,
                attendee_email=normalize_email(attendee_email),
                attendee_name=attendee_name,
                proposed_start_utc=proposed_start_utc,
                proposed_end_utc=proposed_end_utc,
                status="open",
            )
            s.add(proposal)
            await s.flush()
    except IntegrityError:
        existing = await _proposal_by_event(s, event_id)
        if existing is None:
            raise
        return existing, False
    return proposal, True


async def _proposal_by_event(s: AsyncSession, event_id: str) -> Proposal | None:
    stmt = select(Proposal).where(Proposal.event_id == event_id)
    return (await s.execute(stmt)).scalar_one_or_none()


async def get_proposal(s: AsyncSession, proposal_id: int) -> Proposal | None:
    return await s.get(Proposal, proposal_id)


async def set_proposal_message_ts(s: AsyncSession, proposal_id: int, ts: str) -> Proposal:
    """The ts of the thread reply that carries the proposal's buttons."""
    proposal = await s.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFoundError(f"no proposal with id {proposal_id}")
    proposal.message_ts = ts
    await s.flush()
    return proposal


async def list_open_proposals(s: AsyncSession, appointment_id: int) -> list[Proposal]:
    stmt = (
        select(Proposal)
        .where(Proposal.appointment_id == appointment_id, Proposal.status == "open")
        .order_by(Proposal.id)
    )
    return list((await s.execute(stmt)).scalars())


async def decide_proposal(
    s: AsyncSession,
    proposal_id: int,
    *,
    status: str,
    decided_by: str | None,
    decided_at: datetime | None = None,
) -> bool:
    """Close an open proposal as ``accepted``, ``kept`` or ``stale``.

    Returns True only for the caller that closed it; False when it was already decided
    (or does not exist), so a second click does nothing.
    """
    if status not in PROPOSAL_STATUSES or status == "open":
        raise ValueError(f"a proposal cannot be decided as {status!r}")
    if decided_at is not None:
        require_aware(decided_at, "decided_at")
    stmt = (
        update(Proposal)
        .where(Proposal.id == proposal_id, Proposal.status == "open")
        .values(status=status, decided_by=decided_by, decided_at=decided_at or utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return (await s.execute(stmt)).rowcount == 1
