"""Button listeners (action ids are fixed in bot.slack.blocks)."""

from slack_bolt.async_app import AsyncApp

from bot.slack import blocks
from bot.slack.listeners.actions import appointment, preview
from bot.slack.listeners.common import guarded


def register(app: AsyncApp, **_: object) -> None:
    app.action(blocks.PREVIEW_SEND)(guarded(preview.send))
    app.action(blocks.PREVIEW_EDIT)(guarded(preview.edit))
    app.action(blocks.PREVIEW_CANCEL)(guarded(preview.discard))
    app.action(blocks.APPT_ADD_INVITEE)(guarded(appointment.add_invitee))
    app.action(blocks.APPT_RESCHEDULE)(guarded(appointment.reschedule))
    app.action(blocks.APPT_CANCEL)(guarded(appointment.cancel))
