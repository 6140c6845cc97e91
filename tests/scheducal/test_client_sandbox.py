"""The client against the real sandbox over HTTP: all 9 operations and every error code."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.sandbox.server import SandboxServer
from bot.scheducal import errors as e
from bot.scheducal.client import ScheduCalClient
from bot.scheducal.signing import SIGNATURE_HEADER, verify

START = datetime(2026, 4, 15, 9, 0)
END = datetime(2026, 4, 15, 10, 0)
FAST = {"backoff_base": 0.01, "backoff_cap": 0.05, "max_retry_after": 0.5, "timeout": 5.0}


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    async with SandboxServer(rate_limit_per_minute=None, time_scale=0.001) as server:
        yield server


@pytest.fixture
async def connect() -> AsyncIterator[Callable[..., ScheduCalClient]]:
    clients: list[ScheduCalClient] = []

    def make(server: SandboxServer, **options: Any) -> ScheduCalClient:
        options = {"rate_limit_per_minute": None, **FAST, **options}
        key = options.pop("api_key", server.api_key)
        secret = options.pop("api_secret", server.api_secret)
        client = ScheduCalClient(server.url, key, secret, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


async def _state(server: SandboxServer, appointment_id: str) -> dict[str, Any]:
    """The sandbox's own view of an appointment (sandbox-only endpoint)."""
    async with aiohttp.ClientSession() as session:
        url = f"{server.url}/sandbox/appointments/{appointment_id}"
        async with session.get(url) as response:
            assert response.status == 200
            return (await response.json())["data"]


async def test_appointment_lifecycle(sandbox, connect):
    client = connect(sandbox)
    created = await client.create_appointment(
        start=START,
        end=END,
        time_zone="America/New_York",
        subject="Quarterly review",
        body="<p>Agenda</p>",
        location="Room 4",
        invitee_name="Ann",
        invitee_email="ann.lee@gmail.com",
    )
    assert created.appointment_id.startswith("AAMkAG")
    assert (created.subject, created.location) == ("Quarterly review", "Room 4")
    assert (created.start, created.end, created.time_zone) == (START, END, "America/New_York")
    assert (created.invitee_count, created.has_initial_invitee) == (1, True)
    assert created.gmail_first_invite is True
    assert created.date_created is not None and created.date_created.tzinfo is UTC

    appointment_id = created.appointment_id
    bob = await client.invite(appointment_id, name="Bob", email="bob@gmail.com")
    carol = await client.invite(appointment_id, name="Carol", email="carol@example.com")
    ann_again = await client.create_appointment(  # the same mailbox, spelled differently
        start=START, end=END, time_zone="UTC", invitee_name="Ann", invitee_email="annlee@gmail.com"
    )
    assert (bob.total_invitees, bob.gmail_first_invite, bob.email) == (2, True, "bob@gmail.com")
    assert (carol.total_invitees, carol.gmail_first_invite) == (3, False)
    assert carol.appointment_subject == "Quarterly review" and carol.invitee == "Carol"
    assert ann_again.gmail_first_invite is False  # first invitation per mailbox only

    # Reschedule with aware times: 15:00 UTC is 17:00 in Paris (CEST).
    moved = await client.update_appointment(
        appointment_id,
        start=datetime(2026, 4, 16, 15, 0, tzinfo=UTC),
        end=datetime(2026, 4, 16, 16, 0, tzinfo=UTC),
        time_zone="Europe/Paris",
    )
    assert (moved.start, moved.end) == (datetime(2026, 4, 16, 17), datetime(2026, 4, 16, 18))
    assert moved.time_zone == "Europe/Paris" and moved.subject == "Quarterly review"
    renamed = await client.update_appointment(appointment_id, subject="Q2 review")
    assert renamed.subject == "Q2 review" and renamed.start == datetime(2026, 4, 16, 17)
    assert renamed.last_updated is not None

    state = await _state(sandbox, appointment_id)
    assert (state["start"], state["timeZone"], state["subject"]) == (
        "2026-04-16T17:00:00",
        "Europe/Paris",
        "Q2 review",
    )
    assert state["body"] == "<p>Agenda</p>" and state["location"] == "Room 4"
    assert [a["email"] for a in state["attendees"]] == [
        "ann.lee@gmail.com",
        "bob@gmail.com",
        "carol@example.com",
    ]

    canceled = await client.cancel_appointment(appointment_id, comment="Moved to Q3")
    assert (canceled.appointment_id, canceled.subject) == (appointment_id, "Q2 review")
    assert (canceled.is_active, canceled.invitee_count, canceled.original_invitee_count) == (
        False,
        0,
        3,
    )
    assert canceled.date_canceled is not None
    state = await _state(sandbox, appointment_id)
    assert state["isActive"] is False and state["cancelComment"] == "Moved to Q3"


class Receiver:
    """A real webhook receiver on loopback that records what it gets."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[bytes, str | None]] = []
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def _hook(self, request: web.Request) -> web.Response:
        self.deliveries.append((await request.read(), request.headers.get(SIGNATURE_HEADER)))
        return web.Response(status=204)

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self._hook)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


async def test_webhook_lifecycle_and_signed_deliveries(sandbox, connect):
    client = connect(sandbox)
    async with Receiver() as receiver:
        hook = await client.register_webhook(receiver.url, ["appointment.canceled"])
        assert hook.webhook_url == receiver.url
        assert hook.event_types == ("appointment.canceled",)
        assert hook.secret is not None and hook.secret.startswith("whsec_")

        listed = await client.list_webhooks()
        assert [(w.webhook_id, w.secret, w.active) for w in listed] == [
            (hook.webhook_id, None, True)
        ]

        updated = await client.update_webhook(
            hook.webhook_id, event_types=["appointment.canceled", "appointment.updated"]
        )
        assert updated.event_types == ("appointment.canceled", "appointment.updated")
        assert updated.webhook_url == receiver.url

        created = await client.create_appointment(start=START, end=END, time_zone="UTC")
        await client.cancel_appointment(created.appointment_id)
        await sandbox.wait_idle(5)
        body, header = receiver.deliveries[-1]
        assert b"appointment.canceled" in body
        assert verify(body, header, [hook.secret])

        rotated = await client.regenerate_webhook_secret(hook.webhook_id)
        assert rotated.webhook_id == hook.webhook_id
        assert rotated.secret and rotated.secret != hook.secret
        other = await client.create_appointment(start=START, end=END, time_zone="Asia/Tokyo")
        await client.update_appointment(other.appointment_id, location="Room 9")
        await sandbox.wait_idle(5)
        body, header = receiver.deliveries[-1]
        assert b"appointment.updated" in body
        assert verify(body, header, [rotated.secret])
        assert not verify(body, header, [hook.secret])  # the old secret no longer signs

        assert await client.delete_webhook(hook.webhook_id) is None
        assert await client.list_webhooks() == []
        with pytest.raises(e.WebhookNotFound) as caught:
            await client.delete_webhook(hook.webhook_id)
        assert (caught.value.status, caught.value.param) == (404, "webhookId")


async def _cancelled(client: ScheduCalClient) -> str:
    created = await client.create_appointment(start=START, end=END, time_zone="UTC")
    await client.cancel_appointment(created.appointment_id)
    return created.appointment_id


@pytest.mark.parametrize(
    ("call", "cls", "status", "code", "param"),
    [
        (
            lambda c: c.create_appointment(start=START, end=START, time_zone="UTC"),
            e.InvalidTimeRange,
            400,
            "invalid_time_range",
            "appointmentEnd",
        ),
        (
            lambda c: c.create_appointment(start=START, end=END, time_zone=""),
            e.MissingRequiredField,
            400,
            "missing_required_field",
            "appointmentTimeZone",
        ),
        (
            lambda c: c.create_appointment(
                start=START, end=END, time_zone="UTC", invitee_name="X", invitee_email="x@@y"
            ),
            e.InvalidEmail,
            400,
            "invalid_email",
            "address",
        ),
        (
            lambda c: c.update_appointment("AAMkAGdoesnotexistAAA=", subject="x"),
            e.AppointmentNotFound,
            404,
            "appointment_not_found",
            "appointmentId",
        ),
        (
            lambda c: c.update_webhook("0b5f3c1e-0000-4000-8000-000000000000", url="https://x.io"),
            e.WebhookNotFound,
            404,
            "webhook_not_found",
            "webhookId",
        ),
    ],
    ids=["time_range", "missing_field", "email", "appointment_not_found", "webhook_not_found"],
)
async def test_documented_errors(sandbox, connect, call, cls, status, code, param):
    with pytest.raises(e.ScheduCalError) as caught:
        await call(connect(sandbox))
    exc = caught.value
    assert type(exc) is cls
    assert (exc.status, exc.code, exc.param) == (status, code, param)
    assert exc.message and "HTTP" not in exc.message  # the server's own sentence


async def test_missing_invitee_name_on_invite(sandbox, connect):
    client = connect(sandbox)
    created = await client.create_appointment(start=START, end=END, time_zone="UTC")
    with pytest.raises(e.MissingRequiredField) as caught:
        await client.invite(created.appointment_id, name="  ", email="a@example.com")
    assert caught.value.param == "name"
    with pytest.raises(e.InvalidEmail):
        await client.invite(created.appointment_id, name="A", email="not an email")


async def test_cancelled_appointments_refuse_changes(sandbox, connect):
    client = connect(sandbox)
    appointment_id = await _cancelled(client)
    for call in (
        client.cancel_appointment(appointment_id),
        client.update_appointment(appointment_id, subject="again"),
        client.invite(appointment_id, name="Late", email="late@example.com"),
    ):
        with pytest.raises(e.AppointmentAlreadyCancelled) as caught:
            await call
        assert (caught.value.status, caught.value.code) == (404, "appointment_already_cancelled")


async def test_invalid_credentials_in_body_and_in_query(sandbox, connect):
    client = connect(sandbox, api_secret="ss_sandbox_wrong-secret-value")
    with pytest.raises(e.InvalidCredentials) as in_body:
        await client.create_appointment(start=START, end=END, time_zone="UTC")
    with pytest.raises(e.InvalidCredentials) as in_query:
        await client.list_webhooks()
    for exc in (in_body.value, in_query.value):
        assert (exc.status, exc.code) == (401, "invalid_credentials")
        assert "ss_sandbox_wrong-secret-value" not in str(exc)


async def test_duplicate_create_is_a_409_naming_the_first(sandbox, connect):
    client = connect(sandbox)
    first = await client.create_appointment(
        start=START, end=END, time_zone="UTC", subject="Standup", invitee_email="a@example.com"
    )
    with pytest.raises(e.DuplicateRequest) as caught:
        await client.create_appointment(
            start=START, end=END, time_zone="UTC", subject="standup", invitee_email="a@example.com"
        )
    exc = caught.value
    assert (exc.status, exc.code) == (409, "duplicate_request")
    assert exc.existing_id == first.appointment_id
    assert exc.after_ambiguous_attempt is False


async def test_rate_limit_exceeded_with_retry_after(connect):
    async with SandboxServer(rate_limit_per_minute=2) as limited:
        client = connect(limited, max_retry_after=0.5)
        await client.list_webhooks()
        await client.list_webhooks()
        with pytest.raises(e.RateLimitExceeded) as caught:
            await client.list_webhooks()
    exc = caught.value
    assert (exc.status, exc.code) == (429, "rate_limit_exceeded")
    assert exc.retry_after is not None and 1 <= exc.retry_after <= 60


def _fast_clock(factor: float) -> Callable[[], float]:
    """A monotonic clock running ``factor`` times faster: the sandbox's minute shrinks."""
    return lambda: time.monotonic() * factor


async def test_the_client_limiter_keeps_a_burst_under_the_sandbox_limit(connect):
    # Sandbox: 3 requests per "minute" of a clock 120x fast = 3 per 0.5 s of real time.
    async with SandboxServer(rate_limit_per_minute=3, clock=_fast_clock(120)) as limited:
        # max_attempts=1: a single 429 would fail the call, so none may happen.
        client = connect(limited, rate_limit_per_minute=3, rate_limit_window=0.5, max_attempts=1)
        started = time.monotonic()
        results = await asyncio.gather(
            *(
                client.create_appointment(start=START, end=END, time_zone="UTC", subject=f"#{i}")
                for i in range(8)
            )
        )
        assert len({r.appointment_id for r in results}) == 8
        assert time.monotonic() - started >= 2 * 0.5  # 8 requests = 3 windows' worth

        unlimited = connect(limited, rate_limit_per_minute=None, max_attempts=1)
        await asyncio.sleep(0.6)
        outcomes = await asyncio.gather(
            *(unlimited.list_webhooks() for _ in range(6)), return_exceptions=True
        )
        assert sum(isinstance(o, e.RateLimitExceeded) for o in outcomes) == 3


class SlowFirstReplyProxy:
    """Forwards to the sandbox; the first reply is held back past the client's timeout.

    That is the ambiguous case: the sandbox did create the appointment, the client never
    heard about it.
    """

    def __init__(self, upstream: str, hold: float) -> None:
        self.upstream = upstream
        self.hold = hold
        self.forwarded = 0
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        url = self.upstream + request.rel_url.raw_path_qs
        headers = {"Content-Type": request.headers.get("Content-Type", "application/json")}
        async with self._session.request(request.method, url, data=body, headers=headers) as r:
            payload, status = await r.read(), r.status
        self.forwarded += 1
        if self.forwarded == 1:
            await asyncio.sleep(self.hold)
        return web.Response(status=status, body=payload, content_type="application/json")

    async def __aenter__(self) -> SlowFirstReplyProxy:
        self._session = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._runner is not None and self._session is not None
        await self._runner.cleanup()
        await self._session.close()


async def test_create_that_timed_out_is_reported_with_the_id_it_created(sandbox):
    async with SlowFirstReplyProxy(sandbox.url, hold=0.6) as proxy, ScheduCalClient(
        proxy.url, sandbox.api_key, sandbox.api_secret,
        rate_limit_per_minute=None, timeout=0.3, backoff_base=0.01,
    ) as client:  # fmt: skip
        with pytest.raises(e.DuplicateRequest) as caught:
            await client.create_appointment(
                start=START, end=END, time_zone="UTC", subject="Board meeting"
            )
    exc = caught.value
    assert exc.after_ambiguous_attempt is True
    assert "most likely succeeded" in exc.message
    [only] = [a for a in sandbox.state.appointments.values() if a.subject == "Board meeting"]
    assert exc.existing_id == only.id  # the caller can adopt the appointment it created
