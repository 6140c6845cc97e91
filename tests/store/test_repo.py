"""Every repository function, on a real SQLite file and on real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.store import repo
from bot.store.db import Database
from bot.store.repo import InviteeDraft

T0 = datetime(2030, 5, 6, 15, 0, tzinfo=UTC)
TEAM = "T0001"


async def reserve(s, *, key: str = "k1", team: str = TEAM, **overrides):
    fields = {
        "team_id": team,
        "idempotency_key": key,
        "channel_id": "C1",
        "organizer_id": "U1",
        "subject": "Intro call",
        "start_utc": T0,
        "end_utc": T0 + timedelta(minutes=30),
        "timezone": "Europe/Berlin",
        "location": "Room 1",
        "notes": None,
        "invitees": [
            InviteeDraft("John@Acme.com", "John", None),
            InviteeDraft("u2@x.io", None, "U2"),
        ],
    }
    fields.update(overrides)
    return await repo.reserve_appointment(s, **fields)


async def test_reserve_creates_sending_appointment_with_invitees(db: Database) -> None:
    async with db.session() as s:
        appt, created = await reserve(s)
    assert created is True
    assert appt.ref == 1 and appt.status == "sending" and appt.team_id == TEAM
    async with db.session() as s:
        loaded = await repo.get_appointment(s, appt.id)
        assert loaded is not None
        assert loaded.subject == "Intro call"
        assert loaded.start_utc == T0 and loaded.start_utc.tzinfo is not None
        assert loaded.start_utc.utcoffset() == timedelta(0)
        assert [i.email for i in loaded.invitees] == ["john@acme.com", "u2@x.io"]
        assert [i.response for i in loaded.invitees] == ["none", "none"]
        assert {i.team_id for i in loaded.invitees} == {TEAM}
        assert loaded.created_at.tzinfo is not None
