"""Devslack acting as Slack toward an app: commands, clicks, submissions, App Home events.

Two kinds of app on loopback: a raw aiohttp app that records exactly what arrived (to check
fields and signatures with slack_sdk's SignatureVerifier), and a real Bolt AsyncApp (to check
that Bolt accepts what devslack sends and that Bolt's answers are applied like Slack does).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.devslack import DevSlackServer

from .conftest import ALICE, BOB, GENERAL

SEND = {
    "type": "button",
    "text": {"type": "plain_text", "text": "Send invites"},
    "action_id": "preview_send",
    "value": "draft-1",
    "style": "primary",
}
CANCEL = {
    "type": "button",
    "text": {"type": "plain_text", "text": "Cancel meeting"},
    "action_id": "appt_cancel",
    "value": "7",
    "style": "danger",
    "confirm": {
        "title": {"type": "plain_text", "text": "Cancel this meeting?"},
        "text": {"type": "mrkdwn", "text": "Everyone gets a cancellation."},
        "confirm": {"type": "plain_text", "text": "Cancel meeting"},
        "deny": {"type": "plain_text", "text": "Keep it"},
        "style": "danger",
    },
}
MODAL = {
    "type": "modal",
    "callback_id": "schedule",
    "private_metadata": '{"channel": "C1GENERAL"}',
    "title": {"type": "plain_text", "text": "Schedule a meeting"},
    "submit": {"type": "plain_text", "text": "Preview"},
    "blocks": [
        {
            "type": "input",
            "block_id": "subject",
            "label": {"type": "plain_text", "text": "Subject"},
            "element": {"type": "plain_text_input", "action_id": "value", "max_length": 200},
        },
        {
            "type": "input",
            "block_id": "when",
            "label": {"type": "plain_text", "text": "When"},
            "element": {"type": "datetimepicker", "action_id": "value"},
        },
        {
            "type": "input",
            "block_id": "people",
            "optional": True,
            "label": {"type": "plain_text", "text": "Attendees"},
            "element": {"type": "multi_users_select", "action_id": "value"},
        },
        {
            "type": "input",
            "block_id": "duration",
            "label": {"type": "plain_text", "text": "Duration"},
            "element": {
                "type": "static_select",
                "action_id": "value",
                "initial_option": {"text": {"type": "plain_text", "text": "30 min"}, "value": "30"},
                "options": [
                    {"text": {"type": "plain_text", "text": "30 min"}, "value": "30"},
                    {"text": {"type": "plain_text", "text": "1 hour"}, "value": "60"},
                ],
            },
        },
    ],
}


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/"


class Recorder:
    """A raw app: keeps every request and answers with ``self.answer(request_body)``."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.answer: Callable[[bytes], Awaitable[web.Response]] | None = None

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.requests.append((dict(request.headers), body))
        if self.answer is not None:
            return await self.answer(body)
        return web.Response(status=200)


@pytest.fixture
async def recorder(slack: DevSlackServer) -> AsyncIterator[Recorder]:
    rec = Recorder()
    app = web.Application()
    app.router.add_post("/slack/events", rec.handle)
    runner, url = await serve(app)
    slack.app_url = url
    yield rec
    await runner.cleanup()


@pytest.fixture
async def bolt(slack: DevSlackServer) -> AsyncIterator[AsyncApp]:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    app = AsyncApp(signing_secret=slack.signing_secret, client=client)
    runner, url = await serve(app.web_app(path="/slack/events"))
    slack.app_url = url
    yield app
    await runner.cleanup()


def verify(slack: DevSlackServer, headers: dict[str, str], body: bytes) -> bool:
    return SignatureVerifier(slack.signing_secret).is_valid_request(body, headers)


# --- slash commands ---------------------------------------------------------------------------


async def test_command_fields_signature_and_escaping(slack: DevSlackServer, recorder: Recorder):
    answer = await slack.send_command(
        ALICE, GENERAL, "Intro with @bob and dan@acme.com in #general, see https://x.y & <b>"
    )
    assert answer.status == 200
    ((headers, body),) = recorder.requests
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert verify(slack, headers, body)
    assert not SignatureVerifier("another-secret").is_valid_request(body, headers)
    fields = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    assert set(fields) == {
        "token", "team_id", "team_domain", "channel_id", "channel_name", "user_id", "user_name",
        "command", "text", "api_app_id", "is_enterprise_install", "response_url", "trigger_id",
    }  # fmt: skip
    assert fields["command"] == "/meet"
    assert fields["team_id"] == slack.team_id
    assert (fields["channel_id"], fields["channel_name"]) == (GENERAL, "general")
    assert (fields["user_id"], fields["user_name"]) == (ALICE, "alice")
    assert fields["is_enterprise_install"] == "false"
    assert fields["response_url"].startswith(slack.base_url + "response/")
    assert fields["text"] == (
        f"Intro with <@{BOB}|bob> and <mailto:dan@acme.com|dan@acme.com> in "
        f"<#{GENERAL}|general>, see <https://x.y|x.y> &amp; &lt;b&gt;"
    )


async def test_ack_body_becomes_an_ephemeral_and_respond_replaces_it(
    slack: DevSlackServer, bolt: AsyncApp
):
    @bolt.command("/meet")
    async def meet(ack: Any, respond: Any) -> None:
        await ack(text="Preview", blocks=[{"type": "actions", "elements": [SEND]}])
        await respond(text="Sending…", replace_original=True)

    answer = await slack.send_command(ALICE, GENERAL, "lunch tomorrow")
    assert answer.status == 200 and answer.json["text"] == "Preview"
    await slack.wait_for(lambda: slack.ephemerals(ALICE)[0]["text"] == "Sending…")
    (only,) = slack.ephemerals(ALICE)
    assert only["source"] == "ack" and only["blocks"] == []
    assert slack.ephemerals(BOB) == []


async def test_slow_ack_is_an_operation_timeout(slack: DevSlackServer, bolt: AsyncApp):
    slack.ack_timeout = 0.3

    @bolt.command("/meet")
    async def meet(ack: Any) -> None:
        await asyncio.sleep(0.6)
        await ack()

    answer = await slack.send_command(ALICE, GENERAL, "x")
    assert answer.timed_out
    (said,) = slack.ephemerals(ALICE)
    assert said["source"] == "slackbot"
    assert said["text"] == '/meet failed with the error "operation_timeout"'


async def test_wrong_signing_secret_is_rejected_by_bolt(slack: DevSlackServer, bolt: AsyncApp):
    @bolt.command("/meet")
    async def meet(ack: Any) -> None:
        await ack("never")

    slack.signing_secret = "not-what-the-app-knows"
    answer = await slack.send_command(ALICE, GENERAL, "x")
    assert answer.status == 401
    assert slack.ephemerals(ALICE)[0]["text"] == '/meet failed with the error "dispatch_failed"'


# --- response URLs ----------------------------------------------------------------------------


async def _response_url(slack: DevSlackServer, recorder: Recorder) -> str:
    await slack.send_command(ALICE, GENERAL, "x")
    body = recorder.requests[-1][1]
    return parse_qs(body.decode())["response_url"][0]


async def post_json(slack: DevSlackServer, url: str, payload: Any) -> tuple[int, dict[str, Any]]:
    async with slack.session.post(url, json=payload) as resp:
        return resp.status, await resp.json()


async def test_response_url_ephemeral_then_in_channel(slack: DevSlackServer, recorder: Recorder):
    url = await _response_url(slack, recorder)
    assert (await post_json(slack, url, {"text": "just you"}))[0] == 200
    assert (await post_json(slack, url, {"text": "all", "response_type": "in_channel"}))[0] == 200
    assert [e["text"] for e in slack.ephemerals(ALICE)] == ["just you"]
    assert [m["text"] for m in slack.messages(GENERAL)] == ["all"]


async def test_response_url_five_uses(slack: DevSlackServer, recorder: Recorder):
    url = await _response_url(slack, recorder)
    for i in range(5):
        assert (await post_json(slack, url, {"text": f"{i}"}))[0] == 200
    status, body = await post_json(slack, url, {"text": "sixth"})
    assert (status, body["error"]) == (404, "used_url")
    assert len(slack.ephemerals(ALICE)) == 5


async def test_response_url_expires_after_30_minutes(slack: DevSlackServer, recorder: Recorder):
    url = await _response_url(slack, recorder)
    slack.advance(29 * 60)
    assert (await post_json(slack, url, {"text": "in time"}))[0] == 200
    slack.advance(2 * 60)
    status, body = await post_json(slack, url, {"text": "late"})
    assert (status, body["error"]) == (404, "expired_url")


async def test_response_url_is_strict_about_content(slack: DevSlackServer, recorder: Recorder):
    url = await _response_url(slack, recorder)
    assert (await post_json(slack, url, {"response_type": "ephemeral"}))[1]["error"] == "no_text"
    bad = {
        "text": "x",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "a" * 3001}}],
    }
    assert (await post_json(slack, url, bad))[1]["error"] == "invalid_blocks"
    status, body = await post_json(slack, slack.base_url + "response/nope", {"text": "x"})
    assert (status, body["error"]) == (404, "invalid_url")


# --- clicks -----------------------------------------------------------------------------------


async def test_click_on_an_ephemeral(slack: DevSlackServer, bolt: AsyncApp, recorder: Any = None):
    seen: list[dict[str, Any]] = []

    @bolt.command("/meet")
    async def meet(ack: Any) -> None:
        await ack(text="Preview", blocks=[{"type": "actions", "elements": [SEND]}])

    @bolt.action("preview_send")
    async def send(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        seen.append(body)
        await respond(text="Invitations sent.", replace_original=True)

    await slack.send_command(ALICE, GENERAL, "lunch")
    preview = slack.ephemerals(ALICE)[0]
    answer = await slack.click(ALICE, preview, "preview_send")
    assert answer is not None and answer.status == 200
    await slack.wait_for(lambda: slack.ephemerals(ALICE)[0]["text"] == "Invitations sent.")
    (body,) = seen
    assert body["type"] == "block_actions"
    assert body["user"] == {
        "id": ALICE,
        "username": "alice",
        "name": "alice",
        "team_id": slack.team_id,
    }
    assert body["container"] == {
        "type": "message",
        "message_ts": preview["ts"],
        "channel_id": GENERAL,
        "is_ephemeral": True,
    }
    assert "message" not in body
    assert body["channel"] == {"id": GENERAL, "name": "general"}
    assert body["team"] == {"id": slack.team_id, "domain": slack.team_domain}
    (action,) = body["actions"]
    assert action["action_id"] == "preview_send" and action["value"] == "draft-1"
    assert action["type"] == "button" and action["text"]["text"] == "Send invites"
    assert action["block_id"] == preview["blocks"][0]["block_id"]
    assert body["trigger_id"] and body["response_url"] and body["api_app_id"] == slack.app_id


async def test_click_on_a_channel_message_with_confirm(
    slack: DevSlackServer, recorder: Recorder, client: AsyncWebClient
):
    posted = await client.chat_postMessage(
        channel=GENERAL, text="Intro call", blocks=[{"type": "actions", "elements": [CANCEL]}]
    )
    reply = await client.chat_postMessage(channel=GENERAL, text="r", thread_ts=posted["ts"])
    message = slack.messages(GENERAL)[0]

    assert await slack.click(BOB, message, "appt_cancel", confirm=False) is None
    assert recorder.requests == []
    answer = await slack.click(BOB, message, "appt_cancel")
    assert answer is not None and answer.status == 200
    assert [d["confirmed"] for d in slack.confirm_dialogs] == [False, True]
    assert slack.confirm_dialogs[0]["title"] == "Cancel this meeting?"
    assert slack.confirm_dialogs[0]["deny"] == "Keep it"

    headers, body = recorder.requests[0]
    assert verify(slack, headers, body)
    payload = json.loads(parse_qs(body.decode())["payload"][0])
    assert payload["container"] == {
        "type": "message",
        "message_ts": posted["ts"],
        "channel_id": GENERAL,
        "is_ephemeral": False,
        "thread_ts": posted["ts"],
    }
    assert payload["message"]["ts"] == posted["ts"]
    assert payload["message"]["text"] == "Intro call"
    assert payload["message"]["reply_count"] == 1
    assert payload["message"]["latest_reply"] == reply["ts"]
    assert payload["state"] == {"values": {}}

    # replace_original through that response_url updates the channel message in place.
    status, _ = await post_json(
        slack, payload["response_url"], {"text": "Canceled", "replace_original": True}
    )
    assert status == 200
    (updated,) = slack.messages(GENERAL)
    assert updated["ts"] == posted["ts"] and updated["text"] == "Canceled"
    assert updated["blocks"] == []
    # The button is gone: a stale copy cannot be clicked any more.
    with pytest.raises(LookupError):
        await slack.click(BOB, message, "appt_cancel")


async def test_delete_original_removes_the_ephemeral(slack: DevSlackServer, recorder: Recorder):
    async def ack(body: bytes) -> web.Response:
        return web.json_response(
            {"text": "Preview", "blocks": [{"type": "actions", "elements": [SEND]}]}
        )

    recorder.answer = ack
    await slack.send_command(ALICE, GENERAL, "x")
    preview = slack.ephemerals(ALICE)[0]
    recorder.answer = None
    await slack.click(ALICE, preview, "preview_send")
    payload = json.loads(parse_qs(recorder.requests[-1][1].decode())["payload"][0])
    assert (await post_json(slack, payload["response_url"], {"delete_original": True}))[0] == 200
    assert slack.ephemerals(ALICE) == []


async def test_click_refuses_what_the_person_cannot_see(slack: DevSlackServer, recorder: Recorder):
    async def ack(body: bytes) -> web.Response:
        return web.json_response(
            {"text": "Preview", "blocks": [{"type": "actions", "elements": [SEND]}]}
        )

    recorder.answer = ack
    await slack.send_command(ALICE, GENERAL, "x")
    preview = slack.ephemerals(ALICE)[0]
    with pytest.raises(LookupError):
        await slack.click(BOB, preview, "preview_send")
    with pytest.raises(LookupError):
        await slack.click(ALICE, preview, "no_such_button")


# --- modals -----------------------------------------------------------------------------------


async def test_views_open_with_trigger_rules(slack: DevSlackServer, bolt: AsyncApp):
    results: list[str] = []

    @bolt.command("/meet")
    async def meet(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        opened = await client.views_open(trigger_id=body["trigger_id"], view=MODAL)
        results.append(opened["view"]["id"])
        try:
            await client.views_open(trigger_id=body["trigger_id"], view=MODAL)
        except SlackApiError as exc:
            results.append(exc.response["error"])

    await slack.send_command(ALICE, GENERAL, "")
    await slack.wait_for(lambda: len(results) == 2)
    view_id, second = results
    assert second == "exchanged_trigger_id"
    (view,) = slack.views(ALICE)
    assert view["id"] == view_id and view["callback_id"] == "schedule"
    assert view["state"]["values"]["duration"]["value"]["selected_option"]["value"] == "30"


async def test_views_open_expired_and_invalid_trigger(
    slack: DevSlackServer, client: AsyncWebClient
):
    trigger = slack.new_trigger(ALICE)
    slack.advance(3.5)
    with pytest.raises(SlackApiError) as info:
        await client.views_open(trigger_id=trigger.id, view=MODAL)
    assert info.value.response["error"] == "expired_trigger_id"
    with pytest.raises(SlackApiError) as info:
        await client.views_open(trigger_id="123.456.abc", view=MODAL)
    assert info.value.response["error"] == "invalid_trigger_id"


async def test_view_validation(slack: DevSlackServer, client: AsyncWebClient):
    trigger = slack.new_trigger(ALICE)
    long_title = dict(MODAL, title={"type": "plain_text", "text": "t" * 25})
    with pytest.raises(SlackApiError) as info:
        await client.views_open(trigger_id=trigger.id, view=long_title)
    response = info.value.response
    assert response["error"] == "invalid_arguments"
    assert "/view/title" in response["response_metadata"]["messages"][0]
    no_submit = {k: v for k, v in MODAL.items() if k != "submit"}
    with pytest.raises(SlackApiError) as info:
        await client.views_open(trigger_id=slack.new_trigger(ALICE).id, view=no_submit)
    assert info.value.response["error"] == "invalid_arguments"


async def test_submit_view_state_and_errors(slack: DevSlackServer, bolt: AsyncApp):
    submissions: list[dict[str, Any]] = []

    @bolt.view("schedule")
    async def on_submit(ack: Any, body: dict[str, Any]) -> None:
        submissions.append(body)
        values = body["view"]["state"]["values"]
        if values["subject"]["value"]["value"] == "bad":
            await ack(response_action="errors", errors={"subject": "Give it a real name."})
        else:
            await ack()

    opened = await AsyncWebClient(token=slack.bot_token, base_url=slack.api_url).views_open(
        trigger_id=slack.new_trigger(ALICE).id, view=MODAL
    )
    view_id = opened["view"]["id"]

    # The client itself refuses a missing required field; the app hears nothing.
    refused = await slack.submit_view(ALICE, view_id, {"subject": "bad"})
    assert refused.client_errors == {"when": "Please complete this required field."}
    assert submissions == []

    answer = await slack.submit_view(
        ALICE, view_id, {"subject": "bad", "when": 1776272400, "people": [BOB]}
    )
    assert answer.json == {
        "response_action": "errors",
        "errors": {"subject": "Give it a real name."},
    }
    assert slack.view_errors(view_id) == {"subject": "Give it a real name."}
    assert [v["id"] for v in slack.views(ALICE)] == [view_id]

    values = submissions[0]["view"]["state"]["values"]
    assert values["subject"] == {"value": {"type": "plain_text_input", "value": "bad"}}
    assert values["when"] == {"value": {"type": "datetimepicker", "selected_date_time": 1776272400}}
    assert values["people"] == {"value": {"type": "multi_users_select", "selected_users": [BOB]}}
    assert values["duration"]["value"]["selected_option"]["value"] == "30"
    assert submissions[0]["type"] == "view_submission"
    assert submissions[0]["view"]["private_metadata"] == MODAL["private_metadata"]

    answer = await slack.submit_view(ALICE, view_id, {"subject": "Intro", "duration": "60"})
    assert answer.status == 200
    assert slack.views(ALICE) == []
    last = submissions[-1]["view"]["state"]["values"]
    assert last["when"]["value"]["selected_date_time"] == 1776272400  # kept from before
    assert last["duration"]["value"]["selected_option"]["value"] == "60"


async def test_response_action_update_and_push(slack: DevSlackServer, bolt: AsyncApp):
    @bolt.view("schedule")
    async def on_submit(ack: Any, body: dict[str, Any]) -> None:
        subject = body["view"]["state"]["values"]["subject"]["value"]["value"]
        follow_up = dict(MODAL, callback_id="second", title={"type": "plain_text", "text": subject})
        await ack(response_action="push" if subject == "push" else "update", view=follow_up)

    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    view_id = (await client.views_open(trigger_id=slack.new_trigger(ALICE).id, view=MODAL))["view"][
        "id"
    ]
    await slack.submit_view(ALICE, view_id, {"subject": "push", "when": 1})
    assert [v["callback_id"] for v in slack.views(ALICE)] == ["schedule", "second"]
    with pytest.raises(LookupError):
        await slack.submit_view(ALICE, view_id, {"subject": "x", "when": 1})  # not on top


async def test_views_update_hash_conflict(slack: DevSlackServer, client: AsyncWebClient):
    opened = await client.views_open(trigger_id=slack.new_trigger(ALICE).id, view=MODAL)
    view = opened["view"]
    updated = await client.views_update(view_id=view["id"], hash=view["hash"], view=MODAL)
    assert updated["view"]["hash"] != view["hash"]
    with pytest.raises(SlackApiError) as info:
        await client.views_update(view_id=view["id"], hash=view["hash"], view=MODAL)
    assert info.value.response["error"] == "hash_conflict"
    with pytest.raises(SlackApiError) as info:
        await client.views_update(view_id="V404", view=MODAL)
    assert info.value.response["error"] == "not_found"


# --- App Home ---------------------------------------------------------------------------------


async def test_app_home_opened_and_publish(slack: DevSlackServer, bolt: AsyncApp):
    events: list[dict[str, Any]] = []

    @bolt.event("app_home_opened")
    async def home(event: dict[str, Any], client: AsyncWebClient) -> None:
        events.append(event)
        await client.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [
                    {"type": "section", "text": {"type": "mrkdwn", "text": "Upcoming: none"}}
                ],
            },
        )

    answer = await slack.open_app_home(ALICE)
    assert answer.status == 200
    await slack.wait_for(lambda: slack.home(ALICE))
    assert events[0]["tab"] == "home" and events[0]["user"] == ALICE
    assert slack.home(ALICE)["blocks"][0]["text"]["text"] == "Upcoming: none"


async def test_errors_for_a_block_that_is_not_an_input_are_a_problem(
    slack: DevSlackServer, bolt: AsyncApp
):
    @bolt.view("schedule")
    async def on_submit(ack: Any) -> None:
        await ack(response_action="errors", errors={"no_such_block": "?"})

    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    opened = await client.views_open(trigger_id=slack.new_trigger(ALICE).id, view=MODAL)
    await slack.submit_view(ALICE, opened["view"]["id"], {"subject": "x", "when": 1})
    assert slack.problems and "input blocks" in slack.problems[0]


async def test_close_view_notifies_when_asked(slack: DevSlackServer, bolt: AsyncApp):
    closed: list[str] = []

    @bolt.view_closed("schedule")
    async def on_close(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        closed.append(body["view"]["id"])

    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    view = dict(MODAL, notify_on_close=True)
    opened = await client.views_open(trigger_id=slack.new_trigger(ALICE).id, view=view)
    answer = await slack.close_view(ALICE, opened["view"]["id"])
    assert answer is not None and answer.status == 200
    assert closed == [opened["view"]["id"]]
    assert slack.views(ALICE) == []


async def test_ephemerals_cannot_be_updated_with_chat_update(
    slack: DevSlackServer, client: AsyncWebClient
):
    posted = await client.chat_postEphemeral(channel=GENERAL, user=ALICE, text="only you")
    with pytest.raises(SlackApiError) as info:
        await client.chat_update(channel=GENERAL, ts=posted["message_ts"], text="x")
    assert info.value.response["error"] == "message_not_found"


async def test_in_channel_ack_is_a_channel_message(slack: DevSlackServer, recorder: Recorder):
    async def ack(body: bytes) -> web.Response:
        return web.json_response({"response_type": "in_channel", "text": "Everyone sees this"})

    recorder.answer = ack
    await slack.send_command(ALICE, GENERAL, "x")
    assert [m["text"] for m in slack.messages(GENERAL)] == ["Everyone sees this"]
    assert slack.ephemerals(ALICE) == []


async def test_invalid_ack_blocks_are_reported_by_slackbot(
    slack: DevSlackServer, recorder: Recorder
):
    async def ack(body: bytes) -> web.Response:
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "a" * 3001}}]
        return web.json_response({"text": "x", "blocks": blocks})

    recorder.answer = ack
    await slack.send_command(ALICE, GENERAL, "x")
    (said,) = slack.ephemerals(ALICE)
    assert said["source"] == "slackbot"
    assert said["text"] == '/meet failed with the error "invalid_blocks"'


async def test_select_menus_in_a_message(
    slack: DevSlackServer, recorder: Recorder, client: AsyncWebClient
):
    menus = {
        "type": "actions",
        "elements": [
            {
                "type": "static_select",
                "action_id": "pick_duration",
                "placeholder": {"type": "plain_text", "text": "Duration"},
                "options": [
                    {"text": {"type": "plain_text", "text": "30 min"}, "value": "30"},
                    {"text": {"type": "plain_text", "text": "1 h"}, "value": "60"},
                ],
            },
            {"type": "users_select", "action_id": "pick_person"},
        ],
    }
    await client.chat_postMessage(channel=GENERAL, text="menus", blocks=[menus])
    message = slack.messages(GENERAL)[0]
    await slack.click(ALICE, message, "pick_duration", "60")
    await slack.click(ALICE, message, "pick_person", BOB)
    with pytest.raises(LookupError):
        await slack.click(ALICE, message, "pick_duration", "90")
    actions = [
        json.loads(parse_qs(b.decode())["payload"][0])["actions"][0] for _, b in recorder.requests
    ]
    assert actions[0]["type"] == "static_select"
    assert actions[0]["selected_option"] == {
        "text": {"type": "plain_text", "text": "1 h"},
        "value": "60",
    }
    assert actions[1]["type"] == "users_select" and actions[1]["selected_user"] == BOB


async def test_views_push_needs_an_open_modal_and_stops_at_three(
    slack: DevSlackServer, client: AsyncWebClient
):
    with pytest.raises(SlackApiError) as info:
        await client.views_push(trigger_id=slack.new_trigger(ALICE).id, view=MODAL)
    assert info.value.response["error"] == "not_found"
    await client.views_open(trigger_id=slack.new_trigger(ALICE).id, view=MODAL)
    for _ in range(2):
        await client.views_push(trigger_id=slack.new_trigger(ALICE).id, view=MODAL)
    stack = slack.views(ALICE)
    assert len(stack) == 3
    assert stack[2]["previous_view_id"] == stack[1]["id"]
    assert {v["root_view_id"] for v in stack} == {stack[0]["id"]}
    with pytest.raises(SlackApiError) as info:
        await client.views_push(trigger_id=slack.new_trigger(ALICE).id, view=MODAL)
    assert info.value.response["error"] == "push_limit_reached"


async def test_views_publish_rules(slack: DevSlackServer, client: AsyncWebClient):
    home = {"type": "home", "blocks": [{"type": "divider"}]}
    with pytest.raises(SlackApiError) as info:
        await client.views_publish(user_id="U404", view=home)
    assert info.value.response["error"] == "user_not_found"
    with pytest.raises(SlackApiError) as info:
        await client.views_publish(user_id=ALICE, view=MODAL)
    assert info.value.response["error"] == "invalid_arguments"
    first = await client.views_publish(user_id=ALICE, view=home)
    second = await client.views_publish(user_id=ALICE, view=home, hash=first["view"]["hash"])
    assert second["view"]["id"] == first["view"]["id"]
    with pytest.raises(SlackApiError) as info:
        await client.views_publish(user_id=ALICE, view=home, hash=first["view"]["hash"])
    assert info.value.response["error"] == "hash_conflict"
    assert slack.home(ALICE)["blocks"][0]["type"] == "divider"
    assert slack.views(ALICE) == []  # a Home tab is not a modal


async def test_response_url_faults(slack: DevSlackServer, recorder: Recorder):
    url = await _response_url(slack, recorder)
    slack.fail_next("response_url", status=500)
    status, _ = await post_json(slack, url, {"text": "first try"})
    assert status == 500
    assert (await post_json(slack, url, {"text": "second try"}))[0] == 200
    assert [e["text"] for e in slack.ephemerals(ALICE)] == ["second try"]


async def test_click_inside_a_modal(slack: DevSlackServer, recorder: Recorder, client):
    view = dict(MODAL)
    view["blocks"] = [
        *MODAL["blocks"],
        {"type": "actions", "elements": [dict(SEND, action_id="add_row")]},
    ]
    opened = await client.views_open(trigger_id=slack.new_trigger(ALICE).id, view=view)
    slack.type_into(ALICE, opened["view"]["id"], "subject", "Typed")
    await slack.click(ALICE, slack.views(ALICE)[0], "add_row")
    payload = json.loads(parse_qs(recorder.requests[-1][1].decode())["payload"][0])
    assert payload["container"] == {"type": "view", "view_id": opened["view"]["id"]}
    assert payload["view"]["state"]["values"]["subject"]["value"]["value"] == "Typed"
    assert "response_url" not in payload and "message" not in payload
    assert payload["actions"][0]["action_id"] == "add_row"
