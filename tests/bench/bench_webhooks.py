"""Webhook pipeline figures: receiver vs a bare aiohttp handler, and 10,000 events end to end.

    python -m tests.bench.bench_webhooks [--part 1|2|all] [--database-url URL]
        [--requests 5000] [--concurrency 50] [--rate 500] [--seconds 10]
        [--events 10000] [--duplicates 0.2] [--send-rate 500]

Part 1 — the receiver alone, in its own process (signature check, JSON + envelope,
group-committed ``INSERT ... ON CONFLICT DO NOTHING`` into the inbox; no worker), against
a bare aiohttp handler that only answers 200, also in its own process, in the same run:
(a) closed-loop throughput with ``--concurrency`` requests in flight, as a ratio
receiver/bare; (b) open-loop latency at a fixed ``--rate`` for ``--seconds``
(latency counted from the scheduled send time, so queueing is not hidden).

Part 2 — ``scheducal-bot serve`` in its own process, devslack in this one: ``--events``
deliveries of which ``--duplicates`` are repeats of earlier ones, shuffled, sent at
``--send-rate``; 100 appointments in the store with parent messages. Counts events never
posted (lost) and posted more than once, and the webhook-to-Slack latency (sending the
first delivery -> devslack receiving the thread reply; same monotonic clock).
The load generator is Python (aiohttp) on the same machine, so it takes CPU from the
server under test; both sides of part 1 pay that equally.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from bot.scheducal.signing import SIGNATURE_HEADER, sign

SECRET = "whsec_bench_" + "x" * 24
ROUTE = "/webhooks/scheducal"
ZONE = "America/New_York"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def envelope(event_id: str, appointment_id: str, email: str, responded_at: datetime) -> bytes:
    stamp = responded_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps(
        {
            "id": event_id,
            "eventType": "attendee.responded",
            "timestamp": stamp,
            "apiVersion": "v1",
            "data": {
                "appointmentId": appointment_id,
                "subject": "Bench",
                "start": "2026-04-15T09:00:00",
                "end": "2026-04-15T10:00:00",
                "timeZone": ZONE,
                "location": None,
                "attendee": {
                    "name": email.split("@")[0],
                    "email": email,
                    "response": random.choice(["accepted", "declined", "tentativelyAccepted"]),
                    "respondedAt": stamp,
                },
            },
        }
    ).encode()


# --- servers (each runs in its own process) ---------------------------------------------


async def _serve_forever(app: Any, port: int) -> None:
    from aiohttp import web

    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print("ready", flush=True)
    await asyncio.Event().wait()


async def _serve_bare(port: int) -> None:
    from aiohttp import web

    async def handler(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post(ROUTE, handler)
    await _serve_forever(app, port)


async def _serve_receiver(port: int, database_url: str) -> None:
    from aiohttp import web

    from bot.store.db import Database
    from bot.webhooks.batcher import InboxWriter
    from bot.webhooks.receiver import WebhookReceiver
    from bot.webhooks.secrets import SecretRing

    db = Database(database_url)
    await db.upgrade()
    writer = InboxWriter(db)
    await writer.start()
    ring = SecretRing([SECRET], db=db, api_secret="bench")
    app = web.Application()
    app.router.add_post(ROUTE, WebhookReceiver(secrets=ring, store=writer.store).handle)
    await _serve_forever(app, port)


@contextlib.asynccontextmanager
async def server_process(kind: str, database_url: str = "") -> AsyncIterator[str]:
    port = _free_port()
    command = [sys.executable, "-m", "tests.bench.bench_webhooks", "--serve", kind,
               "--port", str(port), "--database-url", database_url]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None
        line = await asyncio.to_thread(process.stdout.readline)
        if b"ready" not in line:
            raise RuntimeError(f"{kind} server did not start")
        yield f"http://127.0.0.1:{port}{ROUTE}"
    finally:
        process.terminate()
        process.wait(10)


# --- load generation --------------------------------------------------------------------


async def _post(http: aiohttp.ClientSession, url: str, body: bytes) -> int:
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, SECRET)}
    async with http.post(url, data=body, headers=headers) as response:
        await response.read()
        return response.status


async def closed_loop(url: str, bodies: list[bytes], concurrency: int) -> tuple[float, int]:
    """Requests per second with ``concurrency`` in flight; returns (rate, non-2xx count)."""
    queue = list(reversed(bodies))
    failures = 0

    async def runner(http: aiohttp.ClientSession) -> None:
        nonlocal failures
        while queue:
            if await _post(http, url, queue.pop()) >= 300:
                failures += 1

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        await _post(http, url, bodies[0])  # warm-up (and the first insert)
        started = time.perf_counter()
        await asyncio.gather(*(runner(http) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return (len(bodies) - 1) / elapsed, failures


async def open_loop(url: str, bodies: list[bytes], rate: float) -> tuple[list[float], int, float]:
    """Send at ``rate``/s regardless of answers; latency from the scheduled time (ms)."""
    latencies: list[float] = []
    failures = 0

    async def one(http: aiohttp.ClientSession, body: bytes, at: float) -> None:
        nonlocal failures
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        status = await _post(http, url, body)
        latencies.append((time.perf_counter() - at) * 1000)
        if status >= 300:
            failures += 1

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        start = time.perf_counter() + 0.2
        await asyncio.gather(*(one(http, b, start + i / rate) for i, b in enumerate(bodies)))
        achieved = len(bodies) / (time.perf_counter() - start)
    return latencies, failures, achieved


def _bodies(count: int) -> list[bytes]:
    now = datetime.now(UTC)
    return [
        envelope(str(uuid.uuid4()), f"AAMk-{i % 50}", f"p{i % 20}@example.com", now)
        for i in range(count)
    ]


async def part1(args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    """Throughput: ``--rounds`` alternating runs per server, median; then latency at a rate."""
    results: dict[str, Any] = {kind: {"rates": [], "failures": 0} for kind in ("bare", "receiver")}
    for _ in range(args.rounds):
        for kind in ("bare", "receiver"):
            async with server_process(kind, database_url) as url:
                rate, failures = await closed_loop(url, _bodies(args.requests), args.concurrency)
            results[kind]["rates"].append(rate)
            results[kind]["failures"] += failures
    for kind in ("bare", "receiver"):
        async with server_process(kind, database_url) as url:
            latencies, failures, achieved = await open_loop(
                url, _bodies(int(args.rate * args.seconds)), args.rate
            )
        results[kind].update(
            throughput=statistics.median(results[kind]["rates"]),
            p50=_pct(latencies, 0.50),
            p99=_pct(latencies, 0.99),
            max=max(latencies),
            achieved_rate=achieved,
        )
        results[kind]["failures"] += failures
    results["ratio"] = results["receiver"]["throughput"] / results["bare"]["throughput"]
    return results


# --- part 2 -------------------------------------------------------------------------------


async def loadgen(plan: Path, url: str, rate: float) -> None:
    """Part 2's sender (own process): writes ``<plan>.result`` with times and answers."""
    deliveries = json.loads(plan.read_text())
    sent_at: dict[str, float] = {}
    statuses: list[int] = []
    answer_ms: list[float] = []

    async def one(http: aiohttp.ClientSession, eid: str, body: bytes, at: float) -> None:
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        sent_at.setdefault(eid, time.perf_counter())
        statuses.append(await _post(http, url, body))
        answer_ms.append((time.perf_counter() - at) * 1000)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        t0 = time.perf_counter() + 0.2
        await asyncio.gather(
            *(one(http, eid, body.encode(), t0 + i / rate)
              for i, (eid, body) in enumerate(deliveries))
        )  # fmt: skip
    result = {"sent_at": sent_at, "statuses": statuses, "answer_ms": answer_ms}
    Path(f"{plan}.result").write_text(json.dumps(result))


async def _seed(database_url: str, slack: Any, appointments: int, people: int) -> list[str]:
    """Appointments as the Slack app leaves them: store rows + parent messages."""
    from bot.slack.blocks import appointment_message
    from bot.store import repo
    from bot.store.db import Database

    db = Database(database_url)
    await db.upgrade()
    ids = []
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    try:
        async with aiohttp.ClientSession() as http:
            for n in range(appointments):
                scheducal_id = f"AAMk-bench-{uuid.uuid4().hex[:12]}"
                async with db.session() as s:
                    row, _ = await repo.reserve_appointment(
                        s,
                        team_id="T0DEVSLACK",
                        idempotency_key=uuid.uuid4().hex,
                        channel_id="C0BENCH",
                        organizer_id="U0BENCH",
                        subject=f"Bench {n}",
                        start_utc=start,
                        end_utc=start + timedelta(minutes=30),
                        timezone=ZONE,
                        location=None,
                        notes=None,
                        invitees=[
                            repo.InviteeDraft(email=f"p{i}@example.com", name=f"P {i}")
                            for i in range(people)
                        ],
                    )
                    await repo.mark_sent(s, row.id, scheducal_id)
                text, blocks = appointment_message(row, row.invitees)
                async with http.post(
                    slack.api_url + "chat.postMessage",
                    json={"channel": "C0BENCH", "text": text, "blocks": blocks},
                    headers={"Authorization": f"Bearer {slack.bot_token}"},
                ) as response:
                    ts = (await response.json())["ts"]
                async with db.session() as s:
                    await repo.set_message_ts(s, row.id, ts)
                ids.append(scheducal_id)
    finally:
        await db.dispose()
    return ids


async def part2(args: argparse.Namespace, database_url: str, workdir: Path) -> dict[str, Any]:
    from bot.devslack import webapi
    from bot.devslack.server import DevSlackServer

    posted_at: dict[str, list[float]] = {}
    real_post = webapi.METHODS["chat.postMessage"]

    async def recording_post(slack: Any, params: dict[str, Any]) -> dict[str, Any]:
        answer = await real_post(slack, params)
        metadata = params.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        event_id = ((metadata or {}).get("event_payload") or {}).get("event_id")
        if event_id:
            posted_at.setdefault(event_id, []).append(time.perf_counter())
        return answer

    webapi.METHODS["chat.postMessage"] = recording_post
    unique_count = round(args.events * (1 - args.duplicates))
    async with DevSlackServer() as slack:
        slack.add_user("U0BENCH", "bench", "Bench Organizer", "bench@example.com", ZONE)
        slack.add_channel("C0BENCH", "bench")
        appointment_ids = await _seed(database_url, slack, 100, 20)
        base = datetime.now(UTC)
        unique: list[tuple[str, bytes]] = []
        for i in range(unique_count):
            eid = str(uuid.uuid4())
            email = f"p{random.randrange(20)}@example.com"
            at = base + timedelta(seconds=i)
            unique.append((eid, envelope(eid, random.choice(appointment_ids), email, at)))
        deliveries = unique + random.choices(unique, k=args.events - unique_count)
        random.shuffle(deliveries)

        port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SLACK_API_URL": slack.api_url,
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_SIGNING_SECRET": slack.signing_secret,
            "SCHEDUCAL_API_URL": "http://127.0.0.1:9",
            "SCHEDUCAL_API_KEY": "bench",
            "SCHEDUCAL_API_SECRET": "bench",
            "SCHEDUCAL_WEBHOOK_SECRET": SECRET,
            "PORT": str(port),
            "LOG_LEVEL": "WARNING",
        }
        log = open(workdir / "serve.log", "wb")  # noqa: SIM115 - closed below
        serve = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve"], env=env, stdout=log, stderr=log
        )
        url = f"http://127.0.0.1:{port}{ROUTE}"
        try:
            async with aiohttp.ClientSession() as http:
                for _ in range(200):
                    with contextlib.suppress(aiohttp.ClientError):
                        async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                            if response.status == 200:
                                break
                    await asyncio.sleep(0.1)
            # The load generator runs in its own process, so devslack's work in this one
            # does not delay the sending or the measured answers. time.perf_counter is
            # CLOCK_MONOTONIC on Linux: the same clock in every process.
            plan = workdir / "deliveries.json"
            plan.write_text(json.dumps([[eid, body.decode()] for eid, body in deliveries]))
            started = time.perf_counter()
            await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-m", "tests.bench.bench_webhooks", "--loadgen", str(plan),
                 "--url", url, "--send-rate", str(args.send_rate)],
                check=True,
            )  # fmt: skip
            sending = time.perf_counter() - started
            sent = json.loads((workdir / "deliveries.json.result").read_text())
            sent_at, statuses, answer_ms = sent["sent_at"], sent["statuses"], sent["answer_ms"]
            deadline = time.perf_counter() + 300
            while time.perf_counter() < deadline and len(posted_at) < unique_count:
                await asyncio.sleep(0.2)
            await slack.settle(quiet=2.0, timeout=30)
            drained = time.perf_counter() - started
        finally:
            serve.terminate()
            serve.wait(20)
            log.close()
            webapi.METHODS["chat.postMessage"] = real_post
    ids = {eid for eid, _ in unique}
    latencies = [(posted_at[e][0] - sent_at[e]) * 1000 for e in ids if e in posted_at]
    return {
        "deliveries": len(deliveries),
        "unique": unique_count,
        "non_2xx": sum(1 for s in statuses if s >= 300),
        "lost": len(ids - set(posted_at)),
        "double_posted": sum(1 for e in ids if len(posted_at.get(e, [])) > 1),
        "p50": _pct(latencies, 0.50),
        "p99": _pct(latencies, 0.99),
        "answer_p50": _pct(answer_ms, 0.50),
        "answer_p99": _pct(answer_ms, 0.99),
        "sending_s": sending,
        "all_posted_s": drained,
        "throughput": len(posted_at) / drained if drained else float("nan"),
    }


def _print_part1(r: dict[str, Any], args: argparse.Namespace) -> None:
    print(
        f"\nPart 1: receiver vs bare aiohttp: {args.requests} requests with "
        f"{args.concurrency} in flight, median of {args.rounds} alternating rounds; "
        f"then {args.rate:.0f}/s for {args.seconds:.0f} s"
    )
    print(f"{'':<10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'sent/s':>9}{'non-2xx':>9}")
    for kind in ("bare", "receiver"):
        x = r[kind]
        print(f"{kind:<10}{x['throughput']:>9.0f}{x['p50']:>9.1f}{x['p99']:>9.1f}"
              f"{x['max']:>9.1f}{x['achieved_rate']:>9.0f}{x['failures']:>9}")  # fmt: skip
    p99 = r["receiver"]["p99"]
    print(f"throughput ratio receiver/bare: {r['ratio']:.2f} (goal >= 0.5)")
    print(f"receiver p99 at {args.rate:.0f}/s: {p99:.1f} ms (goal < 50)")


def _print_part2(r: dict[str, Any], args: argparse.Namespace) -> None:
    print(
        f"\nPart 2: {r['deliveries']} deliveries ({r['unique']} unique, "
        f"{args.duplicates:.0%} duplicates, shuffled) at {args.send_rate:.0f}/s to serve"
    )
    print(f"lost: {r['lost']}   double-posted: {r['double_posted']}   "
          f"non-2xx answers: {r['non_2xx']}")  # fmt: skip
    print(
        f"receiver answers (worker busy in the same process): "
        f"p50 {r['answer_p50']:.1f} ms, p99 {r['answer_p99']:.1f} ms"
    )
    print(f"webhook -> Slack latency: p50 {r['p50']:.0f} ms, p99 {r['p99']:.0f} ms")
    print(f"sending took {r['sending_s']:.1f} s; all posted after {r['all_posted_s']:.1f} s "
          f"({r['throughput']:.0f} events/s through the worker)")  # fmt: skip


async def main(args: argparse.Namespace) -> None:
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}")
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if args.part in ("1", "all"):
            url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'part1.sqlite3'}"
            print(f"database: {url.split('@')[-1]}")
            _print_part1(await part1(args, url), args)
        if args.part in ("2", "all"):
            url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'part2.sqlite3'}"
            _print_part2(await part2(args, url, workdir), args)
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=("1", "2", "all"), default="all")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--duplicates", type=float, default=0.2)
    parser.add_argument("--send-rate", type=float, default=500.0)
    parser.add_argument("--serve", choices=("bare", "receiver"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--loadgen", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.serve == "bare":
        asyncio.run(_serve_bare(arguments.port))
    elif arguments.serve == "receiver":
        asyncio.run(_serve_receiver(arguments.port, arguments.database_url))
    elif arguments.loadgen:
        asyncio.run(loadgen(arguments.loadgen, arguments.url, arguments.send_rate))
    else:
        asyncio.run(main(arguments))
