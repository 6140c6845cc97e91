"""`scheducal-bot db upgrade|current`: apply or show the database migrations.

Reads ``DATABASE_URL`` (see ``bot.config``). Problems an operator can fix print one
line and no stack trace: a malformed URL exits 2 (like every setting error), a server
that cannot be reached or refuses the credentials, or a failed migration, exits 1.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.store.db import Database


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    up = actions.add_parser("upgrade", help="apply every migration not yet applied (idempotent)")
    up.add_argument("revision", nargs="?", default="head", help="target revision (default: head)")
    actions.add_parser("current", help="show the revision the database is at")


def run(args: argparse.Namespace) -> int:
    from bot.config import Settings
    from bot.store.db import Database, redacted

    settings = Settings.from_env()
    db = Database.from_settings(settings)  # raises ConfigError (one line) for a bad URL
    where = redacted(db.url)
    try:
        return asyncio.run(_run(db, args))
    except Exception as exc:  # noqa: BLE001 - turned into one line for the operator
        print(f"scheducal-bot db: {describe_error(exc)} ({where})", file=sys.stderr)
        return 1


async def _run(db: Database, args: argparse.Namespace) -> int:
    from bot.store.migrate import heads, is_known

    try:
        try:
            async with db.engine.connect():
                pass
        except Exception as exc:  # noqa: BLE001 - re-raised with the phase named
            raise CannotConnect(_reason(exc)) from exc
        if args.db_action == "upgrade":
            before = await db.current_revision()
            await db.upgrade(args.revision)
            after = await db.current_revision()
            if before == after:
                print(f"database is up to date at revision {after}")
            else:
                print(f"database upgraded from {before or 'empty'} to {after}")
        else:
            current = await db.current_revision()
            head = ", ".join(heads())
            if current in heads():
                state = "up to date"
            elif current is None or is_known(current):
                state = f"behind (head is {head}); run `scheducal-bot db upgrade`"
            else:
                state = f"unknown to this version of the bot (its head is {head})"
            print(f"{current or 'empty (never migrated)'}: {state}")
        return 0
    finally:
        await db.dispose()


class CannotConnect(Exception):
    """The first connection failed (server down, unknown host, bad credentials, ...)."""


def describe_error(exc: BaseException) -> str:
    """A one-line reason for a database failure (the URL, with its password, is not in it)."""
    from alembic.util import CommandError

    if isinstance(exc, CannotConnect):
        return f"cannot connect to the database: {exc}"
    if isinstance(exc, CommandError):
        return f"migration failed: {_reason(exc)}"
    return f"database error: {_reason(exc)}"


def _reason(exc: BaseException) -> str:
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    return " ".join(str(exc).split()) or type(exc).__name__
