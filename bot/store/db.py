"""The database handle: one async engine per process, sessions, and migrations.

Two back ends are supported, chosen by ``DATABASE_URL``:

* ``sqlite+aiosqlite:///path`` (the local default). Every connection runs in WAL mode
  with foreign keys on and a busy timeout, and every transaction starts with
  ``BEGIN IMMEDIATE``: SQLite allows one writer at a time, and taking the write lock
  up front makes concurrent writers queue (up to the busy timeout) instead of failing
  with "database is locked" when a reader later tries to write. A SQLite file also
  gets a pool of one connection, so the tasks of one process queue for it in order
  instead of polling SQLite's busy handler, which sleeps in steps of up to 100 ms
  (20 concurrent reservations: p99 ~110 ms instead of ~2 s; see tests/bench/bench_store.py).
  The busy timeout still covers other processes (e.g. `db upgrade` beside `serve`).
  Keep sessions short, and never open a session inside another one: on SQLite the
  inner one would wait for the outer one's connection until the pool times out.
* ``postgresql+asyncpg://...`` for deployments, at READ COMMITTED (the default).

``postgres://`` and ``postgresql://`` (as platforms hand them out) and ``sqlite://``
are mapped to the async drivers, so a URL pasted from a dashboard works as it is.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.config import ConfigError, Settings

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Any constant works; it only has to be the same for every process migrating one database.
_PG_MIGRATION_LOCK_ID = 0x5C4EDCA1

_DRIVER_FOR = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}
URL_HINT = "use sqlite+aiosqlite:///path/to/file.sqlite3 or postgresql+asyncpg://user:pass@host/db"


def normalize_url(raw: str) -> URL:
    """Parse ``DATABASE_URL`` into a URL for a supported async driver, or raise ConfigError."""
    text = (raw or "").strip()
    if not text:
        raise ConfigError(f"DATABASE_URL is empty; {URL_HINT}")
    scheme = text.split("://", 1)[0] if "://" in text else ""
    driver = _DRIVER_FOR.get(scheme.lower())
    if driver is None:
        shown = scheme or text.split("/", 1)[0][:40]
        raise ConfigError(f"DATABASE_URL scheme {shown!r} is not supported; {URL_HINT}")
    try:
        url = make_url(driver + text[len(scheme) :])
    except (ArgumentError, ValueError) as exc:
        raise ConfigError(f"DATABASE_URL is not a valid database URL ({exc}); {URL_HINT}") from None
    if driver.startswith("sqlite"):
        if not url.database:
            raise ConfigError(f"DATABASE_URL names no SQLite file; {URL_HINT}")
    elif not url.host or not url.database:
        raise ConfigError(f"DATABASE_URL needs a host and a database name; {URL_HINT}")
    return url


def redacted(url: URL) -> str:
    """The URL as it may appear in logs and error messages: password hidden."""
    return url.render_as_string(hide_password=True)


def _is_memory_sqlite(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or "mode=memory" in str(url)


class Database:
    """Owns the engine and the session factory; create one per process."""

    def __init__(self, url: str | URL, *, echo: bool = False, **engine_options: Any) -> None:
        if isinstance(url, URL):
            url = url.render_as_string(hide_password=False)
        self.url = normalize_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite and not _is_memory_sqlite(self.url):
            folder = Path(self.url.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(
                    f"DATABASE_URL: cannot create the folder {str(folder)!r} for the SQLite file "
                    f"({exc.strerror or exc})"
                ) from None
            # one writer at a time anyway: queue in-process, in order (see the module doc)
            engine_options = {"pool_size": 1, "max_overflow": 0, **engine_options}
        self.engine: AsyncEngine = create_async_engine(self.url, echo=echo, **engine_options)
        if self.is_sqlite:
            _install_sqlite_hooks(self.engine)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings, **engine_options: Any) -> Database:
        return cls(settings.database_url, **engine_options)

    def __repr__(self) -> str:
        return f"Database({redacted(self.url)!r})"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed when the block ends and rolled back on error.

        Objects stay usable after the commit (``expire_on_commit=False``). Calling
        ``await s.commit()`` inside the block is allowed and starts a new transaction.
        """
        async with self._sessions() as s:
            try:
                yield s
            except BaseException:
                await s.rollback()
                raise
            await s.commit()

    async def upgrade(self, revision: str = "head") -> None:
        """Bring the schema up to ``revision`` with Alembic.

        Safe to call from several processes at once (PostgreSQL: an advisory lock;
        SQLite: BEGIN IMMEDIATE) and from several tasks or threads of one process.
        """
        from bot.store import migrate

        # Alembic keeps the running migration in module globals (alembic.context, .op),
        # so two upgrades in one process, even of different databases, must not overlap.
        async with _loop_migration_lock():
            with _THREAD_MIGRATION_LOCK:
                async with self.engine.begin() as conn:
                    if not self.is_sqlite:  # SQLite is serialised by BEGIN IMMEDIATE
                        await conn.exec_driver_sql(
                            f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK_ID})"
                        )
                    await conn.run_sync(migrate.upgrade_on, revision)

    async def current_revision(self) -> str | None:
        """The revision the database is at, or None when it was never migrated."""
        from bot.store import migrate

        async with self.engine.connect() as conn:
            return await conn.run_sync(migrate.current_on)

    async def dispose(self) -> None:
        await self.engine.dispose()


_THREAD_MIGRATION_LOCK = threading.Lock()
_LOOP_MIGRATION_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _loop_migration_lock() -> asyncio.Lock:
    """One lock per event loop (an asyncio.Lock must not be shared between loops)."""
    loop = asyncio.get_running_loop()
    lock = _LOOP_MIGRATION_LOCKS.get(loop)
    if lock is None:
        lock = _LOOP_MIGRATION_LOCKS[loop] = asyncio.Lock()
    return lock


def _install_sqlite_hooks(engine: AsyncEngine) -> None:
    """WAL, foreign keys and a busy timeout on every connection; BEGIN IMMEDIATE transactions."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module (it would otherwise
        # begin lazily and break SAVEPOINTs); the "begin" hook below issues BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
