"""The shell's "what changed" feed: new, edited, vanished, and other people's things."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.devslack import DevSlackServer
from bot.devslack.feed import Feed

from .conftest import ALICE, BOB, GENERAL

BUTTON = {
    "type": "actions",
    "elements": [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": "Reschedule"},
            "action_id": "appt_reschedule",
            "value": "1",
        },
    ],
}


async def test_only_new_and_changed_things_are_shown(slack: DevSlackServer, client: AsyncWebClient):
    feed = Feed(slack, [GENERAL])
    assert feed.changes(ALICE).lines == []

    parent = await client.chat_postMessage(channel=GENERAL, text="Intro call", blocks=[BUTTON])
    first = feed.changes(ALICE)
    assert first.lines[0] == "#general"
    assert "Intro call" not in first.text  # blocks are shown, not the fallback text
    assert "[1] Reschedule" in first.text
    assert [c.action_id for c in first.controls] == ["appt_reschedule"]
    assert feed.changes(ALICE).lines == []  # nothing new

    await client.chat_postMessage(channel=GENERAL, text="Bob accepted", thread_ts=parent["ts"])
    reply = feed.changes(ALICE)
    assert "in the thread of “Intro call”:" in reply.text
    assert "Bob accepted" in reply.text
    assert "Reschedule" not in reply.text  # the parent did not change (reply counts ignored)

    await client.chat_update(channel=GENERAL, ts=parent["ts"], text="Moved", blocks=[])
    edited = feed.changes(ALICE)
    assert "(edited)" in edited.text and "Moved" in edited.text
    assert edited.controls == []

    reply_ts = slack.thread(GENERAL, parent["ts"])[0]["ts"]
    await client.chat_delete(channel=GENERAL, ts=reply_ts)
    assert feed.changes(ALICE).lines == ["(message “Bob accepted” was deleted)"]
    await client.chat_delete(channel=GENERAL, ts=parent["ts"])
    assert feed.changes(ALICE).lines == ["(message “Moved” was deleted)"]


async def test_ephemerals_belong_to_their_viewer(slack: DevSlackServer, client: AsyncWebClient):
    feed = Feed(slack, [GENERAL])
    await client.chat_postEphemeral(channel=GENERAL, user=BOB, text="for bob")
    assert feed.changes(ALICE).lines == []
    assert "for bob" in feed.changes(BOB).text
    # Switching back to alice does not announce bob's message as gone.
    assert feed.changes(ALICE).lines == []


async def test_switching_viewer_does_not_reprint_the_channel(
    slack: DevSlackServer, client: AsyncWebClient
):
    feed = Feed(slack, [GENERAL])
    await client.chat_postMessage(channel=GENERAL, text="hello")
    assert "hello" in feed.changes(ALICE).text
    assert feed.changes(BOB).lines == []  # same message, other zone: not "changed"


async def test_everything_then_nothing_new(slack: DevSlackServer, client: AsyncWebClient):
    feed = Feed(slack, [GENERAL])
    parent = await client.chat_postMessage(channel=GENERAL, text="Intro call", blocks=[BUTTON])
    await client.chat_postMessage(channel=GENERAL, text="r1", thread_ts=parent["ts"])
    screen = feed.everything(ALICE)
    assert "1 reply" in screen.text and "r1" in screen.text
    assert feed.changes(ALICE).lines == []
