"""End to end: the sandbox delivers signed events to the bot, which posts to devslack."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from bot.scheducal.signing import SIGNATURE_HEADER, sign
from bot.store import repo
from bot.webhooks import PIPELINE_KEY, handling, inbox
from bot.webhooks.receiver import ROUTE
from tests.webhooks.harness import (
    CHANNEL,
    DEFAULT_CHANNEL,
    WEBHOOK_SECRET,
    bot_in_process,
    posted_event_ids,
    stack,
)


async def test_rsvp_is_posted_once_and_tallied(sqlite_url: str) -> None:
    async with stack(sqlite_url) as st, bot_in_process(st):
        appointment = await st.appointment(attendees=(("Ann Lee", "ann@example.com"),))
        event_id = await st.respond(appointment, "ann@example.com", "accepted")
        await st.wait_done([event_id])
        await st.redeliver(event_id)
        await st.redeliver(event_id)
        await st.sandbox.wait_idle()
        await st.slack.settle(quiet=0.5)

        thread = st.thread(appointment)
        assert posted_event_ids(thread) == [event_id]
        assert "Ann Lee (ann@example.com)" in str(thread[0]["blocks"])
        assert "*accepted*" in str(thread[0]["blocks"])
        assert "1 accepted" in str(st.parent(appointment)["blocks"])
        assert (await st.reload(appointment)).invitees[0].response == "accepted"


async def test_attendee_name_cannot_ping_the_channel(sqlite_url: str) -> None:
    async with stack(sqlite_url) as st, bot_in_process(st):
        appointment = await st.appointment(
            attendees=(("<!channel> & <@U0ADMIN>", "mallory@example.com"),)
        )
        event_id = await st.respond(appointment, "mallory@example.com", "declined")
        await st.wait_done([event_id])

        reply = st.thread(appointment)[0]
        rendered = str(reply["blocks"]) + reply["text"]
        assert "<!channel>" not in rendered and "<@U0ADMIN>" not in rendered
        assert "&lt;!channel&gt; &amp; &lt;@U0ADMIN&gt;" in str(reply["blocks"])
        assert "<!channel>" not in str(st.parent(appointment)["blocks"])


async def test_older_response_never_overwrites_a_newer_one(sqlite_url: str) -> None:
    async with stack(sqlite_url) as st, bot_in_process(st):
        appointment = await st.appointment(attendees=(("Ann Lee", "ann@example.com"),))
        now = datetime.now(UTC)
        newer = await st.respond(appointment, "ann@example.com", "declined", at=now)
        await st.wait_done([newer])
        older = await st.respond(
            appointment, "ann@example.com", "accepted", at=now - timedelta(minutes=5)
        )
        await st.wait_done([older])

        thread = st.thread(appointment)
        assert posted_event_ids(thread) == [newer, older]  # each event shown once
        assert "earlier answer" in str(thread[1]["blocks"])
        invitee = (await st.reload(appointment)).invitees[0]
        assert invitee.response == "declined"
        assert "1 declined" in str(st.parent(appointment)["blocks"])


async def test_events_waiting_together_are_handled_in_time_order(sqlite_url: str) -> None:
    async with stack(sqlite_url) as st, bot_in_process(st):
        pipeline = st.apps[-1][PIPELINE_KEY]
        appointment = await st.appointment(
            attendees=(("Ann Lee", "ann@example.com"), ("Bo Chen", "bo@example.com"))
        )
        await st.sandbox.wait_idle()
        await st.wait_done([e.id for e in st.sandbox.events])
        await pipeline.worker.stop()  # events pile up in the inbox meanwhile
        now = datetime.now(UTC)
        late = await st.respond(appointment, "bo@example.com", "accepted", at=now)
        early = await st.respond(
            appointment, "ann@example.com", "tentativelyAccepted", at=now - timedelta(minutes=1)
        )
        await st.sandbox.wait_idle()
        assert {late, early} <= set(await st.inbox())
        await pipeline.worker.start()
        await st.wait_done([late, early])
        assert posted_event_ids(st.thread(appointment)) == [early, late]


async def test_update_cancel_and_echo_of_our_own_change(sqlite_url: str) -> None:
    async with stack(sqlite_url) as st, bot_in_process(st):
        appointment = await st.appointment(subject="Design sync")
        new_start = appointment.start_utc + timedelta(days=1)
        await st.scheducal.update_appointment(
            appointment.scheducal_id,
            start=new_start,
            end=new_start + timedelta(minutes=45),
            time_zone=appointment.timezone,
            location="Room 4",
        )
        await st.sandbox.wait_idle()
        updated = [e.id for e in st.sandbox.events if e.event_type == "appointment.updated"]
        await st.wait_done(updated)
        thread = st.thread(appointment)
        assert len(thread) == 1
        text = str(thread[0]["blocks"])
        assert "Appointment updated" in text and "*When:*" in text and "Room 4" in text
        old_token = f"<!date^{int(appointment.start_utc.timestamp())}^"
        new_token = f"<!date^{int(new_start.timestamp())}^"
        assert old_token in text and new_token in text  # old -> new
        assert text.index(old_token) < text.index("→") < text.index(new_token)
        assert "*Location:* _none_ → Room 4" in text
        parent = str(st.parent(appointment)["blocks"])  # the parent shows the new values
        assert new_token in parent and old_token not in parent and "Room 4" in parent
        fresh = await st.reload(appointment)
        assert fresh.start_utc == new_start and fresh.location == "Room 4"

        # The bot's own reschedule: store first, then ScheduCal; the echo adds no reply.
        moved = new_start + timedelta(hours=2)
        async with st.db.session() as s:
            await repo.update_schedule(
                s,
                appointment.id,
                start_utc=moved,
                end_utc=moved + timedelta(minutes=45),
                timezone=appointment.timezone,
            )
        updates_before = len(st.slack.calls_to("chat.update"))
        await st.scheducal.update_appointment(
            appointment.scheducal_id,
            start=moved,
            end=moved + timedelta(minutes=45),
            time_zone=appointment.timezone,
        )
        await st.sandbox.wait_idle()
        echo = [e.id for e in st.sandbox.events if e.event_type == "appointment.updated"][-1]
        await st.wait_done([echo])
        assert len(st.thread(appointment)) == 1
        assert len(st.slack.calls_to("chat.update")) > updates_before

        await st.scheducal.cancel_appointment(appointment.scheducal_id, comment="Budget <cut>")
        await st.sandbox.wait_idle()
        canceled = [e.id for e in st.sandbox.events if e.event_type == "appointment.canceled"]
        await st.wait_done(canceled)
        thread = st.thread(appointment)
        assert len(thread) == 2
        assert "Appointment canceled" in str(thread[1]["blocks"])
        assert "Budget &lt;cut&gt;" in str(thread[1]["blocks"])
        parent = st.parent(appointment)
        assert "canceled" in parent["text"].lower()
        assert not [b for b in parent["blocks"] if b["type"] == "actions"]
        assert (await st.reload(appointment)).status == "canceled"


async def test_slack_429_and_500_are_retried_without_double_posts(sqlite_url: str) -> None:
    async with stack(sqlite_url) as st, bot_in_process(st):
        appointment = await st.appointment(attendees=(("Ann Lee", "ann@example.com"),))
        st.slack.fail_next("chat.postMessage", status=429, retry_after=1, times=2)
        st.slack.fail_next("chat.postMessage", status=500, times=2)
        st.slack.fail_next("chat.update", status=500, times=1)
        started = asyncio.get_running_loop().time()
        event_id = await st.respond(appointment, "ann@example.com", "accepted")
        rows = await st.wait_done([event_id], timeout=30)
        # Each 429 said Retry-After: 1, and the worker waited that long both times.
        assert asyncio.get_running_loop().time() - started >= 2.0

        assert posted_event_ids(st.thread(appointment)) == [event_id]
        assert "1 accepted" in str(st.parent(appointment)["blocks"])
        assert rows[event_id].attempts >= 2  # the 500s counted, the 429s only waited
        # A 500 leaves doubt, so the thread was checked before posting again.
        assert st.slack.calls_to("conversations.replies")


async def zed_answers_a_dashboard_appointment(st) -> str:
    """Zed accepts an appointment made in ScheduCal's dashboard (unknown to the bot)."""
    start = datetime.now(UTC) + timedelta(days=2)
    created = await st.scheducal.create_appointment(
        start=start,
        end=start + timedelta(hours=1),
        time_zone="Europe/Berlin",
        subject="Made in the dashboard",
        invitee_name="Zed",
        invitee_email="zed@example.com",
    )
    data = await st.sandbox_call(
        "POST",
        f"/sandbox/appointments/{created.appointment_id}/respond",
        {"email": "zed@example.com", "response": "accepted"},
    )
    return data["eventId"]


async def test_unknown_appointment_goes_to_the_default_channel(sqlite_url: str) -> None:
    async with (
        stack(sqlite_url) as st,
        bot_in_process(st, SCHEDUCAL_DEFAULT_CHANNEL=DEFAULT_CHANNEL),
    ):
        event_id = await zed_answers_a_dashboard_appointment(st)
        await st.wait_done([event_id])
        posted = st.slack.messages(DEFAULT_CHANNEL)
        assert posted_event_ids(posted) == [event_id]
        assert "Made in the dashboard" in str(posted[0]["blocks"])
        assert not st.slack.messages(CHANNEL)


async def test_a_post_whose_answer_was_lost_is_found_not_repeated(sqlite_url: str) -> None:
    async with stack(sqlite_url) as st, bot_in_process(st):
        appointment = await st.appointment(attendees=(("Ann Lee", "ann@example.com"),))
        # Slack stores the reply but the bot only sees a 500: did it post or not?
        st.slack.fail_next("chat.postMessage", status=500, lose_answer=True)
        event_id = await st.respond(appointment, "ann@example.com", "accepted")
        await st.wait_done([event_id], timeout=30)

        assert posted_event_ids(st.thread(appointment)) == [event_id]
        assert st.slack.calls_to("conversations.replies")


async def test_a_lost_answer_in_the_default_channel_is_found_in_its_history(
    sqlite_url: str,
) -> None:
    async with (
        stack(sqlite_url) as st,
        bot_in_process(st, SCHEDUCAL_DEFAULT_CHANNEL=DEFAULT_CHANNEL),
    ):
        st.slack.fail_next("chat.postMessage", status=500, lose_answer=True)
        event_id = await zed_answers_a_dashboard_appointment(st)
        await st.wait_done([event_id], timeout=30)

        assert posted_event_ids(st.slack.messages(DEFAULT_CHANNEL)) == [event_id]
        assert st.slack.calls_to("conversations.history")


async def test_unknown_appointment_without_default_channel_is_kept(sqlite_url: str) -> None:
    async with stack(sqlite_url) as st, bot_in_process(st):
        start = datetime.now(UTC) + timedelta(days=2)
        created = await st.scheducal.create_appointment(
            start=start,
            end=start + timedelta(hours=1),
            time_zone="UTC",
            invitee_name="Zed",
            invitee_email="zed@example.com",
        )
        data = await st.sandbox_call(
            "POST",
            f"/sandbox/appointments/{created.appointment_id}/respond",
            {"email": "zed@example.com", "response": "declined"},
        )
        row = await _wait_status(st, data["eventId"], "held")
        assert "unknown appointment" in (row.last_error or "")
        assert not st.slack.calls_to("chat.postMessage")[1:]  # only our parent post


async def test_repeated_failures_park_the_event_and_replay_posts_it_once(sqlite_url: str) -> None:
    async with stack(sqlite_url) as st, bot_in_process(st, WEBHOOK_MAX_ATTEMPTS="3"):
        appointment = await st.appointment(attendees=(("Ann Lee", "ann@example.com"),))
        st.slack.fail_next("chat.postMessage", status=500, times=3)
        flaky = await st.respond(appointment, "ann@example.com", "accepted")
        row = await _wait_status(st, flaky, "parked")
        assert row.attempts == 3 and "fatal_error" in (row.last_error or "")

        st.slack.fail_next("chat.postMessage", error="channel_not_found")
        doomed = await st.respond(appointment, "ann@example.com", "declined")
        row = await _wait_status(st, doomed, "parked")
        assert row.attempts == 1  # waiting cannot fix a missing channel: parked at once

        async with st.db.session() as s:
            assert {r.event_id for r in await inbox.list_failed(s)} == {flaky, doomed}
            assert await inbox.replay(s, flaky) == "parked"
            assert await inbox.replay(s, doomed) == "parked"
        await st.wait_done([flaky, doomed])
        assert sorted(posted_event_ids(st.thread(appointment))) == sorted([flaky, doomed])


async def _wait_status(st: Any, event_id: str, status: str) -> Any:
    for _ in range(200):
        row = (await st.inbox()).get(event_id)
        if row is not None and row.status == status:
            return row
        await asyncio.sleep(0.05)
    raise AssertionError(f"{event_id} never reached {status}")


async def test_an_event_that_cannot_be_handled_is_parked_at_once(sqlite_url: str) -> None:
    async with stack(sqlite_url) as st, bot_in_process(st) as url:
        appointment = await st.appointment()
        body = json.dumps(
            {
                "id": "evt-backwards",
                "eventType": "attendee.proposed_new_time",
                "timestamp": "2026-04-15T09:03:44Z",
                "data": {
                    "appointmentId": appointment.scheducal_id,
                    "timeZone": appointment.timezone,
                    "attendee": {
                        "name": "Ann Lee",
                        "email": "ann@example.com",
                        "proposedStart": "2026-04-16T10:00:00",
                        "proposedEnd": "2026-04-16T09:00:00",  # ends before it starts
                    },
                },
            }
        ).encode()
        headers = {SIGNATURE_HEADER: sign(body, WEBHOOK_SECRET)}
        async with st.http.post(url + ROUTE, data=body, headers=headers) as response:
            assert response.status == 200
        row = await _wait_status(st, "evt-backwards", "parked")
        assert row.attempts == 1 and "ValueError" in (row.last_error or "")
        assert st.thread(appointment) == []


async def test_a_forged_delivery_is_refused_and_never_reaches_the_thread(
    sqlite_url: str,
) -> None:
    async with stack(sqlite_url) as st, bot_in_process(st) as url:
        appointment = await st.appointment(attendees=(("Ann Lee", "ann@example.com"),))
        body = json.dumps(
            {
                "id": "evt-forged",
                "eventType": "attendee.responded",
                "timestamp": "2026-04-15T09:03:44Z",
                "apiVersion": "v1",
                "data": {
                    "appointmentId": appointment.scheducal_id,
                    "attendee": {
                        "name": "<!channel> Mallory",
                        "email": "ann@example.com",
                        "response": "declined",
                        "respondedAt": "2026-04-15T09:03:44Z",
                    },
                },
            }
        ).encode()
        for headers in ({SIGNATURE_HEADER: sign(body, "whsec_not_ours")}, {}):
            async with st.http.post(url + ROUTE, data=body, headers=headers) as response:
                assert response.status == 401
        genuine = await st.respond(appointment, "ann@example.com", "accepted")
        await st.wait_done([genuine])
        assert "evt-forged" not in await st.inbox()
        assert posted_event_ids(st.thread(appointment)) == [genuine]
        assert "1 accepted" in str(st.parent(appointment)["blocks"])


async def test_stop_lets_the_transaction_in_progress_finish(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancelling mid-transaction would leave SQLite's write lock with a lost connection."""
    async with stack(sqlite_url) as st, bot_in_process(st):
        pipeline = st.apps[-1][PIPELINE_KEY]
        appointment = await st.appointment()
        await st.sandbox.wait_idle()
        await st.wait_done([e.id for e in st.sandbox.events])
        entered, gate, finished = asyncio.Event(), asyncio.Event(), []
        real_prepare = handling.prepare

        async def slow_prepare(session: Any, event: Any, *, reply_done: bool) -> Any:
            entered.set()
            await gate.wait()  # a slow statement, inside the transaction
            prepared = await real_prepare(session, event, reply_done=reply_done)
            finished.append(event.id)
            return prepared

        monkeypatch.setattr(handling, "prepare", slow_prepare)
        event_id = await st.respond(appointment, "ann@example.com", "accepted")
        await asyncio.wait_for(entered.wait(), 10)
        stopping = asyncio.create_task(pipeline.worker.stop(timeout=10))
        await asyncio.sleep(0.2)
        assert not stopping.done()  # it waits for the event in hand
        gate.set()
        await asyncio.wait_for(stopping, 10)
        assert finished == [event_id]
        assert (await st.inbox())[event_id].status == "done"
        assert posted_event_ids(st.thread(appointment)) == [event_id]
        async with st.db.session() as s:  # the write lock is free
            await asyncio.wait_for(
                s.execute(text("UPDATE inbox_events SET attempts = attempts")), 2
            )
