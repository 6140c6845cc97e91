"""`scheducal-bot db upgrade|current`, run as a real subprocess."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg

from bot.store import migrate

REPO = Path(__file__).resolve().parents[2]


def scheducal_bot(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    script = shutil.which("scheducal-bot", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "bot.cli"]
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [*command, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=60
    )


def test_db_upgrade_on_a_new_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "data" / "bot.sqlite3"
    url = f"sqlite:///{path}"
    head = migrate.heads()[0]

    first = scheducal_bot("db", "upgrade", database_url=url)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == f"database upgraded from empty to {head}"
    with sqlite3.connect(path) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    assert {"appointments", "invitees", "proposals", "inbox_events", "webhook_secrets"} <= tables
    assert version == head

    again = scheducal_bot("db", "upgrade", database_url=url)
    assert (again.returncode, again.stdout.strip()) == (
        0,
        f"database is up to date at revision {head}",
    )

    current = scheducal_bot("db", "current", database_url=url)
    assert (current.returncode, current.stdout.strip()) == (0, f"{head}: up to date")


def test_db_current_on_an_empty_database(tmp_path: Path) -> None:
    result = scheducal_bot("db", "current", database_url=f"sqlite:///{tmp_path / 'e.sqlite3'}")
    assert result.returncode == 0
    assert result.stdout.strip() == (
        f"empty (never migrated): behind (head is {migrate.heads()[0]});"
        " run `scheducal-bot db upgrade`"
    )


def test_bad_url_is_one_line_without_traceback(tmp_path: Path) -> None:
    result = scheducal_bot("db", "upgrade", database_url="mysql://root:hunter2@db/bot")
    assert result.returncode == 2
    assert result.stderr.startswith("scheducal-bot: DATABASE_URL scheme 'mysql' is not supported")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr


def test_unreachable_server_is_one_line_without_password() -> None:
    result = scheducal_bot("db", "upgrade", database_url="postgresql://bot:hunter2@127.0.0.1:9/bot")
    assert result.returncode == 1
    assert result.stderr.startswith("scheducal-bot db: cannot connect to the database:")
    assert "postgresql+asyncpg://bot:***@127.0.0.1:9/bot" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr + result.stdout


def test_db_upgrade_on_postgresql(postgres_url: str) -> None:
    """On a database of its own, given as a plain postgresql:// URL (as platforms hand out)."""
    name = f"scheducal_cli_{uuid.uuid4().hex[:8]}"
    admin_dsn = postgres_url.replace("postgresql+asyncpg://", "postgresql://")

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(admin_dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        url = admin_dsn.rsplit("/", 1)[0] + f"/{name}"
        head = migrate.heads()[0]
        first = scheducal_bot("db", "upgrade", database_url=url)
        assert (first.returncode, first.stdout.strip()) == (
            0,
            f"database upgraded from empty to {head}",
        ), first.stderr
        current = scheducal_bot("db", "current", database_url=url)
        assert current.stdout.strip() == f"{head}: up to date"
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_unknown_revisions_are_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    result = scheducal_bot("db", "upgrade", "no-such-revision", database_url=url)
    assert result.returncode == 1
    assert result.stderr.startswith("scheducal-bot db: migration failed: ")
    assert "no-such-revision" in result.stderr and "Traceback" not in result.stderr
    # a database migrated by a newer version of the bot
    assert scheducal_bot("db", "upgrade", database_url=url).returncode == 0
    with sqlite3.connect(tmp_path / "r.sqlite3") as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'from_the_future'")
    current = scheducal_bot("db", "current", database_url=url)
    assert current.stdout.strip().startswith("from_the_future: unknown to this version of the bot")
