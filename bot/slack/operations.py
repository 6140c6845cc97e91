"""What the listeners do after they have acknowledged Slack: the steps of each job.

Listeners stay thin: they read the request, ack, and call one function here. These
functions talk to ScheduCal, the store and the Slack Web API in a fixed order:

* Send invites: reserve the row (idempotency key from the preview, so a double click
  finds the same row and stops), create with the first attendee, one invitation per
  extra attendee (each outcome stored), post the one channel parent message, report.
* Bot-made changes (reschedule, cancel): the store is updated FIRST, then ScheduCal,
  then one thread reply and a refresh of the parent. The webhook worker compares the
  echo (appointment.updated / .canceled) with the store, finds no difference and only
  refreshes the parent, so nothing is announced twice. When ScheduCal refuses, the store
  change is undone and the person is told why.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.scheducal.errors import (
    AppointmentAlreadyCancelled,
    AppointmentNotFound,
    DuplicateRequest,
    ScheduCalConnectionError,
    ScheduCalError,
    ScheduCalProtocolError,
    ScheduCalServerError,
)
from bot.services import Services
from bot.slack import blocks
from bot.slack.draft import Draft, DraftAttendee
from bot.slack.errors import UserFacingError, scheducal_sentence, slack_sentence
from bot.slack.text import date_token, duration_text, escape, truncate
from bot.slack.users import SlackUser
from bot.store import repo
from bot.store.models import Appointment

log = logging.getLogger(__name__)

Respond = Callable[..., Awaitable[Any]]
# Failures after which ScheduCal may or may not have acted on the request.
UNCERTAIN_OUTCOME = (ScheduCalConnectionError, ScheduCalServerError, ScheduCalProtocolError)


def _uncertain(exc: Exception) -> bool:
    return isinstance(exc, UNCERTAIN_OUTCOME) or bool(
        getattr(exc, "after_ambiguous_attempt", False)
    )


def _already_done(exc: Exception) -> bool:
    """A 409 after an attempt that may have been applied: the earlier attempt worked."""
    return isinstance(exc, DuplicateRequest) and exc.after_ambiguous_attempt


# --------------------------------------------------------------------------- people


async def people_to_attendees(
    services: Services, user_ids: Sequence[str]
) -> tuple[list[DraftAttendee], list[str]]:
    """Slack people -> attendees with their profile email; problems as escaped sentences."""
    attendees: list[DraftAttendee] = []
    problems: list[str] = []
    for user_id in dict.fromkeys(user_ids):
        try:
            user = await services.users.get(user_id)
        except SlackApiError as exc:
            problems.append(slack_sentence(exc))
            continue
        if user.is_bot:
            problems.append(f"{escape(user.name)} is an app, not a person; apps cannot be invited.")
        elif not user.email:
            problems.append(
                f"I cannot see an email address for {escape(user.name)} (their profile hides "
                "it, or I lack the users:read.email scope). Type their email address instead."
            )
        else:
            attendees.append(DraftAttendee(email=user.email, name=user.name, slack_user_id=user.id))
    return attendees, problems


def merge_attendees(*groups: Sequence[DraftAttendee]) -> tuple[DraftAttendee, ...]:
    """One attendee per email (case-insensitive), first occurrence wins."""
    seen: dict[str, DraftAttendee] = {}
    for group in groups:
        for attendee in group:
            seen.setdefault(attendee.email.lower(), attendee)
    return tuple(seen.values())


# --------------------------------------------------------------------------- loading and rights


async def load(services: Services, team_id: str, ref: int) -> Appointment:
    async with services.db.session() as s:
        appointment = await repo.get_by_ref(s, team_id, ref)
    if appointment is None:
        raise UserFacingError(f"There is no appointment #{ref} in this workspace.")
    return appointment


async def reload(services: Services, appointment_id: int) -> Appointment:
    async with services.db.session() as s:
        appointment = await repo.get_appointment(s, appointment_id)
    if appointment is None:  # deleted under us; should not happen
        raise UserFacingError("That appointment no longer exists.")
    return appointment


def require_active(appointment: Appointment, doing: str) -> None:
    ref = f"#{appointment.ref}"
    if appointment.status == "canceled":
        raise UserFacingError(f"{ref} is already canceled, so I cannot {doing} it.")
    if appointment.status != "active" or not appointment.scheducal_id:
        raise UserFacingError(f"{ref} was never sent to ScheduCal, so I cannot {doing} it.")


async def may_manage(services: Services, appointment: Appointment, user_id: str) -> bool:
    if user_id == appointment.organizer_id:
        return True
    try:
        user: SlackUser = await services.users.get(user_id)
    except SlackApiError:
        return False
    return user.may_manage_everything


async def require_manager(
    services: Services, appointment: Appointment, user_id: str, doing: str
) -> None:
    if not await may_manage(services, appointment, user_id):
        raise UserFacingError(
            f"Sorry, only the organizer (<@{appointment.organizer_id}>) or a workspace admin "
            f"can {doing} #{appointment.ref}. You can ask them in the thread."
        )


async def require_inviter(
    services: Services, appointment: Appointment, user_id: str, channel_id: str
) -> None:
    """People in the appointment's channel may add invitees; elsewhere only its managers.

    References are short sequential numbers, so without this anyone could add guests to a
    meeting of a channel (even a private one) they cannot see by guessing its number.
    """
    if channel_id == appointment.channel_id or await may_manage(services, appointment, user_id):
        return
    raise UserFacingError(
        f"#{appointment.ref} belongs to another channel: add people from "
        f"<#{appointment.channel_id}> (or ask its organizer)."
    )


# --------------------------------------------------------------------------- Slack output


async def tell(services: Services, channel_id: str, user_id: str, text: str) -> None:
    """A private message to ``user_id`` in ``channel_id`` (their DM with the app as fallback)."""
    try:
        await services.slack.chat_postEphemeral(channel=channel_id, user=user_id, text=text)
        return
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.info("ephemeral in %s failed (%s); using a direct message", channel_id, error)
    try:
        await services.slack.chat_postMessage(channel=user_id, text=text)
    except SlackApiError:
        log.warning("could not reach user %s privately", user_id)


async def refresh_parent(services: Services, appointment: Appointment) -> str | None:
    """Re-render the channel parent message; post it when it was never posted.

    Returns a problem sentence when Slack refused, else None.
    """
    text, message_blocks = blocks.appointment_message(appointment, appointment.invitees)
    try:
        if appointment.message_ts:
            await services.slack.chat_update(
                channel=appointment.channel_id,
                ts=appointment.message_ts,
                text=text,
                blocks=message_blocks,
            )
            return None
        response = await services.slack.chat_postMessage(
            channel=appointment.channel_id, text=text, blocks=message_blocks, unfurl_links=False
        )
    except SlackApiError as exc:
        log.warning("parent message of #%s: %s", appointment.ref, exc.response.get("error"))
        return slack_sentence(exc, doing="post the appointment in this channel")
    async with services.db.session() as s:
        await repo.set_message_ts(s, appointment.id, response["ts"])
    appointment.message_ts = response["ts"]
    return None


async def thread_reply(services: Services, appointment: Appointment, text: str) -> None:
    if not appointment.message_ts:
        return
    try:
        await services.slack.chat_postMessage(
            channel=appointment.channel_id,
            thread_ts=appointment.message_ts,
            text=text,
            unfurl_links=False,
        )
    except SlackApiError as exc:
        log.warning("thread reply on #%s: %s", appointment.ref, exc.response.get("error"))


# --------------------------------------------------------------------------- send invites


def _html_body(notes: str | None) -> str | None:
    if not notes:
        return None
    return html.escape(notes).replace("\n", "<br>")


def _invitee_name(attendee: DraftAttendee) -> str:
    return attendee.name or attendee.email.split("@", 1)[0]


async def _tell_preview(respond: Respond, **message: Any) -> None:
    """Replace the preview; a failure here must not stop the invitations half-way."""
    try:
        await respond(replace_original=True, **message)
    except Exception as exc:  # noqa: BLE001 - e.g. an expired response URL; keep going
        log.warning("could not update the preview: %s", type(exc).__name__)


async def send_invites(services: Services, draft: Draft, respond: Respond) -> Appointment | None:
    """Create the appointment from a preview; None when this preview was already sent."""
    async with services.db.session() as s:
        appointment, created = await repo.reserve_appointment(
            s,
            team_id=draft.team_id,
            idempotency_key=draft.idempotency_key,
            channel_id=draft.channel_id,
            organizer_id=draft.organizer_id,
            subject=draft.subject,
            start_utc=draft.start,
            end_utc=draft.end,
            timezone=draft.timezone,
            location=draft.location,
            notes=draft.notes,
            invitees=[
                repo.InviteeDraft(email=a.email, name=a.name, slack_user_id=a.slack_user_id)
                for a in draft.attendees
            ],
        )
    if not created:
        log.info("Send invites clicked again for #%s: ignored", appointment.ref)
        return None
    await _tell_preview(
        respond,
        text=f":hourglass_flowing_sand: Sending the invitations for #{appointment.ref}…",
    )
    attendees = list(draft.attendees)
    first = attendees[0] if attendees else None
    try:
        result = await services.scheducal.create_appointment(
            start=draft.start,
            end=draft.end,
            time_zone=draft.timezone,
            subject=draft.subject,
            body=_html_body(draft.notes),
            location=draft.location,
            invitee_name=_invitee_name(first) if first else None,
            invitee_email=first.email if first else None,
        )
        scheducal_id, gmail = result.appointment_id, result.gmail_first_invite
    except Exception as exc:
        if _already_done(exc) and getattr(exc, "existing_id", None):
            # An earlier attempt of this very call was applied; carry on with its id.
            scheducal_id, gmail = exc.existing_id, False  # type: ignore[attr-defined]
        else:
            async with services.db.session() as s:
                await repo.mark_failed(s, appointment.id)
            if not isinstance(exc, ScheduCalError):
                raise
            sentence = scheducal_sentence(exc, doing="create the appointment")
            if _uncertain(exc):
                sentence += (
                    " I could not confirm whether ScheduCal created it: check your calendar "
                    "before running the command again."
                )
            else:
                sentence += " Nothing was sent. Run the command again when you are ready."
            await _tell_preview(respond, text=f":x: {sentence}")
            return None

    async with services.db.session() as s:
        await repo.mark_sent(s, appointment.id, scheducal_id)
        if first:
            await repo.record_invitation(s, appointment.id, first.email, gmail_first_invite=gmail)
    for attendee in attendees[1:]:
        await _invite_one(services, appointment.id, scheducal_id, attendee)

    appointment = await reload(services, appointment.id)
    problems = []
    problem = await refresh_parent(services, appointment)
    if problem:
        problems.append(problem + " The invitations went out anyway.")
    text, outcome = blocks.send_outcome_message(
        appointment, appointment.invitees, problems=problems
    )
    await _tell_preview(respond, text=text, blocks=outcome)
    return appointment


async def _invite_one(
    services: Services, appointment_id: int, scheducal_id: str, attendee: DraftAttendee
) -> str | None:
    """Send one invitation and store its outcome; returns the problem sentence, if any."""
    error = None
    gmail = False
    try:
        invitation = await services.scheducal.invite(
            scheducal_id, name=_invitee_name(attendee), email=attendee.email
        )
        gmail = invitation.gmail_first_invite
    except ScheduCalError as exc:
        if not _already_done(exc):  # else an earlier attempt of this call was applied
            error = scheducal_sentence(exc, doing="send this invitation")
            log.info("invitation to appointment %s failed: %s", appointment_id, type(exc).__name__)
    async with services.db.session() as s:
        await repo.record_invitation(
            s, appointment_id, attendee.email, gmail_first_invite=gmail, error=error
        )
    return error


# --------------------------------------------------------------------------- manage


async def invite_people(
    services: Services, appointment: Appointment, attendees: Sequence[DraftAttendee], actor: str
) -> list[str]:
    """Add attendees to a sent appointment; returns escaped lines describing the outcome."""
    require_active(appointment, "add people to")
    added: list[DraftAttendee] = []
    lines: list[str] = []
    for attendee in attendees:
        async with services.db.session() as s:
            invitee, new = await repo.add_invitee(
                s,
                appointment.id,
                email=attendee.email,
                name=attendee.name,
                slack_user_id=attendee.slack_user_id,
            )
        who = blocks.person_text(attendee.name, attendee.email)
        if not new and not invitee.invite_error:
            lines.append(f"{who} is already invited.")
            continue
        error = await _invite_one(services, appointment.id, appointment.scheducal_id, attendee)
        if error:
            lines.append(f":x: {who} was not invited: {escape(error)}")
        else:
            added.append(attendee)
            lines.append(f":white_check_mark: {who} is invited.")
    appointment = await reload(services, appointment.id)
    first_to_gmail = {
        i.email.lower() for i in appointment.invitees if i.gmail_first_invite and not i.invite_error
    }
    for attendee in added:  # the same hint the send outcome gives
        if attendee.email.lower() in first_to_gmail:
            lines.append(
                f"• {blocks.person_text(attendee.name, attendee.email)}: first invitation to "
                "this Gmail address; ask them to check their spam folder and confirm it."
            )
    if added:
        names = ", ".join(blocks.person_text(a.name, a.email) for a in added)
        await thread_reply(services, appointment, f":heavy_plus_sign: <@{actor}> invited {names}.")
    await refresh_parent(services, appointment)
    return lines


def _unchanged(exc: Exception, sentence: str) -> str:
    if _uncertain(exc):
        return (
            " If ScheduCal applied the change anyway, its notification will update the "
            "thread shortly."
        )
    return " " + sentence


async def reschedule(
    services: Services,
    appointment: Appointment,
    *,
    start: datetime,
    end: datetime,
    timezone: str,
    actor: str,
) -> Appointment:
    require_active(appointment, "reschedule")
    await require_manager(services, appointment, actor, "reschedule")
    if end <= start:
        raise UserFacingError("The new end must be after the new start.")
    old = (appointment.start_utc, appointment.end_utc, appointment.timezone)
    async with services.db.session() as s:
        await repo.update_schedule(
            s, appointment.id, start_utc=start, end_utc=end, timezone=timezone
        )
    try:
        await services.scheducal.update_appointment(
            appointment.scheducal_id, start=start, end=end, time_zone=timezone
        )
    except Exception as exc:
        async with services.db.session() as s:
            await repo.update_schedule(
                s, appointment.id, start_utc=old[0], end_utc=old[1], timezone=old[2]
            )
        if isinstance(exc, ScheduCalError):
            raise UserFacingError(
                scheducal_sentence(exc, doing=f"reschedule #{appointment.ref}")
                + _unchanged(exc, "The appointment keeps its old time.")
            ) from exc
        raise
    appointment = await reload(services, appointment.id)
    await thread_reply(
        services,
        appointment,
        f":arrows_counterclockwise: <@{actor}> moved this meeting to "
        f"{date_token(start, timezone)} ({duration_text(end - start)}). "
        "Attendees got an updated invitation.",
    )
    await refresh_parent(services, appointment)
    return appointment


async def cancel(
    services: Services, appointment: Appointment, *, comment: str | None, actor: str
) -> Appointment:
    if appointment.status == "canceled":
        raise UserFacingError(f"#{appointment.ref} is already canceled.")
    require_active(appointment, "cancel")
    await require_manager(services, appointment, actor, "cancel")
    async with services.db.session() as s:
        await repo.mark_canceled(s, appointment.id)
    try:
        await services.scheducal.cancel_appointment(appointment.scheducal_id, comment=comment)
    except (AppointmentAlreadyCancelled, AppointmentNotFound):
        log.info("#%s was already canceled in ScheduCal", appointment.ref)
    except Exception as exc:
        async with services.db.session() as s:
            await repo.reactivate(s, appointment.id)
        if isinstance(exc, ScheduCalError):
            raise UserFacingError(
                scheducal_sentence(exc, doing=f"cancel #{appointment.ref}")
                + _unchanged(exc, "The appointment is still on.")
            ) from exc
        raise
    appointment = await reload(services, appointment.id)
    reply = f":no_entry_sign: <@{actor}> canceled this meeting."
    if comment:
        reply += f" Comment: “{escape(truncate(comment, 500))}”"
    await thread_reply(services, appointment, reply)
    await refresh_parent(services, appointment)
    return appointment


# --------------------------------------------------------------------------- start-up


async def recover_stuck_sends(
    services: Services, *, now: datetime, older_than: timedelta = timedelta(minutes=10)
) -> list[int]:
    """Appointments left in ``sending`` by a stopped process: mark them failed, tell the organizer.

    A send takes seconds; a row still ``sending`` long after was interrupted between the
    reservation and ScheduCal's answer, so nobody knows whether invitations went out.
    Returns the refs handled.
    """
    async with services.db.session() as s:
        stuck = await repo.fail_stale_sends(s, created_before=now - older_than)
    for appointment in stuck:
        log.warning(
            "#%s (team %s) was left half-sent; marked failed", appointment.ref, appointment.team_id
        )
        text = (
            f":warning: I was stopped while sending *#{appointment.ref} "
            f"{escape(truncate(appointment.subject, 200))}* "
            f"({date_token(appointment.start_utc, appointment.timezone)}), so I cannot tell "
            "whether the invitations went out. Check your calendar, and run `/meet` again "
            "if they did not."
        )
        try:
            await services.slack.chat_postMessage(channel=appointment.organizer_id, text=text)
        except SlackApiError as exc:
            log.warning(
                "could not tell the organizer of #%s: %s",
                appointment.ref,
                exc.response.get("error"),
            )
    return [a.ref for a in stuck]
