"""Database: URL handling, SQLite connection settings, sessions, UTC timestamps."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.engine import make_url

from bot.config import ConfigError, Settings
from bot.store import repo
from bot.store.db import Database, normalize_url, redacted
from bot.store.models import Appointment, Invitee
from bot.store.repo import InviteeDraft

T0 = datetime(2030, 5, 6, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sqlite:///bot.sqlite3", "sqlite+aiosqlite:///bot.sqlite3"),
        ("sqlite+aiosqlite:////var/lib/bot.db", "sqlite+aiosqlite:////var/lib/bot.db"),
        ("postgres://u:p@db.example:5432/bot", "postgresql+asyncpg://u:***@db.example:5432/bot"),
        ("postgresql://u@db/bot", "postgresql+asyncpg://u@db/bot"),
        (
            "  postgresql+asyncpg://u:p@db/bot?ssl=require ",
            "postgresql+asyncpg://u:***@db/bot?ssl=require",
        ),
    ],
)
def test_normalize_url_maps_to_async_drivers(raw: str, expected: str) -> None:
    assert redacted(normalize_url(raw)) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "DATABASE_URL is empty"),
        ("mysql://u:p@h/db", "scheme 'mysql' is not supported"),
        ("postgresql+psycopg2://u@h/db", "scheme 'postgresql+psycopg2' is not supported"),
        ("just-a-file.db", "is not supported"),
        ("postgresql://u:p@/db", "needs a host and a database name"),
        ("postgresql://u:p@host", "needs a host and a database name"),
        ("sqlite://", "names no SQLite file"),
        ("postgresql://u:p@host:notaport/db", "not a valid database URL"),
    ],
)
def test_bad_urls_give_one_line_config_errors(raw: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        normalize_url(raw)
    assert message in caught.value.message
    assert "\n" not in caught.value.message
    assert "sqlite+aiosqlite:///" in caught.value.message  # says what would work


def test_password_never_shows_in_repr_or_errors() -> None:
    db = Database("postgresql://bot:s3cret-pw@127.0.0.1:1/bot")
    assert "s3cret-pw" not in repr(db)
    with pytest.raises(ConfigError) as caught:
        normalize_url("postgresql://bot:s3cret-pw@host")
    assert "s3cret-pw" not in caught.value.message


def test_from_settings_uses_database_url(tmp_path: Path) -> None:
    settings = Settings.from_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    db = Database.from_settings(settings)
    assert db.is_sqlite and db.url.database == str(tmp_path / "x.sqlite3")


async def test_sqlite_file_and_missing_folders_are_created(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "bot.sqlite3"
    db = Database(f"sqlite:///{path}")
    try:
        await db.upgrade()
        assert path.is_file()
    finally:
        await db.dispose()


async def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    try:
        async with db.engine.connect() as conn:
            pragma = {
                name: (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout")
            }
        assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30000}
    finally:
        await db.dispose()


async def test_deleting_an_appointment_cascades_to_invitees(db: Database) -> None:
    async with db.session() as s:
        appt, _ = await _reserve(s)
    async with db.session() as s:
        await s.execute(delete(Appointment).where(Appointment.id == appt.id))
    async with db.session() as s:
        assert (await s.execute(select(func.count()).select_from(Invitee))).scalar() == 0


async def test_session_rolls_back_on_error_and_commits_otherwise(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.session() as s:
            await _reserve(s, key="rolled-back")
            raise RuntimeError("boom")
    async with db.session() as s:
        await _reserve(s, key="kept")
        await s.commit()  # an explicit commit inside the block is fine
        await _reserve(s, key="kept-too")
    async with db.session() as s:
        keys = (await s.execute(select(Appointment.idempotency_key))).scalars().all()
    assert sorted(keys) == ["kept", "kept-too"]


async def test_objects_stay_readable_after_the_session(db: Database) -> None:
    async with db.session() as s:
        appt, _ = await _reserve(s)
    # no lazy load, no expired attributes: usable from async code after commit
    assert appt.subject == "Intro" and appt.invitees[0].email == "a@x.io"


async def test_timestamps_are_stored_as_utc(db: Database) -> None:
    offset = datetime(2030, 5, 6, 19, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # 17:00 UTC
    async with db.session() as s:
        appt, _ = await _reserve(s, start=offset)
    async with db.session() as s:
        raw = (
            await s.execute(
                text("SELECT start_utc FROM appointments WHERE id = :id"), {"id": appt.id}
            )
        ).scalar()
    if db.is_sqlite:
        assert str(raw).startswith("2030-05-06 17:00:00")  # naive UTC text
    else:
        assert raw == datetime(2030, 5, 6, 17, 0, tzinfo=UTC)


async def _reserve(s, *, key: str = "k", start: datetime = T0):
    return await repo.reserve_appointment(
        s,
        team_id="T1",
        idempotency_key=key,
        channel_id="C1",
        organizer_id="U1",
        subject="Intro",
        start_utc=start,
        end_utc=start + timedelta(hours=1),
        timezone="UTC",
        location=None,
        notes=None,
        invitees=[InviteeDraft("a@x.io")],
    )


def test_url_objects_are_normalised_too() -> None:
    db = Database(make_url("postgresql://bot:pw@db.example/bot"))
    assert db.url.drivername == "postgresql+asyncpg" and db.url.password == "pw"


async def test_deleting_through_the_orm_leaves_invitees_to_the_database(db: Database) -> None:
    async with db.session() as s:
        appt, _ = await _reserve(s)
    async with db.session() as s:
        await s.delete(await repo.get_appointment(s, appt.id))
    async with db.session() as s:
        assert (await s.execute(select(func.count()).select_from(Invitee))).scalar() == 0


async def test_sql_order_and_comparisons_follow_the_instant_in_every_zone(db: Database) -> None:
    """Stored values compare like the instants they stand for, whatever zone they came in."""
    rng = random.Random(20301)
    zones = ["UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Chatham"]
    starts = [
        (
            T0
            + timedelta(minutes=rng.randrange(-600, 600), microseconds=rng.choice([0, 1, 500000]))
        ).astimezone(ZoneInfo(rng.choice(zones)))
        for _ in range(40)
    ]
    async with db.session() as s:
        for n, start in enumerate(starts):
            appt, _ = await _reserve(s, key=f"k{n}", start=start)
            await repo.mark_sent(s, appt.id, f"sc-{n}")
    pivot = starts[7]
    async with db.session() as s:
        ordered = (
            (await s.execute(select(Appointment.start_utc).order_by(Appointment.start_utc)))
            .scalars()
            .all()
        )
        later = (
            (await s.execute(select(Appointment.start_utc).where(Appointment.start_utc > pivot)))
            .scalars()
            .all()
        )
    assert ordered == sorted(starts)
    assert sorted(later) == sorted(x for x in starts if x > pivot)
    assert all(x.tzinfo is UTC for x in ordered)
