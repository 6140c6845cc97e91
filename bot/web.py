"""One aiohttp application: /slack/events, /webhooks/scheducal, /healthz."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from sqlalchemy import text

from bot.config import Settings
from bot.services import Services

log = logging.getLogger(__name__)

SERVICES_KEY = web.AppKey("services", Services)
BOLT_KEY = web.AppKey("bolt", AsyncApp)


def create_web_app(settings: Settings, services: Services | None = None) -> web.Application:
    """Build the application. Call it inside the running event loop.

    When ``services`` is None the application creates its own and closes them on cleanup;
    otherwise the caller owns them.
    """
    from bot.slack.app import build_bolt_app
    from bot.webhooks import setup as mount_webhooks

    owned = services is None
    if services is None:
        services = Services.create(settings)
    app = web.Application(client_max_size=1024 * 1024)
    app[SERVICES_KEY] = services
    bolt = build_bolt_app(services)
    app[BOLT_KEY] = bolt
    if owned:
        # First in cleanup_ctx, so closed last: after the webhook worker has stopped.
        async def close_services(_: web.Application) -> AsyncIterator[None]:
            yield
            await services.aclose()

        app.cleanup_ctx.append(close_services)

    async def slack_events(request: web.Request) -> web.Response:
        bolt_response = await bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def healthz(request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(2):
                async with services.db.session() as session:
                    await session.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
            log.warning("health check: database unavailable: %s", type(exc).__name__)
            return web.json_response({"ok": False, "database": "unavailable"}, status=503)
        return web.json_response({"ok": True})

    if settings.slack_signing_secret:
        app.router.add_post("/slack/events", slack_events)
    else:  # nothing could verify Slack's signature: Slack must use Socket Mode
        log.info("SLACK_SIGNING_SECRET is not set: /slack/events is off (Socket Mode only)")
    app.router.add_get("/healthz", healthz)
    mount_webhooks(app, services)  # POST /webhooks/scheducal + the inbox worker
    return app
