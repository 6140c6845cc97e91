"""`scheducal-bot serve`: the Slack app and the webhook receiver in one aiohttp server.

Slack reaches the app over HTTP at /slack/events, or over Socket Mode when SLACK_APP_TOKEN
is set (then no public URL is needed for Slack; ScheduCal webhooks still need HTTP).
A SQLite database is brought up to date on start; PostgreSQL deployments migrate in the
release phase (`scheducal-bot db upgrade`, see the Procfile).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.config import Settings

if TYPE_CHECKING:
    from bot.store.db import Database

log = logging.getLogger("scheducal.serve")

SOCKET_CLOSE_TIMEOUT = 5.0
REQUIRED_SETTINGS = ("SLACK_BOT_TOKEN", "SCHEDUCAL_API_KEY", "SCHEDUCAL_API_SECRET")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="interface to bind (default: HOST, else 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default: PORT, else 3000)")


def required_settings(settings: Settings) -> tuple[str, ...]:
    """Socket Mode requests are not signed, so the signing secret is needed only for HTTP."""
    if settings.slack_app_token:
        return REQUIRED_SETTINGS
    return (*REQUIRED_SETTINGS, "SLACK_SIGNING_SECRET")


def secrets_of(settings: Settings) -> list[str]:
    return [
        settings.slack_bot_token,
        settings.slack_signing_secret,
        settings.slack_app_token,
        settings.scheducal_api_key,
        settings.scheducal_api_secret,
        *settings.scheducal_webhook_secrets,
    ]


class ServeError(Exception):
    """Start-up failed for a reason the operator can fix; the message says how."""


@dataclass
class RunningServer:
    runner: web.AppRunner
    url: str  # http://host:port (no trailing slash)

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_http(app: web.Application, host: str, port: int) -> RunningServer:
    """Serve ``app`` on host:port (port 0 picks a free one) and return its base URL."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    sockets = runner.addresses
    bound_port = sockets[0][1] if sockets else port
    shown_host = f"[{host}]" if ":" in host else host
    return RunningServer(runner, f"http://{shown_host}:{bound_port}")


async def migrate_if_sqlite(settings: Settings, db: Database) -> None:
    """SQLite is migrated on start; PostgreSQL in the release phase (`db upgrade`)."""
    if db.is_sqlite:
        log.info("bringing the SQLite database up to date")
        await db.upgrade()


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    from slack_sdk.errors import SlackApiError

    from bot.services import Services
    from bot.slack.operations import recover_stuck_sends
    from bot.web import BOLT_KEY, create_web_app

    stop = stop or asyncio.Event()
    async with Services.start(settings) as services:
        await migrate_if_sqlite(settings, services.db)
        try:
            await recover_stuck_sends(services, now=datetime.now(UTC))
        except Exception as exc:  # noqa: BLE001 - e.g. a database not migrated yet
            log.warning(
                "could not check for interrupted sends (%s); is the database migrated "
                "(scheducal-bot db upgrade)?",
                type(exc).__name__,
            )
        app = create_web_app(settings, services)
        server = await start_http(app, settings.host, settings.port)
        socket_handler = None
        try:
            log.info("listening on %s", server.url)
            if settings.slack_app_token:
                from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

                # slack_sdk's Socket Mode client retries a refused token forever; check it
                # once here so a wrong SLACK_APP_TOKEN stops start-up with one line.
                try:
                    await services.slack.apps_connections_open(app_token=settings.slack_app_token)
                except SlackApiError as exc:
                    raise ServeError(
                        "could not open a Socket Mode connection "
                        f"({exc.response.get('error')}): check SLACK_APP_TOKEN (xapp-...) "
                        "and that Socket Mode is enabled for the app"
                    ) from None
                socket_handler = AsyncSocketModeHandler(
                    app[BOLT_KEY], settings.slack_app_token, web_client=services.slack
                )
                # connect_async() retries an unreachable WebSocket forever: a stop must win.
                if await _until_stopped(socket_handler.connect_async(), stop):
                    log.info("connected to Slack over Socket Mode")
            await stop.wait()
        finally:
            if socket_handler is not None:
                try:
                    await asyncio.wait_for(socket_handler.close_async(), SOCKET_CLOSE_TIMEOUT)
                except TimeoutError:
                    log.warning("the Socket Mode connection did not close in time")
            await server.stop()


async def _until_stopped(work: Coroutine[Any, Any, Any], stop: asyncio.Event) -> bool:
    """Run ``work`` unless ``stop`` is set first (then cancel it); True when it finished."""
    task = asyncio.ensure_future(work)
    waiter = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    if task.done():
        task.result()  # re-raise its failure
        return True
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return False


def run(args: argparse.Namespace) -> int:
    from bot.logsetup import configure_logging

    settings = Settings.from_env()
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v}
    if overrides:
        settings = settings.with_overrides(**overrides)
    settings.require(*required_settings(settings))
    configure_logging(settings.log_level, secrets_of(settings))

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, stop)

    try:
        asyncio.run(main())
    except ServeError as exc:
        print(f"scheducal-bot: {exc}", file=sys.stderr)
        return 1
    return 0
