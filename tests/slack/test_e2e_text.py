"""End to end: `/meet <text>` parsed in the person's own Slack zone, and text sub-commands."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.store import repo
from tests.slack.harness import ANN, BOB, GENERAL, Bot, rendered, running_bot
from tests.slack.test_e2e_schedule import send

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
async def bot(sqlite_url):
    async with running_bot(sqlite_url) as running:
        yield running


def tomorrow(zone: ZoneInfo) -> datetime:
    return datetime.now(zone) + timedelta(days=1)


async def test_text_to_preview_to_appointment_in_the_senders_zone(bot: Bot):
    # devslack escapes like Slack with should_escape: @bob -> <@U0BOB|bob>, & -> &amp;
    await bot.slack.send_command(
        ANN,
        GENERAL,
        "Budget <review> & co with @bob and carol@example.org tomorrow 3pm for 45m at Room 4",
    )
    preview = await bot.slack.wait_for(lambda: bot.ephemeral_with(ANN, "preview_send"))
    text = rendered(preview)
    assert "Budget &lt;review&gt; &amp; co" in text
    assert "45 min" in text and "America/New_York" in text and "Room 4" in text
    assert "bob (bob@gmail.com)" in text and "carol@example.org" in text

    appointment = await send(bot, preview)
    remote = await bot.sandbox_appointment(appointment.scheducal_id)
    day = tomorrow(NY).strftime("%Y-%m-%d")
    assert (remote["start"], remote["end"]) == (f"{day}T15:00:00", f"{day}T15:45:00")
    assert remote["timeZone"] == "America/New_York"
    assert remote["subject"] == "Budget <review> & co"
    # The first attendee as typed is the one ScheduCal creates the event with.
    assert [a["email"] for a in remote["attendees"]] == ["bob@gmail.com", "carol@example.org"]


async def test_text_is_read_in_each_persons_own_zone(bot: Bot):
    await bot.slack.send_command(BOB, GENERAL, "Standup with ann@acme.com tomorrow 9am")
    preview = await bot.slack.wait_for(lambda: bot.ephemeral_with(BOB, "preview_send"))
    assert "Europe/Berlin" in rendered(preview)
    await bot.slack.click(BOB, preview, "preview_send")
    await bot.slack.wait_for(lambda: bot.slack.messages(GENERAL))
    await bot.slack.settle()
    (remote,) = await bot.sandbox_appointments()
    assert remote["start"] == tomorrow(BERLIN).strftime("%Y-%m-%dT09:00:00")
    assert remote["timeZone"] == "Europe/Berlin"


async def test_parse_errors_and_hidden_emails_answer_privately(bot: Bot):
    await bot.slack.send_command(ANN, GENERAL, "lunch with bob@x.io")
    await bot.slack.wait_for(lambda: "Try: `/meet" in bot.last_ephemeral_text(ANN))
    await bot.slack.send_command(ANN, GENERAL, "Sync with @gus tomorrow 10am")
    await bot.slack.wait_for(
        lambda: "I cannot see an email address for gus" in bot.last_ephemeral_text(ANN)
    )
    await bot.slack.send_command(ANN, GENERAL, "Retro with bob@x.io yesterday 3pm")
    await bot.slack.wait_for(lambda: "is in the past" in bot.last_ephemeral_text(ANN))
    assert bot.ephemeral_with(ANN, "preview_send") is None
    assert bot.slack.messages(GENERAL) == []


async def test_another_command_name_is_used_in_answers(sqlite_url):
    async with running_bot(sqlite_url, slack_command="/schedule") as bot:
        await bot.slack.send_command(ANN, GENERAL, "lunch with bob@x.io", command="/schedule")
        text = await bot.slack.wait_for(lambda: bot.last_ephemeral_text(ANN))
        assert "Try: `/schedule Intro call" in text and "/meet" not in text
        await bot.slack.send_command(ANN, GENERAL, "help", command="/schedule")
        await bot.slack.wait_for(lambda: "/schedule list" in bot.last_ephemeral_text(ANN))
        await bot.slack.open_app_home(ANN)
        home = await bot.slack.wait_for(lambda: bot.slack.home(ANN))
        assert "Type `/schedule` in any channel" in rendered({"blocks": home["blocks"]})


async def test_reschedule_command_keeps_the_length_and_replies_once(bot: Bot):
    await bot.slack.send_command(ANN, GENERAL, "Review with bob@x.io tomorrow 3pm for 90m")
    appointment = await send(
        bot, await bot.slack.wait_for(lambda: bot.ephemeral_with(ANN, "preview_send"))
    )
    parent_ts = appointment.message_ts
    await bot.slack.send_command(BOB, GENERAL, "reschedule 1 friday 10am")
    await bot.slack.wait_for(lambda: "only the organizer" in bot.last_ephemeral_text(BOB))

    await bot.slack.send_command(ANN, GENERAL, "reschedule 1 in 3 days at 10am")
    await bot.slack.wait_for(lambda: "#1 moved" in bot.last_ephemeral_text(ANN))
    remote = await bot.sandbox_appointment(appointment.scheducal_id)
    day = (datetime.now(NY) + timedelta(days=3)).strftime("%Y-%m-%d")
    assert (remote["start"], remote["end"]) == (f"{day}T10:00:00", f"{day}T11:30:00")
    async with bot.services.db.session() as s:
        saved = await repo.get_by_ref(s, bot.slack.team_id, 1)
    assert saved.end_utc - saved.start_utc == timedelta(minutes=90)
    (reply,) = bot.slack.thread(GENERAL, parent_ts)
    assert "moved this meeting to" in reply["text"]

    await bot.slack.send_command(ANN, GENERAL, "reschedule 1 someday maybe")
    await bot.slack.wait_for(lambda: "Try: `tomorrow 3pm`" in bot.last_ephemeral_text(ANN))


async def test_an_admin_elsewhere_reschedules_in_their_zone_and_the_meeting_keeps_its_own(
    bot: Bot,
):
    from tests.slack.harness import IDA  # admin, UTC

    await bot.slack.send_command(ANN, GENERAL, "Review with bob@x.io tomorrow 3pm")
    appointment = await send(
        bot, await bot.slack.wait_for(lambda: bot.ephemeral_with(ANN, "preview_send"))
    )
    await bot.slack.send_command(IDA, GENERAL, "reschedule 1 in 2 days at 18:00")
    await bot.slack.wait_for(lambda: "#1 moved" in bot.last_ephemeral_text(IDA))
    remote = await bot.sandbox_appointment(appointment.scheducal_id)
    utc_day = datetime.now(ZoneInfo("UTC")) + timedelta(days=2)
    expected = datetime(utc_day.year, utc_day.month, utc_day.day, 18, tzinfo=ZoneInfo("UTC"))
    assert remote["timeZone"] == "America/New_York"
    assert remote["start"] == expected.astimezone(NY).strftime("%Y-%m-%dT%H:%M:%S")


async def test_numeric_dates_follow_the_date_order_setting(sqlite_url):
    # A year ahead, so the date is never in the past; 3/4 is 3 April (DMY), not 4 March.
    year = datetime.now(NY).year + 1
    async with running_bot(sqlite_url, date_order="DMY") as bot:
        await bot.slack.send_command(ANN, GENERAL, f"Review with bob@x.io 3/4/{year} 3pm")
        preview = await bot.slack.wait_for(lambda: bot.ephemeral_with(ANN, "preview_send"))
        appointment = await send(bot, preview)
        remote = await bot.sandbox_appointment(appointment.scheducal_id)
        assert remote["start"] == f"{year}-04-03T15:00:00"
