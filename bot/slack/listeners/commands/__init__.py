"""Slash command listeners."""

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners.commands import meet
from bot.slack.listeners.common import guarded


def register(app: AsyncApp, *, command: str = "/meet") -> None:
    app.command(command)(guarded(meet.handle_meet))
