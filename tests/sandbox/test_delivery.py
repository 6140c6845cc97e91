"""Webhook delivery end to end: a real receiving server checks signatures, retries, replays."""

from __future__ import annotations

import json
import time
import uuid

import aiohttp
import pytest

from bot.sandbox.delivery import RETRY_DELAYS
from bot.sandbox.server import SandboxServer
from bot.scheducal.events import EVENT_TYPES, parse_event
from bot.scheducal.signing import SIGNATURE_HEADER, verify
from tests.sandbox.conftest import Api, Receiver, start_receiver


async def hook(api: Api, receiver: Receiver, types: list[str] | None = None) -> dict:
    reply = await api.call(
        "POST",
        "/api/v1/webhooks",
        {"webhookUrl": receiver.url, "eventTypes": types or list(EVENT_TYPES)},
    )
    assert reply.status == 201, reply.body
    return reply.data


async def test_update_and_cancel_are_delivered_signed(
    api: Api, sandbox: SandboxServer, receiver: Receiver
) -> None:
    webhook = await hook(api, receiver)
    appointment_id = await api.create_id(
        appointmentSubject="Réunion trimestrielle ✓", name="Jo", address="jo@acme.com"
    )
    await api.call(
        "PUT", f"/api/v1/appointments/{appointment_id}", {"appointmentLocation": "Room 9"}
    )
    await api.call("DELETE", f"/api/v1/appointments/{appointment_id}", {"comment": "Sorry!"})
    await sandbox.wait_idle()
    assert len(receiver.requests) == 2  # creating fires no event
    for request in receiver.requests:
        assert request.headers["Content-Type"] == "application/json"
        assert verify(request.body, request.headers[SIGNATURE_HEADER], [webhook["secret"]])
        assert not verify(request.body, request.headers[SIGNATURE_HEADER], ["whsec_other"])
    updated, canceled = (parse_event(json.loads(r.body)) for r in receiver.requests)
    assert updated.event_type == "appointment.updated"
    assert updated.location == "Room 9"
    assert updated.subject == "Réunion trimestrielle ✓"
    # Non-ASCII is sent as UTF-8 and signed as sent: re-serialising would not match.
    assert "✓".encode() in receiver.requests[0].body
    assert canceled.event_type == "appointment.canceled"
    assert canceled.comment == "Sorry!"
    for event in (updated, canceled):
        assert uuid.UUID(event.id).version == 4
        assert event.api_version == "v1"
        assert event.appointment_id == appointment_id
        assert event.time_zone == "America/New_York"
        raw = json.loads(receiver.requests[0].body)
        assert raw["timestamp"].endswith("Z")
        assert set(raw["data"]) >= {"appointmentId", "subject", "start", "end", "timeZone",
                                    "location"}  # fmt: skip


async def test_invitation_fires_appointment_updated(
    api: Api, sandbox: SandboxServer, receiver: Receiver
) -> None:
    await hook(api, receiver, ["appointment.updated"])
    appointment_id = await api.create_id()
    path = f"/api/v1/appointments/{appointment_id}/invitations"
    await api.call("POST", path, {"name": "Ann", "address": "ann@acme.com"})
    await api.call("POST", path, {"name": "Ann", "address": "ann@acme.com"})  # no change
    await sandbox.wait_idle()
    assert len(receiver.requests) == 1
    data = json.loads(receiver.requests[0].body)["data"]
    assert data["attendees"] == [{"name": "Ann", "email": "ann@acme.com", "response": "none"}]


async def test_attendee_events_have_documented_envelope(
    api: Api, sandbox: SandboxServer, receiver: Receiver
) -> None:
    webhook = await hook(api, receiver, ["attendee.responded", "attendee.proposed_new_time"])
    appointment_id = await api.create_id(name="John Doe", address="john@acmecorp.com")
    for response in ("accepted", "declined", "tentativelyAccepted"):
        reply = await api.sandbox(
            "POST",
            f"/appointments/{appointment_id}/respond",
            {"email": "John@AcmeCorp.com", "response": response},
        )
        assert reply.status == 200
    reply = await api.sandbox(
        "POST",
        f"/appointments/{appointment_id}/propose",
        {"email": "john@acmecorp.com", "proposedStart": "2026-04-16T09:00:00",
         "proposedEnd": "2026-04-16T10:00:00"},
    )  # fmt: skip
    assert reply.status == 200
    await sandbox.wait_idle()
    assert len(receiver.requests) == 4
    events = []
    for request in receiver.requests:
        assert verify(request.body, request.headers[SIGNATURE_HEADER], [webhook["secret"]])
        events.append(json.loads(request.body))
    by_type = [e["eventType"] for e in events]
    assert by_type.count("attendee.responded") == 3
    responses = sorted(
        e["data"]["attendee"]["response"] for e in events if e["eventType"] == "attendee.responded"
    )
    assert responses == ["accepted", "declined", "tentativelyAccepted"]
    proposal = next(e for e in events if e["eventType"] == "attendee.proposed_new_time")
    attendee = proposal["data"]["attendee"]
    assert set(attendee) == {
        "name", "email", "response", "respondedAt", "proposedStart", "proposedEnd"
    }  # fmt: skip
    assert attendee["name"] == "John Doe"
    assert attendee["response"] == "tentativelyAccepted"
    assert (attendee["proposedStart"], attendee["proposedEnd"]) == (
        "2026-04-16T09:00:00",
        "2026-04-16T10:00:00",
    )
    parsed = parse_event(proposal)
    assert parsed.attendee is not None and parsed.attendee.proposed_start is not None
    for event in events:
        assert set(event) == {"id", "eventType", "timestamp", "apiVersion", "data"}
        assert event["data"]["start"] == "2026-04-15T09:00:00"


async def test_only_subscribed_types_and_own_account_are_delivered(
    api: Api, sandbox: SandboxServer, receiver: Receiver
) -> None:
    await hook(api, receiver, ["appointment.canceled"])
    other = Api(api.session, sandbox)
    other.key, other.secret = sandbox.add_account()
    theirs = await other.create_id()
    await other.call("DELETE", f"/api/v1/appointments/{theirs}")
    ours = await api.create_id()
    await api.call("PUT", f"/api/v1/appointments/{ours}", {"appointmentSubject": "x"})
    await api.call("DELETE", f"/api/v1/appointments/{ours}")
    await sandbox.wait_idle()
    assert [json.loads(r.body)["data"]["appointmentId"] for r in receiver.requests] == [ours]


async def test_retry_schedule_follows_documented_delays_scaled(
    api: Api, receiver: Receiver
) -> None:
    scale = 0.0005  # 1 min -> 30 ms, 5 min -> 150 ms, 30 min -> 900 ms
    receiver.behaviour = lambda n: (500 if n <= 3 else 200, 0.0)
    async with (
        SandboxServer(time_scale=scale, rate_limit_per_minute=None) as sandbox,
        aiohttp.ClientSession() as http,
    ):
        api = Api(http, sandbox)
        await hook(api, receiver)
        appointment_id = await api.create_id()
        await api.call("DELETE", f"/api/v1/appointments/{appointment_id}")
        await sandbox.wait_idle(timeout=10)
        assert len(receiver.requests) == 4
        gaps = [b.at - a.at for a, b in zip(receiver.requests, receiver.requests[1:], strict=False)]
        for gap, delay in zip(gaps, RETRY_DELAYS[1:], strict=False):
            expected = delay * scale
            assert expected - 0.005 <= gap < expected + 2.0, (gaps, expected)
        assert len({r.body for r in receiver.requests}) == 1  # the same bytes every time
        (event,) = sandbox.events
        (delivery,) = event.deliveries
        assert delivery.state == "delivered"
        assert [a.status for a in delivery.attempts] == [500, 500, 500, 200]
        assert [a.number for a in delivery.attempts] == [1, 2, 3, 4]


async def test_undelivered_after_five_failures_then_replay(
    api: Api, sandbox: SandboxServer, receiver: Receiver
) -> None:
    receiver.behaviour = lambda n: (503 if n <= 5 else 204, 0.0)
    await hook(api, receiver)
    appointment_id = await api.create_id()
    await api.call("DELETE", f"/api/v1/appointments/{appointment_id}")
    await sandbox.wait_idle(timeout=10)
    assert len(receiver.requests) == 5
    listed = await api.sandbox("GET", "/webhooks/undelivered")
    (item,) = listed.data["undelivered"]
    assert item["state"] == "undelivered"
    assert item["reason"] == "HTTP 503"
    assert [a["status"] for a in item["attempts"]] == [503] * 5
    events = (await api.sandbox("GET", "/events")).data["events"]
    assert events[0]["state"] == "undelivered"

    replayed = await api.sandbox("POST", f"/events/{item['eventId']}/replay")
    assert replayed.status == 200
    await sandbox.wait_idle()
    assert len(receiver.requests) == 6
    assert receiver.requests[5].body == receiver.requests[0].body
    assert (await api.sandbox("GET", "/webhooks/undelivered")).data["undelivered"] == []
    event = (await api.sandbox("GET", f"/events/{item['eventId']}")).data
    assert event["state"] == "delivered"
    assert event["deliveries"][0]["replays"] == 1
    # Nothing left to replay: a clear 409, not a silent no-op.
    again = await api.sandbox("POST", f"/events/{item['eventId']}/replay")
    assert again.status == 409
    assert again.error["code"] == "event_not_undelivered"


async def test_timeout_counts_as_failure(api: Api, receiver: Receiver) -> None:
    receiver.behaviour = lambda n: (200, 3.0 if n == 1 else 0.0)
    async with (
        SandboxServer(time_scale=0.0001, delivery_timeout=0.2) as sandbox,
        aiohttp.ClientSession() as http,
    ):
        api = Api(http, sandbox)
        await hook(api, receiver)
        appointment_id = await api.create_id()
        await api.call("DELETE", f"/api/v1/appointments/{appointment_id}")
        await sandbox.wait_idle()
        (delivery,) = sandbox.events[0].deliveries
        first, second = delivery.attempts
        assert first.status is None and first.error == "no response within 0.2 s"
        assert 150 <= first.duration_ms < 2500  # cut off long before the 3 s answer
        assert second.ok and delivery.state == "delivered"
        receiver.release.set()


async def test_unreachable_receiver_is_retried_then_undelivered(api: Api, sandbox) -> None:  # noqa: ANN001
    probe = Receiver()
    runner = await start_receiver(probe)
    url = probe.url
    await runner.cleanup()  # nothing listens there any more
    await api.call(
        "POST", "/api/v1/webhooks", {"webhookUrl": url, "eventTypes": ["appointment.canceled"]}
    )
    appointment_id = await api.create_id()
    await api.call("DELETE", f"/api/v1/appointments/{appointment_id}")
    await sandbox.wait_idle(timeout=10)
    (delivery,) = sandbox.events[0].deliveries
    assert delivery.state == "undelivered"
    assert len(delivery.attempts) == 5
    assert all(a.status is None and "Connect" in (a.error or "") for a in delivery.attempts)


async def test_redirect_is_not_followed(
    api: Api, sandbox: SandboxServer, receiver: Receiver
) -> None:
    receiver.behaviour = lambda n: (307 if n == 1 else 200, 0.0)
    await hook(api, receiver)
    appointment_id = await api.create_id()
    await api.call("DELETE", f"/api/v1/appointments/{appointment_id}")
    await sandbox.wait_idle()
    (delivery,) = sandbox.events[0].deliveries
    assert [a.status for a in delivery.attempts] == [307, 200]


async def test_redeliver_sends_the_same_event_again(
    api: Api, sandbox: SandboxServer, receiver: Receiver
) -> None:
    await hook(api, receiver)
    appointment_id = await api.create_id()
    await api.call("DELETE", f"/api/v1/appointments/{appointment_id}")
    await sandbox.wait_idle()
    event_id = sandbox.events[0].id
    reply = await api.sandbox("POST", f"/events/{event_id}/redeliver")
    assert reply.status == 200
    await sandbox.wait_idle()
    assert len(receiver.requests) == 2
    assert receiver.requests[0].body == receiver.requests[1].body
    assert len(reply.data["deliveries"]) == 2
    missing = await api.sandbox("POST", f"/events/{uuid.uuid4()}/redeliver")
    assert (missing.status, missing.error["code"]) == (404, "event_not_found")


async def test_api_reply_does_not_wait_for_a_slow_receiver(api: Api, receiver: Receiver) -> None:
    receiver.behaviour = lambda n: (200, 3.0)
    async with (
        SandboxServer(delivery_timeout=5.0) as sandbox,
        aiohttp.ClientSession() as http,
    ):
        api = Api(http, sandbox)
        await hook(api, receiver)
        appointment_id = await api.create_id()
        began = time.monotonic()
        reply = await api.call("DELETE", f"/api/v1/appointments/{appointment_id}")
        assert reply.status == 200
        assert time.monotonic() - began < 2.5  # well before the receiver's 3 s answer
        await receiver.wait_for(1)  # the delivery is in flight while we already have our reply
        assert sandbox.events[0].deliveries[0].state == "delivering"
        listed = (await api.sandbox("GET", "/events")).data["events"]
        assert listed[0]["state"] == "pending"
        receiver.release.set()
        await sandbox.wait_idle()
        assert sandbox.events[0].deliveries[0].state == "delivered"


async def test_deliveries_run_concurrently(api: Api, receiver: Receiver) -> None:
    receiver.behaviour = lambda n: (200, 0.3)
    async with (
        SandboxServer(rate_limit_per_minute=None) as sandbox,
        aiohttp.ClientSession() as http,
    ):
        api = Api(http, sandbox)
        await hook(api, receiver)
        appointment_id = await api.create_id(name="Jo", address="jo@acme.com")
        began = time.monotonic()
        for _ in range(20):
            await api.sandbox(
                "POST", f"/appointments/{appointment_id}/respond",
                {"email": "jo@acme.com", "response": "accepted"},
            )  # fmt: skip
        await sandbox.wait_idle()
        # One at a time would take 20 x 0.3 s = 6 s (generous bound: CI boxes are busy).
        assert time.monotonic() - began < 4.0
        assert len(receiver.requests) == 20


async def test_regenerated_secret_signs_next_deliveries(
    api: Api, sandbox: SandboxServer, receiver: Receiver
) -> None:
    webhook = await hook(api, receiver)
    reply = await api.call("POST", f"/api/v1/webhooks/{webhook['webhookId']}/regenerate-secret")
    new_secret = reply.data["secret"]
    appointment_id = await api.create_id()
    await api.call("DELETE", f"/api/v1/appointments/{appointment_id}")
    await sandbox.wait_idle()
    (request,) = receiver.requests
    assert verify(request.body, request.headers[SIGNATURE_HEADER], [new_secret])
    assert not verify(request.body, request.headers[SIGNATURE_HEADER], [webhook["secret"]])


async def test_deleted_or_inactive_webhook_stops_retries(api: Api, receiver: Receiver) -> None:
    receiver.behaviour = lambda n: (500, 0.0)
    async with SandboxServer(time_scale=0.01) as sandbox, aiohttp.ClientSession() as http:
        api = Api(http, sandbox)
        webhook = await hook(api, receiver)
        appointment_id = await api.create_id()
        await api.call("DELETE", f"/api/v1/appointments/{appointment_id}")
        await receiver.wait_for(1)
        await api.call(
            "DELETE", f"/api/v1/webhooks/{webhook['webhookId']}", params=api.creds, auth=False
        )
        await sandbox.wait_idle()  # the retry after 0.6 s finds the webhook gone
        (delivery,) = sandbox.events[0].deliveries
        assert delivery.state == "abandoned"
        assert len(receiver.requests) == 1


async def test_updated_url_is_used_by_retries(api: Api, receiver: Receiver) -> None:
    second = Receiver()
    runner = await start_receiver(second)
    receiver.behaviour = lambda n: (500, 0.0)
    try:
        async with SandboxServer(time_scale=0.001) as sandbox, aiohttp.ClientSession() as http:
            api = Api(http, sandbox)
            webhook = await hook(api, receiver)
            appointment_id = await api.create_id()
            await api.call("DELETE", f"/api/v1/appointments/{appointment_id}")
            await receiver.wait_for(1)
            await api.call(
                "PATCH", f"/api/v1/webhooks/{webhook['webhookId']}", {"webhookUrl": second.url}
            )
            await sandbox.wait_idle()
            assert len(receiver.requests) == 1
            assert len(second.requests) == 1
    finally:
        await runner.cleanup()


async def test_events_listing_filters(api: Api, sandbox: SandboxServer) -> None:
    first = await api.create_id(name="A", address="a@acme.com")
    second = await api.create_id(appointmentSubject="Other")
    await api.call("PUT", f"/api/v1/appointments/{first}", {"appointmentSubject": "x"})
    await api.call("DELETE", f"/api/v1/appointments/{second}")
    await api.sandbox("POST", f"/appointments/{first}/respond",
                      {"email": "a@acme.com", "response": "declined"})  # fmt: skip
    everything = (await api.sandbox("GET", "/events")).data["events"]
    assert len(everything) == 3
    assert all(e["state"] == "no_subscribers" for e in everything)
    mine = (await api.sandbox("GET", f"/events?appointmentId={first}")).data["events"]
    assert [e["eventType"] for e in mine] == ["appointment.updated", "attendee.responded"]
    canceled = (await api.sandbox("GET", "/events?eventType=appointment.canceled")).data
    assert [e["appointmentId"] for e in canceled["events"]] == [second]


async def test_wait_idle_without_retries_returns_while_a_retry_is_pending(
    receiver: Receiver,
) -> None:
    receiver.behaviour = lambda n: (500, 0.0)
    async with SandboxServer(time_scale=1.0) as sandbox, aiohttp.ClientSession() as http:
        api = Api(http, sandbox)
        await hook(api, receiver)
        appointment_id = await api.create_id()
        await api.call("DELETE", f"/api/v1/appointments/{appointment_id}")
        await sandbox.wait_idle(timeout=5, retries=False)
        (delivery,) = sandbox.events[0].deliveries
        assert delivery.state == "retrying"
        assert len(delivery.attempts) == 1
        assert delivery.next_attempt_at is not None
        wait = (delivery.next_attempt_at - delivery.attempts[0].at).total_seconds()
        assert 59 < wait < 61  # attempt 2 is one real minute away
        with pytest.raises(TimeoutError):  # the full wait still counts the pending retry
            await sandbox.wait_idle(timeout=0.2)
