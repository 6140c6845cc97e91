"""Alembic environment for the bot.

Run from code (``Database.upgrade``), a connection is passed in
``config.attributes["connection"]`` and used as it is. Run from the ``alembic``
command line, the engine is built from ``DATABASE_URL`` (through the same
``Database`` class, so SQLite pragmas apply).
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

from bot.store.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_env() -> None:
    from bot.config import DEFAULT_DATABASE_URL
    from bot.store.db import Database

    db = Database(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(_run)
    finally:
        await db.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run `scheducal-bot db upgrade`")

_connection = context.config.attributes.get("connection")
if _connection is not None:
    _run(_connection)
else:
    asyncio.run(_run_from_env())
