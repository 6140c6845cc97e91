"""Credentials, the per-account rate limit, duplicate creates and Gmail priming."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from bot.sandbox.server import SandboxServer
from tests.sandbox.conftest import Api, FakeClock


@pytest.mark.parametrize(
    ("creds", "param"),
    [
        ({}, "apiKey"),
        ({"apiKey": "KEY"}, "apiSecret"),
        ({"apiKey": "", "apiSecret": "x"}, "apiKey"),
        ({"apiKey": "KEY", "apiSecret": "wrong"}, None),
        ({"apiKey": "sk_unknown", "apiSecret": "SECRET"}, None),
        ({"apiKey": 12, "apiSecret": "SECRET"}, "apiKey"),
    ],
)
async def test_invalid_credentials(api: Api, creds: dict, param: str | None) -> None:
    creds = {
        k: (api.key if v == "KEY" else api.secret if v == "SECRET" else v) for k, v in creds.items()
    }
    reply = await api.call(
        "POST",
        "/api/v1/appointments",
        {
            **creds,
            "appointmentStart": "2026-04-15T09:00:00",
            "appointmentEnd": "2026-04-15T10:00:00",
            "appointmentTimeZone": "UTC",
        },
        auth=False,
    )
    assert reply.status == 401
    assert reply.error == {"code": "invalid_credentials", "param": param}
    assert api.secret not in reply.body["message"]


async def test_credentials_in_query_do_not_count_for_body_endpoints(api: Api) -> None:
    reply = await api.call("POST", "/api/v1/appointments", {}, params=api.creds, auth=False)
    assert reply.status == 401


async def test_fixed_credentials_are_used() -> None:
    async with (
        SandboxServer(api_key="sk_test_fixed", api_secret="fixed-secret") as sandbox,
        aiohttp.ClientSession() as http,
    ):
        assert (sandbox.api_key, sandbox.api_secret) == ("sk_test_fixed", "fixed-secret")
        reply = await Api(http, sandbox).get_webhooks()
        assert reply.status == 200


async def test_rate_limit_per_account_with_retry_after() -> None:
    clock = FakeClock()
    async with (
        SandboxServer(rate_limit_per_minute=3, clock=clock) as sandbox,
        aiohttp.ClientSession() as http,
    ):
        api = Api(http, sandbox)
        for _ in range(3):
            assert (await api.get_webhooks()).status == 200
            clock.advance(10)
        limited = await api.get_webhooks()
        assert limited.status == 429
        assert limited.error == {"code": "rate_limit_exceeded", "param": None}
        # The oldest request (t=0) leaves the window at t=60; now is t=30.
        assert limited.headers["Retry-After"] == "30"
        # Another account has its own budget.
        other = Api(http, sandbox)
        other.key, other.secret = sandbox.add_account()
        assert (await other.get_webhooks()).status == 200
        # Failed requests of any kind count (they reached the API), refused ones do not.
        clock.advance(29.5)
        assert (await api.get_webhooks()).status == 429
        clock.advance(0.5)
        assert (await api.get_webhooks()).status == 200
        # Bad credentials are refused before counting: they cannot exhaust a real account.
        for _ in range(5):
            bad = await api.call("GET", "/api/v1/webhooks", params={"apiKey": api.key,
                                 "apiSecret": "nope"}, auth=False)  # fmt: skip
            assert bad.status == 401


async def test_rate_limit_none_disables(api: Api) -> None:
    for _ in range(70):
        assert (await api.get_webhooks()).status == 200


async def test_duplicate_create_is_409_within_window(api: Api, clock: FakeClock) -> None:
    first = await api.create_id(name="John", address="John@AcmeCorp.com")
    reply = await api.create(name="Johnny", address="john@acmecorp.com", appointmentBody="<p>x</p>")
    assert reply.status == 409
    assert reply.error == {"code": "duplicate_request", "param": None, "appointmentId": first}
    assert first in reply.body["message"]
    # Different time, subject or invitee: not a duplicate.
    assert (await api.create(name="Ann", address="ann@acme.com")).status == 201
    assert (await api.create(appointmentSubject="Other", address="john@acmecorp.com")).status == 201
    # After the window it may be created again.
    clock.advance(601)
    assert (await api.create(address="john@acmecorp.com")).status == 201


async def test_duplicate_of_cancelled_appointment_is_allowed(api: Api) -> None:
    first = await api.create_id()
    assert (await api.create()).status == 409
    await api.call("DELETE", f"/api/v1/appointments/{first}")
    assert (await api.create()).status == 201


async def test_gmail_first_invite_once_per_mailbox_per_account(api: Api, sandbox) -> None:  # noqa: ANN001
    created = await api.create(name="Jo", address="jo.doe@gmail.com")
    assert created.data["gmailFirstInvite"] is True
    appointment_id = created.data["appointmentId"]
    path = f"/api/v1/appointments/{appointment_id}/invitations"

    async def invite(address: str, who: Api = api, to: str = path) -> bool:
        reply = await who.call("POST", to, {"name": "X", "address": address})
        assert reply.status == 201, reply.body
        return reply.data["gmailFirstInvite"]

    # Same Gmail mailbox: dots, +tags, case and googlemail.com do not make it new.
    assert await invite("JODOE+work@googlemail.com") is False
    assert await invite("ann@gmail.com") is True
    assert await invite("bob@googlemail.com") is True
    assert await invite("bob@acme.com") is False
    second = await api.create_id(appointmentSubject="Second", address="ann@gmail.com")
    state = await api.sandbox("GET", f"/appointments/{second}")
    assert state.data["attendees"][0]["email"] == "ann@gmail.com"
    # Another account primes its own Gmail invitations.
    other = Api(api.session, sandbox)
    other.key, other.secret = sandbox.add_account()
    reply = await other.create(address="jo.doe@gmail.com")
    assert reply.data["gmailFirstInvite"] is True


async def test_moved_appointment_no_longer_blocks_its_old_slot(api: Api) -> None:
    first = await api.create_id(address="jo@acme.com")
    await api.call(
        "PUT", f"/api/v1/appointments/{first}", {"appointmentStart": "2026-04-15T09:30:00"}
    )
    assert (await api.create(address="jo@acme.com")).status == 201
    # ... but the moved one is matched at its new time.
    moved = await api.create(address="jo@acme.com", appointmentStart="2026-04-15T09:30:00")
    assert moved.status == 409
    assert moved.error["appointmentId"] == first


async def test_concurrent_identical_creates_make_one_appointment(api: Api) -> None:
    replies = await asyncio.gather(*(api.create(address="jo@acme.com") for _ in range(5)))
    assert sorted(r.status for r in replies) == [201, 409, 409, 409, 409]
    (created,) = [r.data["appointmentId"] for r in replies if r.status == 201]
    assert {r.error["appointmentId"] for r in replies if r.status == 409} == {created}
