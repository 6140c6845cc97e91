"""Error replies become typed exceptions; malformed replies become ScheduCalProtocolError."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.scheducal import errors as e
from tests.scheducal.flaky import Reply, err, ok


async def _create(client):
    return await client.create_appointment(
        start=datetime(2026, 4, 15, 9), end=datetime(2026, 4, 15, 10), time_zone="UTC"
    )


@pytest.mark.parametrize(
    ("status", "code", "param", "cls"),
    [
        (400, "invalid_time_range", "appointmentEnd", e.InvalidTimeRange),
        (400, "missing_required_field", "appointmentStart", e.MissingRequiredField),
        (422, "invalid_email", "address", e.InvalidEmail),
        (404, "appointment_not_found", None, e.AppointmentNotFound),
        (404, "appointment_already_cancelled", None, e.AppointmentAlreadyCancelled),
        (401, "invalid_credentials", None, e.InvalidCredentials),
        (409, "duplicate_request", None, e.DuplicateRequest),
        (409, None, None, e.DuplicateRequest),
        (400, "something_new", "x", e.ScheduCalError),  # unknown code: the base class
        (401, None, None, e.InvalidCredentials),  # no code: the status decides
        (404, None, None, e.AppointmentNotFound),
        (404, "webhook_not_found", "webhookId", e.WebhookNotFound),
        (404, "not_found", None, e.ScheduCalError),  # e.g. no such endpoint
        (422, "invalid_webhook_url", "webhookUrl", e.ScheduCalError),
    ],
)
async def test_documented_codes_map_to_classes(flaky, make_client, status, code, param, cls):
    flaky.queue(err(status, code, "the server's sentence", param=param))
    with pytest.raises(e.ScheduCalError) as caught:
        await _create(make_client())
    assert type(caught.value) is cls
    exc = caught.value
    assert (exc.status, exc.code, exc.param, exc.message) == (
        status,
        code,
        param,
        "the server's sentence",
    )
    assert exc.after_ambiguous_attempt is False
    assert "the server's sentence" in str(exc) and f"HTTP {status}" in str(exc)
    assert len(flaky.requests) == 1  # 4xx are never retried


async def test_rate_limit_code_maps_when_retries_are_exhausted(flaky, make_client):
    flaky.queue(*[err(429, "rate_limit_exceeded", "slow down", headers={"Retry-After": "0"})] * 2)
    with pytest.raises(e.RateLimitExceeded) as caught:
        await _create(make_client(max_attempts=2))
    assert (caught.value.status, caught.value.code, caught.value.retry_after) == (
        429,
        "rate_limit_exceeded",
        0.0,
    )


async def test_duplicate_carries_the_existing_id(flaky, make_client):
    flaky.queue(err(409, "duplicate_request", "same request", extra={"appointmentId": "A7"}))
    with pytest.raises(e.DuplicateRequest) as caught:
        await _create(make_client())
    assert caught.value.existing_id == "A7"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(200, body=b"<html>gateway</html>"), "not JSON: '<html>gateway</html>'"),
        (Reply(200, json=["a"]), "not a JSON object"),
        (Reply(200, json={"success": True}), "'data' is missing"),
        (Reply(200, json={"success": False, "data": {}}), "'success' is False"),
        (ok("a string"), "'data' is not an object"),
        (ok({"subject": "x"}), "data.appointmentId is missing"),
        (
            ok({"appointmentId": "A", "start": 5, "end": "2026-04-15T10:00:00", "timeZone": "UTC"}),
            "data.start should be a string, got int",
        ),
        (
            ok({"appointmentId": "A", "start": "tomorrow", "end": "x", "timeZone": "UTC"}),
            "data.start is not an ISO 8601 time: 'tomorrow'",
        ),
        (
            ok(
                {
                    "appointmentId": "A",
                    "start": "2026-04-15T09:00:00",
                    "end": "2026-04-15T10:00:00",
                    "timeZone": "UTC",
                    "inviteeCount": "1",
                }
            ),
            "data.inviteeCount should be an integer, got str",
        ),
        (
            ok(
                {
                    "appointmentId": "A",
                    "start": "2026-04-15T09:00:00",
                    "end": "2026-04-15T10:00:00",
                    "timeZone": "UTC",
                    "gmailFirstInvite": "yes",
                }
            ),
            "data.gmailFirstInvite should be true or false, got str",
        ),
    ],
)
async def test_malformed_success_replies_are_protocol_errors(flaky, make_client, reply, expected):
    flaky.queue(reply)
    with pytest.raises(e.ScheduCalProtocolError) as caught:
        await _create(make_client())
    assert expected in str(caught.value)
    assert "create_appointment" in str(caught.value)


async def test_error_status_without_envelope_names_the_likely_cause(flaky, make_client):
    flaky.queue(Reply(404, body=b"<h1>Not Found</h1>"))
    with pytest.raises(e.ScheduCalProtocolError) as caught:
        await _create(make_client())
    assert caught.value.status == 404
    assert "SCHEDUCAL_API_URL" in str(caught.value) and "Not Found" in str(caught.value)


async def test_redirects_are_not_followed(flaky, make_client):
    flaky.queue(Reply(307, body=b"", headers={"Location": "http://127.0.0.1:9/steal"}))
    with pytest.raises(e.ScheduCalProtocolError) as caught:
        await _create(make_client())
    assert caught.value.status == 307
    assert len(flaky.requests) == 1


async def test_list_reply_that_is_not_a_list_is_a_protocol_error(flaky, make_client):
    flaky.queue(ok({"items": []}), ok([{"webhookId": "w1", "eventTypes": []}]))
    client = make_client()
    with pytest.raises(e.ScheduCalProtocolError, match="not a list of webhooks"):
        await client.list_webhooks()
    with pytest.raises(e.ScheduCalProtocolError, match="data.webhookUrl is missing"):
        await client.list_webhooks()


def test_error_class_prefers_the_code_then_the_status():
    assert e.error_class(404, "appointment_already_cancelled") is e.AppointmentAlreadyCancelled
    assert e.error_class(400, "appointment_not_found") is e.AppointmentNotFound
    assert e.error_class(404, None) is e.AppointmentNotFound
    assert e.error_class(503, None) is e.ScheduCalServerError
    assert e.error_class(418, None) is e.ScheduCalError
    assert e.error_class(401, "api_key_revoked") is e.InvalidCredentials
    assert e.error_class(503, "maintenance") is e.ScheduCalServerError
