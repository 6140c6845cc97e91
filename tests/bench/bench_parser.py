"""Parser latency over the accuracy corpus, plain dateparser as the reference, cold start.

    python -m tests.bench.bench_parser [--rounds 5] [--cold 7]

1. parse_request on every corpus text (its own now/tz), after warm_up() and one
   untimed pass; every call timed with perf_counter; p50/p99/max over all rounds.
2. dateparser.search.search_dates on the same texts (default arguments, RELATIVE_BASE
   set to the case's now), after one untimed pass: the reference.
3. Cold start: `scheducal-bot parse TEXT --json` in a fresh process, from spawn until
   the process has printed its result and exited; median and max of --cold runs.
Goals (issue 3): p99 < 5 ms, max < 50 ms, cold start < 1.5 s.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "parsing" / "corpus.jsonl"


def _cases() -> list[tuple[str, datetime, str]]:
    cases = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            cases.append((item["text"], datetime.fromisoformat(item["now"]), item["tz"]))
    return cases


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
    return ordered[index]


def _report(name: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(
        f"{name:<34} n={len(ms):>5}  p50={statistics.median(ms):7.3f} ms  "
        f"p99={_percentile(ms, 99):7.3f} ms  max={max(ms):7.3f} ms"
    )


def bench_parser(cases, rounds: int) -> None:
    from bot.parsing import ParseError, parse_request, warm_up

    def one(text, now, tz):
        with contextlib.suppress(ParseError):
            parse_request(text, now=now, tz=tz)

    warm_up()
    for case in cases:
        one(*case)
    timings = []
    for _ in range(rounds):
        for case in cases:
            started = time.perf_counter()
            one(*case)
            timings.append(time.perf_counter() - started)
    _report("parse_request (bot.parsing)", timings)


def bench_dateparser(cases) -> None:
    from dateparser.search import search_dates

    def one(text, now):
        search_dates(text, settings={"RELATIVE_BASE": now.replace(tzinfo=None)})

    for text, now, _ in cases[:50]:
        one(text, now)
    timings = []
    for text, now, _ in cases:
        started = time.perf_counter()
        one(text, now)
        timings.append(time.perf_counter() - started)
    _report("dateparser.search.search_dates", timings)


def bench_cold_start(runs: int) -> None:
    exe = shutil.which("scheducal-bot", path=os.path.dirname(sys.executable))
    command = [exe] if exe else [sys.executable, "-m", "bot.cli"]
    command += ["parse", "Intro call with john@acme.com tomorrow 3pm for 30m", "--json",
                "--now", "2026-03-04T10:00:00-05:00", "--tz", "America/New_York"]  # fmt: skip
    walls = []
    for _ in range(runs):
        started = time.perf_counter()
        out = subprocess.run(command, capture_output=True, text=True, check=True)
        walls.append(time.perf_counter() - started)
        assert json.loads(out.stdout)["start"] == "2026-03-05T15:00:00-05:00"
    print(
        f"{'cold start (scheducal-bot parse)':<34} n={runs:>5}  "
        f"median={statistics.median(walls) * 1000:7.1f} ms  max={max(walls) * 1000:7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed passes over the corpus")
    parser.add_argument("--cold", type=int, default=7, help="cold-start runs")
    args = parser.parse_args()
    cases = _cases()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} CPUs, load average {load}; corpus {len(cases)} texts")  # fmt: skip
    bench_cold_start(args.cold)
    bench_parser(cases, args.rounds)
    bench_dateparser(cases)


if __name__ == "__main__":
    main()
