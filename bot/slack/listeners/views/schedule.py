"""The schedule form (from `/meet` alone or *Edit*): validate, then show a new preview.

Field problems (and Slack people without a visible email) are answered with
``response_action: errors`` so the form stays open; the preview itself is sent after
the ack, replacing the edited preview when there was one.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.services import Services
from bot.slack import blocks, modals, operations
from bot.slack.draft import Draft, DraftAttendee, DraftTooLarge
from bot.slack.listeners.common import field_error, team_of

log = logging.getLogger(__name__)


async def submit(ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
    services: Services = context["services"]
    user_id = body["user"]["id"]
    metadata = modals.metadata_of(view)
    form, errors = modals.read_schedule_form(view["state"]["values"], now=datetime.now(UTC))
    if form is None:
        await ack(response_action="errors", errors=errors)
        return
    people, problems = await operations.people_to_attendees(services, form.user_ids)
    if problems:
        await ack(response_action="errors", errors={"people": field_error(" ".join(problems))})
        return
    user = await services.users.get(user_id)
    draft = Draft(
        team_id=team_of(body, context),
        channel_id=metadata.get("c") or user_id,
        organizer_id=user_id,
        subject=form.subject,
        start=form.start,
        end=form.end,
        timezone=metadata.get("z") or user.tz or "UTC",
        attendees=operations.merge_attendees(people, [DraftAttendee(email=e) for e in form.emails]),
        location=form.location,
        notes=form.notes,
    )
    try:
        text, preview = blocks.preview_message(draft)
    except DraftTooLarge as exc:
        await ack(response_action="errors", errors={"notes": field_error(str(exc))})
        return
    await ack()
    await show_preview(services, metadata, draft, text, preview)


async def show_preview(
    services: Services, metadata: dict[str, Any], draft: Draft, text: str, preview: list
) -> None:
    url = metadata.get("r")
    if url:
        hook = AsyncWebhookClient(url, session=services.http)
        response = await hook.send(
            text=text,
            blocks=preview,
            response_type="ephemeral",
            replace_original=bool(metadata.get("e")),
        )
        if response.status_code == 200:
            return
        log.info("response URL refused the preview (%s); posting it instead", response.status_code)
    await services.slack.chat_postEphemeral(
        channel=draft.channel_id, user=draft.organizer_id, text=text, blocks=preview
    )
