"""Button listeners (action ids are fixed in bot.slack.blocks)."""

from slack_bolt.async_app import AsyncApp

from bot.slack import blocks
from bot.slack.listeners.actions import appointment, preview


def register(app: AsyncApp, **_: object) -> None:
    app.action(blocks.PREVIEW_SEND)(preview.send)
    app.action(blocks.PREVIEW_EDIT)(preview.edit)
    app.action(blocks.PREVIEW_CANCEL)(preview.discard)
    app.action(blocks.APPT_ADD_INVITEE)(appointment.add_invitee)
    app.action(blocks.APPT_RESCHEDULE)(appointment.reschedule)
    app.action(blocks.APPT_CANCEL)(appointment.cancel)
