"""Slash command ack latency of `scheducal-bot serve` on loopback.

    python -m tests.bench.bench_slack [--concurrency 20] [--rounds 25] [--text "..."]

`serve` runs as its own process (SQLite, LOG_LEVEL=WARNING) between a local Slack
(devslack) and a local ScheduCal (sandbox), both in this process. Each round sends
``--concurrency`` signed `/meet` commands at once, exactly as Slack signs them, and times
each request from sending to the HTTP 200 (the ack Slack waits for; it allows 3 s). The
previews the bot builds after each ack (users.info, parsing, response URL) keep running
while the next round arrives, as under real load. The first round is a warm-up (Bolt's
auth.test, users.info cache) and is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bot.devslack.interactions import slack_signature
from bot.devslack.server import DevSlackServer
from bot.sandbox.server import SandboxServer

USER, CHANNEL = "U0BENCH", "C0BENCH"
TEXT = "Budget review with carol@example.org tomorrow 3pm for 45m at Room 4"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


async def start_serve(slack: DevSlackServer, sandbox: SandboxServer, db: Path, port: int):
    env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
        "SCHEDUCAL_API_URL": sandbox.url,
        "SCHEDUCAL_API_KEY": sandbox.api_key,
        "SCHEDUCAL_API_SECRET": sandbox.api_secret,
        "DATABASE_URL": f"sqlite+aiosqlite:///{db}",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "serve", env=env, stderr=asyncio.subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            async with slack.session.get(f"{url}/healthz") as resp:
                if resp.status == 200:
                    return process, url
        except OSError:
            pass
        await asyncio.sleep(0.05)
    process.kill()
    raise SystemExit("serve did not come up in 20 s")


async def one_command(slack: DevSlackServer, url: str, text: str) -> float:
    fields = {
        "token": slack.verification_token,
        "team_id": slack.team_id,
        "team_domain": slack.team_domain,
        "channel_id": CHANNEL,
        "channel_name": "bench",
        "user_id": USER,
        "user_name": "bench",
        "command": "/meet",
        "text": text,
        "api_app_id": slack.app_id,
        "is_enterprise_install": "false",
        "response_url": slack.new_response_url(USER, CHANNEL),
        "trigger_id": slack.new_trigger(USER).id,
    }
    body = urlencode(fields).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": slack_signature(slack.signing_secret, timestamp, body),
    }
    started = time.perf_counter()
    async with slack.session.post(f"{url}/slack/events", data=body, headers=headers) as resp:
        await resp.read()
        elapsed = time.perf_counter() - started
        if resp.status != 200:
            raise SystemExit(f"serve answered {resp.status}")
    return elapsed


async def main(args: argparse.Namespace) -> None:
    async with SandboxServer(rate_limit_per_minute=None) as sandbox, DevSlackServer() as slack:
        slack.add_user(USER, "bench", "Bench Person", "bench@example.com", "America/New_York")
        slack.add_channel(CHANNEL, "bench")
        with tempfile.TemporaryDirectory() as folder:
            process, url = await start_serve(
                slack, sandbox, Path(folder) / "b.sqlite3", free_port()
            )
            try:
                samples: list[float] = []
                for round_no in range(args.rounds + 1):
                    batch = await asyncio.gather(
                        *(one_command(slack, url, args.text) for _ in range(args.concurrency))
                    )
                    if round_no:  # round 0 warms up
                        samples += batch
                await slack.settle(quiet=0.5, timeout=60)
                answers = len(slack.ephemerals(USER))
            finally:
                process.send_signal(signal.SIGTERM)
                await process.wait()
    ms = [s * 1000 for s in samples]
    print(
        f"scheducal-bot serve: /meet ack latency on loopback ({platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {platform.machine()})"
    )
    print(
        f"  {args.concurrency} concurrent signed commands x {args.rounds} rounds "
        f"= {len(ms)} requests, text: {args.text!r}"
    )
    print(
        f"  p50 {statistics.median(ms):.1f} ms   p90 {percentile(ms, 90):.1f} ms   "
        f"p99 {percentile(ms, 99):.1f} ms   max {max(ms):.1f} ms"
    )
    print(
        f"  private answers delivered through response URLs: {answers} of "
        f"{args.concurrency * (args.rounds + 1)}"
    )
    goal = "met" if percentile(ms, 99) < 100 else "NOT met"
    print(f"  goal p99 < 100 ms: {goal}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--text", default=TEXT)
    asyncio.run(main(parser.parse_args()))
