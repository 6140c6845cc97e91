"""Many callers at once, each in its own session and connection, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.store import repo
from bot.store.db import Database
from bot.store.models import Appointment, Invitee
from bot.store.repo import InviteeDraft
from tests.store.conftest import Backend

T0 = datetime(2030, 5, 6, 15, 0, tzinfo=UTC)
CALLERS = 30


async def reserve(db: Database, team: str, key: str) -> tuple[int, int, bool]:
    async with db.session() as s:
        appt, created = await repo.reserve_appointment(
            s,
            team_id=team,
            idempotency_key=key,
            channel_id="C1",
            organizer_id="U1",
            subject=f"Meeting {key}",
            start_utc=T0,
            end_utc=T0 + timedelta(hours=1),
            timezone="UTC",
            location=None,
            notes=None,
            invitees=[InviteeDraft("a@x.io")],
        )
        return appt.id, appt.ref, created


async def count(db: Database, model, *where) -> int:
    async with db.session() as s:
        return (await s.execute(select(func.count()).select_from(model).where(*where))).scalar()


async def test_concurrent_reservations_get_distinct_gap_free_refs(db: Database) -> None:
    results = await asyncio.gather(
        *(reserve(db, team, f"{team}-{n}") for n in range(CALLERS) for team in ("TA", "TB"))
    )
    assert all(created for _, _, created in results)
    for team in ("TA", "TB"):
        async with db.session() as s:
            refs = (
                await s.execute(select(Appointment.ref).where(Appointment.team_id == team))
            ).scalars()
            assert sorted(refs) == list(range(1, CALLERS + 1))


async def test_concurrent_double_clicks_create_one_appointment(db: Database) -> None:
    results = await asyncio.gather(*(reserve(db, "TA", "same-key") for _ in range(CALLERS)))
    assert sum(created for _, _, created in results) == 1
    assert {(appt_id, ref) for appt_id, ref, _ in results} == {(results[0][0], 1)}
    assert await count(db, Appointment) == 1
    assert await count(db, Invitee) == 1
    # the losers' counter bumps were rolled back with their savepoints: no gap
    assert (await reserve(db, "TA", "next"))[1] == 2


async def test_concurrent_decisions_have_one_winner(db: Database) -> None:
    appt_id, _, _ = await reserve(db, "TA", "k")
    async with db.session() as s:
        proposal, _ = await repo.add_proposal(
            s,
            appt_id,
            event_id="evt",
            attendee_email="a@x.io",
            attendee_name=None,
            proposed_start_utc=T0 + timedelta(days=1),
            proposed_end_utc=T0 + timedelta(days=1, hours=1),
        )

    async def click(n: int) -> bool:
        async with db.session() as s:
            status = "accepted" if n % 2 else "kept"
            return await repo.decide_proposal(s, proposal.id, status=status, decided_by=f"U{n}")

    wins = await asyncio.gather(*(click(n) for n in range(CALLERS)))
    assert sum(wins) == 1
    winner = wins.index(True)
    async with db.session() as s:
        decided = await repo.get_proposal(s, proposal.id)
    assert decided.decided_by == f"U{winner}"
    assert decided.status == ("accepted" if winner % 2 else "kept")


async def test_concurrent_responses_keep_the_newest(db: Database) -> None:
    appt_id, _, _ = await reserve(db, "TA", "k")
    base = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)
    answers = ["accepted", "declined", "tentativelyAccepted"]

    async def respond(n: int) -> bool:
        async with db.session() as s:
            return await repo.record_response(
                s,
                appt_id,
                email="late@x.io",
                name=f"Late {n}",
                response=answers[n % 3],
                responded_at=base + timedelta(seconds=n),
            )

    order = list(range(CALLERS))
    order = order[::2][::-1] + order[1::2]  # deliberately out of order
    await asyncio.gather(*(respond(n) for n in order))
    newest = CALLERS - 1
    async with db.session() as s:
        invitee = await repo.get_invitee(s, appt_id, "late@x.io")
    assert invitee.responded_at == base + timedelta(seconds=newest)
    assert invitee.response == answers[newest % 3]
    assert invitee.name == f"Late {newest}"
    assert await count(db, Invitee, Invitee.email == "late@x.io") == 1


async def test_concurrent_add_invitee_same_email_adds_one_row(db: Database) -> None:
    appt_id, _, _ = await reserve(db, "TA", "k")

    async def add(n: int) -> bool:
        async with db.session() as s:
            _, created = await repo.add_invitee(s, appt_id, email="New@x.io", name=f"N{n}")
            return created

    created = await asyncio.gather(*(add(n) for n in range(CALLERS)))
    assert sum(created) == 1
    assert await count(db, Invitee, Invitee.email == "new@x.io") == 1


async def test_concurrent_duplicate_proposals_store_one(db: Database) -> None:
    appt_id, _, _ = await reserve(db, "TA", "k")

    async def add() -> tuple[int, bool]:
        async with db.session() as s:
            proposal, created = await repo.add_proposal(
                s,
                appt_id,
                event_id="evt-dup",
                attendee_email="a@x.io",
                attendee_name=None,
                proposed_start_utc=T0,
                proposed_end_utc=T0 + timedelta(hours=1),
            )
            return proposal.id, created

    results = await asyncio.gather(*(add() for _ in range(CALLERS)))
    assert sum(created for _, created in results) == 1
    assert len({proposal_id for proposal_id, _ in results}) == 1


async def test_a_reservation_racing_an_uncommitted_one_returns_the_winner(db: Database) -> None:
    """The loser waits for the winner's lock, then gets the winner's row (no second insert).

    On PostgreSQL the loser's insert hits the unique key and falls back; on SQLite it
    waits for the connection (and the write lock) until the winner commits, then finds
    the row.
    """
    async with db.session() as s:
        winner, created = await repo.reserve_appointment(
            s,
            team_id="TA",
            idempotency_key="race",
            channel_id="C1",
            organizer_id="U1",
            subject="first",
            start_utc=T0,
            end_utc=T0 + timedelta(hours=1),
            timezone="UTC",
            location=None,
            notes=None,
            invitees=[],
        )
        loser = asyncio.create_task(reserve(db, "TA", "race"))
        await asyncio.sleep(0.3)
        assert not loser.done()  # blocked behind the uncommitted winner
    loser_id, loser_ref, loser_created = await asyncio.wait_for(loser, 10)
    assert created and not loser_created
    assert (loser_id, loser_ref) == (winner.id, 1)
    assert (await reserve(db, "TA", "after"))[1] == 2


async def test_two_engines_on_one_database_like_two_processes(backend: Backend) -> None:
    """Two Database objects (two pools, as two processes would have) reserving at once.

    On SQLite this goes through BEGIN IMMEDIATE and the busy timeout, not the in-process
    pool queue.
    """
    first, second = backend.database(), backend.database()
    try:
        await first.upgrade()
        results = await asyncio.gather(
            *(reserve(db, "TA", f"{n}") for n in range(20) for db in (first, second)),
            *(reserve(db, "TA", "same") for _ in range(5) for db in (first, second)),
        )
        assert sum(created for _, _, created in results) == 21
        async with second.session() as s:
            refs = (await s.execute(select(Appointment.ref))).scalars().all()
        assert sorted(refs) == list(range(1, 22))
    finally:
        await first.dispose()
        await second.dispose()
