"""Proposed new times: the reply with buttons, and Accept / Keep original clicked in devslack."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.store import repo
from bot.webhooks import PIPELINE_KEY
from bot.webhooks.messages import PROPOSAL_ACCEPT, PROPOSAL_KEEP
from tests.webhooks.harness import ADMIN, ORGANIZER, OTHER, ZONE, Stack, bot_in_process, stack


async def _propose(
    st: Stack, appointment: Any, hours_later: int = 24
) -> tuple[str, dict[str, Any]]:
    local = appointment.start_utc.astimezone(ZoneInfo(ZONE)).replace(tzinfo=None)
    start = local + timedelta(hours=hours_later)
    event_id = await st.propose(appointment, "ann@example.com", start, start + timedelta(hours=1))
    await st.wait_done([event_id])
    reply = next(
        m
        for m in st.thread(appointment)
        if (m.get("metadata") or {}).get("event_payload", {}).get("event_id") == event_id
    )
    return event_id, reply


def _has_buttons(message: dict[str, Any]) -> bool:
    return any(block["type"] == "actions" for block in message["blocks"])


async def _ephemeral_text(st: Stack, user: str) -> str:
    found = await st.slack.wait_for(lambda: st.slack.ephemerals(user))
    return found[-1]["text"]


async def test_accept_by_organizer_reschedules_once(sqlite_url: str) -> None:
    async with stack(sqlite_url) as st, bot_in_process(st):
        appointment = await st.appointment()
        _, reply = await _propose(st, appointment)
        text = str(reply["blocks"])
        assert "Accept proposed time" in text and "Keep original" in text
        assert "<!date^" in text and "America/New_York" in text  # viewer-local + zone fallback
        assert (
            "(America/New_York)" in reply["text"]
            or "EST" in reply["text"]
            or "EDT" in reply["text"]
        )
        async with st.db.session() as s:
            proposal = (await repo.list_open_proposals(s, appointment.id))[0]
        assert proposal.message_ts == reply["ts"]
        assert "1 tentative" in str(st.parent(appointment)["blocks"])  # proposing = tentative

        # Someone else: a polite no, nothing changes.
        await st.slack.click(OTHER, reply, PROPOSAL_ACCEPT)
        assert "only the organizer" in await _ephemeral_text(st, OTHER)
        assert _has_buttons(st.slack.message(reply["channel"], reply["ts"]))

        # The organizer double-clicks: exactly one reschedule.
        thread_before = len(st.thread(appointment))
        await asyncio.gather(
            st.slack.click(ORGANIZER, reply, PROPOSAL_ACCEPT),
            st.slack.click(ORGANIZER, reply, PROPOSAL_ACCEPT),
        )
        assert st.slack.confirm_dialogs[-1]["title"] == "Move the meeting?"
        assert "already accepted" in await _ephemeral_text(st, ORGANIZER)
        await st.sandbox.wait_idle()
        echoes = [e.id for e in st.sandbox.events if e.event_type == "appointment.updated"]
        await st.wait_done(echoes)

        remote = await st.sandbox_call("GET", f"/sandbox/appointments/{appointment.scheducal_id}")
        fresh = await st.reload(appointment)
        assert fresh.start_utc == proposal.proposed_start_utc
        assert fresh.end_utc == proposal.proposed_end_utc
        local_start = proposal.proposed_start_utc.astimezone(ZoneInfo(ZONE))
        assert remote["start"].startswith(local_start.strftime("%Y-%m-%dT%H:%M"))
        parent = str(st.parent(appointment)["blocks"])  # the parent shows the new time
        assert f"<!date^{int(proposal.proposed_start_utc.timestamp())}^" in parent
        decided = st.slack.message(reply["channel"], reply["ts"])
        assert not _has_buttons(decided)
        assert f"Accepted by <@{ORGANIZER}>" in str(decided["blocks"])
        # One reply about the move (ours), none for ScheduCal's echo.
        assert len(st.thread(appointment)) == thread_before + 1
        assert (
            len([c for c in st.slack.calls_to("chat.postMessage")]) == 3
        )  # parent, proposal, move


async def test_keep_original_by_admin_and_stale_proposal(sqlite_url: str) -> None:
    async with stack(sqlite_url) as st, bot_in_process(st):
        appointment = await st.appointment()
        _, first = await _propose(st, appointment, hours_later=2)
        _, second = await _propose(st, appointment, hours_later=5)

        await st.slack.click(ADMIN, first, PROPOSAL_KEEP)
        await st.slack.wait_for(
            lambda: not _has_buttons(st.slack.message(first["channel"], first["ts"]))
        )
        assert f"Kept the original time by <@{ADMIN}>" in str(
            st.slack.message(first["channel"], first["ts"])["blocks"]
        )
        assert (await st.reload(appointment)).start_utc == appointment.start_utc

        # The bot itself moved the meeting (store first) and ScheduCal's echo is not
        # handled yet: a click on the older proposal is refused and changes nothing.
        pipeline = st.apps[-1][PIPELINE_KEY]
        await pipeline.worker.stop()
        moved = appointment.start_utc + timedelta(days=2)
        async with st.db.session() as s:
            await repo.update_schedule(
                s,
                appointment.id,
                start_utc=moved,
                end_utc=moved + timedelta(minutes=30),
                timezone=ZONE,
            )
        await st.slack.click(ORGANIZER, second, PROPOSAL_ACCEPT)
        assert "was moved after this time was proposed" in await _ephemeral_text(st, ORGANIZER)
        assert (await st.reload(appointment)).start_utc == moved
        async with st.db.session() as s:
            assert len(await repo.list_open_proposals(s, appointment.id)) == 1

        # ScheduCal's echo arrives: the stale proposal loses its buttons.
        await pipeline.worker.start()
        await st.scheducal.update_appointment(
            appointment.scheducal_id,
            start=moved,
            end=moved + timedelta(minutes=30),
            time_zone=ZONE,
        )
        await st.sandbox.wait_idle()
        await st.wait_done(
            [e.id for e in st.sandbox.events if e.event_type == "appointment.updated"]
        )
        retired = st.slack.message(second["channel"], second["ts"])
        assert not _has_buttons(retired)
        assert "No longer applies: the meeting was moved" in str(retired["blocks"])
        async with st.db.session() as s:
            assert await repo.list_open_proposals(s, appointment.id) == []


async def _private_answer(st: Stack, user: str, words: str) -> str:
    found = await st.slack.wait_for(
        lambda: [e["text"] for e in st.slack.ephemerals(user) if words in e["text"]]
    )
    return found[-1]


async def test_a_second_decision_and_a_canceled_meeting_change_nothing(sqlite_url: str) -> None:
    async with stack(sqlite_url) as st, bot_in_process(st):
        appointment = await st.appointment()
        _, first = await _propose(st, appointment, hours_later=2)
        _, second = await _propose(st, appointment, hours_later=5)

        # A double click on Keep original: one decision, the other click told politely.
        await asyncio.gather(
            st.slack.click(ORGANIZER, first, PROPOSAL_KEEP),
            st.slack.click(ORGANIZER, first, PROPOSAL_KEEP),
        )
        text = await _private_answer(st, ORGANIZER, "already answered with *Keep original*")
        assert f"by <@{ORGANIZER}>" in text and "Nothing was changed" in text
        await st.slack.wait_for(
            lambda: not _has_buttons(st.slack.message(first["channel"], first["ts"]))
        )
        assert (await st.reload(appointment)).start_utc == appointment.start_utc

        # Canceled since the proposal (store first, ScheduCal's echo not handled yet).
        await st.apps[-1][PIPELINE_KEY].worker.stop()
        async with st.db.session() as s:
            await repo.mark_canceled(s, appointment.id)
        updates = len(st.slack.calls_to("chat.update"))
        await st.slack.click(ORGANIZER, second, PROPOSAL_ACCEPT)
        await _private_answer(st, ORGANIZER, "was canceled after this time was proposed")
        fresh = await st.reload(appointment)
        assert (fresh.status, fresh.start_utc) == ("canceled", appointment.start_utc)
        assert len(st.slack.calls_to("chat.update")) == updates  # no message was touched
        remote = await st.sandbox_call("GET", f"/sandbox/appointments/{appointment.scheducal_id}")
        assert remote["start"] == wall_start(appointment)
        async with st.db.session() as s:
            assert len(await repo.list_open_proposals(s, appointment.id)) == 1


def wall_start(appointment: Any) -> str:
    return appointment.start_utc.astimezone(ZoneInfo(ZONE)).strftime("%Y-%m-%dT%H:%M:%S")
