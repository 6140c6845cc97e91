"""Accept or keep a proposed new time (the buttons under a proposal in the thread).

Rules, checked in this order, each refusal a private sentence that changes nothing:
the proposal exists; it is still open (a second click, or a decision by someone else,
is reported with who decided and when); the person is the organizer or a workspace
admin; the appointment is still active and still at the time it had when the attendee
proposed (else the proposal is stale). The decision itself is a conditional UPDATE,
so two simultaneous clicks cannot both win.

Accept then reschedules through the Slack app's own path (store first, ScheduCal PUT
with the proposed start and end in the appointment's zone, one thread reply, parent
refresh), so ScheduCal's echo of the change adds nothing to the thread. If ScheduCal
refuses, the proposal is opened again and the person is told why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.errors import SlackApiError
from sqlalchemy import update

from bot.services import Services
from bot.slack import operations
from bot.slack.errors import UserFacingError
from bot.slack.text import date_token
from bot.store import repo
from bot.store.models import Appointment, Proposal
from bot.store.types import utcnow
from bot.webhooks import handling, messages

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What to tell the person who clicked (None: the thread says it all)."""

    private: str | None


async def _load(services: Services, proposal_id: int) -> tuple[Proposal, Appointment]:
    async with services.db.session() as s:
        proposal = await repo.get_proposal(s, proposal_id)
        appointment = await repo.get_appointment(s, proposal.appointment_id) if proposal else None
    if proposal is None or appointment is None:
        raise UserFacingError("This proposal no longer exists, so there is nothing to decide.")
    return proposal, appointment


def _already_decided(proposal: Proposal, tz_name: str) -> str:
    if proposal.status == "stale":
        return (
            "This proposed time no longer applies: the meeting was moved or canceled after "
            "it was proposed. Nothing was changed."
        )
    when = f" on {date_token(proposal.decided_at, tz_name)}" if proposal.decided_at else ""
    who = f" by <@{proposal.decided_by}>" if proposal.decided_by else ""
    verdict = {
        "accepted": "was already accepted",
        "kept": "was already answered with *Keep original*",
    }.get(proposal.status, "was already decided")
    return f"This proposed time {verdict}{who}{when}. Nothing was changed."


async def _check(
    services: Services, proposal: Proposal, appointment: Appointment, user_id: str, doing: str
) -> None:
    if proposal.status != "open":
        raise UserFacingError(_already_decided(proposal, appointment.timezone))
    if not await operations.may_manage(services, appointment, user_id):
        raise UserFacingError(
            f"Sorry, only the organizer (<@{appointment.organizer_id}>) or a workspace admin "
            f"can {doing} a proposed time for #{appointment.ref}. Nothing was changed."
        )
    async with services.db.session() as s:
        reason = handling.stale_reason(appointment, await handling.time_when_proposed(s, proposal))
    if reason == "canceled":
        raise UserFacingError(
            f"#{appointment.ref} was canceled after this time was proposed, so the proposal "
            "no longer applies. Nothing was changed."
        )
    if reason == "moved":
        raise UserFacingError(
            f"#{appointment.ref} was moved after this time was proposed, so the proposal no "
            "longer applies. Nothing was changed; use *Reschedule* if you still want it."
        )


async def _reopen(services: Services, proposal_id: int, user_id: str) -> None:
    async with services.db.session() as s:
        await s.execute(
            update(Proposal)
            .where(
                Proposal.id == proposal_id,
                Proposal.status == "accepted",
                Proposal.decided_by == user_id,
            )
            .values(status="open", decided_by=None, decided_at=None)
            .execution_options(synchronize_session=False)
        )


async def _replace_buttons(
    services: Services,
    proposal: Proposal,
    appointment: Appointment,
    *,
    accepted: bool,
    user_id: str,
    decided_at: datetime,
    message_ts: str | None,
) -> None:
    ts = proposal.message_ts or message_ts
    if not ts:
        return
    text, blocks = messages.proposal_decided(
        proposal.attendee_name or "",
        proposal.attendee_email,
        proposal.proposed_start_utc,
        proposal.proposed_end_utc,
        appointment.timezone,
        accepted=accepted,
        decided_by=user_id,
        decided_at=decided_at,
    )
    try:
        await services.slack.chat_update(
            channel=appointment.channel_id, ts=ts, text=text, blocks=blocks
        )
    except SlackApiError as exc:
        log.warning(
            "could not update proposal %s message: %s", proposal.id, exc.response.get("error")
        )


async def decide(
    services: Services,
    proposal_id: int,
    user_id: str,
    *,
    accept: bool,
    message_ts: str | None = None,
) -> Outcome:
    """Accept (reschedule) or keep; ``message_ts`` is the clicked message, as a fallback."""
    doing = "accept" if accept else "decline"
    try:
        proposal, appointment = await _load(services, proposal_id)
        await _check(services, proposal, appointment, user_id, doing)
        decided_at = utcnow()
        async with services.db.session() as s:
            won = await repo.decide_proposal(
                s,
                proposal_id,
                status="accepted" if accept else "kept",
                decided_by=user_id,
                decided_at=decided_at,
            )
        if not won:  # someone else clicked in between
            proposal, appointment = await _load(services, proposal_id)
            raise UserFacingError(_already_decided(proposal, appointment.timezone))
        if accept:
            try:
                await operations.reschedule(
                    services,
                    appointment,
                    start=proposal.proposed_start_utc,
                    end=proposal.proposed_end_utc,
                    timezone=appointment.timezone,
                    actor=user_id,
                )
            except BaseException:
                await _reopen(services, proposal_id, user_id)
                raise
        await _replace_buttons(
            services,
            proposal,
            appointment,
            accepted=accept,
            user_id=user_id,
            decided_at=decided_at,
            message_ts=message_ts,
        )
    except UserFacingError as exc:
        return Outcome(exc.message)
    return Outcome(None)
