"""Alembic migrations: one head, upgrade from empty, schema matches the models."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from bot.store import migrate
from bot.store.db import Database
from bot.store.models import Base
from tests.store.conftest import Backend

TABLES = {
    "alembic_version",
    "appointments",
    "inbox_events",
    "invitees",
    "proposals",
    "team_counters",
    "webhook_secrets",
}


def test_there_is_exactly_one_head() -> None:
    assert len(migrate.heads()) == 1, f"several Alembic heads: {migrate.heads()}; merge them"


async def test_upgrade_from_empty_creates_every_table(backend: Backend) -> None:
    db = backend.database()
    try:
        assert await db.current_revision() is None
        await db.upgrade()
        assert await db.current_revision() == migrate.heads()[0]
        async with db.engine.connect() as conn:
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert tables >= TABLES
        await db.upgrade()  # a second run is a no-op
        assert await db.current_revision() == migrate.heads()[0]
    finally:
        await db.dispose()


async def test_migrations_match_the_models(backend: Backend) -> None:
    """Autogenerate finds nothing to do: the migrations create exactly what models.py says."""
    db = backend.database()
    try:
        await db.upgrade()

        def diff(conn):
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, Base.metadata)

        async with db.engine.connect() as conn:
            assert await conn.run_sync(diff) == []
    finally:
        await db.dispose()


async def test_downgrade_to_base_and_up_again(backend: Backend) -> None:
    db = backend.database()
    try:
        await db.upgrade()

        def downgrade(conn):
            command.downgrade(migrate.alembic_config(conn), "base")

        async with db.engine.begin() as conn:
            await conn.run_sync(downgrade)
        async with db.engine.connect() as conn:
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert tables & TABLES <= {"alembic_version"}
        await db.upgrade()
        assert await db.current_revision() == migrate.heads()[0]
    finally:
        await db.dispose()


async def test_processes_upgrading_at_once_do_not_collide(backend: Backend) -> None:
    """Several app instances starting together each run upgrade(); all must succeed."""
    dbs = [backend.database() for _ in range(4)]
    try:
        await asyncio.gather(*(db.upgrade() for db in dbs))
        assert {await db.current_revision() for db in dbs} == {migrate.heads()[0]}
        async with dbs[0].engine.connect() as conn:
            versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
        assert len(versions) == 1
    finally:
        for db in dbs:
            await db.dispose()


async def test_upgrades_of_different_databases_at_once_in_one_process(
    backend: Backend, tmp_path
) -> None:
    """Alembic's module-level state would mix two concurrent migrations; upgrade() serialises."""
    dbs = [backend.database()] + [
        Database(f"sqlite+aiosqlite:///{tmp_path / f'other-{n}.sqlite3'}") for n in range(3)
    ]
    try:
        await asyncio.wait_for(asyncio.gather(*(db.upgrade() for db in dbs)), 30)
        assert [await db.current_revision() for db in dbs] == migrate.heads() * len(dbs)
    finally:
        for db in dbs:
            await db.dispose()
