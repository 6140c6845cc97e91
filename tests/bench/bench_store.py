"""Store figures: reservation latency/throughput and list_upcoming, on SQLite and PostgreSQL.

    python -m tests.bench.bench_store [--reservations 400] [--concurrency 20]

SQLite uses a temporary file. PostgreSQL uses a temporary database on
SCHEDUCAL_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test) and is
skipped with a note when no server answers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.store import repo
from bot.store.db import Database
from bot.store.repo import InviteeDraft

ADMIN_URL = os.environ.get(
    "SCHEDUCAL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
T0 = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


async def reserve_and_send(db: Database, n: int) -> None:
    async with db.session() as s:
        appt, _ = await repo.reserve_appointment(
            s,
            team_id="TBENCH",
            idempotency_key=f"k{n}",
            channel_id=f"C{n % 5}",
            organizer_id=f"U{n % 7}",
            subject=f"Meeting {n}",
            start_utc=T0 + timedelta(minutes=30 * n),
            end_utc=T0 + timedelta(minutes=30 * n + 30),
            timezone="Europe/Berlin",
            location=None,
            notes=None,
            invitees=[InviteeDraft(f"a{n}@x.io"), InviteeDraft(f"b{n}@x.io", None, f"U{n % 11}")],
        )
        await repo.mark_sent(s, appt.id, f"sc-{n}")


async def timed(call: Callable[[], Awaitable[None]], samples: list[float]) -> None:
    started = time.perf_counter()
    await call()
    samples.append(time.perf_counter() - started)


async def run(db: Database, label: str, total: int, concurrency: int) -> None:
    await db.upgrade()
    # sequential: one caller
    seq: list[float] = []
    for n in range(total // 4):
        await timed(lambda n=n: reserve_and_send(db, n), seq)
    # concurrent: `concurrency` callers sharing the engine's pool
    conc: list[float] = []
    queue = iter(range(total // 4, total))
    started = time.perf_counter()

    async def worker() -> None:
        for n in queue:
            await timed(lambda n=n: reserve_and_send(db, n), conc)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    # reads
    reads: list[float] = []
    now = T0 + timedelta(days=2)

    async def list_channel() -> None:
        async with db.session() as s:
            await repo.list_upcoming(s, "TBENCH", now=now, channel_id="C1")

    async def list_user() -> None:
        async with db.session() as s:
            await repo.list_upcoming(s, "TBENCH", now=now, user_id="U3")

    for _ in range(100):
        await timed(list_channel, reads)
    user_reads: list[float] = []
    for _ in range(100):
        await timed(list_user, user_reads)

    print(f"{label}: {total} appointments (2 invitees each), reserve + mark_sent per transaction")
    print(f"  1 caller:  p50 {pct(seq, 0.5):6.2f} ms  p99 {pct(seq, 0.99):6.2f} ms")
    print(
        f"  {concurrency} callers: p50 {pct(conc, 0.5):6.2f} ms  p99 {pct(conc, 0.99):6.2f} ms"
        f"  throughput {len(conc) / elapsed:7.0f} reservations/s"
    )
    print(
        f"  list_upcoming (up to 50 rows) by channel: p50 {pct(reads, 0.5):5.2f} ms;"
        f" by user: p50 {pct(user_reads, 0.5):5.2f} ms"
    )
    await db.dispose()


async def postgres_database() -> tuple[str, Callable[[], Awaitable[None]]] | None:
    import asyncpg

    name = f"scheducal_bench_{uuid.uuid4().hex[:8]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(ADMIN_URL, timeout=5)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    try:
        await admin(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001 - no server: report and go on
        print(f"PostgreSQL: skipped ({exc})")
        return None
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}", lambda: admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reservations", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
        await run(Database(url), "SQLite (file, WAL)", args.reservations, args.concurrency)
    pg = await postgres_database()
    if pg is not None:
        url, drop = pg
        try:
            await run(Database(url), "PostgreSQL", args.reservations, args.concurrency)
        finally:
            await drop()


if __name__ == "__main__":
    asyncio.run(main())
