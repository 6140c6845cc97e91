"""The Bolt app: one AsyncApp per process, single workspace, no OAuth.

The bot token comes from SLACK_BOT_TOKEN; Bolt checks it with ``auth.test`` (at
SLACK_API_URL) on the first request and caches the result. Listeners are registered in
one place (:mod:`bot.slack.listeners`) and find the process services in
``context["services"]``.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from bot.slack import listeners
from bot.slack.errors import register_error_handler

log = logging.getLogger(__name__)


def build_bolt_app(services: Services) -> AsyncApp:
    settings = services.settings
    app = AsyncApp(
        name="scheducal-bot",
        client=services.slack,
        signing_secret=settings.slack_signing_secret,
        # Socket Mode requests are not signed; HTTP ones always are.
        request_verification_enabled=not settings.slack_app_token,
        logger=logging.getLogger("scheducal.bolt"),
    )

    async def attach_services(context: dict[str, Any], next: Any) -> None:  # noqa: A002
        context["services"] = services
        await next()

    app.use(attach_services)
    register_error_handler(app)
    listeners.register(app, command=settings.slack_command)
    return app
