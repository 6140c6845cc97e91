"""Sandbox webhook delivery throughput: signed events per second to a local receiver.

    python -m tests.bench.bench_sandbox [--events 2000] [--repeat 3] [--concurrency 1 10 50 100]
                                        [--receiver-delay-ms 0 20]

The receiver runs in its own process (so it does not share the sandbox's event loop),
verifies every signature on the raw body and answers 200 after an optional delay that
stands in for a real receiver's latency. Events are fired in-process through the
sandbox state (as the API handlers do), so the figure is delivery throughput alone:
from the first event fired to the last 2xx received. The events arrive as one burst, so
the latency figures (fired -> 2xx received) are mostly time spent queued behind the burst.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import time
from datetime import datetime

import aiohttp
from aiohttp import web

from bot.sandbox.server import SandboxServer
from bot.scheducal.signing import SIGNATURE_HEADER, verify

SECRET = "whsec_benchmark_secret"


def _receiver_main(port_queue: multiprocessing.Queue[int], delay: float) -> None:
    async def main() -> None:
        counts = {"ok": 0, "bad": 0}

        async def hook(request: web.Request) -> web.Response:
            body = await request.read()
            if not verify(body, request.headers.get(SIGNATURE_HEADER), [SECRET]):
                counts["bad"] += 1
                return web.Response(status=401)
            if delay:
                await asyncio.sleep(delay)
            counts["ok"] += 1
            return web.Response(text="ok")

        async def stats(_: web.Request) -> web.Response:
            return web.json_response(counts)

        app = web.Application()
        app.router.add_post("/hook", hook)
        app.router.add_get("/stats", stats)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port_queue.put(runner.addresses[0][1])
        await asyncio.Event().wait()

    asyncio.run(main())


def _fire(sb: SandboxServer, appointment_id: str, events: int) -> list[float]:
    """Fire ``events`` attendee.responded events; returns the wall time each was fired."""
    fired = []
    for n in range(events):
        fired.append(time.time())
        sb.state.respond(
            appointment_id, email="jo@acme.com", response=("accepted", "declined")[n % 2]
        )
    return fired


async def run_case(
    receiver_url: str, events: int, concurrency: int, repeat: int
) -> dict[str, float]:
    """Best-of-``repeat`` throughput (after a warm-up burst) and that run's latencies."""
    async with SandboxServer(rate_limit_per_minute=None, delivery_concurrency=concurrency) as sb:
        sb.register_webhook(receiver_url + "/hook", secret=SECRET)
        account = sb.state.accounts[sb.api_key]
        appointment, _ = sb.state.create_appointment(
            account,
            subject="Benchmark",
            body=None,
            start=datetime(2026, 4, 15, 9),
            end=datetime(2026, 4, 15, 10),
            time_zone="America/New_York",
            location=None,
            invitee_name="Jo",
            invitee_email="jo@acme.com",
        )
        _fire(sb, appointment.id, min(events, 200))  # warm-up: open connections, fill caches
        await sb.wait_idle(timeout=600)
        best: dict[str, float] = {}
        for _ in range(repeat):
            seen = len(sb.state.events)
            began = time.perf_counter()
            fired = _fire(sb, appointment.id, events)
            await sb.wait_idle(timeout=600)
            elapsed = time.perf_counter() - began
            latencies = []
            delivered = 0
            for fired_at, event in zip(fired, sb.events[seen:], strict=True):
                (delivery,) = event.deliveries
                delivered += delivery.state == "delivered"
                attempt = delivery.attempts[-1]
                latencies.append(attempt.at.timestamp() + attempt.duration_ms / 1e3 - fired_at)
            latencies.sort()
            result = {
                "delivered": delivered,
                "seconds": elapsed,
                "rate": delivered / elapsed,
                "p50_ms": statistics.median(latencies) * 1e3,
                "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1e3,
            }
            if not best or result["rate"] > best["rate"]:
                best = result
    return best


async def main(args: argparse.Namespace) -> None:
    for delay_ms in args.receiver_delay_ms:
        ctx = multiprocessing.get_context("spawn")
        ports: multiprocessing.Queue[int] = ctx.Queue()
        process = ctx.Process(target=_receiver_main, args=(ports, delay_ms / 1e3), daemon=True)
        process.start()
        try:
            url = f"http://127.0.0.1:{ports.get(timeout=30)}"
            print(
                f"receiver latency {delay_ms:g} ms, "
                f"bursts of {args.events} events, best of {args.repeat}"
            )
            for concurrency in args.concurrency:
                r = await run_case(url, args.events, concurrency, args.repeat)
                print(
                    f"  concurrency {concurrency:>3}: {r['delivered']:>6} delivered in "
                    f"{r['seconds']:6.2f} s = {r['rate']:8.0f} events/s   "
                    f"latency p50 {r['p50_ms']:8.1f} ms  p99 {r['p99_ms']:8.1f} ms"
                )
            async with aiohttp.ClientSession() as http, http.get(url + "/stats") as response:
                stats = await response.json()
            print(f"  receiver: {stats['ok']} verified, {stats['bad']} bad signatures")
        finally:
            process.terminate()
            process.join()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000, help="events per burst")
    parser.add_argument("--repeat", type=int, default=3, help="bursts per case; best is shown")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 10, 50, 100])
    parser.add_argument("--receiver-delay-ms", type=float, nargs="+", default=[0.0, 20.0])
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
