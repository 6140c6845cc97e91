"""Every Bolt listener is registered here, and only here."""

from __future__ import annotations

import importlib
import logging

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners import actions, commands, events, views

log = logging.getLogger(__name__)


def register(app: AsyncApp, *, command: str = "/meet") -> None:
    commands.register(app, command=command)
    actions.register(app)
    views.register(app)
    events.register(app)
    _register_proposals(app)


def _register_proposals(app: AsyncApp) -> None:
    # Accept / Keep buttons on proposed times belong to the webhook pipeline's owner.
    try:
        proposals = importlib.import_module("bot.slack.listeners.proposals")
    except ModuleNotFoundError as exc:
        if exc.name != "bot.slack.listeners.proposals":
            raise
        log.warning("bot.slack.listeners.proposals is missing: proposal buttons are inactive")
        return
    proposals.register(app)
