"""Web API methods over real HTTP, through slack_sdk's AsyncWebClient and raw requests."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.devslack import DevSlackServer

from .conftest import ALICE, BOB, CAROL, GENERAL

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*Intro call*"}}


def button(**overrides: Any) -> dict[str, Any]:
    element = {
        "type": "button",
        "text": {"type": "plain_text", "text": "Send invites"},
        "action_id": "preview_send",
        "value": "42",
    }
    element.update(overrides)
    return element


def actions(*elements: dict[str, Any], block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "actions", "elements": list(elements)}
    if block_id is not None:
        block["block_id"] = block_id
    return block


async def error_of(call: Any) -> str:
    with pytest.raises(SlackApiError) as info:
        await call
    return info.value.response["error"]


# --- auth -------------------------------------------------------------------------------------


async def test_auth_test_answers_team_user_and_bot(client: AsyncWebClient, slack: DevSlackServer):
    answer = await client.auth_test()
    assert answer["team_id"] == slack.team_id
    assert answer["user_id"] == slack.bot_user_id
    assert answer["bot_id"] == slack.bot_id


async def test_missing_token_is_not_authed_and_wrong_token_invalid_auth(slack: DevSlackServer):
    anonymous = AsyncWebClient(base_url=slack.api_url)
    assert await error_of(anonymous.auth_test()) == "not_authed"
    wrong = AsyncWebClient(token="xoxb-not-the-token", base_url=slack.api_url)
    assert await error_of(wrong.chat_postMessage(channel=GENERAL, text="hi")) == "invalid_auth"
    assert slack.messages(GENERAL) == []


async def test_form_body_with_token_field_and_json_strings(slack: DevSlackServer):
    form = {
        "token": slack.bot_token,
        "channel": GENERAL,
        "text": "from a form",
        "blocks": json.dumps([SECTION]),
        "metadata": json.dumps({"event_type": "e", "event_payload": {"k": 1}}),
    }
    async with (
        aiohttp.ClientSession() as http,
        http.post(slack.api_url + "chat.postMessage", data=form) as resp,
    ):
        answer = await resp.json()
    assert answer["ok"] is True
    (message,) = slack.messages(GENERAL)
    assert message["blocks"][0]["text"]["text"] == "*Intro call*"
    assert message["metadata"] == {"event_type": "e", "event_payload": {"k": 1}}


async def test_token_inside_a_json_body_is_ignored(slack: DevSlackServer):
    payload = {"token": slack.bot_token, "channel": GENERAL, "text": "x"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(slack.api_url + "chat.postMessage", json=payload) as resp,
    ):
        assert (await resp.json())["error"] == "not_authed"


async def test_token_is_not_recorded_in_calls(slack: DevSlackServer, client: AsyncWebClient):
    await client.chat_postMessage(channel=GENERAL, text="hi")
    assert slack.calls[-1][0] == "chat.postMessage"
    assert slack.bot_token not in repr(slack.calls)


# --- chat.postMessage -------------------------------------------------------------------------


async def test_post_message_returns_channel_ts_and_message(
    client: AsyncWebClient, slack: DevSlackServer
):
    answer = await client.chat_postMessage(
        channel=GENERAL, text="Intro call", blocks=[SECTION, actions(button())]
    )
    assert answer["channel"] == GENERAL
    assert answer["message"]["text"] == "Intro call"
    assert answer["message"]["bot_id"] == slack.bot_id
    (stored,) = slack.messages(GENERAL)
    assert stored["ts"] == answer["ts"]
    # Slack fills in a block_id for blocks that had none.
    assert all(block.get("block_id") for block in stored["blocks"])


async def test_message_ts_strictly_increase(client: AsyncWebClient):
    stamps = [
        (await client.chat_postMessage(channel=GENERAL, text=str(i)))["ts"] for i in range(20)
    ]
    assert stamps == sorted(stamps, key=float)
    assert len(set(stamps)) == 20
    assert all(len(ts.split(".")[1]) == 6 for ts in stamps)


async def test_unknown_channel(client: AsyncWebClient):
    assert await error_of(client.chat_postMessage(channel="C404", text="x")) == "channel_not_found"


async def test_public_channel_accepts_posts_only_with_chat_write_public():
    async with DevSlackServer(scopes={"chat:write", "users:read"}) as slack:
        slack.add_channel("C2", "random", bot_member=False)
        web = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        assert await error_of(web.chat_postMessage(channel="C2", text="x")) == "not_in_channel"
    async with DevSlackServer() as slack:
        slack.add_channel("C2", "random", bot_member=False)
        web = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        assert (await web.chat_postMessage(channel="C2", text="x"))["ok"]


async def test_private_channel_without_bot_is_not_found(slack: DevSlackServer, client):
    slack.add_channel("G1", "secret", is_private=True, bot_member=False)
    assert await error_of(client.chat_postMessage(channel="G1", text="x")) == "channel_not_found"
    assert await error_of(client.conversations_info(channel="G1")) == "channel_not_found"


async def test_archived_channel(slack: DevSlackServer, client: AsyncWebClient):
    slack.add_channel("C9", "old", is_archived=True)
    assert await error_of(client.chat_postMessage(channel="C9", text="x")) == "is_archived"


async def test_text_longer_than_40000_is_msg_too_long(client: AsyncWebClient):
    assert await client.chat_postMessage(channel=GENERAL, text="x" * 40_000)
    too_long = client.chat_postMessage(channel=GENERAL, text="x" * 40_001)
    assert await error_of(too_long) == "msg_too_long"


async def test_no_text_and_no_blocks(client: AsyncWebClient):
    assert await error_of(client.chat_postMessage(channel=GENERAL, text="")) == "no_text"


async def test_blocks_without_fallback_text_are_refused(client: AsyncWebClient):
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel=GENERAL, blocks=[SECTION])
    assert info.value.response["error"] == "no_text"
    assert "notification fallback" in info.value.response["response_metadata"]["messages"][0]


INVALID_BLOCKS = {
    "51 blocks": [SECTION] * 51,
    "section text 3001": [{"type": "section", "text": {"type": "mrkdwn", "text": "a" * 3001}}],
    "button text 76": [actions(button(text={"type": "plain_text", "text": "b" * 76}))],
    "action_id 256": [actions(button(action_id="a" * 256))],
    "block_id 256": [actions(button(), block_id="b" * 256)],
    "value 2001": [actions(button(value="v" * 2001))],
    "confirm title 101": [
        actions(
            button(
                confirm={
                    "title": {"type": "plain_text", "text": "t" * 101},
                    "text": {"type": "plain_text", "text": "Sure?"},
                    "confirm": {"type": "plain_text", "text": "Yes"},
                    "deny": {"type": "plain_text", "text": "No"},
                }
            )
        )
    ],
    "confirm text 301": [
        actions(
            button(
                confirm={
                    "title": {"type": "plain_text", "text": "Cancel?"},
                    "text": {"type": "mrkdwn", "text": "t" * 301},
                    "confirm": {"type": "plain_text", "text": "Yes"},
                    "deny": {"type": "plain_text", "text": "No"},
                }
            )
        )
    ],
    "confirm button 31": [
        actions(
            button(
                confirm={
                    "title": {"type": "plain_text", "text": "Cancel?"},
                    "text": {"type": "plain_text", "text": "Sure?"},
                    "confirm": {"type": "plain_text", "text": "y" * 31},
                    "deny": {"type": "plain_text", "text": "No"},
                }
            )
        )
    ],
    "deny button 31": [
        actions(
            button(
                confirm={
                    "title": {"type": "plain_text", "text": "Cancel?"},
                    "text": {"type": "plain_text", "text": "Sure?"},
                    "confirm": {"type": "plain_text", "text": "Yes"},
                    "deny": {"type": "plain_text", "text": "n" * 31},
                }
            )
        )
    ],
    "duplicate action_id": [actions(button(), button(value="other"))],
    "duplicate block_id": [dict(SECTION, block_id="x"), dict(SECTION, block_id="x")],
    "mrkdwn button text": [actions(button(text={"type": "mrkdwn", "text": "Send"}))],
    "unknown block type": [{"type": "video_call"}],
    "input block in a message": [
        {
            "type": "input",
            "label": {"type": "plain_text", "text": "x"},
            "element": {"type": "plain_text_input"},
        }
    ],
}


@pytest.mark.parametrize("case", sorted(INVALID_BLOCKS))
async def test_block_kit_limits_are_invalid_blocks(case: str, client: AsyncWebClient, slack):
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel=GENERAL, text="x", blocks=INVALID_BLOCKS[case])
    assert info.value.response["error"] == "invalid_blocks"
    assert info.value.response["errors"], "Slack names what is wrong"
    assert slack.messages(GENERAL) == []


async def test_limits_themselves_are_accepted(client: AsyncWebClient):
    confirm = {
        "title": {"type": "plain_text", "text": "t" * 100},
        "text": {"type": "plain_text", "text": "t" * 300},
        "confirm": {"type": "plain_text", "text": "y" * 30},
        "deny": {"type": "plain_text", "text": "n" * 30},
        "style": "danger",
    }
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "a" * 3000}}] * 48 + [
        actions(
            button(
                text={"type": "plain_text", "text": "b" * 75},
                action_id="a" * 255,
                value="v" * 2000,
                confirm=confirm,
            ),
            block_id="b" * 255,
        ),
        actions(button(), block_id="other"),  # same action_id in another block is fine
    ]
    assert (await client.chat_postMessage(channel=GENERAL, text="x", blocks=blocks))["ok"]


async def test_invalid_metadata(client: AsyncWebClient):
    call = client.chat_postMessage(channel=GENERAL, text="x", metadata={"event_payload": {}})
    assert await error_of(call) == "invalid_metadata_format"


# --- threads and conversations.replies --------------------------------------------------------


async def test_thread_replies_count_and_metadata(client: AsyncWebClient, slack: DevSlackServer):
    parent = await client.chat_postMessage(channel=GENERAL, text="parent")
    meta = {"event_type": "scheducal_event", "event_payload": {"event_id": "ev-1"}}
    first = await client.chat_postMessage(
        channel=GENERAL, text="Bob accepted", thread_ts=parent["ts"], metadata=meta
    )
    second = await client.chat_postMessage(
        channel=GENERAL, text="reply to a reply", thread_ts=first["ts"]
    )
    assert second["message"]["thread_ts"] == parent["ts"]
    (top,) = slack.messages(GENERAL)
    assert top["reply_count"] == 2
    assert top["latest_reply"] == second["ts"]
    assert [m["text"] for m in slack.thread(GENERAL, parent["ts"])] == [
        "Bob accepted",
        "reply to a reply",
    ]

    with_meta = await client.conversations_replies(
        channel=GENERAL, ts=parent["ts"], include_all_metadata=True
    )
    assert [m["ts"] for m in with_meta["messages"]] == [parent["ts"], first["ts"], second["ts"]]
    assert with_meta["messages"][1]["metadata"] == meta
    without = await client.conversations_replies(channel=GENERAL, ts=parent["ts"])
    assert all("metadata" not in m for m in without["messages"])


async def test_reply_to_unknown_thread(client: AsyncWebClient):
    call = client.chat_postMessage(channel=GENERAL, text="x", thread_ts="123.000001")
    assert await error_of(call) == "thread_not_found"
    assert await error_of(client.conversations_replies(channel=GENERAL, ts="1.1")) == (
        "thread_not_found"
    )


async def test_replies_need_membership(slack: DevSlackServer, client: AsyncWebClient):
    slack.add_channel("C2", "random", bot_member=False)
    assert await error_of(client.conversations_replies(channel="C2", ts="1.1")) == "not_in_channel"


async def test_reading_a_conversation_needs_its_history_scope():
    # Real Slack: bot tokens need channels:history / groups:history / im:history.
    async with DevSlackServer(scopes={"chat:write", "chat:write.public", "users:read"}) as slack:
        slack.add_channel(GENERAL, "general")
        web = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        parent = await web.chat_postMessage(channel=GENERAL, text="x")
        for call in (
            web.conversations_replies(channel=GENERAL, ts=parent["ts"]),
            web.conversations_history(channel=GENERAL),
        ):
            assert await error_of(call) == "missing_scope"
    async with DevSlackServer() as slack:  # the defaults are the manifest's scopes
        slack.add_channel(GENERAL, "general")
        web = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        parent = await web.chat_postMessage(channel=GENERAL, text="x")
        assert (await web.conversations_replies(channel=GENERAL, ts=parent["ts"]))["ok"]


async def test_history_lists_top_level_messages_newest_first(client: AsyncWebClient):
    meta = {"event_type": "scheducal_event", "event_payload": {"event_id": "ev-9"}}
    first = await client.chat_postMessage(channel=GENERAL, text="one", metadata=meta)
    await client.chat_postMessage(channel=GENERAL, text="a reply", thread_ts=first["ts"])
    second = await client.chat_postMessage(channel=GENERAL, text="two")
    third = await client.chat_postMessage(channel=GENERAL, text="three")

    page = await client.conversations_history(channel=GENERAL, include_all_metadata=True)
    assert [m["text"] for m in page["messages"]] == ["three", "two", "one"]
    assert page["messages"][2]["metadata"] == meta
    assert page["has_more"] is False
    plain = await client.conversations_history(channel=GENERAL)
    assert all("metadata" not in m for m in plain["messages"])

    after_first = await client.conversations_history(channel=GENERAL, oldest=first["ts"])
    assert [m["ts"] for m in after_first["messages"]] == [third["ts"], second["ts"]]
    inclusive = await client.conversations_history(
        channel=GENERAL, oldest=first["ts"], inclusive=True
    )
    assert len(inclusive["messages"]) == 3

    head = await client.conversations_history(channel=GENERAL, limit=2)
    assert [m["text"] for m in head["messages"]] == ["three", "two"]
    assert head["has_more"] is True
    cursor = head["response_metadata"]["next_cursor"]
    rest = await client.conversations_history(channel=GENERAL, limit=2, cursor=cursor)
    assert [m["text"] for m in rest["messages"]] == ["one"]
    assert rest["has_more"] is False


async def test_history_needs_membership_and_a_known_channel(
    slack: DevSlackServer, client: AsyncWebClient
):
    slack.add_channel("C2", "random", bot_member=False)
    assert await error_of(client.conversations_history(channel="C2")) == "not_in_channel"
    assert await error_of(client.conversations_history(channel="C404")) == "channel_not_found"


async def test_conversations_info(client: AsyncWebClient):
    channel = (await client.conversations_info(channel=GENERAL))["channel"]
    assert channel["name"] == "general"
    assert channel["is_member"] is True
    assert channel["is_private"] is False


# --- chat.update / chat.delete / chat.postEphemeral -------------------------------------------


async def test_update_replaces_text_and_blocks(client: AsyncWebClient, slack: DevSlackServer):
    posted = await client.chat_postMessage(channel=GENERAL, text="v1", blocks=[actions(button())])
    updated = await client.chat_update(
        channel=GENERAL, ts=posted["ts"], text="v2", blocks=[SECTION]
    )
    assert updated["ts"] == posted["ts"]
    (message,) = slack.messages(GENERAL)
    assert message["text"] == "v2"
    assert [b["type"] for b in message["blocks"]] == ["section"]
    assert message["edited"]["ts"] > posted["ts"]


async def test_update_unknown_message(client: AsyncWebClient):
    call = client.chat_update(channel=GENERAL, ts="1.000001", text="x")
    assert await error_of(call) == "message_not_found"


async def test_update_is_as_strict_as_post(client: AsyncWebClient):
    posted = await client.chat_postMessage(channel=GENERAL, text="v1")
    call = client.chat_update(channel=GENERAL, ts=posted["ts"], text="x", blocks=[SECTION] * 51)
    assert await error_of(call) == "invalid_blocks"
    call = client.chat_update(channel=GENERAL, ts=posted["ts"], text="x" * 40_001)
    assert await error_of(call) == "msg_too_long"


async def test_delete(client: AsyncWebClient, slack: DevSlackServer):
    posted = await client.chat_postMessage(channel=GENERAL, text="bye")
    await client.chat_delete(channel=GENERAL, ts=posted["ts"])
    assert slack.messages(GENERAL) == []
    assert await error_of(client.chat_delete(channel=GENERAL, ts=posted["ts"])) == (
        "message_not_found"
    )


async def test_deleting_a_parent_leaves_a_tombstone(client: AsyncWebClient, slack):
    parent = await client.chat_postMessage(channel=GENERAL, text="parent")
    reply = await client.chat_postMessage(channel=GENERAL, text="reply", thread_ts=parent["ts"])
    await client.chat_delete(channel=GENERAL, ts=parent["ts"])
    (tombstone,) = slack.messages(GENERAL)
    assert tombstone["subtype"] == "tombstone"
    assert tombstone["text"] == "This message was deleted."
    assert [m["ts"] for m in slack.thread(GENERAL, parent["ts"])] == [reply["ts"]]
    call = client.chat_update(channel=GENERAL, ts=parent["ts"], text="back")
    assert await error_of(call) == "cant_update_message"
    await client.chat_delete(channel=GENERAL, ts=reply["ts"])
    assert slack.thread(GENERAL, parent["ts"]) == []


async def test_post_ephemeral(client: AsyncWebClient, slack: DevSlackServer):
    answer = await client.chat_postEphemeral(channel=GENERAL, user=ALICE, text="only you")
    (ephemeral,) = slack.ephemerals(ALICE)
    assert ephemeral["ts"] == answer["message_ts"]
    assert ephemeral["text"] == "only you"
    assert slack.ephemerals(BOB) == []
    assert slack.messages(GENERAL) == []


async def test_post_ephemeral_to_non_member(client: AsyncWebClient, slack: DevSlackServer):
    slack.add_channel("C2", "small", members=[ALICE])
    call = client.chat_postEphemeral(channel="C2", user=BOB, text="x")
    assert await error_of(call) == "user_not_in_channel"
    assert await error_of(client.chat_postEphemeral(channel="C2", user="U404", text="x")) == (
        "user_not_found"
    )


async def test_posting_to_a_user_id_opens_a_direct_message(client, slack: DevSlackServer):
    answer = await client.chat_postMessage(channel=BOB, text="psst")
    assert answer["channel"].startswith("D")
    assert slack.messages(answer["channel"])[0]["text"] == "psst"


# --- users.info -------------------------------------------------------------------------------


async def test_users_info_fields(client: AsyncWebClient):
    user = (await client.users_info(user=ALICE))["user"]
    assert user["tz"] == "America/New_York"
    assert user["tz_label"] in ("Eastern Standard Time", "Eastern Daylight Time")
    assert user["tz_offset"] in (-18000, -14400)
    assert user["is_admin"] is True and user["is_owner"] is False
    assert user["profile"]["email"] == "alice@example.com"
    assert user["profile"]["display_name"] == "alice"
    assert user["profile"]["real_name"] == "Alice Archer"


async def test_user_without_email_has_no_email_field(client: AsyncWebClient):
    user = (await client.users_info(user=CAROL))["user"]
    assert "email" not in user["profile"]


async def test_email_needs_users_read_email_scope():
    async with DevSlackServer(scopes={"chat:write", "users:read"}) as slack:
        slack.add_user("U1", "a", "A", "a@example.com", "UTC")
        web = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        assert "email" not in (await web.users_info(user="U1"))["user"]["profile"]


async def test_unknown_user(client: AsyncWebClient):
    assert await error_of(client.users_info(user="U404")) == "user_not_found"


# --- fault injection and rate limits ----------------------------------------------------------


async def test_fail_next_429_is_retried_by_slack_sdk(slack: DevSlackServer):
    slack.fail_next("chat.postMessage", status=429, retry_after=1, times=1)
    web = AsyncWebClient(
        token=slack.bot_token,
        base_url=slack.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
    )
    plain = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    answer = await web.chat_postMessage(channel=GENERAL, text="after a wait")
    assert answer["ok"]
    assert [name for name, _ in slack.calls] == ["chat.postMessage", "chat.postMessage"]
    slack.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as info:
        await plain.chat_postMessage(channel=GENERAL, text="x")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"


async def test_fail_next_500_and_error(slack: DevSlackServer):
    web = AsyncWebClient(
        token=slack.bot_token,
        base_url=slack.api_url,
        retry_handlers=[AsyncServerErrorRetryHandler(max_retry_count=1)],
    )
    slack.fail_next("chat.update", status=500, times=1)
    slack.fail_next("chat.postMessage", error="fatal_error", times=2)
    assert await error_of(web.chat_postMessage(channel=GENERAL, text="x")) == "fatal_error"
    assert await error_of(web.chat_postMessage(channel=GENERAL, text="x")) == "fatal_error"
    posted = await web.chat_postMessage(channel=GENERAL, text="third time")
    assert (await web.chat_update(channel=GENERAL, ts=posted["ts"], text="y"))["ok"]
    assert [n for n, _ in slack.calls].count("chat.update") == 2


async def test_rate_limit_per_method_and_channel():
    async with DevSlackServer(rate_limit=True, rate_limit_burst=2) as slack:
        slack.add_channel("C1", "one")
        slack.add_channel("C2", "two")
        web = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        await web.chat_postMessage(channel="C1", text="1")
        await web.chat_postMessage(channel="C1", text="2")
        with pytest.raises(SlackApiError) as info:
            await web.chat_postMessage(channel="C1", text="3")
        assert info.value.response.status_code == 429
        assert info.value.response["error"] == "ratelimited"
        assert int(info.value.response.headers["Retry-After"]) >= 1
        assert (await web.chat_postMessage(channel="C2", text="other channel"))["ok"]
        slack.advance(1.0)
        assert (await web.chat_postMessage(channel="C1", text="a second later"))["ok"]


async def test_unknown_method(client: AsyncWebClient):
    assert await error_of(client.api_call("chat.teleport")) == "unknown_method"


async def test_channel_by_name(client: AsyncWebClient, slack: DevSlackServer):
    answer = await client.chat_postMessage(channel="#general", text="by name")
    assert answer["channel"] == GENERAL
    assert await error_of(client.chat_postMessage(channel="#nope", text="x")) == "channel_not_found"


async def test_token_never_logged(
    slack: DevSlackServer, client: AsyncWebClient, caplog: pytest.LogCaptureFixture
):
    caplog.set_level("DEBUG")
    await client.chat_postMessage(channel=GENERAL, text="hi")
    wrong = AsyncWebClient(token="xoxb-wrong", base_url=slack.api_url)
    assert await error_of(wrong.api_call("auth.test")) == "invalid_auth"
    assert any("chat.postMessage" in r.getMessage() for r in caplog.records)
    assert slack.bot_token not in caplog.text
    assert slack.bot_token not in repr(slack.calls)
    assert slack.bot_token not in repr(slack) and slack.signing_secret not in repr(slack)
