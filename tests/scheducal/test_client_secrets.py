"""The API key and secret never show in repr, exception text, tracebacks or logs."""

from __future__ import annotations

import logging
import socket
import traceback
from datetime import datetime
from urllib.parse import quote

import pytest

from bot.scheducal import errors as e
from tests.scheducal.conftest import API_KEY, API_SECRET
from tests.scheducal.flaky import Reply, err

FORBIDDEN = (API_KEY, API_SECRET, quote(API_KEY, safe=""), quote(API_SECRET, safe=""))


def _assert_clean(text: str) -> None:
    for secret in FORBIDDEN:
        assert secret not in text


def _all_text(exc: BaseException) -> str:
    return "\n".join(
        [str(exc), repr(exc), exc.message, *traceback.format_exception(exc)]  # type: ignore[attr-defined]
    )


def test_repr_of_the_client_hides_the_credentials(make_client):
    client = make_client(rate_limit_per_minute=60)
    _assert_clean(repr(client) + str(client) + repr(vars(client)))
    assert "ScheduCalClient(base_url=" in repr(client)


async def test_server_messages_echoing_credentials_are_scrubbed(flaky, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    flaky.queue(
        err(401, "invalid_credentials", f"key {API_KEY} with secret {API_SECRET} is revoked"),
        Reply(400, body=f"<p>bad request apiSecret={quote(API_SECRET)}</p>".encode()),
        *[err(500, "internal_error", f"crashed on {API_SECRET}")] * 4,
    )
    client = make_client()
    caught: list[e.ScheduCalError] = []
    for _ in range(3):
        with pytest.raises(e.ScheduCalError) as info:
            await client.list_webhooks()  # credentials in the query string
        caught.append(info.value)
    assert [type(x) for x in caught] == [
        e.InvalidCredentials,
        e.ScheduCalProtocolError,
        e.ScheduCalServerError,
    ]
    assert "[redacted]" in caught[0].message  # the rest of the sentence is kept
    for exc in caught:
        _assert_clean(_all_text(exc))
    assert any("retry" in r.getMessage() for r in caplog.records)  # the 500s were logged
    _assert_clean(caplog.text)
    for record in caplog.records:
        _assert_clean(record.getMessage())


async def test_network_failures_leak_nothing(flaky, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    refused = make_client(base_url=f"http://127.0.0.1:{port}", max_attempts=2)
    flaky.queue(Reply(delay=0.5), Reply(reset=True))
    slow = make_client(timeout=0.15, max_attempts=2)
    failures = []
    for call in (
        refused.list_webhooks(),
        refused.delete_webhook("w1"),
        slow.create_appointment(
            start=datetime(2026, 4, 15, 9), end=datetime(2026, 4, 15, 10), time_zone="UTC"
        ),
    ):
        with pytest.raises(e.ScheduCalConnectionError) as info:
            await call
        failures.append(info.value)
    for exc in failures:
        _assert_clean(_all_text(exc))
        assert exc.__cause__ is None and exc.__suppress_context__  # no chained aiohttp text
    _assert_clean(caplog.text)
