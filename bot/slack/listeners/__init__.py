"""Every Bolt listener is registered here, and only here."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners import actions, commands, events, proposals, views


def register(app: AsyncApp, *, command: str = "/meet") -> None:
    commands.register(app, command=command)
    actions.register(app)
    views.register(app)
    events.register(app)
    proposals.register(app)  # Accept / Keep on proposed times (webhook pipeline's owner)
