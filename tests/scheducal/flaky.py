"""A deliberately unreliable HTTP server for the client's retry, timeout and limiter tests.

Each request takes the next scripted :class:`Reply` (any method, any path); when the
script is empty, ``default`` answers. Every request is recorded with its arrival time,
so tests can check what the client sent and how long it waited between attempts.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Reply:
    status: int = 200
    json: Any = None  # serialised as the body when ``body`` is None
    body: bytes | None = None  # raw body, e.g. an HTML error page
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (longer than the client timeout = timeout)
    reset: bool = False  # abort the TCP connection (RST) instead of answering


def ok(data: Any, status: int = 200) -> Reply:
    """A success envelope around ``data``."""
    return Reply(status, {"success": True, "message": "ok", "data": data, "apiVersion": "v1"})


def err(
    status: int,
    code: str | None,
    message: str,
    *,
    param: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Reply:
    """An error envelope as the docs show it."""
    error: dict[str, Any] = {"code": code, "param": param, **(extra or {})}
    envelope = {"success": False, "message": message, "error": error}
    return Reply(status, envelope, None, headers or {})


@dataclass
class Recorded:
    method: str
    path: str  # raw (still percent-encoded) path
    query: dict[str, str]
    json: Any
    at: float  # time.monotonic() on arrival


class FlakyServer:
    def __init__(self) -> None:
        self.script: deque[Reply] = deque()
        self.default: Reply = ok({})
        self.requests: list[Recorded] = []
        self.user_agents: list[str] = []
        self.url = ""
        self._runner: web.AppRunner | None = None

    def queue(self, *replies: Reply) -> None:
        self.script.extend(replies)

    async def __aenter__(self) -> FlakyServer:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.2, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        self.requests.append(
            Recorded(request.method, request.raw_path.split("?")[0], dict(request.query), body,
                     time.monotonic())
        )  # fmt: skip
        self.user_agents.append(request.headers.get("User-Agent", ""))
        reply = self.script.popleft() if self.script else self.default
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.reset:
            transport = request.transport
            assert transport is not None
            sock = transport.get_extra_info("socket")
            # Linger 0: close() sends RST, which the client sees as "connection reset".
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
            raise asyncio.CancelledError  # nothing more to answer on this connection
        body_bytes = reply.body if reply.body is not None else json.dumps(reply.json).encode()
        content_type = "application/json" if reply.body is None else "text/html"
        return web.Response(
            status=reply.status, body=body_bytes, headers=reply.headers, content_type=content_type
        )
