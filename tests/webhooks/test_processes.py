"""Real `scheducal-bot serve` processes: killed mid-post and restarted; two on one PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.devslack import webapi
from bot.webhooks.receiver import ROUTE
from tests.webhooks.harness import (
    CHANNEL,
    ServeProcess,
    Stack,
    free_port,
    posted_event_ids,
    stack,
)

ATTENDEES = tuple((f"Guest {i}", f"guest{i}@example.com") for i in range(4))


def thread_event_ids(st: Stack, appointments: list[Any]) -> list[str]:
    ids: list[str] = []
    for appointment in appointments:
        ids += posted_event_ids(st.thread(appointment))
    return ids


async def fire_responses(st: Stack, appointments: list[Any]) -> list[str]:
    ids = []
    for appointment in appointments:
        for _, email in ATTENDEES:
            ids.append(await st.respond(appointment, email, "accepted"))
    return ids


def after_third_reply(monkeypatch: pytest.MonkeyPatch, action: Callable[[], None]) -> None:
    """Make devslack run ``action`` right after it stored the 3rd thread reply."""
    real_post = webapi.METHODS["chat.postMessage"]
    replies = 0

    async def post_then_act(slack: Any, params: dict[str, Any]) -> dict[str, Any]:
        nonlocal replies
        answer = await real_post(slack, params)
        if params.get("thread_ts"):
            replies += 1
            if replies == 3:
                action()
        return answer

    monkeypatch.setitem(webapi.METHODS, "chat.postMessage", post_then_act)


async def test_killed_mid_post_and_restarted_nothing_lost_nothing_twice(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with stack(sqlite_url) as st:
        port = free_port()
        first = ServeProcess(st.env, port, tmp_path / "serve-1.log")
        await first.start(st.http)
        st.register(first.url)
        appointments = [await st.appointment(f"Meeting {n}", ATTENDEES) for n in range(3)]

        # Slack accepts the 3rd thread reply, and the bot dies before it hears the answer.
        after_third_reply(monkeypatch, first.kill)
        event_ids = await fire_responses(st, appointments)
        await st.slack.wait_for(lambda: first.process.poll() is not None, timeout=20)

        second = ServeProcess(st.env, port, tmp_path / "serve-2.log")
        await second.start(st.http)
        try:
            for event_id in event_ids:  # and every event once more, as ScheduCal may
                await st.redeliver(event_id)
            await st.wait_done(event_ids, timeout=40)
            posted = thread_event_ids(st, appointments)
            assert sorted(posted) == sorted(event_ids), Counter(posted).most_common(3)
            assert "claim(s) of 1 stopped worker(s)" in second.log()  # no lease wait
            assert "had been posted before a restart" in second.log()
            for appointment in appointments:
                assert "4 accepted" in str(st.parent(appointment)["blocks"])
        finally:
            second.stop()


async def test_sigterm_mid_stream_stops_cleanly_and_a_restart_finishes(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with stack(sqlite_url) as st:
        port = free_port()
        first = ServeProcess(st.env, port, tmp_path / "serve-1.log")
        await first.start(st.http)
        st.register(first.url)
        appointments = [await st.appointment(f"Meeting {n}", ATTENDEES) for n in range(3)]

        after_third_reply(monkeypatch, first.terminate)  # SIGTERM with events in flight
        event_ids = await fire_responses(st, appointments)
        started = asyncio.get_running_loop().time()
        await st.slack.wait_for(lambda: first.process.poll() is not None, timeout=20)
        assert first.process.returncode == 0, first.log()[-2000:]
        assert asyncio.get_running_loop().time() - started < 15
        async with st.db.session() as s:  # nothing left holding SQLite's write lock
            await asyncio.wait_for(
                s.execute(text("UPDATE inbox_events SET attempts = attempts")), 2
            )

        second = ServeProcess(st.env, port, tmp_path / "serve-2.log")
        await second.start(st.http)
        try:
            for event_id in event_ids:
                await st.redeliver(event_id)
            await st.wait_done(event_ids, timeout=40)
            posted = thread_event_ids(st, appointments)
            assert sorted(posted) == sorted(event_ids), Counter(posted).most_common(3)
        finally:
            second.stop()
        assert second.process.returncode == 0


async def test_two_serve_processes_on_one_postgres_post_each_event_once(
    postgres_url: str, tmp_path: Path
) -> None:
    async with stack(postgres_url) as st:
        servers = [ServeProcess(st.env, free_port(), tmp_path / f"serve-{n}.log") for n in range(2)]
        try:
            await asyncio.gather(*(server.start(st.http) for server in servers))
            for server in servers:  # two registrations: every event reaches both
                st.register(server.url)
            appointments = [await st.appointment(f"Meeting {n}", ATTENDEES) for n in range(5)]
            event_ids = await fire_responses(st, appointments)
            await st.sandbox.wait_idle()
            for event in st.sandbox.events:  # both answered 2xx to every event
                if event.id in event_ids:
                    ok_urls = {a.url for d in event.deliveries for a in d.attempts if a.ok}
                    assert {u.removesuffix(ROUTE) for u in ok_urls} == {
                        server.url for server in servers
                    }
            rows = await st.wait_done(event_ids, timeout=40)
            posted = thread_event_ids(st, appointments)
            assert sorted(posted) == sorted(event_ids), Counter(posted).most_common(3)
            for appointment in appointments:
                assert "4 accepted" in str(st.parent(appointment)["blocks"])
            workers = {rows[i].claimed_by for i in event_ids}
            assert workers == {None}  # released when done
            assert len(st.slack.messages(CHANNEL)) == 5
        finally:
            for server in servers:
                server.stop()
