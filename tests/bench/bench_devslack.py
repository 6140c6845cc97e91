"""How fast the local Slack answers, and how long the shell's scripted main job takes.

    python -m tests.bench.bench_devslack [--calls 2000] [--concurrency 20] [--skip-shell]

1. Web API: ``chat.postMessage`` (text + a 5-block message with buttons, as the bot posts)
   through slack_sdk's AsyncWebClient on one shared aiohttp session, first one at a time,
   then ``--concurrency`` at once; p50/p99 per call and calls per second.
2. Block Kit validation alone: a 50-block message, in-process.
3. The shell from a pipe (own process): the README's script (preview, send, an RSVP,
   a proposed time, show), wall time from start to exit.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.devslack.blockkit import validate_message_blocks
from bot.devslack.server import DevSlackServer

CHANNEL = "C0BENCH"
BLOCKS = [
    {"type": "section", "text": {"type": "mrkdwn", "text": ":calendar: *#12 Intro call*"}},
    {"type": "section", "fields": [{"type": "mrkdwn", "text": "*When*\nTomorrow 3 PM"}] * 3},
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Attendees*\n• bob — accepted"}},
    {
        "type": "actions",
        "block_id": "appt_12",
        "elements": [
            {
                "type": "button",
                "action_id": a,
                "value": "12",
                "text": {"type": "plain_text", "text": a.replace("_", " ")},
            }
            for a in ("appt_add_invitee", "appt_reschedule", "appt_cancel")
        ],
    },
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "Reference #12"}]},
]
SCRIPT = """\
/meet Intro call with @bob and chandra@example.in tomorrow 3pm for 30m
click 1
accept 1 bob@example.org
propose 1 chandra@example.in friday 10am
show
"""


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report(name: str, samples: list[float], elapsed: float) -> None:
    ms = [s * 1000 for s in samples]
    print(
        f"{name:<34} n={len(ms):<5} p50={statistics.median(ms):6.2f} ms  "
        f"p99={percentile(ms, 99):6.2f} ms  {len(ms) / elapsed:7.0f} calls/s"
    )


async def web_api(calls: int, concurrency: int) -> None:
    async with DevSlackServer() as slack, aiohttp.ClientSession() as http:
        slack.add_channel(CHANNEL, "bench")
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url, session=http)

        async def post() -> float:
            start = time.perf_counter()
            await client.chat_postMessage(channel=CHANNEL, text="#12 Intro call", blocks=BLOCKS)
            return time.perf_counter() - start

        for _ in range(50):  # warm-up
            await post()
        began = time.perf_counter()
        sequential = [await post() for _ in range(calls)]
        report("chat.postMessage, one at a time", sequential, time.perf_counter() - began)

        semaphore = asyncio.Semaphore(concurrency)

        async def bounded() -> float:
            async with semaphore:
                return await post()

        began = time.perf_counter()
        parallel = await asyncio.gather(*(bounded() for _ in range(calls)))
        report(
            f"chat.postMessage, {concurrency} at once", list(parallel), time.perf_counter() - began
        )
        assert len(slack.messages(CHANNEL)) == 2 * calls + 50


def validation(rounds: int) -> None:
    blocks = (BLOCKS * 10)[:50]
    for block in blocks:
        block.pop("block_id", None)
    began = time.perf_counter()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        assert validate_message_blocks(blocks) == []
        samples.append(time.perf_counter() - start)
    report("validate 50 blocks (in-process)", samples, time.perf_counter() - began)


def shell() -> None:
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "shell", "--db", str(Path(folder) / "s.sqlite3")],
            input=SCRIPT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        elapsed = time.perf_counter() - began
    ok = result.returncode == 0 and "proposed a new time" in result.stdout
    print(f"{'shell: scripted main job (5 lines)':<34} {elapsed:6.2f} s wall  ok={ok}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--skip-shell", action="store_true")
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    asyncio.run(web_api(args.calls, args.concurrency))
    validation(args.calls)
    if not args.skip_shell:
        shell()


if __name__ == "__main__":
    main()
