"""End to end over real HTTP: signed requests from devslack -> the bot -> the sandbox.

Each test runs the bot as `serve` does (create_web_app on loopback) against a fresh
SQLite file; one path also runs on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest

from bot.devslack.interactions import slack_signature
from bot.store import repo
from tests.slack.harness import ANN, BOB, GENERAL, GUS, Bot, rendered, running_bot

NY = ZoneInfo("America/New_York")


def next_week_at(hour: int, minute: int = 0) -> datetime:
    day = datetime.now(NY).date() + timedelta(days=7)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NY)


@pytest.fixture
async def bot(sqlite_url):
    async with running_bot(sqlite_url) as running:
        yield running


async def open_form(bot: Bot, user: str = ANN) -> dict:
    answer = await bot.slack.send_command(user, GENERAL, "")
    assert answer.status == 200 and answer.body == ""
    views = await bot.slack.wait_for(lambda: bot.slack.views(user))
    assert views[-1]["callback_id"] == "meet_schedule"
    return views[-1]


async def preview_via_form(bot: Bot, **values) -> dict:
    view = await open_form(bot)
    fields = {
        "subject": "Budget review",
        "start": next_week_at(15),
        "duration": "45",
        "people": [BOB],
        "emails": "carol@example.org",
        "location": "Room 4",
    }
    fields.update(values)
    answer = await bot.slack.submit_view(ANN, view["id"], fields)
    assert answer.status == 200, answer.body
    assert not answer.json, answer.body  # no response_action: the modal closes
    return await bot.slack.wait_for(lambda: bot.ephemeral_with(ANN, "preview_send"))


async def send(bot: Bot, preview: dict) -> repo.Appointment:
    answer = await bot.slack.click(ANN, preview, "preview_send")
    assert answer.status == 200
    messages = await bot.slack.wait_for(lambda: bot.slack.messages(GENERAL))
    await bot.slack.wait_for(lambda: "is scheduled for" in bot.last_ephemeral_text(ANN))
    async with bot.services.db.session() as s:
        appointment = await repo.get_by_ref(s, bot.slack.team_id, 1)
    assert appointment.message_ts == messages[-1]["ts"]
    return appointment


# --------------------------------------------------------------------------- signatures


async def post_signed(bot: Bot, body: bytes, *, timestamp: int, secret: str) -> int:
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": slack_signature(secret, str(timestamp), body),
    }
    async with bot.slack.session.post(f"{bot.url}/slack/events", data=body, headers=headers) as r:
        return r.status


async def test_forged_and_stale_signatures_are_rejected(bot):
    fields = {
        "team_id": bot.slack.team_id,
        "channel_id": GENERAL,
        "user_id": ANN,
        "command": "/meet",
        "text": "help",
        "response_url": bot.slack.base_url + "response/nope",
        "trigger_id": "1.2.3",
    }
    body = urlencode(fields).encode()
    now = int(time.time())
    assert await post_signed(bot, body, timestamp=now, secret="not-the-secret") == 401
    stale = now - 6 * 60
    assert await post_signed(bot, body, timestamp=stale, secret=bot.slack.signing_secret) == 401
    assert await post_signed(bot, body, timestamp=now, secret=bot.slack.signing_secret) == 200
    async with bot.slack.session.post(f"{bot.url}/slack/events", data=body) as resp:
        assert resp.status == 401  # no signature at all


async def test_healthz(bot):
    async with bot.slack.session.get(f"{bot.url}/healthz") as resp:
        assert resp.status == 200
        assert await resp.json() == {"ok": True}


# --------------------------------------------------------------------------- the main path


async def test_form_preview_send_creates_the_appointment_and_one_parent_message(bot):
    preview = await preview_via_form(bot, subject="Budget <!channel> & co")
    text = rendered(preview)
    assert "Budget &lt;!channel&gt; &amp; co" in text
    start = next_week_at(15)
    assert f"<!date^{int(start.timestamp())}^{{date_short_pretty}} at {{time}}|" in text
    assert "(America/New_York)" in text and "45 min" in text
    assert "Bob Berlin (bob@gmail.com)" in text or "bob (bob@gmail.com)" in text
    assert "carol@example.org" in text and "Room 4" in text

    appointment = await send(bot, preview)
    assert appointment.status == "active" and appointment.scheducal_id
    # The preview was replaced by the outcome, with the Gmail hint for Bob.
    outcome = bot.last_ephemeral_text(ANN)
    assert "invitations sent to 2 people" in outcome
    assert "bob@gmail.com): first invitation to this Gmail address" in outcome
    assert bot.ephemeral_with(ANN, "preview_send") is None

    (parent,) = bot.slack.messages(GENERAL)
    shown = rendered(parent)
    assert "#1 Budget &lt;!channel&gt; &amp; co" in shown
    assert "<@U0ANN>" in shown and "Room 4" in shown
    assert "2 no reply yet" in shown and "check your spam folder" in shown
    actions = [e.get("action_id") for b in parent["blocks"] for e in b.get("elements", [])]
    assert {"appt_add_invitee", "appt_reschedule", "appt_cancel"} <= set(actions)

    remote = await bot.sandbox_appointment(appointment.scheducal_id)
    assert remote["start"] == start.strftime("%Y-%m-%dT15:00:00")
    assert remote["end"] == start.strftime("%Y-%m-%dT15:45:00")
    assert remote["timeZone"] == "America/New_York"
    assert remote["subject"] == "Budget <!channel> & co"  # plain text for calendars
    assert remote["location"] == "Room 4"
    assert sorted(a["email"] for a in remote["attendees"]) == [
        "bob@gmail.com",
        "carol@example.org",
    ]


async def test_double_click_creates_one_appointment(bot):
    preview = await preview_via_form(bot)
    first, second = await asyncio.gather(
        bot.slack.click(ANN, preview, "preview_send"),
        bot.slack.click(ANN, preview, "preview_send"),
    )
    assert first.status == second.status == 200
    await bot.slack.wait_for(lambda: "is scheduled for" in bot.last_ephemeral_text(ANN))
    await bot.slack.settle()
    assert len(await bot.sandbox_appointments()) == 1
    assert len(bot.slack.messages(GENERAL)) == 1
    async with bot.services.db.session() as s:
        assert await repo.get_by_ref(s, bot.slack.team_id, 2) is None


async def test_form_validation_errors_keep_the_modal_open(bot):
    view = await open_form(bot)
    start = next_week_at(10)
    answer = await bot.slack.submit_view(
        ANN,
        view["id"],
        {
            "subject": "Planning",
            "start": start,
            "end": start - timedelta(hours=1),
            "emails": "ann@acme.com, not-an-email",
        },
    )
    assert answer.json["response_action"] == "errors"
    assert bot.slack.view_errors(view["id"]) == {
        "end": "The end must be after the start.",
        "emails": "Not an email address: not-an-email",
    }
    # The past is refused too, and a Slack person without a visible email is named.
    answer = await bot.slack.submit_view(
        ANN,
        view["id"],
        {"start": datetime.now(UTC) - timedelta(days=1), "end": None, "emails": None},
    )
    assert "in the past" in answer.json["errors"]["start"]
    answer = await bot.slack.submit_view(
        ANN, view["id"], {"start": start, "people": [GUS], "emails": None}
    )
    assert "cannot see an email address for gus" in answer.json["errors"]["people"].lower()
    assert bot.slack.views(ANN)  # still open
    assert bot.ephemeral_with(ANN, "preview_send") is None


async def test_scheducal_refusal_becomes_a_sentence(sqlite_url):
    async with running_bot(sqlite_url, api_secret="wrong-secret") as bot:
        preview = await preview_via_form(bot)
        await bot.slack.click(ANN, preview, "preview_send")
        await bot.slack.wait_for(lambda: "credentials" in bot.last_ephemeral_text(ANN))
        text = bot.last_ephemeral_text(ANN)
        assert "SCHEDUCAL_API_KEY" in text and "Nothing was sent" in text
        assert "Traceback" not in text
        assert bot.slack.messages(GENERAL) == []
        async with bot.services.db.session() as s:
            assert (await repo.get_by_ref(s, bot.slack.team_id, 1)).status == "failed"


async def test_a_failed_invitation_is_reported_by_name(bot):
    # The sandbox (like ScheduCal) refuses a numeric top-level domain.
    preview = await preview_via_form(bot, emails="zed@example.c0m")
    await bot.slack.click(ANN, preview, "preview_send")
    await bot.slack.wait_for(lambda: "not* invited" in bot.last_ephemeral_text(ANN))
    outcome = bot.last_ephemeral_text(ANN)
    assert "zed@example.c0m was *not* invited" in outcome
    assert "malformed" in outcome
    assert "invitations sent to 1 person" in outcome
    (parent,) = await bot.slack.wait_for(lambda: bot.slack.messages(GENERAL))
    assert "zed@example.c0m — :warning: not invited" in rendered(parent)


async def test_preview_cancel_and_edit(bot):
    preview = await preview_via_form(bot)
    await bot.slack.click(ANN, preview, "preview_edit")
    views = await bot.slack.wait_for(lambda: bot.slack.views(ANN))
    by_block = {b["block_id"]: b for b in views[-1]["blocks"]}
    assert by_block["subject"]["element"]["initial_value"] == "Budget review"
    assert by_block["people"]["element"]["initial_users"] == [BOB]
    assert by_block["emails"]["element"]["initial_value"] == "carol@example.org"
    await bot.slack.submit_view(ANN, views[-1]["id"], {"subject": "Budget review v2"})
    await bot.slack.wait_for(
        lambda: "Budget review v2" in rendered(bot.ephemeral_with(ANN, "preview_send") or {})
    )
    assert len([e for e in bot.slack.ephemerals(ANN) if "Preview" in rendered(e)]) == 1
    edited = bot.ephemeral_with(ANN, "preview_send")
    await bot.slack.click(ANN, edited, "preview_cancel")
    await bot.slack.wait_for(lambda: bot.ephemeral_with(ANN, "preview_send") is None)
    await bot.slack.settle()
    assert await bot.sandbox_appointments() == []


async def test_help_and_empty_list(bot):
    await bot.slack.send_command(ANN, GENERAL, "help")
    await bot.slack.wait_for(lambda: "/meet list" in bot.last_ephemeral_text(ANN))
    await bot.slack.send_command(ANN, GENERAL, "list")
    await bot.slack.wait_for(lambda: "No upcoming appointments" in bot.last_ephemeral_text(ANN))
    await bot.slack.send_command(ANN, GENERAL, "cancel")
    await bot.slack.wait_for(lambda: "Which appointment?" in bot.last_ephemeral_text(ANN))


async def test_full_path_on_postgresql(postgres_url):
    async with running_bot(postgres_url) as bot:
        preview = await preview_via_form(bot, subject="On Postgres")
        appointment = await send(bot, preview)
        remote = await bot.sandbox_appointment(appointment.scheducal_id)
        assert remote["subject"] == "On Postgres"
        assert remote["timeZone"] == "America/New_York"
        assert json.dumps(bot.slack.messages(GENERAL)).count("On Postgres") >= 1


async def test_invitations_go_out_even_when_the_channel_post_fails(bot):
    bot.slack.add_channel("C0SECRET", "secret", is_private=True, members=[ANN], bot_member=False)
    answer = await bot.slack.send_command(ANN, "C0SECRET", "")
    assert answer.status == 200
    (view,) = await bot.slack.wait_for(lambda: bot.slack.views(ANN))
    await bot.slack.submit_view(
        ANN, view["id"], {"subject": "Quiet one", "start": next_week_at(9), "emails": "z@x.io"}
    )
    preview = await bot.slack.wait_for(lambda: bot.ephemeral_with(ANN, "preview_send"))
    await bot.slack.click(ANN, preview, "preview_send")
    await bot.slack.wait_for(lambda: "/invite @ScheduCal" in bot.last_ephemeral_text(ANN))
    outcome = bot.last_ephemeral_text(ANN)
    assert "invitations sent to 1 person" in outcome
    assert "I am not a member of this channel" in outcome
    assert "The invitations went out anyway." in outcome
    (remote,) = await bot.sandbox_appointments()
    assert remote["attendees"][0]["email"] == "z@x.io"


async def test_an_unexpected_failure_is_an_apology_not_a_trace(bot, monkeypatch):
    from bot.slack import operations

    async def broken(*args, **kwargs):
        raise RuntimeError("database exploded: secret internals")

    monkeypatch.setattr(operations, "send_invites", broken)
    preview = await preview_via_form(bot)
    started = time.monotonic()
    answer = await bot.slack.click(ANN, preview, "preview_send")
    assert answer.status == 200 and time.monotonic() - started < 1.0  # the ack stands
    await bot.slack.wait_for(lambda: "went wrong on my side" in bot.last_ephemeral_text(ANN))
    text = bot.last_ephemeral_text(ANN)
    assert "secret internals" not in text and "Traceback" not in text


async def test_an_unexpected_failure_in_a_form_is_reported_in_its_channel(bot, monkeypatch):
    from bot.slack import operations

    _, parent = await send_one(bot)

    async def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(operations, "cancel", broken)
    await bot.slack.click(ANN, parent, "appt_cancel")
    (view,) = await bot.slack.wait_for(lambda: bot.slack.views(ANN))
    answer = await bot.slack.submit_view(ANN, view["id"], {"comment": None})
    assert answer.status == 200
    await bot.slack.wait_for(lambda: "went wrong on my side" in bot.last_ephemeral_text(ANN))


async def send_one(bot: Bot) -> tuple[repo.Appointment, dict]:
    appointment = await send(bot, await preview_via_form(bot))
    (parent,) = bot.slack.messages(GENERAL)
    return appointment, parent


async def test_a_create_that_was_applied_before_a_lost_reply_is_carried_on(bot, monkeypatch):
    """The client's retry got 409 after an attempt that may have worked: use its id."""
    from bot.scheducal.client import ScheduCalClient
    from bot.scheducal.errors import DuplicateRequest

    sandbox = bot.sandbox
    async with ScheduCalClient(sandbox.url, sandbox.api_key, sandbox.api_secret) as direct:
        earlier = await direct.create_appointment(
            start=next_week_at(15),
            end=next_week_at(15, 45),
            time_zone="America/New_York",
            subject="Budget review",
            invitee_name="Bob",
            invitee_email="bob@gmail.com",
        )

    async def duplicate(**kwargs):
        raise DuplicateRequest(
            "duplicate request", status=409, existing_id=earlier.appointment_id,
            after_ambiguous_attempt=True,
        )  # fmt: skip

    monkeypatch.setattr(bot.services.scheducal, "create_appointment", duplicate)
    appointment = await send(bot, await preview_via_form(bot))
    assert appointment.scheducal_id == earlier.appointment_id and appointment.status == "active"
    remote = await bot.sandbox_appointment(earlier.appointment_id)
    assert [a["email"] for a in remote["attendees"]] == ["bob@gmail.com", "carol@example.org"]
    assert len(await bot.sandbox_appointments()) == 1


async def test_an_uncertain_create_does_not_claim_nothing_was_sent(bot, monkeypatch):
    from bot.scheducal.errors import ScheduCalConnectionError

    async def lost(**kwargs):
        raise ScheduCalConnectionError("timed out after 4 attempts")

    monkeypatch.setattr(bot.services.scheducal, "create_appointment", lost)
    await bot.slack.click(ANN, await preview_via_form(bot), "preview_send")
    await bot.slack.wait_for(lambda: "could not confirm" in bot.last_ephemeral_text(ANN))
    text = bot.last_ephemeral_text(ANN)
    assert text.startswith(":x: I could not reach ScheduCal to create the appointment.")
    assert "check your calendar" in text and "Nothing was sent" not in text


async def test_sends_interrupted_by_a_stop_are_marked_failed_and_the_organizer_told(bot):
    from bot.slack.operations import recover_stuck_sends

    async with bot.services.db.session() as s:
        for key, age in (("old", timedelta(hours=1)), ("fresh", timedelta(minutes=1))):
            appointment, _ = await repo.reserve_appointment(
                s, team_id=bot.slack.team_id, idempotency_key=key, channel_id=GENERAL,
                organizer_id=ANN, subject=f"{key} <b>", start_utc=next_week_at(9),
                end_utc=next_week_at(10), timezone="America/New_York", location=None,
                notes=None, invitees=[],
            )  # fmt: skip
            appointment.created_at = datetime.now(UTC) - age

    assert await recover_stuck_sends(bot.services, now=datetime.now(UTC)) == [1]
    async with bot.services.db.session() as s:
        assert (await repo.get_by_ref(s, bot.slack.team_id, 1)).status == "failed"
        assert (await repo.get_by_ref(s, bot.slack.team_id, 2)).status == "sending"
    (dm,) = bot.slack.messages(bot.slack.dm_channel(ANN).id)
    assert dm["text"].startswith(":warning: I was stopped while sending *#1 old &lt;b&gt;*")
