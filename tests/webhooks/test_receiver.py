"""The receiver on its own: a real server on loopback, a real SQLite inbox, no worker."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
import pytest
from aiohttp import web

from bot.scheducal.signing import SIGNATURE_HEADER, sign
from bot.store.db import Database
from bot.store.types import utcnow
from bot.webhooks import secrets as webhook_secrets
from bot.webhooks.batcher import InboxWriter
from bot.webhooks.receiver import MAX_BODY_BYTES, ROUTE, WebhookReceiver
from bot.webhooks.secrets import SecretRing

SECRET = "whsec_receiver_test_secret"
API_SECRET = "api-secret-for-sealing"


def envelope(event_id: str | None = None, event_type: str = "attendee.responded") -> bytes:
    payload = {
        "id": event_id or str(uuid.uuid4()),
        "eventType": event_type,
        "timestamp": "2026-04-15T09:03:44Z",
        "apiVersion": "v1",
        "data": {
            "appointmentId": "AAMk-1",
            "subject": "QBR",
            "start": "2026-04-15T09:00:00",
            "end": "2026-04-15T10:00:00",
            "timeZone": "America/Los_Angeles",
            "attendee": {
                "name": "John Doe",
                "email": "john@acmecorp.com",
                "response": "accepted",
                "respondedAt": "2026-04-15T09:03:44Z",
            },
        },
    }
    return json.dumps(payload).encode()


@dataclass
class Receiver:
    url: str
    http: aiohttp.ClientSession
    db: Database
    wakes: list[int]

    async def post(
        self, body: bytes, *, secret: str | None = SECRET, headers: dict[str, str] | None = None
    ) -> tuple[int, dict]:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if secret is not None:
            all_headers[SIGNATURE_HEADER] = sign(body, secret)
        async with self.http.post(self.url, data=body, headers=all_headers) as response:
            return response.status, await response.json()

    async def stored(self) -> list[str]:
        from sqlalchemy import select

        from bot.store.models import InboxEvent

        async with self.db.session() as s:
            return list((await s.execute(select(InboxEvent.event_id))).scalars())


@pytest.fixture
async def receiver(sqlite_url: str) -> AsyncIterator[Receiver]:
    db = Database(sqlite_url)
    await db.upgrade()
    wakes: list[int] = []
    writer = InboxWriter(db, on_commit=lambda: wakes.append(1))
    ring = SecretRing([SECRET], db=db, api_secret=API_SECRET)
    app = web.Application()
    app.router.add_post(ROUTE, WebhookReceiver(secrets=ring, store=writer.store).handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    await writer.start()
    async with aiohttp.ClientSession() as http:
        yield Receiver(f"http://127.0.0.1:{port}{ROUTE}", http, db, wakes)
    await writer.stop()
    await runner.cleanup()
    await db.dispose()


async def test_valid_event_is_stored_before_200_and_wakes_the_worker(receiver: Receiver) -> None:
    event_id = str(uuid.uuid4())
    status, body = await receiver.post(envelope(event_id))
    assert (status, body) == (200, {"ok": True})
    assert await receiver.stored() == [event_id]
    assert receiver.wakes == [1]


async def test_duplicate_answers_200_and_does_nothing_more(receiver: Receiver) -> None:
    event_id = str(uuid.uuid4())
    await receiver.post(envelope(event_id))
    status, body = await receiver.post(envelope(event_id))
    assert status == 200 and body["duplicate"] is True
    assert await receiver.stored() == [event_id]
    assert receiver.wakes == [1]


async def test_concurrent_duplicates_are_stored_once(receiver: Receiver) -> None:
    body = envelope()
    answers = await asyncio.gather(*(receiver.post(body) for _ in range(20)))
    assert all(status == 200 for status, _ in answers)
    assert sum(1 for _, b in answers if not b.get("duplicate")) == 1
    assert len(await receiver.stored()) == 1


@pytest.mark.parametrize(
    "secret, header",
    [
        (None, None),  # missing
        ("whsec_wrong", None),  # signed with another secret
        (None, "sha256=" + "0" * 64),  # well-formed but wrong
        (None, "md5=abc"),  # wrong scheme
    ],
)
async def test_bad_signature_is_401_and_stores_nothing(
    receiver: Receiver, secret: str | None, header: str | None
) -> None:
    headers = {SIGNATURE_HEADER: header} if header else None
    status, body = await receiver.post(envelope(), secret=secret, headers=headers)
    assert status == 401 and "signature" in body["error"]
    assert await receiver.stored() == []


async def test_signature_covers_the_raw_bytes(receiver: Receiver) -> None:
    body = envelope()
    signature = sign(body, SECRET)
    reformatted = json.dumps(json.loads(body), indent=2).encode()  # same JSON, other bytes
    status, _ = await receiver.post(reformatted, secret=None, headers={SIGNATURE_HEADER: signature})
    assert status == 401


async def test_body_over_64_kib_is_413(receiver: Receiver) -> None:
    big = envelope()[:-1] + b', "pad": "' + b"x" * MAX_BODY_BYTES + b'"}'
    status, _ = await receiver.post(big)
    assert status == 413

    # Chunked upload without Content-Length is cut off while reading, too.
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b"x" * 8192

    async with receiver.http.post(receiver.url, data=chunks()) as response:
        assert response.status == 413
    assert await receiver.stored() == []


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"not json", "not UTF-8 JSON"),
        ('{"id": "x"}'.encode("utf-16"), "not UTF-8 JSON"),
        (b"[1, 2]", "JSON object"),
        (json.dumps({"id": "x", "eventType": "attendee.responded"}).encode(), "timestamp"),
        (b"\xff\xfe", "not UTF-8 JSON"),
    ],
)
async def test_malformed_body_is_400(receiver: Receiver, body: bytes, reason: str) -> None:
    status, answer = await receiver.post(body)
    assert status == 400 and reason in answer["error"]
    assert await receiver.stored() == []


async def test_overlong_event_id_is_400(receiver: Receiver) -> None:
    status, answer = await receiver.post(envelope("x" * 65))
    assert status == 400 and "longer than 64" in answer["error"]


async def test_unknown_event_type_is_200_and_logged(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.webhooks.receiver")
    status, body = await receiver.post(envelope(event_type="invoice.paid"))
    assert status == 200 and body["ignored"] is True
    assert "unknown type 'invoice.paid'" in caplog.text
    assert await receiver.stored() == []


async def test_stored_secret_works_at_once_and_expires(receiver: Receiver) -> None:
    """A rotated-out secret is accepted until its grace period ends, then refused."""
    rotated = "whsec_rotated_out"
    async with receiver.db.session() as s:
        await webhook_secrets.store_secret(s, "wh-1", rotated, api_secret=API_SECRET)
        await webhook_secrets.expire_secrets(s, "wh-1", at=utcnow() + timedelta(seconds=1.2))
    status, _ = await receiver.post(envelope(), secret=rotated)
    assert status == 200  # the failed check reloaded the stored secrets at once
    await asyncio.sleep(1.3)
    status, _ = await receiver.post(envelope(), secret=rotated)
    assert status == 401
    status, _ = await receiver.post(envelope())  # the configured secret still works
    assert status == 200


def test_sealed_secret_round_trip_and_tamper_detection() -> None:
    sealed = webhook_secrets.seal(SECRET, API_SECRET)
    assert SECRET not in sealed and sealed.startswith("v1:")
    assert webhook_secrets.seal(SECRET, API_SECRET) != sealed  # fresh nonce each time
    assert webhook_secrets.unseal(sealed, API_SECRET) == SECRET
    with pytest.raises(webhook_secrets.SealError):
        webhook_secrets.unseal(sealed, "another-api-secret")
    flipped = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    with pytest.raises(webhook_secrets.SealError):
        webhook_secrets.unseal(flipped, API_SECRET)
