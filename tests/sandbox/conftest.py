"""Shared pieces for the sandbox tests: a running sandbox, raw HTTP helpers, a webhook receiver.

Everything runs over real HTTP on 127.0.0.1 (port 0). The API is called with plain
aiohttp requests, not the project's client, so these tests pin the wire format itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.sandbox.server import SandboxServer

START = "2026-04-15T09:00:00"
END = "2026-04-15T10:00:00"
ZONE = "America/New_York"


class FakeClock:
    """A monotonic clock the test moves by hand (rate-limit and duplicate windows)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Reply:
    status: int
    body: dict[str, Any]
    headers: Any

    @property
    def data(self) -> Any:
        assert self.body.get("success") is True, self.body
        return self.body["data"]

    @property
    def error(self) -> dict[str, Any]:
        assert self.body.get("success") is False, self.body
        assert isinstance(self.body.get("message"), str) and self.body["message"]
        return self.body["error"]


class Api:
    """Raw calls against a sandbox: credentials placed exactly where the docs put them."""

    def __init__(self, session: aiohttp.ClientSession, sandbox: SandboxServer) -> None:
        self.session = session
        self.base = sandbox.url
        self.key = sandbox.api_key
        self.secret = sandbox.api_secret

    @property
    def creds(self) -> dict[str, str]:
        return {"apiKey": self.key, "apiSecret": self.secret}

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: dict[str, str] | None = None,
        auth: bool = True,
        raw: bytes | None = None,
    ) -> Reply:
        kwargs: dict[str, Any] = {"params": params}
        if raw is not None:
            kwargs["data"] = raw
            kwargs["headers"] = {"Content-Type": "application/json"}
        elif body is not None or auth:
            payload = dict(body or {})
            if auth:
                payload = {**self.creds, **payload}
            kwargs["json"] = payload
        async with self.session.request(method, self.base + path, **kwargs) as response:
            assert response.content_type == "application/json", await response.text()
            return Reply(response.status, await response.json(), response.headers)

    async def create(self, **fields: Any) -> Reply:
        body = {
            "appointmentStart": START,
            "appointmentEnd": END,
            "appointmentTimeZone": ZONE,
            "appointmentSubject": "Quarterly Business Review",
            **fields,
        }
        return await self.call("POST", "/api/v1/appointments", {k: v for k, v in body.items()})

    async def create_id(self, **fields: Any) -> str:
        reply = await self.create(**fields)
        assert reply.status == 201, reply.body
        return reply.data["appointmentId"]

    async def get_webhooks(self, **creds: str) -> Reply:
        return await self.call("GET", "/api/v1/webhooks", params=creds or self.creds, auth=False)

    async def sandbox(self, method: str, path: str, body: Any = None) -> Reply:
        return await self.call(method, "/sandbox" + path, body, auth=False)


@dataclass
class Received:
    at: float
    body: bytes
    headers: dict[str, str]


# behaviour(n) -> (status, delay seconds) for the n-th request (1-based)
Behaviour = Callable[[int], tuple[int, float]]


@dataclass
class Receiver:
    """A real webhook endpoint that records every request and answers as told."""

    behaviour: Behaviour = lambda n: (200, 0.0)
    requests: list[Received] = field(default_factory=list)
    url: str = ""
    release: asyncio.Event = field(default_factory=asyncio.Event)
    arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.requests.append(Received(time.monotonic(), body, dict(request.headers)))
        status, delay = self.behaviour(len(self.requests))
        async with self.arrived:
            self.arrived.notify_all()
        if delay:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.release.wait(), delay)
        return web.Response(status=status, text="ok" if status < 300 else "nope")

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        async with self.arrived:
            await asyncio.wait_for(
                self.arrived.wait_for(lambda: len(self.requests) >= count), timeout
            )
        return self.requests


async def start_receiver(receiver: Receiver) -> web.AppRunner:
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    receiver.url = f"http://127.0.0.1:{port}/hook"
    return runner


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    recv = Receiver()
    runner = await start_receiver(recv)
    yield recv
    recv.release.set()
    await runner.cleanup()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def sandbox(clock: FakeClock) -> AsyncIterator[SandboxServer]:
    async with SandboxServer(
        time_scale=0.0001, rate_limit_per_minute=None, delivery_timeout=1.0, clock=clock
    ) as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def api(http: aiohttp.ClientSession, sandbox: SandboxServer) -> Api:
    return Api(http, sandbox)
