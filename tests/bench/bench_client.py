"""Round-trip time of ScheduCal client calls against the local sandbox.

    python -m tests.bench.bench_client [--calls 300] [--in-process]

By default the sandbox runs in its own process (`scheducal-bot sandbox`, rate limit off),
so the figures are the client's event loop plus loopback HTTP plus the sandbox's
handling, as a deployed bot would see them against a very fast ScheduCal. The client's
limiter is disabled. For create and update, a bare aiohttp request with the same JSON
body is timed too: the difference is what the client itself adds (building the body,
envelope checks, typed results, retry bookkeeping).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp

from bot.scheducal.client import ScheduCalClient

START = datetime(2026, 4, 15, 9, 0)
CREATE, INVITE, UPDATE, CANCEL = (
    "create_appointment", "invite", "update_appointment", "cancel_appointment",
)  # fmt: skip
BARE_CREATE, BARE_UPDATE = "bare aiohttp: create", "bare aiohttp: update"
NAMES = (CREATE, INVITE, UPDATE, CANCEL, BARE_CREATE, BARE_UPDATE)


@dataclass
class Target:
    url: str
    api_key: str
    api_secret: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.asynccontextmanager
async def sandbox_process() -> AsyncIterator[Target]:
    port = _free_port()
    key, secret = "sk_bench_" + secrets.token_hex(8), "ss_bench_" + secrets.token_hex(12)
    command = [
        sys.executable,
        "-c",
        "import sys; from bot.cli import main; sys.exit(main())",
        "sandbox",
        "--port", str(port),
        "--api-key", key,
        "--api-secret", secret,
        "--rate-limit", "0",
        "--log-level", "WARNING",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the sandbox exited: {process.stderr.read().decode()[-500:]}")  # type: ignore[union-attr]
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("the sandbox did not start within 15 s")
            await asyncio.sleep(0.05)
        yield Target(f"http://127.0.0.1:{port}", key, secret)
    finally:
        process.terminate()
        process.wait(10)


@contextlib.asynccontextmanager
async def sandbox_in_process() -> AsyncIterator[Target]:
    from bot.sandbox.server import SandboxServer

    async with SandboxServer(rate_limit_per_minute=None) as server:
        yield Target(server.url, server.api_key, server.api_secret)


async def timed(call: Awaitable[object], into: list[float]) -> None:
    """Await one call (a coroutine does nothing until awaited) and record its milliseconds."""
    started = time.perf_counter()
    await call
    into.append((time.perf_counter() - started) * 1000)


def _row(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"{name:<28} {len(samples):>6} {statistics.median(ordered):>8.2f} {p99:>8.2f}"
        f" {statistics.fmean(ordered):>8.2f}"
    )


async def bench(target: Target, calls: int) -> dict[str, list[float]]:
    """Time each operation ``calls`` times, one call at a time.

    Client and bare calls alternate, so both see the sandbox in the same state (its
    duplicate check looks at every appointment of the last 10 minutes).
    """
    samples: dict[str, list[float]] = {name: [] for name in NAMES}
    creds = {"apiKey": target.api_key, "apiSecret": target.api_secret}
    async with aiohttp.ClientSession() as session:
        client = ScheduCalClient(
            target.url, target.api_key, target.api_secret, session=session,
            rate_limit_per_minute=None,
        )  # fmt: skip

        def body(i: int, tag: str) -> dict[str, str]:
            start = START + timedelta(minutes=30 * i)
            return {
                "appointmentStart": start.isoformat(),
                "appointmentEnd": (start + timedelta(minutes=30)).isoformat(),
                "appointmentTimeZone": "America/New_York",
                "appointmentSubject": f"{tag} {i}",
                "appointmentLocation": "Room 1",
            }

        async def client_create(i: int, tag: str) -> str:
            fields = body(i, tag)
            created = await client.create_appointment(
                start=datetime.fromisoformat(fields["appointmentStart"]),
                end=datetime.fromisoformat(fields["appointmentEnd"]),
                time_zone=fields["appointmentTimeZone"],
                subject=fields["appointmentSubject"],
                location=fields["appointmentLocation"],
            )
            return created.appointment_id

        async def bare(method: str, path: str, fields: dict[str, str]) -> dict:
            async with session.request(method, target.url + path, json={**creds, **fields}) as r:
                payload = await r.json()
                assert payload["success"], payload
                return payload["data"]

        for i in range(20):  # warm-up: connections, caches
            await client_create(i, "warm-up")
        ids: list[str] = []
        bare_ids: list[str] = []

        async def keep(into: list[str], call: Awaitable[str]) -> None:
            into.append(await call)

        async def bare_create(i: int) -> str:
            return (await bare("POST", "/api/v1/appointments", body(i, "bare")))["appointmentId"]

        for i in range(calls):
            await timed(keep(ids, client_create(i, "client")), samples[CREATE])
            await timed(keep(bare_ids, bare_create(i)), samples[BARE_CREATE])
        for i in range(calls):
            await timed(
                client.invite(ids[i], name=f"Guest {i}", email=f"guest{i}@example.com"),
                samples[INVITE],
            )
        for i in range(calls):
            await timed(client.update_appointment(ids[i], subject=f"renamed {i}"), samples[UPDATE])
            path = f"/api/v1/appointments/{bare_ids[i]}"
            await timed(
                bare("PUT", path, {"appointmentSubject": f"renamed {i}"}),
                samples[BARE_UPDATE],
            )
        for i in range(calls):
            await timed(client.cancel_appointment(ids[i], comment="bench"), samples[CANCEL])
    return samples


async def main_async(args: argparse.Namespace) -> None:
    runner = sandbox_in_process if args.in_process else sandbox_process
    async with runner() as target:
        results = await bench(target, args.calls)
    where = "in this process" if args.in_process else "in its own process"
    print(f"ScheduCal client round trip against the sandbox ({where}), limiter off")
    print(
        f"python {platform.python_version()}, aiohttp {aiohttp.__version__}, "
        f"{os.cpu_count()} CPU(s), {platform.machine()}"
    )
    print(f"{'call':<28} {'n':>6} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for name in NAMES:
        print(_row(name, results[name]))
    for client_name, bare_name in ((CREATE, BARE_CREATE), (UPDATE, BARE_UPDATE)):
        overhead = statistics.median(results[client_name]) - statistics.median(results[bare_name])
        print(f"client overhead on {client_name} (p50 difference): {overhead:+.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=300, help="calls per operation")
    parser.add_argument(
        "--in-process", action="store_true", help="run the sandbox on the same event loop"
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
