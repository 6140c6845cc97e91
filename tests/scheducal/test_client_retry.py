"""Retries: Retry-After on 429, jittered backoff on 5xx/timeouts/resets, bounded attempts."""

from __future__ import annotations

import random
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from bot.scheducal import errors as e
from bot.scheducal.retry import RetryPolicy, parse_retry_after
from tests.scheducal.flaky import Reply, err, ok

CREATED = {
    "appointmentId": "A1",
    "start": "2026-04-15T09:00:00",
    "end": "2026-04-15T10:00:00",
    "timeZone": "UTC",
}


async def _create(client):
    return await client.create_appointment(
        start=datetime(2026, 4, 15, 9), end=datetime(2026, 4, 15, 10), time_zone="UTC"
    )


def _gaps(flaky) -> list[float]:
    times = [r.at for r in flaky.requests]
    return [b - a for a, b in zip(times, times[1:], strict=False)]


async def test_429_waits_retry_after_then_succeeds(flaky, make_client):
    flaky.queue(err(429, "rate_limit_exceeded", "slow down", headers={"Retry-After": "0.3"}))
    flaky.queue(ok(CREATED))
    created = await _create(make_client())
    assert created.appointment_id == "A1"
    assert len(flaky.requests) == 2
    assert _gaps(flaky)[0] >= 0.29
    assert flaky.requests[0].json == flaky.requests[1].json  # the same request again


async def test_429_with_a_retry_after_beyond_the_cap_fails_at_once(flaky, make_client):
    flaky.queue(err(429, "rate_limit_exceeded", "slow down", headers={"Retry-After": "120"}))
    with pytest.raises(e.RateLimitExceeded) as caught:
        await _create(make_client(max_retry_after=5.0))
    assert caught.value.retry_after == 120.0
    assert caught.value.status == 429
    assert len(flaky.requests) == 1


async def test_429_without_retry_after_backs_off_and_is_bounded(flaky, make_client):
    flaky.queue(*[err(429, "rate_limit_exceeded", "slow down")] * 5)
    with pytest.raises(e.RateLimitExceeded) as caught:
        await _create(make_client(max_attempts=3))
    assert caught.value.retry_after is None
    assert len(flaky.requests) == 3


async def test_429_holds_other_callers_through_the_limiter(flaky, make_client):
    """While one call waits out Retry-After, a second call must not hit the server."""
    import asyncio

    flaky.queue(err(429, "rate_limit_exceeded", "slow down", headers={"Retry-After": "0.4"}))
    flaky.queue(ok(CREATED), ok(CREATED))
    client = make_client(rate_limit_per_minute=100)
    first = asyncio.create_task(_create(client))
    while not flaky.requests:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)  # the 429 has been answered and read by now
    await _create(client)
    await first
    rejected_at = flaky.requests[0].at
    assert all(r.at - rejected_at >= 0.39 for r in flaky.requests[1:])


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_errors_are_retried(flaky, make_client, status):
    flaky.queue(Reply(status, body=b"<html>upstream trouble</html>"), ok(CREATED))
    created = await _create(make_client())
    assert created.appointment_id == "A1" and len(flaky.requests) == 2


async def test_server_errors_give_up_after_max_attempts(flaky, make_client):
    flaky.queue(*[err(500, "internal_error", "boom")] * 4)
    with pytest.raises(e.ScheduCalServerError) as caught:
        await _create(make_client(max_attempts=4))
    assert len(flaky.requests) == 4
    assert caught.value.status == 500 and caught.value.code == "internal_error"
    assert "boom" in str(caught.value) and "after 4 attempts" in str(caught.value)


async def test_non_json_5xx_is_a_server_error_with_the_body_quoted(flaky, make_client):
    flaky.queue(*[Reply(502, body=b"Bad Gateway")] * 2)
    with pytest.raises(e.ScheduCalServerError, match="HTTP 502: 'Bad Gateway'"):
        await _create(make_client(max_attempts=2))


@pytest.mark.parametrize("status", [400, 401, 404, 409, 422])
async def test_other_4xx_are_not_retried(flaky, make_client, status):
    flaky.queue(err(status, None, "no"), ok(CREATED))
    with pytest.raises(e.ScheduCalError):
        await _create(make_client())
    assert len(flaky.requests) == 1


async def test_timeout_is_retried(flaky, make_client):
    flaky.queue(Reply(delay=0.6), ok(CREATED))
    created = await _create(make_client(timeout=0.2))
    assert created.appointment_id == "A1" and len(flaky.requests) == 2


async def test_timeouts_give_up_with_a_connection_error(flaky, make_client):
    flaky.queue(*[Reply(delay=0.5)] * 2)
    with pytest.raises(e.ScheduCalConnectionError) as caught:
        await _create(make_client(timeout=0.15, max_attempts=2))
    assert "no reply within 0.15s" in str(caught.value)
    assert "after 2 attempt(s)" in str(caught.value)
    assert caught.value.status is None
    assert caught.value.after_ambiguous_attempt is True


async def test_connection_reset_is_retried(flaky, make_client):
    flaky.queue(Reply(reset=True), Reply(reset=True), ok(CREATED))
    created = await _create(make_client())
    assert created.appointment_id == "A1" and len(flaky.requests) == 3


async def test_refused_connection_is_retried_then_reported_as_not_ambiguous(make_client):
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(base_url=f"http://127.0.0.1:{port}", max_attempts=3)
    with pytest.raises(e.ScheduCalConnectionError) as caught:
        await _create(client)
    assert "after 3 attempt(s)" in str(caught.value)
    assert caught.value.after_ambiguous_attempt is False  # the request never left


async def test_create_retried_after_a_timeout_surfaces_the_duplicate(flaky, make_client):
    """The first attempt timed out (and, on a real server, probably created it)."""
    flaky.queue(Reply(delay=0.5), err(409, "duplicate_request", "already created"))
    with pytest.raises(e.DuplicateRequest) as caught:
        await _create(make_client(timeout=0.15))
    exc = caught.value
    assert exc.after_ambiguous_attempt is True
    assert "most likely succeeded" in exc.message and "already created" in exc.message
    assert len(flaky.requests) == 2


def test_full_jitter_backoff_stays_within_its_exponential_ceiling():
    policy = RetryPolicy(backoff_base=0.5, backoff_cap=4.0, rng=random.Random(7))
    for retry in range(1, 8):
        ceiling = min(4.0, 0.5 * 2 ** (retry - 1))
        waits = [policy.backoff(retry) for _ in range(200)]
        assert all(0.0 <= w <= ceiling for w in waits)
        assert max(waits) > ceiling * 0.8  # really spread over the range, not a constant
        assert min(waits) < ceiling * 0.2
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


def test_retry_after_parsing():
    now = datetime(2026, 4, 15, 9, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("-3") == 0.0
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    earlier = format_datetime(now - timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(later, now=now) == 30
    assert parse_retry_after(earlier, now=now) == 0
    for bad in (None, "", "soon", "nan", "inf"):
        assert parse_retry_after(bad) is None


@pytest.mark.parametrize(
    ("status", "ambiguous"), [(500, True), (502, True), (504, True), (503, False)]
)
async def test_which_server_errors_make_a_later_duplicate_ambiguous(
    flaky, make_client, status, ambiguous
):
    flaky.queue(err(status, None, "trouble"), err(409, "duplicate_request", "seen it"))
    with pytest.raises(e.DuplicateRequest) as caught:
        await _create(make_client())
    assert caught.value.after_ambiguous_attempt is ambiguous
    assert ("most likely succeeded" in caught.value.message) is ambiguous


async def test_a_429_never_makes_a_retry_ambiguous(flaky, make_client):
    flaky.queue(err(429, "rate_limit_exceeded", "wait", headers={"Retry-After": "0"}))
    flaky.queue(err(409, "duplicate_request", "seen it"))
    with pytest.raises(e.DuplicateRequest) as caught:
        await _create(make_client())
    assert caught.value.after_ambiguous_attempt is False


async def test_cancel_retried_after_a_timeout_reports_already_cancelled_as_ambiguous(
    flaky, make_client
):
    flaky.queue(Reply(delay=0.5), err(404, "appointment_already_cancelled", "cancelled"))
    with pytest.raises(e.AppointmentAlreadyCancelled) as caught:
        await make_client(timeout=0.15).cancel_appointment("A1")
    assert caught.value.after_ambiguous_attempt is True  # most likely our first attempt did it
    assert "may have taken effect" in caught.value.message
