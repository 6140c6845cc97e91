"""Fixtures shared by every test: a real SQLite file and a real PostgreSQL database.

PostgreSQL tests use a fresh database created for the session on the local server
(``SCHEDUCAL_TEST_POSTGRES_URL``, default trust auth on 127.0.0.1:5432) and drop it
afterwards. Where no server answers they are skipped with the reason, unless
``SCHEDUCAL_TEST_REQUIRE_POSTGRES=1`` (set by CI), which turns that into a failure.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_ADMIN_URL = os.environ.get(
    "SCHEDUCAL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """SQLAlchemy URL (``postgresql+asyncpg://``) of a fresh, empty database."""
    name = f"scheducal_test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server"
        if os.environ.get("SCHEDUCAL_TEST_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required here but unreachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc}")
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    yield f"{base}/{name}"
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """SQLAlchemy URL of a real SQLite file in the test's temporary folder."""
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
