"""End to end: managing a sent appointment from the parent buttons and sub-commands."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.store import repo
from tests.slack.harness import ANN, BOB, GENERAL, GUS, IDA, Bot, rendered, running_bot
from tests.slack.test_e2e_schedule import next_week_at, preview_via_form, send


@pytest.fixture
async def bot(sqlite_url):
    async with running_bot(sqlite_url) as running:
        yield running


async def scheduled(bot: Bot) -> tuple[repo.Appointment, dict]:
    appointment = await send(bot, await preview_via_form(bot))
    (parent,) = bot.slack.messages(GENERAL)
    return appointment, parent


async def stored(bot: Bot, ref: int = 1) -> repo.Appointment:
    async with bot.services.db.session() as s:
        return await repo.get_by_ref(s, bot.slack.team_id, ref)


def parent_of(bot: Bot) -> dict:
    (parent,) = bot.slack.messages(GENERAL)
    return parent


async def test_only_the_organizer_or_an_admin_may_reschedule_or_cancel(bot):
    appointment, parent = await scheduled(bot)
    await bot.slack.click(BOB, parent, "appt_reschedule")
    await bot.slack.wait_for(lambda: "only the organizer" in bot.last_ephemeral_text(BOB))
    await bot.slack.click(BOB, parent, "appt_cancel")
    await bot.slack.send_command(BOB, GENERAL, "cancel 1 not my meeting")
    await bot.slack.wait_for(lambda: len(bot.slack.ephemerals(BOB)) >= 3)
    for message in bot.slack.ephemerals(BOB):
        assert "Sorry, only the organizer (<@U0ANN>) or a workspace admin" in rendered(message)
    assert bot.slack.views(BOB) == []
    assert (await stored(bot)).status == "active"
    assert (await bot.sandbox_appointment(appointment.scheducal_id))["isActive"] is True

    # A workspace admin may: the Cancel button opens the confirmation with a comment.
    await bot.slack.click(IDA, parent, "appt_cancel")
    (confirm,) = await bot.slack.wait_for(lambda: bot.slack.views(IDA))
    assert confirm["callback_id"] == "appt_cancel"
    assert "cannot be undone" in rendered({"blocks": confirm["blocks"]})
    answer = await bot.slack.submit_view(IDA, confirm["id"], {"comment": "Room <!here> flooded"})
    assert answer.status == 200 and not answer.json
    await bot.slack.wait_for(lambda: bot.slack.thread(GENERAL, parent["ts"]))

    remote = await bot.sandbox_appointment(appointment.scheducal_id)
    assert remote["isActive"] is False and remote["cancelComment"] == "Room <!here> flooded"
    assert (await stored(bot)).status == "canceled"
    (reply,) = bot.slack.thread(GENERAL, parent["ts"])
    assert reply["text"] == (
        ":no_entry_sign: <@U0IDA> canceled this meeting. Comment: “Room &lt;!here&gt; flooded”"
    )
    shown = parent_of(bot)
    assert "— canceled" in rendered(shown)
    assert not [b for b in shown["blocks"] if b["type"] == "actions"]


async def test_reschedule_from_the_parent_button(bot):
    appointment, parent = await scheduled(bot)
    await bot.slack.click(ANN, parent, "appt_reschedule")
    (view,) = await bot.slack.wait_for(lambda: bot.slack.views(ANN))
    start_block = next(b for b in view["blocks"] if b.get("block_id") == "start")
    assert start_block["element"]["initial_date_time"] == int(next_week_at(15).timestamp())

    new_start = next_week_at(16, 30) + timedelta(days=1)
    answer = await bot.slack.submit_view(ANN, view["id"], {"start": new_start, "duration": "60"})
    assert answer.status == 200 and not answer.json
    replies = await bot.slack.wait_for(lambda: bot.slack.thread(GENERAL, parent["ts"]))
    await bot.slack.settle()

    remote = await bot.sandbox_appointment(appointment.scheducal_id)
    assert remote["start"] == new_start.strftime("%Y-%m-%dT16:30:00")
    assert remote["end"] == new_start.strftime("%Y-%m-%dT17:30:00")
    assert remote["timeZone"] == "America/New_York"
    saved = await stored(bot)
    assert saved.start_utc == new_start and saved.end_utc == new_start + timedelta(hours=1)
    assert len(replies) == 1 and "<@U0ANN> moved this meeting to <!date^" in replies[0]["text"]
    token = f"<!date^{int(new_start.timestamp())}^"
    assert token in rendered(parent_of(bot)) and "1 h" in rendered(parent_of(bot))


async def test_reschedule_form_refuses_an_end_before_the_start(bot):
    _, parent = await scheduled(bot)
    await bot.slack.click(ANN, parent, "appt_reschedule")
    (view,) = await bot.slack.wait_for(lambda: bot.slack.views(ANN))
    start = next_week_at(9)
    answer = await bot.slack.submit_view(
        ANN, view["id"], {"start": start, "end": start - timedelta(minutes=5)}
    )
    assert answer.json == {
        "response_action": "errors",
        "errors": {"end": "The end must be after the start."},
    }


async def test_invite_by_command_and_by_button(bot):
    appointment, parent = await scheduled(bot)
    await bot.slack.send_command(ANN, GENERAL, "invite #1 dave@example.org @ida")
    await bot.slack.wait_for(lambda: "is invited" in bot.last_ephemeral_text(ANN))
    lines = bot.last_ephemeral_text(ANN)
    assert "dave@example.org is invited" in lines and "(ida@acme.com) is invited" in lines
    remote = await bot.sandbox_appointment(appointment.scheducal_id)
    assert {"dave@example.org", "ida@acme.com"} <= {a["email"] for a in remote["attendees"]}
    (reply,) = await bot.slack.wait_for(lambda: bot.slack.thread(GENERAL, parent["ts"]))
    assert reply["text"] == (
        ":heavy_plus_sign: <@U0ANN> invited ida (ida@acme.com), dave@example.org."
    )

    # Anyone may add people; an address already invited is not invited twice.
    await bot.slack.click(BOB, parent_of(bot), "appt_add_invitee")
    (view,) = await bot.slack.wait_for(lambda: bot.slack.views(BOB))
    answer = await bot.slack.submit_view(BOB, view["id"], {"people": [GUS]})
    assert "cannot see an email address for gus" in answer.json["errors"]["people"].lower()
    answer = await bot.slack.submit_view(
        BOB, view["id"], {"people": [], "emails": "DAVE@example.org, erin@example.org"}
    )
    assert answer.status == 200 and not answer.json
    await bot.slack.wait_for(lambda: "erin@example.org is invited" in bot.last_ephemeral_text(BOB))
    assert "dave@example.org is already invited" in bot.last_ephemeral_text(BOB)
    remote = await bot.sandbox_appointment(appointment.scheducal_id)
    emails = [a["email"] for a in remote["attendees"]]
    assert emails.count("dave@example.org") == 1 and "erin@example.org" in emails
    assert "erin@example.org" in rendered(parent_of(bot))
    assert "spam folder" not in bot.last_ephemeral_text(BOB)

    # A first invitation to a Gmail address gets the spam-folder hint, as on Send.
    await bot.slack.send_command(ANN, GENERAL, "invite 1 fay@gmail.com")
    await bot.slack.wait_for(lambda: "fay@gmail.com is invited" in bot.last_ephemeral_text(ANN))
    assert "fay@gmail.com: first invitation to this Gmail address" in (bot.last_ephemeral_text(ANN))


async def test_commands_explain_mistakes(bot):
    await scheduled(bot)
    cases = {
        "cancel 99": "There is no appointment #99 in this workspace.",
        "invite 1 tomorrow": "I can invite email addresses or Slack people",
        f"invite 1 <@{GUS}>": "I cannot see an email address for gus",
        "reschedule 1": "To when?",
    }
    for text, expected in cases.items():
        await bot.slack.send_command(ANN, GENERAL, text, escape=False)
        await bot.slack.wait_for(lambda e=expected: e in bot.last_ephemeral_text(ANN))


async def test_cancel_by_command_then_list_and_home(bot):
    appointment, parent = await scheduled(bot)
    await bot.slack.send_command(ANN, GENERAL, "list")
    await bot.slack.wait_for(lambda: "*#1* Budget review" in bot.last_ephemeral_text(ANN))

    await bot.slack.open_app_home(ANN)
    home = await bot.slack.wait_for(lambda: bot.slack.home(ANN))
    assert "*#1* Budget review" in rendered({"blocks": home["blocks"]})
    await bot.slack.open_app_home(BOB)  # invited, not organizer
    home = await bot.slack.wait_for(lambda: bot.slack.home(BOB))
    assert "*#1* Budget review" in rendered({"blocks": home["blocks"]})
    await bot.slack.open_app_home(GUS)
    home = await bot.slack.wait_for(lambda: bot.slack.home(GUS))
    assert "Nothing scheduled" in rendered({"blocks": home["blocks"]})

    await bot.slack.send_command(ANN, GENERAL, "cancel 1 sorry & bye")
    await bot.slack.wait_for(lambda: "is canceled" in bot.last_ephemeral_text(ANN))
    remote = await bot.sandbox_appointment(appointment.scheducal_id)
    assert remote["isActive"] is False and remote["cancelComment"] == "sorry & bye"
    assert len(bot.slack.thread(GENERAL, parent["ts"])) == 1

    await bot.slack.send_command(ANN, GENERAL, "cancel 1")
    await bot.slack.wait_for(lambda: "#1 is already canceled" in bot.last_ephemeral_text(ANN))
    await bot.slack.send_command(ANN, GENERAL, "list")
    await bot.slack.wait_for(lambda: "No upcoming" in bot.last_ephemeral_text(ANN))
    await bot.slack.send_command(ANN, GENERAL, "reschedule 1 tomorrow 3pm")
    await bot.slack.wait_for(lambda: "already canceled" in bot.last_ephemeral_text(ANN))
    assert len(bot.slack.thread(GENERAL, parent["ts"])) == 1


async def test_a_scheducal_refusal_undoes_the_store_change(bot):
    from bot.scheducal.client import ScheduCalClient

    appointment, parent = await scheduled(bot)
    sandbox = bot.sandbox
    async with ScheduCalClient(sandbox.url, sandbox.api_key, sandbox.api_secret) as direct:
        await direct.cancel_appointment(appointment.scheducal_id)  # behind the bot's back

    await bot.slack.click(ANN, parent, "appt_reschedule")
    (view,) = await bot.slack.wait_for(lambda: bot.slack.views(ANN))
    await bot.slack.submit_view(ANN, view["id"], {"start": next_week_at(8)})
    await bot.slack.wait_for(lambda: "old time" in bot.last_ephemeral_text(ANN))
    assert bot.last_ephemeral_text(ANN) == (
        "ScheduCal could not reschedule #1: this appointment is already cancelled. "
        "The appointment keeps its old time."
    )
    saved = await stored(bot)
    assert (saved.start_utc, saved.end_utc) == (appointment.start_utc, appointment.end_utc)
    assert saved.status == "active"
    assert bot.slack.thread(GENERAL, parent["ts"]) == []


async def test_a_refused_cancel_leaves_the_appointment_on(bot):
    appointment, parent = await scheduled(bot)
    # A Retry-After beyond the client's cap fails the call at once: ScheduCal said no.
    bot.sandbox.fail_next(429, method="DELETE", retry_after=3600)

    await bot.slack.send_command(ANN, GENERAL, "cancel 1 sorry")
    await bot.slack.wait_for(lambda: "still on" in bot.last_ephemeral_text(ANN))
    saved = await stored(bot)
    assert saved.status == "active"
    remote = await bot.sandbox_appointment(appointment.scheducal_id)
    assert remote["isActive"] is True
    assert bot.slack.thread(GENERAL, parent["ts"]) == []

    await bot.slack.send_command(ANN, GENERAL, "list")
    await bot.slack.wait_for(lambda: "*#1* Budget review" in bot.last_ephemeral_text(ANN))


async def test_people_are_added_from_the_appointments_channel_or_by_its_managers(bot):
    appointment, _ = await scheduled(bot)
    bot.slack.add_channel("C0OTHER", "other")

    # A guessed reference from another channel adds nobody.
    await bot.slack.send_command(BOB, "C0OTHER", "invite 1 mallory@example.org")
    await bot.slack.wait_for(lambda: "another channel" in bot.last_ephemeral_text(BOB))
    assert f"<#{GENERAL}>" in bot.last_ephemeral_text(BOB)
    remote = await bot.sandbox_appointment(appointment.scheducal_id)
    assert "mallory@example.org" not in {a["email"] for a in remote["attendees"]}

    # The organizer may add people from anywhere.
    await bot.slack.send_command(ANN, "C0OTHER", "invite 1 erin@example.org")
    await bot.slack.wait_for(lambda: "erin@example.org is invited" in bot.last_ephemeral_text(ANN))
