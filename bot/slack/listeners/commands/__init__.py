"""Slash command listeners."""

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners.commands import meet


def register(app: AsyncApp, *, command: str = "/meet") -> None:
    app.command(command)(meet.handle_meet)
