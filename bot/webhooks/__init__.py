"""ScheduCal webhooks: receiver (verify -> inbox -> 2xx) and the inbox worker (-> Slack).

``setup(app, services)`` mounts ``POST /webhooks/scheducal`` and adds a cleanup
context that starts the group-commit inbox writer and the worker with the
application, and stops them (claims released) when it shuts down.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:  # imported lazily at run time: `scheducal-bot webhooks` starts fast
    from bot.webhooks.batcher import InboxWriter
    from bot.webhooks.receiver import WebhookReceiver
    from bot.webhooks.secrets import SecretRing
    from bot.webhooks.worker import Worker

log = logging.getLogger(__name__)


@dataclass
class Pipeline:
    """What ``setup`` started, kept on the app as ``app[PIPELINE_KEY]`` (tests use it)."""

    receiver: WebhookReceiver
    writer: InboxWriter
    worker: Worker
    secrets: SecretRing


PIPELINE_KEY = web.AppKey("webhook_pipeline", Pipeline)


def worker_slack_client(settings: Any, session: Any) -> Any:
    """The worker's own Web API client: no automatic retries at all.

    The shared client retries connection errors by itself, which could post a reply
    twice; the worker decides on every retry (429, 5xx, network) itself.
    """
    from slack_sdk.web.async_client import AsyncWebClient

    return AsyncWebClient(
        token=settings.slack_bot_token or None,
        base_url=settings.slack_api_url,
        session=session,
        timeout=10,
        retry_handlers=[],
    )


def setup(app: web.Application, services: Any) -> None:
    from bot.webhooks.batcher import InboxWriter
    from bot.webhooks.options import WebhookOptions
    from bot.webhooks.receiver import ROUTE, WebhookReceiver
    from bot.webhooks.secrets import SecretRing
    from bot.webhooks.worker import Worker

    settings = services.settings
    options = WebhookOptions.from_settings(settings)
    ring = SecretRing(
        settings.scheducal_webhook_secrets,
        db=services.db,
        api_secret=settings.scheducal_api_secret,
    )
    worker = Worker(
        services.db,
        worker_slack_client(settings, services.http),
        options=options,
        default_channel=settings.scheducal_default_channel,
    )
    writer = InboxWriter(services.db, on_commit=worker.wake)
    worker.yield_to(writer.rate)
    receiver = WebhookReceiver(secrets=ring, store=writer.store)
    app.router.add_post(ROUTE, receiver.handle)
    app[PIPELINE_KEY] = Pipeline(receiver, writer, worker, ring)

    async def lifecycle(_: web.Application) -> AsyncIterator[None]:
        await ring.reload()
        if ring.is_empty():
            log.warning(
                "no ScheduCal webhook secret is configured: every delivery will be refused "
                "(run `scheducal-bot webhooks register` or set SCHEDUCAL_WEBHOOK_SECRET)"
            )
        await writer.start()
        await worker.start()
        try:
            yield
        finally:
            await worker.stop()
            await writer.stop()

    app.cleanup_ctx.append(lifecycle)
