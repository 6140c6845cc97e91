"""Alembic, driven from code: no alembic.ini at the repository top level.

:func:`alembic_config` points Alembic at ``bot/store/migrations``. The migration
functions take a synchronous connection (the caller runs them through
``AsyncConnection.run_sync``) so migrations use the very engine, pragmas and
transaction of :class:`bot.store.db.Database`.

To write a new revision (e.g. for the webhook pipeline)::

    python -m alembic -c bot/store/alembic.ini revision -m "what it does"

and fill in ``upgrade()``/``downgrade()`` by hand; there must stay exactly one head.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

PACKAGE_DIR = Path(__file__).resolve().parent
INI_PATH = PACKAGE_DIR / "alembic.ini"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config for the bot's migrations, optionally bound to an open connection."""
    cfg = Config(str(INI_PATH))
    cfg.set_main_option("script_location", str(PACKAGE_DIR / "migrations"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def heads() -> list[str]:
    return list(ScriptDirectory.from_config(alembic_config()).get_heads())


def is_known(revision: str) -> bool:
    """Whether this version of the bot has that revision (a newer one may have migrated)."""
    return any(
        script.revision == revision
        for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    )


def upgrade_on(connection: Connection, revision: str = "head") -> None:
    command.upgrade(alembic_config(connection), revision)


def current_on(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
