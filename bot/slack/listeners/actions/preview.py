"""Buttons of the private preview: Send invites, Edit, Cancel."""

from __future__ import annotations

import logging
from typing import Any

from bot.services import Services
from bot.slack import blocks, modals, operations
from bot.slack.draft import Draft, DraftError
from bot.slack.errors import UserFacingError
from bot.slack.listeners.common import reply, team_of

log = logging.getLogger(__name__)

STALE_PREVIEW = (
    "This preview is no longer valid (it was made by another version of the app). "
    "Run the command again."
)


def _draft(body: dict[str, Any], context: Any) -> Draft:
    try:
        draft = Draft.decode(body["actions"][0].get("value"))
    except DraftError:
        log.warning("undecodable preview value")
        raise UserFacingError(STALE_PREVIEW) from None
    if draft.organizer_id != body["user"]["id"] or draft.team_id != team_of(body, context):
        raise UserFacingError("This preview belongs to someone else.")
    return draft


async def send(ack: Any, body: dict[str, Any], respond: Any, context: Any) -> None:
    await ack()
    services: Services = context["services"]
    try:
        draft = _draft(body, context)
        await operations.send_invites(services, draft, respond)
    except UserFacingError as exc:
        await reply(respond, *blocks.notice_message(exc.message))


async def edit(ack: Any, body: dict[str, Any], respond: Any, context: Any) -> None:
    await ack()
    services: Services = context["services"]
    try:
        draft = _draft(body, context)
    except UserFacingError as exc:
        await reply(respond, *blocks.notice_message(exc.message))
        return
    in_slack = [a.slack_user_id for a in draft.attendees if a.slack_user_id]
    emails = [a.email for a in draft.attendees if not a.slack_user_id]
    defaults = modals.ScheduleDefaults(
        subject=draft.subject,
        start=draft.start,
        end=draft.end,
        user_ids=tuple(in_slack),
        emails=tuple(emails),
        location=draft.location,
        notes=draft.notes,
    )
    metadata = {
        "c": draft.channel_id,
        "r": body.get("response_url"),
        "z": draft.timezone,
        "e": 1,  # replace the preview this came from
    }
    await services.slack.views_open(
        trigger_id=body["trigger_id"], view=modals.schedule_modal(defaults, metadata)
    )


async def discard(ack: Any, respond: Any) -> None:
    await ack()
    await respond(delete_original=True)
