"""The sandbox as an aiohttp application and as a server you can ``async with``.

    async with SandboxServer() as sandbox:
        client = ScheduCalClient(sandbox.url, sandbox.api_key, sandbox.api_secret)

Everything is in memory and lives as long as the server.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse

from bot.sandbox import api, faults, simulate
from bot.sandbox.delivery import Dispatcher
from bot.sandbox.errors import ApiError
from bot.sandbox.keys import CONFIG, DISPATCHER, FAULTS, LIMITER, STATE, SandboxConfig
from bot.sandbox.ratelimit import RateLimiter
from bot.sandbox.state import DEFAULT_DUPLICATE_WINDOW, Event, SandboxState, Webhook
from bot.scheducal.events import EVENT_TYPES

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[StreamResponse]]


@web.middleware
async def error_envelope(request: web.Request, handler: Handler) -> StreamResponse:
    """Render every failure as the documented error envelope; never leak a traceback."""
    try:
        return await handler(request)
    except ApiError as exc:
        return web.json_response(exc.body(), status=exc.status, headers=exc.headers)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = {404: "not_found", 405: "method_not_allowed", 413: "request_too_large"}.get(
            exc.status, "invalid_request"
        )
        message = {
            404: f"no such endpoint: {request.method} {request.path}",
            405: f"{request.method} is not allowed on {request.path}",
        }.get(exc.status, exc.reason)
        body = ApiError(exc.status, code, message).body()
        return web.json_response(body, status=exc.status)
    except Exception:
        log.exception("unhandled error in %s %s", request.method, request.path)
        body = ApiError(500, "internal_error", "internal error in the sandbox").body()
        return web.json_response(body, status=500)


class PathOnlyAccessLogger(AbstractAccessLogger):
    """Access log without query strings: GET/DELETE /api/v1/webhooks carry credentials there."""

    def log(self, request: BaseRequest, response: StreamResponse, duration: float) -> None:
        self.logger.info(
            "%s %s -> %s (%.1f ms)", request.method, request.path, response.status, duration * 1e3
        )


def create_sandbox_app(
    *,
    api_key: str | None = None,
    api_secret: str | None = None,
    time_scale: float = 1.0,
    rate_limit_per_minute: int | None = 60,
    delivery_timeout: float = 5.0,
    delivery_concurrency: int = 50,
    duplicate_window: float = DEFAULT_DUPLICATE_WINDOW,
    allow_http_webhooks: bool = False,
    clock: Callable[[], float] = time.monotonic,
) -> web.Application:
    """Build the sandbox application with one account (random key/secret when not given).

    ``time_scale`` multiplies the retry delays (0.001 turns minutes into milliseconds);
    ``delivery_timeout`` is how long a receiver may take, in real seconds; ``clock`` is the
    monotonic clock of the rate limit and duplicate window (tests pass a fake one).
    """
    injected = faults.Faults()
    app = web.Application(middlewares=[error_envelope, faults.middleware(injected)])
    app[FAULTS] = injected
    state = SandboxState(duplicate_window=duplicate_window, clock=clock)
    state.add_account(api_key, api_secret)
    app[STATE] = state
    app[LIMITER] = RateLimiter(rate_limit_per_minute, clock=clock)
    app[DISPATCHER] = Dispatcher(
        state, time_scale=time_scale, timeout=delivery_timeout, concurrency=delivery_concurrency
    )
    app[CONFIG] = SandboxConfig(allow_http_webhooks=allow_http_webhooks)
    api.add_routes(app)
    simulate.add_routes(app)
    app.cleanup_ctx.append(_run_dispatcher)
    return app


async def _run_dispatcher(app: web.Application) -> AsyncIterator[None]:
    dispatcher = app[DISPATCHER]
    await dispatcher.start()
    yield
    await dispatcher.stop()


class SandboxServer:
    """A running sandbox on ``host:port`` (port 0 picks a free one); see ``url``."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        api_secret: str | None = None,
        time_scale: float = 1.0,
        rate_limit_per_minute: int | None = 60,
        delivery_timeout: float = 5.0,
        **options: Any,
    ) -> None:
        self.host = host
        self.port = port
        self.app = create_sandbox_app(
            api_key=api_key,
            api_secret=api_secret,
            time_scale=time_scale,
            rate_limit_per_minute=rate_limit_per_minute,
            delivery_timeout=delivery_timeout,
            **options,
        )
        self._runner: web.AppRunner | None = None

    # -- lifecycle ------------------------------------------------------------------
    async def start(self) -> SandboxServer:
        self._runner = web.AppRunner(self.app, access_log_class=PathOnlyAccessLogger)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])  # the real port when 0 was asked for
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SandboxServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- what clients need ----------------------------------------------------------
    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def state(self) -> SandboxState:
        return self.app[STATE]

    @property
    def dispatcher(self) -> Dispatcher:
        return self.app[DISPATCHER]

    @property
    def api_key(self) -> str:
        return next(iter(self.state.accounts.values())).api_key

    @property
    def api_secret(self) -> str:
        return next(iter(self.state.accounts.values())).api_secret

    def env(self) -> dict[str, str]:
        """The settings that point the bot at this sandbox."""
        return {
            "SCHEDUCAL_API_URL": self.url,
            "SCHEDUCAL_API_KEY": self.api_key,
            "SCHEDUCAL_API_SECRET": self.api_secret,
        }

    # -- conveniences for tests and the local shell ----------------------------------
    def add_account(
        self, api_key: str | None = None, api_secret: str | None = None
    ) -> tuple[str, str]:
        """Another account (own rate limit, Gmail priming, webhooks); returns (key, secret)."""
        account = self.state.add_account(api_key, api_secret)
        return account.api_key, account.api_secret

    def register_webhook(
        self,
        url: str,
        event_types: Iterable[str] = EVENT_TYPES,
        *,
        secret: str | None = None,
        api_key: str | None = None,
    ) -> Webhook:
        """Register a webhook without an HTTP call (``secret`` lets a test fix it)."""
        account = self.state.accounts[api_key or self.api_key]
        return self.state.add_webhook(account, url, event_types, secret)

    def fail_next(
        self,
        status: int | None = 503,
        *,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
        retry_after: int | None = None,
        delay: float = 0.0,
    ) -> None:
        """Make the next ``times`` matching /api/v1 requests fail with ``status``.

        429 carries ``Retry-After`` (``retry_after``, default 1); 502/503/504 answer with an
        HTML page as a gateway would; ``delay`` waits first (``status=None``: then answers
        normally), to trip client timeouts. ``path`` is a prefix such as
        ``/api/v1/appointments``.
        """
        self.app[FAULTS].add(faults.Fault(status, times, method, path, retry_after, delay))

    @property
    def events(self) -> list[Event]:
        return list(self.state.events.values())

    async def wait_idle(self, timeout: float = 10.0, *, retries: bool = True) -> None:
        """Wait until every delivery has been delivered, given up or abandoned.

        ``retries=False``: only until nothing is queued or in flight (a delivery waiting
        for its next retry does not count). Raises ``TimeoutError`` after ``timeout``.
        """
        await self.dispatcher.wait_idle(timeout, retries=retries)
