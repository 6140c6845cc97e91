"""The terminal rendering: readable mrkdwn, numbered buttons, threads, ephemerals, modals."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.devslack import DevSlackServer
from bot.devslack.render import mrkdwn_to_text, render_workspace

from .conftest import ALICE, BOB, GENERAL

BUTTONS = {
    "type": "actions",
    "elements": [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": "Send invites"},
            "action_id": "preview_send",
            "value": "d1",
        },
        {
            "type": "button",
            "text": {"type": "plain_text", "text": "Edit"},
            "action_id": "preview_edit",
            "value": "d1",
        },
    ],
}


def test_mrkdwn_tokens_become_readable():
    names = {"U1": "alice"}.get
    text = (
        "<!date^1776272400^{date_short_pretty} at {time}|Wed, Apr 15 2026 9:00 AM PDT> with "
        "<@U1> and <@U9|zed>, in <#C1|general>, <mailto:a@b.co|a@b.co>, <https://x.y|the doc>, "
        "<https://x.y>, &lt;!channel&gt; &amp; <!here>"
    )
    assert mrkdwn_to_text(text, user_name=names) == (
        "Wed, Apr 15 2026 9:00 AM PDT with @alice and @zed, in #general, a@b.co, "
        "the doc (https://x.y), https://x.y, <!channel> & @here"
    )


async def test_channel_thread_ephemeral_and_numbered_buttons(
    slack: DevSlackServer, client: AsyncWebClient
):
    parent = await client.chat_postMessage(
        channel=GENERAL,
        text="Intro call",
        blocks=[
            {"type": "header", "text": {"type": "plain_text", "text": "Intro call"}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "Organizer <@U1ALICE> &amp; co"},
            },
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "#12"}]},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Reschedule"},
                        "action_id": "appt_reschedule",
                        "value": "12",
                    },
                ],
            },
        ],
    )
    await client.chat_postMessage(
        channel=GENERAL, text="Bob Baker accepted", thread_ts=parent["ts"]
    )
    await client.chat_postEphemeral(channel=GENERAL, user=ALICE, text="Preview", blocks=[BUTTONS])
    await client.chat_postEphemeral(channel=GENERAL, user=BOB, text="not for alice")

    screen = render_workspace(slack, ALICE, [GENERAL])
    text = screen.text
    assert "#general" in text
    assert "INTRO CALL" in text
    assert "Organizer @alice & co" in text
    assert "↳ scheducal" in text and "Bob Baker accepted" in text
    assert "1 reply" in text
    assert "(only visible to you, in #general)" in text
    assert "not for alice" not in text
    assert "[1] Reschedule" in text
    assert "[2] Send invites   [3] Edit" in text
    assert [(c.number, c.action_id) for c in screen.controls] == [
        (1, "appt_reschedule"),
        (2, "preview_send"),
        (3, "preview_edit"),
    ]
    assert screen.controls[1].target["is_ephemeral"] is True
    assert text.index("Intro call".upper()) < text.index("Bob Baker accepted")


async def test_modal_shows_inputs_values_and_errors(slack: DevSlackServer, client: AsyncWebClient):
    view = {
        "type": "modal",
        "callback_id": "schedule",
        "title": {"type": "plain_text", "text": "Schedule a meeting"},
        "submit": {"type": "plain_text", "text": "Preview"},
        "blocks": [
            {
                "type": "input",
                "block_id": "subject",
                "label": {"type": "plain_text", "text": "Subject"},
                "element": {"type": "plain_text_input", "action_id": "v", "initial_value": "Intro"},
            },
            {
                "type": "input",
                "block_id": "people",
                "optional": True,
                "label": {"type": "plain_text", "text": "Attendees"},
                "element": {
                    "type": "multi_users_select",
                    "action_id": "v",
                    "initial_users": ["U2BOB"],
                },
            },
        ],
    }
    opened = await client.views_open(trigger_id=slack.new_trigger(ALICE).id, view=view)
    slack.all_views[opened["view"]["id"]].errors = {"subject": "Too short."}
    screen = render_workspace(slack, ALICE, [])
    assert "modal: Schedule a meeting" in screen.text
    assert "[1] Subject: Intro" in screen.text
    assert "! Too short." in screen.text
    assert "[2] Attendees (optional): @bob" in screen.text
    assert "[3] Preview   [4] Cancel" in screen.text
    assert [c.kind for c in screen.controls] == ["input", "input", "submit", "close"]
