"""Forms behind the parent message's buttons: add invitees, reschedule, cancel.

Validation and rights are answered inside the form (``response_action: errors``);
ScheduCal is called after the ack, and its refusals reach the person privately.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.services import Services
from bot.slack import modals, operations
from bot.slack.draft import DraftAttendee
from bot.slack.errors import UserFacingError
from bot.slack.listeners.common import field_error, team_of
from bot.store.models import Appointment


async def _appointment(
    ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any, block: str
) -> tuple[Services, dict[str, Any], Appointment | None]:
    services: Services = context["services"]
    metadata = modals.metadata_of(view)
    try:
        appointment = await operations.load(services, team_of(body, context), int(metadata["ref"]))
    except (KeyError, TypeError, ValueError):
        await ack(response_action="errors", errors={block: "This form is out of date."})
        return services, metadata, None
    except UserFacingError as exc:
        await ack(response_action="errors", errors={block: field_error(exc.message)})
        return services, metadata, None
    return services, metadata, appointment


async def _after_ack(
    services: Services, metadata: dict[str, Any], appointment: Appointment, user: str, job: Any
) -> None:
    channel = metadata.get("c") or appointment.channel_id
    try:
        message = await job
    except UserFacingError as exc:
        message = exc.message
    if message:
        await operations.tell(services, channel, user, message)


async def invite(ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
    services, metadata, appointment = await _appointment(ack, body, view, context, "people")
    if appointment is None:
        return
    form, errors = modals.read_invite_form(view["state"]["values"])
    if form is None:
        await ack(response_action="errors", errors=errors)
        return
    people, problems = await operations.people_to_attendees(services, form.user_ids)
    if problems:
        await ack(response_action="errors", errors={"people": field_error(" ".join(problems))})
        return
    await ack()
    attendees = operations.merge_attendees(people, [DraftAttendee(email=e) for e in form.emails])
    user = body["user"]["id"]

    async def job() -> str:
        lines = await operations.invite_people(services, appointment, attendees, user)
        return "\n".join(lines)

    await _after_ack(services, metadata, appointment, user, job())


async def reschedule(ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
    services, metadata, appointment = await _appointment(ack, body, view, context, "start")
    if appointment is None:
        return
    user = body["user"]["id"]
    times, errors = modals.read_reschedule_form(view["state"]["values"], now=datetime.now(UTC))
    if times is None:
        await ack(response_action="errors", errors=errors)
        return
    if not await operations.may_manage(services, appointment, user):
        await ack(
            response_action="errors",
            errors={"start": "Only the organizer or a workspace admin can reschedule this."},
        )
        return
    await ack()

    async def job() -> None:
        start, end = times
        await operations.reschedule(
            services, appointment, start=start, end=end, timezone=appointment.timezone, actor=user
        )

    await _after_ack(services, metadata, appointment, user, job())


async def cancel(ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
    services, metadata, appointment = await _appointment(ack, body, view, context, "comment")
    if appointment is None:
        return
    user = body["user"]["id"]
    if not await operations.may_manage(services, appointment, user):
        await ack(
            response_action="errors",
            errors={"comment": "Only the organizer or a workspace admin can cancel this."},
        )
        return
    await ack()
    comment = modals.read_cancel_form(view["state"]["values"])

    async def job() -> None:
        await operations.cancel(services, appointment, comment=comment, actor=user)

    await _after_ack(services, metadata, appointment, user, job())
