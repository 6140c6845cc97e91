"""What the client sends for each operation, and how it reads the replies (flaky server)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import unquote

import aiohttp
import pytest

from bot.config import ConfigError, Settings
from bot.scheducal.client import ScheduCalClient
from tests.scheducal.conftest import API_KEY, API_SECRET
from tests.scheducal.flaky import ok

CREATED = {
    "appointmentId": "AAMkAGI2+abc/def==",
    "subject": "Quarterly review",
    "start": "2026-04-15T09:00:00",
    "end": "2026-04-15T10:00:00",
    "timeZone": "America/New_York",
    "location": "Room 4",
    "inviteeCount": 1,
    "hasInitialInvitee": True,
    "gmailFirstInvite": True,
    "dateCreated": "2026-03-19T14:23:01Z",
}
CREDS = {"apiKey": API_KEY, "apiSecret": API_SECRET}


async def test_create_sends_credentials_and_fields_in_the_body(flaky, make_client):
    flaky.queue(ok(CREATED, status=201))
    client = make_client()
    created = await client.create_appointment(
        start=datetime(2026, 4, 15, 13, 0, tzinfo=UTC),  # 09:00 in New York (EDT)
        end=datetime(2026, 4, 15, 10, 0, 30, 123),  # naive: taken as wall time, no micros
        time_zone="America/New_York",
        subject="Quarterly review",
        location="Room 4",
        invitee_name="Ann",
        invitee_email="ann@gmail.com",
    )
    [request] = flaky.requests
    assert (request.method, request.path, request.query) == ("POST", "/api/v1/appointments", {})
    assert request.json == {
        **CREDS,
        "appointmentStart": "2026-04-15T09:00:00",
        "appointmentEnd": "2026-04-15T10:00:30",
        "appointmentTimeZone": "America/New_York",
        "appointmentSubject": "Quarterly review",
        "appointmentLocation": "Room 4",
        "name": "Ann",
        "address": "ann@gmail.com",
    }  # body and the absent invitee fields are not sent at all
    assert created.appointment_id == "AAMkAGI2+abc/def=="
    assert created.start == datetime(2026, 4, 15, 9, 0) and created.start.tzinfo is None
    assert created.end == datetime(2026, 4, 15, 10, 0)
    assert created.time_zone == "America/New_York"
    assert created.invitee_count == 1
    assert created.has_initial_invitee is True and created.gmail_first_invite is True
    assert created.date_created == datetime(2026, 3, 19, 14, 23, 1, tzinfo=UTC)


async def test_create_converts_other_offsets_into_the_zone(flaky, make_client):
    flaky.queue(ok(CREATED))
    client = make_client()
    tokyo = timezone(timedelta(hours=9))
    await client.create_appointment(
        start=datetime(2026, 1, 10, 23, 0, tzinfo=tokyo),  # 09:00 the same day in New York
        end=datetime(2026, 1, 11, 0, 0, tzinfo=tokyo),
        time_zone="America/New_York",
    )
    body = flaky.requests[0].json
    assert (body["appointmentStart"], body["appointmentEnd"]) == (
        "2026-01-10T09:00:00",
        "2026-01-10T10:00:00",
    )
    assert set(body) == {*CREDS, "appointmentStart", "appointmentEnd", "appointmentTimeZone"}


async def test_create_accepts_start_datetime_spelling(flaky, make_client):
    data = dict(CREATED)
    data["startDateTime"] = data.pop("start")
    data["endDateTime"] = data.pop("end")
    flaky.queue(ok(data))
    created = await make_client().create_appointment(
        start=datetime(2026, 4, 15, 9), end=datetime(2026, 4, 15, 10), time_zone="UTC"
    )
    assert (created.start, created.end) == (datetime(2026, 4, 15, 9), datetime(2026, 4, 15, 10))


async def test_invite_escapes_opaque_ids_in_the_path(flaky, make_client):
    flaky.queue(
        ok(
            {
                "appointmentId": "AAMkAGI2+abc/def==",
                "invitee": "Bob",
                "email": "bob@example.com",
                "totalInvitees": 2,
                "appointmentSubject": "Quarterly review",
                "gmailFirstInvite": False,
            }
        )
    )
    client = make_client()
    invitation = await client.invite("AAMkAGI2+abc/def==", name="Bob", email="bob@example.com")
    [request] = flaky.requests
    # '/' and '+' stay escaped (yarl may normalise '%3D' back to '=', which is equivalent).
    prefix, segment, suffix = request.path.rsplit("/", 2)
    assert (prefix, suffix) == ("/api/v1/appointments", "invitations")
    assert unquote(segment) == "AAMkAGI2+abc/def=="
    assert request.json == {**CREDS, "name": "Bob", "address": "bob@example.com"}
    assert invitation.total_invitees == 2 and invitation.email == "bob@example.com"
    assert invitation.gmail_first_invite is False and invitation.invitee == "Bob"


async def test_update_sends_only_the_given_fields_and_reads_start_datetime(flaky, make_client):
    flaky.queue(
        ok(
            {
                "appointmentId": "A1",
                "subject": "Renamed",
                "startDateTime": "2026-04-16T14:00:00",
                "endDateTime": "2026-04-16T15:00:00",
                "timeZone": "Europe/Paris",
                "lastUpdated": "2026-04-01T08:00:00Z",
            }
        ),
        ok(
            {
                "appointmentId": "A1",
                "subject": "Renamed",
                "start": "2026-04-16T14:00:00",
                "end": "2026-04-16T15:00:00",
                "timeZone": "Europe/Paris",
            }
        ),
    )
    client = make_client()
    updated = await client.update_appointment(
        "A1",
        start=datetime(2026, 4, 16, 12, 0, tzinfo=UTC),
        end=datetime(2026, 4, 16, 13, 0, tzinfo=UTC),
        time_zone="Europe/Paris",
    )
    renamed = await client.update_appointment("A1", subject="Renamed")
    first, second = flaky.requests
    assert (first.method, first.path) == ("PUT", "/api/v1/appointments/A1")
    assert first.json == {
        **CREDS,
        "appointmentStart": "2026-04-16T14:00:00",
        "appointmentEnd": "2026-04-16T15:00:00",
        "appointmentTimeZone": "Europe/Paris",
    }
    assert second.json == {**CREDS, "appointmentSubject": "Renamed"}
    assert updated.start == datetime(2026, 4, 16, 14) and updated.end == datetime(2026, 4, 16, 15)
    assert updated.last_updated == datetime(2026, 4, 1, 8, tzinfo=UTC)
    assert renamed.start == datetime(2026, 4, 16, 14) and renamed.last_updated is None


async def test_cancel_sends_a_json_body_with_the_comment(flaky, make_client):
    flaky.queue(
        ok(
            {
                "appointmentId": "A1",
                "subject": "Review",
                "dateCanceled": "2026-04-02T10:00:00Z",
                "isActive": False,
                "inviteeCount": 0,
                "originalInviteeCount": 3,
            }
        )
    )
    canceled = await make_client().cancel_appointment("A1", comment="Moved to Q3")
    [request] = flaky.requests
    assert (request.method, request.path) == ("DELETE", "/api/v1/appointments/A1")
    assert request.json == {**CREDS, "comment": "Moved to Q3"}
    assert canceled.is_active is False and canceled.original_invitee_count == 3
    assert canceled.date_canceled == datetime(2026, 4, 2, 10, tzinfo=UTC)


WEBHOOK = {
    "webhookId": "6f1c2d9e-1111-4b7a-9c0d-222233334444",
    "webhookUrl": "https://bot.example.com/webhooks/scheducal",
    "eventTypes": ["attendee.responded", "appointment.canceled"],
}


async def test_webhook_operations_put_credentials_where_the_docs_say(flaky, make_client):
    flaky.queue(
        ok({**WEBHOOK, "secret": "whsec_first"}, status=201),
        ok([WEBHOOK]),
        ok({"webhooks": [WEBHOOK]}),
        ok({**WEBHOOK, "eventTypes": ["appointment.updated"]}),
        ok({"webhookId": WEBHOOK["webhookId"], "secret": "whsec_second"}),
        ok({"webhookId": WEBHOOK["webhookId"], "deleted": True}),
    )
    client = make_client()
    hook_id = WEBHOOK["webhookId"]
    registered = await client.register_webhook(WEBHOOK["webhookUrl"], WEBHOOK["eventTypes"])
    listed = await client.list_webhooks()
    listed_wrapped = await client.list_webhooks()
    updated = await client.update_webhook(hook_id, event_types=["appointment.updated"])
    rotated = await client.regenerate_webhook_secret(hook_id)
    assert await client.delete_webhook(hook_id) is None

    register, list1, list2, patch, regen, delete = flaky.requests
    assert (register.method, register.path) == ("POST", "/api/v1/webhooks")
    assert register.json == {
        **CREDS,
        "webhookUrl": WEBHOOK["webhookUrl"],
        "eventTypes": WEBHOOK["eventTypes"],
    }
    for get_or_delete in (list1, list2, delete):
        assert get_or_delete.query == CREDS and get_or_delete.json is None
    assert (list1.method, delete.method) == ("GET", "DELETE")
    assert delete.path == f"/api/v1/webhooks/{hook_id}"
    assert (patch.method, patch.path) == ("PATCH", f"/api/v1/webhooks/{hook_id}")
    assert patch.json == {**CREDS, "eventTypes": ["appointment.updated"]}
    assert (regen.method, regen.path) == ("POST", f"/api/v1/webhooks/{hook_id}/regenerate-secret")
    assert regen.json == CREDS

    assert registered.secret == "whsec_first" and registered.event_types == tuple(
        WEBHOOK["eventTypes"]
    )
    assert [w.webhook_id for w in listed] == [hook_id] == [w.webhook_id for w in listed_wrapped]
    assert listed[0].secret is None
    assert updated.event_types == ("appointment.updated",)
    assert rotated.secret == "whsec_second" and rotated.webhook_url is None
    assert "whsec_" not in repr(registered) + repr(rotated)


async def test_delete_webhook_accepts_an_empty_204(flaky, make_client):
    from tests.scheducal.flaky import Reply

    flaky.queue(Reply(204, body=b""))
    assert await make_client().delete_webhook("w1") is None


async def test_invalid_arguments_fail_before_any_request(flaky, make_client):
    client = make_client()
    with pytest.raises(ValueError, match="at least one field"):
        await client.update_appointment("A1")
    with pytest.raises(ValueError, match="time_zone"):
        await client.update_appointment("A1", start=datetime(2026, 4, 1, 9, tzinfo=UTC))
    with pytest.raises(ValueError, match="unknown time zone"):
        await client.create_appointment(
            start=datetime(2026, 4, 1, 9, tzinfo=UTC),
            end=datetime(2026, 4, 1, 10, tzinfo=UTC),
            time_zone="Mars/Olympus",
        )
    with pytest.raises(ValueError, match="appointment_id"):
        await client.cancel_appointment("")
    with pytest.raises(ValueError, match="url or event_types"):
        await client.update_webhook("w1")
    assert flaky.requests == []


async def test_passed_in_session_is_shared_and_left_open(flaky):
    flaky.queue(ok([]), ok([]))
    async with aiohttp.ClientSession() as session:
        async with ScheduCalClient(flaky.url, API_KEY, API_SECRET, session=session) as client:
            assert await client.list_webhooks() == []
        assert not session.closed  # the owner of the session closes it
        other = ScheduCalClient(flaky.url + "/", API_KEY, API_SECRET, session=session)
        assert await other.list_webhooks() == []
    with pytest.raises(RuntimeError, match="closed"):
        await other.list_webhooks()


async def test_owned_session_is_closed(flaky):
    flaky.queue(ok([]))
    client = ScheduCalClient(flaky.url, API_KEY, API_SECRET)
    await client.list_webhooks()
    session = client._session
    await client.close()
    assert session is not None and session.closed


def test_from_settings_requires_credentials_and_uses_the_rate_limit():
    with pytest.raises(ConfigError, match="SCHEDUCAL_API_KEY is not set"):
        ScheduCalClient.from_settings(Settings())
    settings = Settings(
        scheducal_api_url="http://127.0.0.1:9",
        scheducal_api_key=API_KEY,
        scheducal_api_secret=API_SECRET,
        scheducal_rate_limit=17,
    )
    client = ScheduCalClient.from_settings(settings, timeout=3.0)
    assert client.base_url == "http://127.0.0.1:9"
    assert client.limiter is not None and client.limiter.limit == 17
    assert client.timeout == 3.0


async def test_user_agent_is_sent_on_a_passed_in_session(flaky):
    flaky.queue(ok([]))
    async with aiohttp.ClientSession() as session:
        client = ScheduCalClient(flaky.url, API_KEY, API_SECRET, session=session)
        await client.list_webhooks()
    assert flaky.requests and flaky.user_agents[-1].startswith("scheducal-bot/")


def test_rate_limit_must_be_positive_or_none():
    assert ScheduCalClient("http://x", "k", "s", rate_limit_per_minute=None).limiter is None
    with pytest.raises(ValueError):
        ScheduCalClient("http://x", "k", "s", rate_limit_per_minute=0)
