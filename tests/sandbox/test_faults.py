"""Injected failures: the sandbox can play an overloaded or broken ScheduCal on demand."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from bot.sandbox.server import SandboxServer
from tests.sandbox.conftest import Api


async def test_fail_next_then_recover(api: Api, sandbox: SandboxServer) -> None:
    sandbox.fail_next(500, times=2, method="POST", path="/api/v1/appointments")
    assert (await api.get_webhooks()).status == 200  # other endpoints are untouched
    for _ in range(2):
        reply = await api.create()
        assert reply.status == 500
        assert reply.error == {"code": "internal_error", "param": None}
    assert (await api.create()).status == 201
    assert sandbox.state.appointments  # only the third call created anything
    assert len(sandbox.state.appointments) == 1


async def test_injected_429_has_retry_after(api: Api, sandbox: SandboxServer) -> None:
    sandbox.fail_next(429, retry_after=7)
    reply = await api.get_webhooks()
    assert reply.status == 429
    assert reply.headers["Retry-After"] == "7"
    assert reply.error["code"] == "rate_limit_exceeded"


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_gateway_errors_are_html_like_a_load_balancer(
    http: aiohttp.ClientSession, sandbox: SandboxServer, status: int
) -> None:
    sandbox.fail_next(status)
    async with http.get(f"{sandbox.url}/api/v1/webhooks") as response:
        assert response.status == status
        assert response.content_type == "text/html"
        assert str(status) in await response.text()


async def test_delay_then_normal_answer_trips_a_short_timeout(
    http: aiohttp.ClientSession, sandbox: SandboxServer
) -> None:
    sandbox.fail_next(None, delay=1.0)
    params = {"apiKey": sandbox.api_key, "apiSecret": sandbox.api_secret}
    with pytest.raises(TimeoutError):
        async with http.get(
            f"{sandbox.url}/api/v1/webhooks",
            params=params,
            timeout=aiohttp.ClientTimeout(total=0.1),
        ):
            pass
    began = time.monotonic()
    async with http.get(f"{sandbox.url}/api/v1/webhooks", params=params) as response:
        assert response.status == 200
    assert time.monotonic() - began < 0.8  # the one-shot delay was used up
    await asyncio.sleep(1.0)  # let the delayed handler finish before teardown


async def test_faults_over_http(api: Api) -> None:
    armed = await api.sandbox("POST", "/faults", {"status": 503, "times": 3, "method": "put"})
    assert armed.status == 201
    listed = (await api.sandbox("GET", "/faults")).data["faults"]
    assert listed == [
        {"status": 503, "times": 3, "method": "put", "path": None, "retryAfter": None,
         "delay": 0.0}
    ]  # fmt: skip
    appointment_id = await api.create_id()
    path = f"/api/v1/appointments/{appointment_id}"
    async with api.session.put(api.base + path, json={**api.creds}) as response:
        assert response.status == 503
    cleared = await api.sandbox("DELETE", "/faults")
    assert cleared.data == {"faults": []}
    reply = await api.call("PUT", path, {"appointmentSubject": "fine"})
    assert reply.status == 200


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"status": 200}, None),
        ({"status": "500"}, "status"),
        ({"times": 0}, None),
        ({"delay": -1}, "delay"),
        ({"retryAfter": 1.5}, "retryAfter"),
    ],
)
async def test_fault_validation(api: Api, body: dict, param: str | None) -> None:
    reply = await api.sandbox("POST", "/faults", body)
    assert reply.status == 400
    assert reply.error == {"code": "invalid_field", "param": param}
