"""`scheducal-bot webhooks ...` as a real process against the sandbox and a SQLite file."""

from __future__ import annotations

import asyncio
import json
import os
import sys

from sqlalchemy import select

from bot.sandbox.server import SandboxServer
from bot.store.db import Database
from bot.store.models import WebhookSecret
from bot.store.types import utcnow
from bot.webhooks import inbox
from bot.webhooks.inbox import InboxRow
from bot.webhooks.secrets import unseal

URL = "http://127.0.0.1:9/webhooks/scheducal"


async def cli(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "webhooks",
        *args,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode(), err.decode()


async def stored_secrets(db: Database) -> list[WebhookSecret]:
    async with db.session() as s:
        return list((await s.execute(select(WebhookSecret).order_by(WebhookSecret.id))).scalars())


async def test_register_reuse_list_rotate_delete(sqlite_url: str) -> None:
    async with SandboxServer(rate_limit_per_minute=None) as sandbox:
        env = {**sandbox.env(), "DATABASE_URL": sqlite_url}
        env.pop("SCHEDUCAL_WEBHOOK_SECRET", None)
        code, out, err = await cli(env, "register", "--url", URL)
        assert code == 0, err
        [webhook] = sandbox.state.webhooks.values()
        assert f"Registered webhook {webhook.id}" in out
        assert f"export SCHEDUCAL_WEBHOOK_SECRET={webhook.secret}" in out

        db = Database(sqlite_url)
        try:
            [row] = await stored_secrets(db)
            assert webhook.secret not in row.secret_ciphertext
            assert unseal(row.secret_ciphertext, sandbox.api_secret) == webhook.secret

            code, out, _ = await cli(env, "register", "--url", URL)
            assert code == 0 and "already registered" in out and "already configured" in out
            assert len(sandbox.state.webhooks) == 1

            code, out, _ = await cli(
                env, "register", "--url", URL, "--events", "attendee.responded"
            )
            assert code == 0 and "Updated webhook" in out
            [current] = sandbox.state.webhooks.values()
            assert tuple(current.event_types) == ("attendee.responded",)

            old_secret = current.secret
            code, out, err = await cli(env, "rotate", webhook.id, "--grace-hours", "2")
            assert code == 0, err
            new_secret = list(sandbox.state.webhooks.values())[0].secret
            assert new_secret != old_secret and f"={new_secret}" in out
            old_row, new_row = await stored_secrets(db)
            assert old_row.expires_at is not None and old_row.expires_at > utcnow()
            assert new_row.expires_at is None

            code, out, _ = await cli(env, "list")
            assert code == 0 and webhook.id in out and URL in out
            assert "accepted until" in out and ": current" in out
            assert old_secret not in out and new_secret not in out

            code, out, _ = await cli(env, "delete", webhook.id)
            assert code == 0 and "Deleted" in out
            assert not [w for w in sandbox.state.webhooks.values() if w.active]
            assert all(r.expires_at is not None for r in await stored_secrets(db))

            code, out, err = await cli(env, "delete", webhook.id)
            assert code == 1 and "ScheduCal call did not succeed" in err
            assert "Traceback" not in err and sandbox.api_secret not in err
        finally:
            await db.dispose()


async def test_failed_and_replay(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    await db.upgrade()
    payload = {
        "id": "evt-parked",
        "eventType": "appointment.canceled",
        "timestamp": "2026-04-15T09:03:44Z",
        "data": {"appointmentId": "A1"},
    }
    try:
        async with db.session() as s:
            await inbox.insert_events(
                s, [InboxRow("evt-parked", "appointment.canceled", "A1", json.dumps(payload))]
            )
            row = await inbox.get(s, "evt-parked")
            row.status, row.attempts, row.last_error = "parked", 8, "invalid_auth\nmore"
        env = {"DATABASE_URL": sqlite_url}
        code, out, _ = await cli(env, "failed")
        assert code == 0 and "evt-parked" in out and "parked" in out and "invalid_auth" in out

        code, out, _ = await cli(env, "replay", "evt-parked")
        assert code == 0 and "queued again" in out
        async with db.session() as s:
            row = await inbox.get(s, "evt-parked")
            assert (row.status, row.attempts) == ("posting", 0)  # checked in Slack first
        code, out, _ = await cli(env, "failed")
        assert "No parked events." in out

        code, _, err = await cli(env, "replay", "nope")
        assert code == 1 and "no event nope" in err
    finally:
        await db.dispose()
