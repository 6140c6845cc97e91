"""The shared Slack Web API client against devslack: base URL, retries, the people cache."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.devslack.server import DevSlackServer
from bot.services import slack_client
from bot.slack.users import UserDirectory


@pytest.fixture
async def slack():
    async with DevSlackServer() as server:
        server.add_user("U0ANN", "ann", "Ann", "ann@acme.com", "America/New_York")
        server.add_channel("C0GEN", "general")
        yield server


@pytest.fixture
async def client(slack):
    settings = Settings().with_overrides(
        slack_bot_token=slack.bot_token, slack_api_url=slack.api_url
    )
    async with aiohttp.ClientSession() as session:
        yield slack_client(settings, session)


async def test_rate_limits_are_retried_after_retry_after(slack, client):
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    response = await client.chat_postMessage(channel="C0GEN", text="hello")
    assert response["ok"] and time.monotonic() - started >= 1.0
    assert [m["text"] for m in slack.messages("C0GEN")] == ["hello"]


async def test_server_errors_are_retried(slack, client):
    slack.fail_next("chat.update", status=500)
    posted = await client.chat_postMessage(channel="C0GEN", text="v1")
    await client.chat_update(channel="C0GEN", ts=posted["ts"], text="v2")
    assert slack.messages("C0GEN")[0]["text"] == "v2"
    assert len(slack.calls_to("chat.update")) == 2


async def test_slack_errors_are_not_retried(slack, client):
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel="C0NOPE", text="x")
    assert caught.value.response["error"] == "channel_not_found"
    assert len(slack.calls_to("chat.postMessage")) == 1


async def test_people_are_cached_for_the_ttl_and_shared_while_in_flight(slack, client):
    now = [0.0]
    users = UserDirectory(client, ttl=600, clock=lambda: now[0])
    first, second = await asyncio.gather(users.get("U0ANN"), users.get("U0ANN"))
    assert first == second
    assert (first.email, first.tz, first.is_admin) == ("ann@acme.com", "America/New_York", False)
    await users.get("U0ANN")
    assert len(slack.calls_to("users.info")) == 1
    now[0] = 601
    await users.get("U0ANN")
    assert len(slack.calls_to("users.info")) == 2
    with pytest.raises(SlackApiError):
        await users.get("U0NOBODY")
