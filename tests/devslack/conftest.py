"""Fixtures: a started DevSlackServer with a small workspace, and a Web API client on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.devslack import DevSlackServer

ALICE, BOB, CAROL = "U1ALICE", "U2BOB", "U3CAROL"
GENERAL = "C1GENERAL"


def populate(slack: DevSlackServer) -> None:
    slack.add_user(
        ALICE, "alice", "Alice Archer", "alice@example.com", "America/New_York", is_admin=True
    )
    slack.add_user(BOB, "bob", "Bob Baker", "bob@example.com", "Europe/Berlin")
    slack.add_user(CAROL, "carol", "Carol Chen", None, "Asia/Tokyo")
    slack.add_channel(GENERAL, "general")


@pytest.fixture
async def slack() -> AsyncIterator[DevSlackServer]:
    async with DevSlackServer() as server:
        populate(server)
        yield server


@pytest.fixture
async def client(slack: DevSlackServer) -> AsyncIterator[AsyncWebClient]:
    web = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    yield web
    if web.session is not None:
        await web.session.close()
