"""The bot as `serve` runs it, on loopback, between a local Slack and a local ScheduCal.

``running_bot(database_url)`` starts the sandbox (ScheduCal), devslack (Slack), the bot's
Services and web application on 127.0.0.1 (port 0), migrates the database and adds a
small workspace: Ann (organizer, New York), Bob (Berlin, Gmail), Gus (no visible email),
Ida (workspace admin) and #general.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from bot.config import Settings
from bot.devslack.server import DevSlackServer
from bot.sandbox.server import SandboxServer
from bot.scheducal.client import ScheduCalClient
from bot.scheducal.events import EVENT_TYPES
from bot.serve import start_http
from bot.services import Services
from bot.store.models import InboxEvent
from bot.web import create_web_app
from bot.webhooks.inbox import OPEN_STATUSES

ANN, BOB, GUS, IDA = "U0ANN", "U0BOB", "U0GUS", "U0IDA"
GENERAL = "C0GENERAL"


@dataclass
class Bot:
    slack: DevSlackServer
    sandbox: SandboxServer
    services: Services
    url: str  # the bot's base URL

    async def sandbox_appointment(self, scheducal_id: str) -> dict[str, Any]:
        url = f"{self.sandbox.url}/sandbox/appointments/{scheducal_id}"
        async with self.slack.session.get(url) as resp:
            assert resp.status == 200, await resp.text()
            return (await resp.json())["data"]

    async def sandbox_appointments(self) -> list[dict[str, Any]]:
        async with self.slack.session.get(f"{self.sandbox.url}/sandbox/appointments") as resp:
            return (await resp.json())["data"]["appointments"]

    async def webhooks_delivered(self, timeout: float = 15.0) -> list[dict[str, Any]]:
        """Wait until the sandbox delivered every event and the bot went quiet."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            async with self.slack.session.get(f"{self.sandbox.url}/sandbox/events") as resp:
                events = (await resp.json())["data"]["events"]
            if all(e["state"] == "delivered" for e in events) and not await self._inbox_open():
                await self.slack.settle(quiet=0.5)
                return events
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"undelivered events: {events}")
            await asyncio.sleep(0.05)

    async def _inbox_open(self) -> int:
        """Stored events the worker has not finished (a busy machine may take a while)."""
        async with self.services.db.session() as s:
            statement = select(func.count()).where(InboxEvent.status.in_(OPEN_STATUSES))
            return int((await s.execute(statement)).scalar_one())

    def ephemeral_with(self, user: str, action_id: str) -> dict[str, Any] | None:
        for message in reversed(self.slack.ephemerals(user)):
            for block in message.get("blocks") or []:
                for element in block.get("elements", []):
                    if element.get("action_id") == action_id:
                        return message
        return None

    def last_ephemeral_text(self, user: str) -> str:
        messages = self.slack.ephemerals(user)
        return rendered(messages[-1]) if messages else ""


def rendered(message: dict[str, Any]) -> str:
    """The text and every mrkdwn/plain text of a message's blocks, joined."""
    parts = [message.get("text") or ""]
    for block in message.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        for field in block.get("fields", []):
            parts.append(field["text"])
        for element in block.get("elements", []):
            if isinstance(element.get("text"), str):
                parts.append(element["text"])
            elif isinstance(element.get("text"), dict):
                parts.append(element["text"]["text"])
    return "\n".join(parts)


@asynccontextmanager
async def running_bot(
    database_url: str,
    *,
    api_secret: str | None = None,
    webhooks: bool = False,
    **setting_overrides: Any,
) -> AsyncIterator[Bot]:
    """``webhooks=True`` also registers a sandbox webhook that delivers to the bot."""
    async with (
        SandboxServer(rate_limit_per_minute=None) as sandbox,
        DevSlackServer() as slack,
        ScheduCalClient(sandbox.url, sandbox.api_key, sandbox.api_secret) as admin,
    ):
        hook = None
        if webhooks:
            # Registered before the bot starts, to hand it the secret; pointed at it below.
            hook = await admin.register_webhook(
                "http://127.0.0.1:9/webhooks/scheducal", list(EVENT_TYPES)
            )
            setting_overrides["scheducal_webhook_secrets"] = (hook.secret,)
        settings = Settings().with_overrides(
            slack_bot_token=slack.bot_token,
            slack_signing_secret=slack.signing_secret,
            slack_api_url=slack.api_url,
            scheducal_api_url=sandbox.url,
            scheducal_api_key=sandbox.api_key,
            scheducal_api_secret=api_secret or sandbox.api_secret,
            scheducal_rate_limit=6000,
            database_url=database_url,
            **setting_overrides,
        )
        async with Services.start(settings) as services:
            await services.db.upgrade()
            server = await start_http(create_web_app(settings, services), "127.0.0.1", 0)
            try:
                slack.app_url = server.url + "/"
                if hook is not None:
                    await admin.update_webhook(
                        hook.webhook_id, url=f"{server.url}/webhooks/scheducal"
                    )
                slack.add_user(ANN, "ann", "Ann Organizer", "ann@acme.com", "America/New_York")
                slack.add_user(BOB, "bob", "Bob Berlin", "bob@gmail.com", "Europe/Berlin")
                slack.add_user(GUS, "gus", "Gus Hidden", None, "UTC")
                slack.add_user(IDA, "ida", "Ida Admin", "ida@acme.com", "UTC", is_admin=True)
                slack.add_channel(GENERAL, "general")
                yield Bot(slack=slack, sandbox=sandbox, services=services, url=server.url)
            finally:
                await server.stop()
