"""The Slack app with the webhook pipeline: ScheduCal's echoes of the bot's own changes
are not announced twice, and attendee replies reach the thread and the parent tally."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.slack.harness import ANN, GENERAL, Bot, rendered, running_bot
from tests.slack.test_e2e_schedule import next_week_at, preview_via_form, send


@pytest.fixture
async def bot(sqlite_url):
    async with running_bot(sqlite_url, webhooks=True) as running:
        yield running


async def respond_as_attendee(bot: Bot, scheducal_id: str, email: str, response: str) -> None:
    url = f"{bot.sandbox.url}/sandbox/appointments/{scheducal_id}/respond"
    async with bot.slack.session.post(url, json={"email": email, "response": response}) as r:
        assert r.status == 200, await r.text()


async def test_own_changes_are_announced_once_and_rsvps_reach_the_thread(bot):
    appointment = await send(bot, await preview_via_form(bot))
    ts = appointment.message_ts
    events = await bot.webhooks_delivered()
    assert [e["eventType"] for e in events] == ["appointment.updated"]  # the 2nd invitation
    assert bot.slack.thread(GENERAL, ts) == []  # an echo of our own change: no reply

    await respond_as_attendee(bot, appointment.scheducal_id, "bob@gmail.com", "accepted")
    await bot.webhooks_delivered()
    # Delivered means stored in the inbox; the worker posts a moment later.
    (rsvp,) = await bot.slack.wait_for(lambda: bot.slack.thread(GENERAL, ts))
    assert "bob@gmail.com" in rendered(rsvp) or "Bob" in rendered(rsvp)
    await bot.slack.wait_for(lambda: "1 accepted" in rendered(bot.slack.message(GENERAL, ts)))
    parent = bot.slack.message(GENERAL, ts)

    await bot.slack.click(ANN, parent, "appt_reschedule")
    (view,) = await bot.slack.wait_for(lambda: bot.slack.views(ANN))
    new_start = next_week_at(11) + timedelta(days=2)
    await bot.slack.submit_view(ANN, view["id"], {"start": new_start, "duration": "30"})
    await bot.slack.wait_for(lambda: len(bot.slack.thread(GENERAL, ts)) == 2)
    await bot.webhooks_delivered()
    replies = bot.slack.thread(GENERAL, ts)
    assert len(replies) == 2 and "moved this meeting" in replies[1]["text"]
    parent = bot.slack.message(GENERAL, ts)
    assert f"<!date^{int(new_start.timestamp())}^" in rendered(parent)
    assert "1 accepted" in rendered(parent)  # the refresh kept the tally

    await bot.slack.click(ANN, parent, "appt_cancel")
    (view,) = await bot.slack.wait_for(lambda: bot.slack.views(ANN))
    await bot.slack.submit_view(ANN, view["id"], {"comment": "Budget moved to Q3"})
    await bot.slack.wait_for(lambda: len(bot.slack.thread(GENERAL, ts)) == 3)
    events = await bot.webhooks_delivered()
    assert events[-1]["eventType"] == "appointment.canceled"
    replies = bot.slack.thread(GENERAL, ts)
    assert len(replies) == 3 and "canceled this meeting" in replies[2]["text"]
    assert "— canceled" in rendered(bot.slack.message(GENERAL, ts))
