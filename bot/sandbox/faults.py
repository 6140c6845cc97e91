"""Injected failures for the API, so callers can rehearse what the real service may do.

A fault matches the next ``/api/v1`` requests (optionally only one method and/or path
prefix) and answers in place of the API, before credentials are checked, the way a load
balancer or an overloaded backend would: 429 with ``Retry-After``, a JSON 500, an HTML
502/503/504 page, or a slow answer (``delay``) that trips a client's timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.web_response import StreamResponse

from bot.sandbox.errors import ApiError

_GATEWAY_PAGE = "<html><body><h1>{status} {reason}</h1>upstream unavailable</body></html>"


@dataclass
class Fault:
    status: int | None = 503  # None: answer normally, after ``delay``
    times: int = 1
    method: str | None = None
    path: str | None = None  # prefix, e.g. "/api/v1/appointments"
    retry_after: int | None = None
    delay: float = 0.0

    def matches(self, request: web.Request) -> bool:
        if self.method and request.method != self.method.upper():
            return False
        return not self.path or request.path.startswith(self.path)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "times": self.times,
            "method": self.method,
            "path": self.path,
            "retryAfter": self.retry_after,
            "delay": self.delay,
        }

    def response(self) -> web.Response:
        assert self.status is not None
        if self.status == 429:
            wait = self.retry_after if self.retry_after is not None else 1
            return web.json_response(
                ApiError(429, "rate_limit_exceeded", "rate limit exceeded (injected)").body(),
                status=429,
                headers={"Retry-After": str(wait)},
            )
        if self.status in (502, 503, 504):
            reason = web.Response(status=self.status).reason
            headers = {"Retry-After": str(self.retry_after)} if self.retry_after else None
            return web.Response(
                status=self.status,
                text=_GATEWAY_PAGE.format(status=self.status, reason=reason),
                content_type="text/html",
                headers=headers,
            )
        code = "internal_error" if self.status >= 500 else "injected_fault"
        body = ApiError(self.status, code, f"injected failure ({self.status})").body()
        return web.json_response(body, status=self.status)


class Faults:
    """The queue of pending faults; the first matching one is used and counted down."""

    def __init__(self) -> None:
        self.pending: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        if fault.times < 1:
            raise ValueError("times must be at least 1")
        if fault.status is not None and not 400 <= fault.status <= 599:
            raise ValueError("status must be an HTTP error status (400-599) or None")
        self.pending.append(fault)
        return fault

    def clear(self) -> None:
        self.pending.clear()

    def take(self, request: web.Request) -> Fault | None:
        for fault in self.pending:
            if fault.matches(request):
                fault.times -= 1
                if fault.times == 0:
                    self.pending.remove(fault)
                return fault
        return None


Handler = Callable[[web.Request], Awaitable[StreamResponse]]


def middleware(faults: Faults) -> Callable[[web.Request, Handler], Awaitable[StreamResponse]]:
    @web.middleware
    async def inject(request: web.Request, handler: Handler) -> StreamResponse:
        fault = faults.take(request) if request.path.startswith("/api/") else None
        if fault is None:
            return await handler(request)
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.status is None:
            return await handler(request)
        return fault.response()

    return inject
