"""The long-lived objects of one process, created once and shared by every request.

``Services.start(settings)`` opens them (one aiohttp session for everything) and closes
them in reverse order. Listeners reach them through the Bolt context (``context["services"]``),
the webhook pipeline through ``app["services"]``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.scheducal.client import ScheduCalClient
from bot.slack.users import UserDirectory
from bot.store.db import Database

SLACK_TIMEOUT_SECONDS = 10


def slack_client(settings: Settings, session: aiohttp.ClientSession | None) -> AsyncWebClient:
    """The Web API client: honours SLACK_API_URL and retries 429 (Retry-After), 5xx, network."""
    return AsyncWebClient(
        token=settings.slack_bot_token or None,
        base_url=settings.slack_api_url,
        session=session,
        timeout=SLACK_TIMEOUT_SECONDS,
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
        ],
    )


@dataclass
class Services:
    settings: Settings
    db: Database
    http: aiohttp.ClientSession
    scheducal: ScheduCalClient
    slack: AsyncWebClient
    users: UserDirectory

    @classmethod
    def create(cls, settings: Settings) -> Services:
        """Build every service; must run inside the event loop (aiohttp needs one)."""
        db = Database.from_settings(settings)  # may raise ConfigError: before any socket
        http = aiohttp.ClientSession()
        slack = slack_client(settings, http)
        return cls(
            settings=settings,
            db=db,
            http=http,
            scheducal=ScheduCalClient.from_settings(settings, session=http),
            slack=slack,
            users=UserDirectory(slack),
        )

    async def aclose(self) -> None:
        try:
            await self.scheducal.close()
            await self.db.dispose()
        finally:
            await self.http.close()

    @classmethod
    @asynccontextmanager
    async def start(cls, settings: Settings) -> AsyncIterator[Services]:
        services = cls.create(settings)
        try:
            yield services
        finally:
            await services.aclose()
