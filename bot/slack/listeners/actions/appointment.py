"""Buttons of the channel parent message: Add invitee, Reschedule, Cancel meeting.

Each opens its modal; rights are checked here (so nobody fills in a form for nothing)
and again when the form is submitted.
"""

from __future__ import annotations

from typing import Any

from bot.services import Services
from bot.slack import modals, operations
from bot.slack.blocks import notice_message
from bot.slack.errors import UserFacingError
from bot.slack.listeners.common import reply, team_of
from bot.store.models import Appointment


async def _target(body: dict[str, Any], context: Any) -> tuple[Services, Appointment]:
    services: Services = context["services"]
    try:
        ref = int(body["actions"][0]["value"])
    except (KeyError, ValueError, TypeError):
        raise UserFacingError("That button is out of date; list the appointments again.") from None
    return services, await operations.load(services, team_of(body, context), ref)


def _metadata(body: dict[str, Any], appointment: Appointment) -> dict[str, Any]:
    channel = (body.get("channel") or {}).get("id") or appointment.channel_id
    return {"ref": appointment.ref, "c": channel}


async def _private(respond: Any, text: str) -> None:
    await reply(respond, *notice_message(text))


async def add_invitee(ack: Any, body: dict[str, Any], respond: Any, context: Any) -> None:
    await ack()
    try:
        services, appointment = await _target(body, context)
        operations.require_active(appointment, "add people to")
    except UserFacingError as exc:
        await _private(respond, exc.message)
        return
    view = modals.invite_modal(appointment.ref, appointment.subject, _metadata(body, appointment))
    await services.slack.views_open(trigger_id=body["trigger_id"], view=view)


async def reschedule(ack: Any, body: dict[str, Any], respond: Any, context: Any) -> None:
    await ack()
    try:
        services, appointment = await _target(body, context)
        operations.require_active(appointment, "reschedule")
        await operations.require_manager(services, appointment, body["user"]["id"], "reschedule")
    except UserFacingError as exc:
        await _private(respond, exc.message)
        return
    view = modals.reschedule_modal(
        appointment.ref,
        appointment.subject,
        appointment.start_utc,
        appointment.end_utc,
        _metadata(body, appointment),
    )
    await services.slack.views_open(trigger_id=body["trigger_id"], view=view)


async def cancel(ack: Any, body: dict[str, Any], respond: Any, context: Any) -> None:
    await ack()
    try:
        services, appointment = await _target(body, context)
        operations.require_active(appointment, "cancel")
        await operations.require_manager(services, appointment, body["user"]["id"], "cancel")
    except UserFacingError as exc:
        await _private(respond, exc.message)
        return
    view = modals.cancel_modal(appointment.ref, appointment.subject, _metadata(body, appointment))
    await services.slack.views_open(trigger_id=body["trigger_id"], view=view)
