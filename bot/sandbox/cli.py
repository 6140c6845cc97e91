"""`scheducal-bot sandbox`: run the local ScheduCal-compatible API server in the foreground."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # heavy imports stay inside run(): `scheducal-bot --help` must be quick
    from bot.sandbox.server import SandboxServer
    from bot.sandbox.state import Webhook


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _rate(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 (no limit) or more")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765)")
    parser.add_argument("--api-key", help="API key to accept (default: a random one, printed)")
    parser.add_argument("--api-secret", help="API secret to accept (default: random, printed)")
    parser.add_argument(
        "--time-scale",
        type=_positive_float,
        default=1.0,
        help="multiply webhook retry delays (1 min .. 2 h) by this; 0.001 = milliseconds",
    )
    parser.add_argument(
        "--rate-limit",
        type=_rate,
        default=60,
        help="API requests per minute per account; 0 disables the limit (default 60)",
    )
    parser.add_argument(
        "--delivery-timeout",
        type=_positive_float,
        default=5.0,
        help="seconds a webhook receiver has to answer (default 5, as documented)",
    )
    parser.add_argument(
        "--webhook-url",
        help="register a webhook for every event type to this URL at start-up",
    )
    parser.add_argument(
        "--webhook-secret",
        help="whsec_ secret for --webhook-url (default: a random one, printed)",
    )
    parser.add_argument(
        "--allow-http-webhooks",
        action="store_true",
        help="accept plain http:// webhook URLs to any host (loopback is always accepted)",
    )
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR")


def run(args: argparse.Namespace) -> int:
    from bot.sandbox.api import check_webhook_url
    from bot.sandbox.errors import ApiError

    if args.webhook_secret and not args.webhook_secret.startswith("whsec_"):
        return _fail("--webhook-secret must start with whsec_", 2)
    if args.webhook_url:
        try:
            check_webhook_url(args.webhook_url, allow_http=args.allow_http_webhooks)
        except ApiError as exc:
            return _fail(f"--webhook-url: {exc.message}", 2)
    return asyncio.run(_serve(args))


def _fail(message: str, code: int) -> int:
    print(f"scheducal-bot sandbox: {message}", file=sys.stderr)
    return code


async def _serve(args: argparse.Namespace) -> int:
    from bot.logsetup import configure_logging
    from bot.sandbox.server import SandboxServer

    sandbox = SandboxServer(
        host=args.host,
        port=args.port,
        api_key=args.api_key,
        api_secret=args.api_secret,
        time_scale=args.time_scale,
        rate_limit_per_minute=args.rate_limit or None,
        delivery_timeout=args.delivery_timeout,
        allow_http_webhooks=args.allow_http_webhooks,
    )
    webhook = None
    if args.webhook_url:
        webhook = sandbox.register_webhook(args.webhook_url, secret=args.webhook_secret)
    # Logging starts only once every secret (including random ones) is known to the filter.
    secrets = [sandbox.api_key, sandbox.api_secret] + ([webhook.secret] if webhook else [])
    configure_logging(args.log_level, secrets=secrets)
    try:
        await sandbox.start()
    except OSError as exc:
        await sandbox.stop()
        reason = exc.strerror or str(exc)
        return _fail(f"cannot listen on {args.host}:{args.port}: {reason}", 1)
    try:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        print(_banner(sandbox, args, webhook), flush=True)
        await stop.wait()
    finally:
        await sandbox.stop()
    print("sandbox stopped", flush=True)
    return 0


def _banner(sandbox: SandboxServer, args: argparse.Namespace, webhook: Webhook | None) -> str:
    limit = f"{args.rate_limit}/min per account" if args.rate_limit else "off"
    lines = [
        f"ScheduCal sandbox listening on {sandbox.url}",
        "  API under /api/v1; sandbox tools listed at GET /sandbox",
        f"  rate limit: {limit}; retry delays x{args.time_scale:g}; "
        f"receiver timeout {args.delivery_timeout:g} s",
        "",
        "Point the bot at it with:",
        *(f"  {name}={value}" for name, value in sandbox.env().items()),
    ]
    if webhook is not None:
        lines.append(f"  SCHEDUCAL_WEBHOOK_SECRET={webhook.secret}")
        lines += ["", f"Webhook {webhook.id} -> {webhook.url} (every event type)"]
    lines += ["", "Press Ctrl-C to stop."]
    return "\n".join(lines)
