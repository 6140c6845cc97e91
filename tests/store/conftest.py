"""Store fixtures: a migrated :class:`Database` on a real SQLite file and on PostgreSQL.

``db`` is parametrised over both back ends, so every test that uses it runs twice.
On PostgreSQL each test gets its own empty schema (via ``search_path``) inside the
session's database, so tests start from nothing and can even migrate from empty.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from bot.store.db import Database

BACKENDS = ["sqlite", "postgresql"]


@dataclass(frozen=True)
class Backend:
    name: str
    url: str
    schema: str | None = None

    def database(self, **options: Any) -> Database:
        if self.schema is not None:
            options.setdefault("connect_args", {"server_settings": {"search_path": self.schema}})
        return Database(self.url, **options)


@pytest.fixture(params=BACKENDS)
def backend_name(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def backend_url(request: pytest.FixtureRequest, backend_name: str) -> str:
    # Resolved here, in a synchronous fixture: postgres_url runs asyncio.run() itself.
    fixture = "sqlite_url" if backend_name == "sqlite" else "postgres_url"
    return request.getfixturevalue(fixture)


@pytest.fixture
async def backend(backend_name: str, backend_url: str) -> AsyncIterator[Backend]:
    """An empty database: a fresh SQLite file, or a fresh PostgreSQL schema."""
    if backend_name == "sqlite":
        yield Backend(backend_name, backend_url)
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(backend_url)
    try:
        async with admin.begin() as conn:
            await conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        yield Backend(backend_name, backend_url, schema)
        async with admin.begin() as conn:
            await conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        await admin.dispose()


@pytest.fixture
async def db(backend: Backend) -> AsyncIterator[Database]:
    """A migrated database on each back end."""
    database = backend.database()
    await database.upgrade()
    try:
        yield database
    finally:
        await database.dispose()
