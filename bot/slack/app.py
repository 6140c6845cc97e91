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
from bot.slack.respond import SessionRespond

log = logging.getLogger(__name__)


def build_bolt_app(services: Services) -> AsyncApp:
    settings = services.settings
    app = AsyncApp(
        name="scheducal-bot",
        client=services.slack,
        signing_secret=settings.slack_signing_secret or None,
        # Bolt skips the check for Socket Mode requests by itself; HTTP requests are always
        # checked. Without a secret (Socket Mode only) web.py does not mount /slack/events.
        request_verification_enabled=bool(settings.slack_signing_secret),
        logger=logging.getLogger("scheducal.bolt"),
    )

    async def attach_services(context: Any, next: Any) -> None:  # noqa: A002
        context["services"] = services
        if context.response_url:
            context["respond"] = SessionRespond(context.response_url, services.http)
        await next()

    app.use(attach_services)
    register_error_handler(app)
    listeners.register(app, command=settings.slack_command)
    return app
