"""Buttons of the channel parent message: Add invitee, Reschedule, Cancel meeting.

Each opens its modal; rights are checked here (so nobody fills in a form for nothing)
and again when the form is submitted.
"""

from __future__ import annotations

from collections.abc import Callable
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


async def _open_modal(
    body: dict[str, Any],
    respond: Any,
    context: Any,
    *,
    doing: str,
    managers_only: bool,
    build: Callable[[Appointment, dict[str, Any]], dict[str, Any]],
) -> None:
    """Check the clicked appointment (exists, active, rights), then open its modal.

    A refusal is a private sentence; nothing opens.
    """
    try:
        services, appointment = await _target(body, context)
        operations.require_active(appointment, doing)
        if managers_only:
            await operations.require_manager(services, appointment, body["user"]["id"], doing)
    except UserFacingError as exc:
        await _private(respond, exc.message)
        return
    view = build(appointment, _metadata(body, appointment))
    await services.slack.views_open(trigger_id=body["trigger_id"], view=view)


async def add_invitee(ack: Any, body: dict[str, Any], respond: Any, context: Any) -> None:
    await ack()
    await _open_modal(
        body,
        respond,
        context,
        doing="add people to",
        managers_only=False,
        build=lambda a, meta: modals.invite_modal(a.ref, a.subject, meta),
    )


async def reschedule(ack: Any, body: dict[str, Any], respond: Any, context: Any) -> None:
    await ack()
    await _open_modal(
        body,
        respond,
        context,
        doing="reschedule",
        managers_only=True,
        build=lambda a, meta: modals.reschedule_modal(
            a.ref, a.subject, a.start_utc, a.end_utc, meta
        ),
    )


async def cancel(ack: Any, body: dict[str, Any], respond: Any, context: Any) -> None:
    await ack()
    await _open_modal(
        body,
        respond,
        context,
        doing="cancel",
        managers_only=True,
        build=lambda a, meta: modals.cancel_modal(a.ref, a.subject, meta),
    )
