"""A whole stack on loopback for webhook tests: sandbox ScheduCal, devslack, the bot.

The bot runs either in this process (``create_web_app`` served on port 0) or as real
``scheducal-bot serve`` subprocesses (for kill/restart and multi-process tests).
Appointments are set up the way the Slack app leaves them (sandbox appointment, store
row, parent message in the channel), so the tests exercise only the webhook path.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from bot.config import Settings
from bot.devslack.server import DevSlackServer
from bot.sandbox.server import SandboxServer
from bot.scheducal.client import ScheduCalClient
from bot.slack.blocks import appointment_message
from bot.store import repo
from bot.store.db import Database
from bot.store.models import Appointment, InboxEvent
from bot.webhooks.receiver import ROUTE

TEAM = "T0DEVSLACK"
CHANNEL = "C0WEBHOOKS"
DEFAULT_CHANNEL = "C0DEFAULT"
ORGANIZER = "U0ORGANIZER"
ADMIN = "U0ADMIN"
OTHER = "U0OTHER"
ZONE = "America/New_York"
WEBHOOK_SECRET = "whsec_" + "test" * 8

# Short waits for tests: unknown appointments wait 1 s, leases last 3 s, retries 0.2 s.
FAST_ENV = {
    "WEBHOOK_HOLD_SECONDS": "1",
    "WEBHOOK_LEASE_SECONDS": "3",
    "WEBHOOK_RETRY_BASE_SECONDS": "0.2",
    "WEBHOOK_RETRY_MAX_SECONDS": "1",
    "WEBHOOK_POLL_SECONDS": "0.2",
    "WEBHOOK_MAX_ATTEMPTS": "6",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    sandbox: SandboxServer
    slack: DevSlackServer
    database_url: str
    db: Database
    http: aiohttp.ClientSession
    scheducal: ScheduCalClient
    env: dict[str, str]
    apps: list[Any] = field(default_factory=list)

    # --- ScheduCal side ---------------------------------------------------------------

    def register(self, url: str) -> None:
        self.sandbox.register_webhook(url + ROUTE, secret=WEBHOOK_SECRET)

    async def sandbox_call(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        async with self.http.request(method, self.sandbox.url + path, json=body) as response:
            data = await response.json()
            assert response.status < 300, (response.status, data)
            return data["data"]

    async def respond(
        self, appointment: Appointment, email: str, response: str, at: datetime | None = None
    ) -> str:
        body: dict[str, Any] = {"email": email, "response": response}
        if at is not None:
            body["respondedAt"] = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        data = await self.sandbox_call(
            "POST", f"/sandbox/appointments/{appointment.scheducal_id}/respond", body
        )
        return data["eventId"]

    async def propose(
        self, appointment: Appointment, email: str, start: datetime, end: datetime
    ) -> str:
        body = {
            "email": email,
            "proposedStart": start.strftime("%Y-%m-%dT%H:%M:%S"),
            "proposedEnd": end.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        data = await self.sandbox_call(
            "POST", f"/sandbox/appointments/{appointment.scheducal_id}/propose", body
        )
        return data["eventId"]

    async def redeliver(self, event_id: str) -> None:
        await self.sandbox_call("POST", f"/sandbox/events/{event_id}/redeliver")

    # --- Slack app side (what the /meet flow leaves behind) ----------------------------

    async def appointment(
        self,
        subject: str = "Quarterly review",
        attendees: tuple[tuple[str, str], ...] = (("Ann Lee", "ann@example.com"),),
        *,
        start_in: timedelta = timedelta(days=3),
    ) -> Appointment:
        zone = ZoneInfo(ZONE)
        start = (datetime.now(zone) + start_in).replace(minute=0, second=0, microsecond=0)
        end = start + timedelta(minutes=30)
        first_name, first_email = attendees[0]
        created = await self.scheducal.create_appointment(
            start=start,
            end=end,
            time_zone=ZONE,
            subject=subject,
            invitee_name=first_name,
            invitee_email=first_email,
        )
        async with self.db.session() as s:
            row, _ = await repo.reserve_appointment(
                s,
                team_id=TEAM,
                idempotency_key=uuid.uuid4().hex,
                channel_id=CHANNEL,
                organizer_id=ORGANIZER,
                subject=subject,
                start_utc=start,
                end_utc=end,
                timezone=ZONE,
                location=None,
                notes=None,
                invitees=[repo.InviteeDraft(email=e, name=n) for n, e in attendees],
            )
            await repo.mark_sent(s, row.id, created.appointment_id)
        text, blocks = appointment_message(row, row.invitees)
        async with self.http.post(
            self.slack.api_url + "chat.postMessage",
            json={"channel": CHANNEL, "text": text, "blocks": blocks},
            headers={"Authorization": f"Bearer {self.slack.bot_token}"},
        ) as response:
            ts = (await response.json())["ts"]
        async with self.db.session() as s:
            row = await repo.set_message_ts(s, row.id, ts)
        for name, email in attendees[1:]:
            await self.scheducal.invite(created.appointment_id, name=name, email=email)
        return row

    async def reload(self, appointment: Appointment) -> Appointment:
        async with self.db.session() as s:
            fresh = await repo.get_appointment(s, appointment.id)
            assert fresh is not None
            await s.refresh(fresh, ["invitees"])
            return fresh

    def thread(self, appointment: Appointment) -> list[dict[str, Any]]:
        assert appointment.message_ts
        return self.slack.thread(CHANNEL, appointment.message_ts)

    def parent(self, appointment: Appointment) -> dict[str, Any]:
        assert appointment.message_ts
        message = self.slack.message(CHANNEL, appointment.message_ts)
        assert message is not None
        return message

    async def inbox(self) -> dict[str, InboxEvent]:
        from sqlalchemy import select

        async with self.db.session() as s:
            rows = (await s.execute(select(InboxEvent))).scalars().all()
            return {row.event_id: row for row in rows}

    async def wait_done(self, event_ids: list[str], timeout: float = 20.0) -> dict[str, InboxEvent]:
        """Until every event is ``done`` in the inbox (and devslack went quiet)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            rows = await self.inbox()
            if all(rows.get(i) is not None and rows[i].status == "done" for i in event_ids):
                await self.slack.settle(quiet=0.2)
                return rows
            if asyncio.get_running_loop().time() > deadline:
                states = {i: rows[i].status if i in rows else "missing" for i in event_ids}
                raise AssertionError(f"events not done in time: {states}")
            await asyncio.sleep(0.05)


def posted_event_ids(messages: list[dict[str, Any]]) -> list[str]:
    """The event ids the worker tagged its posts with (message metadata)."""
    ids = []
    for message in messages:
        payload = (message.get("metadata") or {}).get("event_payload") or {}
        if "event_id" in payload:
            ids.append(payload["event_id"])
    return ids


@asynccontextmanager
async def stack(database_url: str, **sandbox_options: Any) -> AsyncIterator[Stack]:
    sandbox_options.setdefault("rate_limit_per_minute", None)
    sandbox_options.setdefault("time_scale", 0.001)
    async with (
        SandboxServer(**sandbox_options) as sandbox,
        DevSlackServer() as slack,
        aiohttp.ClientSession() as http,
    ):
        slack.add_user(ORGANIZER, "olive", "Olive Organizer", "olive@example.com", ZONE)
        slack.add_user(ADMIN, "adam", "Adam Admin", "adam@example.com", ZONE, is_admin=True)
        slack.add_user(OTHER, "otto", "Otto Other", "otto@example.com", ZONE)
        slack.add_channel(CHANNEL, "webhooks")
        slack.add_channel(DEFAULT_CHANNEL, "scheducal-events")
        env = {
            **sandbox.env(),
            "SCHEDUCAL_RATE_LIMIT": "100000",
            "SCHEDUCAL_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_SIGNING_SECRET": slack.signing_secret,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "INFO",
            **FAST_ENV,
        }
        db = Database(database_url)
        await db.upgrade()
        scheducal = ScheduCalClient(
            sandbox.url,
            sandbox.api_key,
            sandbox.api_secret,
            session=http,
            rate_limit_per_minute=None,
        )
        try:
            yield Stack(sandbox, slack, database_url, db, http, scheducal, env)
        finally:
            await db.dispose()


@asynccontextmanager
async def bot_in_process(st: Stack, **env_overrides: str) -> AsyncIterator[str]:
    """The bot's web app in this process; yields its base URL (registered with the sandbox)."""
    from bot.serve import start_http
    from bot.services import Services
    from bot.web import create_web_app

    env = {**st.env, **env_overrides}
    saved = {k: os.environ.get(k) for k in FAST_ENV | env_overrides}
    os.environ.update({k: v for k, v in env.items() if k.startswith("WEBHOOK_")})
    try:
        settings = Settings.from_env(env)
        async with Services.start(settings) as services:
            app = create_web_app(settings, services)
            server = await start_http(app, "127.0.0.1", 0)
            st.slack.app_url = server.url + "/"
            st.register(server.url)
            st.apps.append(app)
            try:
                yield server.url
            finally:
                await server.stop()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class ServeProcess:
    """``scheducal-bot serve`` as a child process on a fixed port."""

    def __init__(self, env: Mapping[str, str], port: int, log_path: Path) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._env = {**os.environ, **env, "PORT": str(port), "HOST": "127.0.0.1"}
        self._log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self, http: aiohttp.ClientSession, timeout: float = 20.0) -> None:
        log = open(self._log_path, "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve"], env=self._env, stdout=log, stderr=log
        )
        log.close()
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited: {self._log_path.read_text()[-3000:]}")
            try:
                async with http.get(self.url + "/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        raise AssertionError(f"serve did not start: {self._log_path.read_text()[-3000:]}")

    def terminate(self) -> None:
        """SIGTERM: the graceful stop `serve` does on a platform's shutdown."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def kill(self) -> None:
        """SIGKILL: no clean-up at all, as when a machine dies."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def log(self) -> str:
        return self._log_path.read_text(errors="replace")
