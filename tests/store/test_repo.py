"""Every repository function, on a real SQLite file and on real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import IntegrityError

from bot.store import repo
from bot.store.db import Database
from bot.store.repo import InviteeDraft, NotFoundError
from bot.store.types import NaiveDatetimeError

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
        "invitees": [InviteeDraft("John@Acme.com", "John"), InviteeDraft("u2@x.io", None, "U2")],
    }
    fields.update(overrides)
    return await repo.reserve_appointment(s, **fields)


async def reserve_active(db: Database, key: str, **overrides):
    async with db.session() as s:
        appt, _ = await reserve(s, key=key, **overrides)
        return await repo.mark_sent(s, appt.id, f"sc-{key}")


# --- reserve_appointment --------------------------------------------------------------------


async def test_reserve_creates_sending_appointment_with_invitees(db: Database) -> None:
    async with db.session() as s:
        appt, created = await reserve(s)
    assert created is True
    assert (appt.ref, appt.status, appt.team_id, appt.scheducal_id) == (1, "sending", TEAM, None)
    async with db.session() as s:
        loaded = await repo.get_appointment(s, appt.id)
        assert loaded is not None
        assert (loaded.subject, loaded.location, loaded.notes) == ("Intro call", "Room 1", None)
        assert loaded.start_utc == T0
        assert loaded.start_utc.utcoffset() == timedelta(0)
        assert loaded.end_utc == T0 + timedelta(minutes=30)
        assert [i.email for i in loaded.invitees] == ["john@acme.com", "u2@x.io"]
        assert [i.name for i in loaded.invitees] == ["John", None]
        assert [i.slack_user_id for i in loaded.invitees] == [None, "U2"]
        assert [i.response for i in loaded.invitees] == ["none", "none"]
        assert {i.team_id for i in loaded.invitees} == {TEAM}
        assert loaded.created_at.tzinfo is not None
        assert abs(loaded.created_at - datetime.now(UTC)) < timedelta(minutes=1)


async def test_same_key_returns_the_existing_row(db: Database) -> None:
    async with db.session() as s:
        first, created_first = await reserve(s, key="double-click")
    async with db.session() as s:
        again, created_again = await reserve(s, key="double-click", subject="changed")
    assert (created_first, created_again) == (True, False)
    assert again.id == first.id and again.ref == first.ref and again.subject == "Intro call"
    async with db.session() as s:
        nxt, created = await reserve(s, key="another")
    assert created and nxt.ref == 2  # the repeat did not use up a ref


async def test_refs_and_keys_are_per_team(db: Database) -> None:
    async with db.session() as s:
        a1, _ = await reserve(s, key="k", team="TA")
        a2, _ = await reserve(s, key="k2", team="TA")
        b1, created = await reserve(s, key="k", team="TB")  # same key, other team: a new row
    assert created is True
    assert (a1.ref, a2.ref, b1.ref) == (1, 2, 1)
    assert b1.id != a1.id
    async with db.session() as s:
        assert (await repo.get_by_ref(s, "TA", 1)).id == a1.id
        assert (await repo.get_by_ref(s, "TB", 1)).id == b1.id
        assert await repo.get_by_ref(s, "TB", 2) is None
        assert await repo.get_by_ref(s, "TC", 1) is None


async def test_reserve_keeps_one_invitee_per_email(db: Database) -> None:
    drafts = [
        InviteeDraft("a@x.io", "A"),
        InviteeDraft(" A@X.IO ", "Other"),
        InviteeDraft("b@x.io"),
    ]
    async with db.session() as s:
        appt, _ = await reserve(s, invitees=drafts)
    assert [(i.email, i.name) for i in appt.invitees] == [("a@x.io", "A"), ("b@x.io", None)]


async def test_aware_times_in_any_zone_are_stored_as_utc(db: Database) -> None:
    berlin = datetime(2030, 7, 1, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # 07:00 UTC
    async with db.session() as s:
        appt, _ = await reserve(s, start_utc=berlin, end_utc=berlin + timedelta(hours=1))
    async with db.session() as s:
        loaded = await repo.get_appointment(s, appt.id)
    assert loaded.start_utc == datetime(2030, 7, 1, 7, 0, tzinfo=UTC)
    assert loaded.start_utc.tzinfo is UTC


async def test_naive_and_inverted_times_are_refused(db: Database) -> None:
    with pytest.raises(NaiveDatetimeError, match="aware"):
        async with db.session() as s:
            await reserve(s, start_utc=datetime(2030, 1, 1, 9), end_utc=datetime(2030, 1, 1, 10))
    with pytest.raises(ValueError, match="after its start"):
        async with db.session() as s:
            await reserve(s, end_utc=T0)
    async with db.session() as s:  # nothing half-stored
        assert await repo.get_by_ref(s, TEAM, 1) is None


# --- status changes ----------------------------------------------------------------------


async def test_mark_sent_failed_canceled_and_message_ts(db: Database) -> None:
    async with db.session() as s:
        a, _ = await reserve(s, key="a")
        b, _ = await reserve(s, key="b")
    async with db.session() as s:
        sent = await repo.mark_sent(s, a.id, "AAMk-1")
        await repo.set_message_ts(s, a.id, "1700000000.000100")
        failed = await repo.mark_failed(s, b.id)
    assert (sent.status, sent.scheducal_id, failed.status) == ("active", "AAMk-1", "failed")
    async with db.session() as s:
        found = await repo.get_by_scheducal_id(s, "AAMk-1")
        assert found.id == a.id and found.message_ts == "1700000000.000100"
        assert await repo.get_by_scheducal_id(s, "nope") is None
        canceled = await repo.mark_canceled(s, a.id)
    assert canceled.status == "canceled"
    async with db.session() as s:
        assert (await repo.get_appointment(s, a.id)).status == "canceled"
        assert (await repo.get_appointment(s, b.id)).status == "failed"


async def test_scheducal_id_is_unique(db: Database) -> None:
    await reserve_active(db, "a")
    with pytest.raises(IntegrityError):
        async with db.session() as s:
            b, _ = await reserve(s, key="b")
            await repo.mark_sent(s, b.id, "sc-a")


async def test_changes_to_a_missing_appointment_raise_not_found(db: Database) -> None:
    async with db.session() as s:
        for call in (
            repo.mark_sent(s, 999, "x"),
            repo.mark_failed(s, 999),
            repo.mark_canceled(s, 999),
            repo.set_message_ts(s, 999, "1.2"),
            repo.add_invitee(s, 999, email="a@b.c"),
            repo.update_schedule(s, 999, start_utc=T0, end_utc=T0 + timedelta(1), timezone="UTC"),
        ):
            with pytest.raises(NotFoundError):
                await call
        assert await repo.get_appointment(s, 999) is None


async def test_update_schedule(db: Database) -> None:
    appt = await reserve_active(db, "a")
    new_start = T0 + timedelta(days=1)
    async with db.session() as s:
        updated = await repo.update_schedule(
            s,
            appt.id,
            start_utc=new_start,
            end_utc=new_start + timedelta(hours=2),
            timezone="America/New_York",
        )
    assert updated.subject == "Intro call" and updated.location == "Room 1"  # None = unchanged
    assert updated.updated_at >= appt.updated_at
    async with db.session() as s:
        await repo.update_schedule(
            s,
            appt.id,
            start_utc=new_start,
            end_utc=new_start + timedelta(hours=1),
            timezone="UTC",
            subject="Renamed",
            location="Zoom",
        )
    async with db.session() as s:
        loaded = await repo.get_appointment(s, appt.id)
    assert (loaded.start_utc, loaded.end_utc) == (new_start, new_start + timedelta(hours=1))
    assert (loaded.timezone, loaded.subject, loaded.location) == ("UTC", "Renamed", "Zoom")
    with pytest.raises(ValueError):
        async with db.session() as s:
            await repo.update_schedule(s, appt.id, start_utc=T0, end_utc=T0, timezone="UTC")


# --- list_upcoming --------------------------------------------------------------------------


async def test_list_upcoming_by_channel_and_by_user(db: Database) -> None:
    now = T0
    hour = timedelta(hours=1)
    later = await reserve_active(db, "later", start_utc=now + 5 * hour, end_utc=now + 6 * hour)
    soon = await reserve_active(db, "soon", start_utc=now + hour, end_utc=now + 2 * hour)
    ongoing = await reserve_active(db, "ongoing", start_utc=now - hour, end_utc=now + hour)
    await reserve_active(db, "past", start_utc=now - 3 * hour, end_utc=now - 2 * hour)
    other_channel = await reserve_active(
        db,
        "other",
        channel_id="C2",
        organizer_id="U9",
        invitees=[InviteeDraft("x@y.z", None, "U7")],
        start_utc=now + 2 * hour,
        end_utc=now + 3 * hour,
    )
    await reserve_active(db, "other-team", team="T9", start_utc=now + hour, end_utc=now + 2 * hour)
    async with db.session() as s:
        canceled, _ = await reserve(s, key="canceled", start_utc=now + hour, end_utc=now + 2 * hour)
        await repo.mark_canceled(s, canceled.id)
        await reserve(s, key="still-sending", start_utc=now + hour, end_utc=now + 2 * hour)

    async with db.session() as s:

        def ids(rows):
            return [r.id for r in rows]

        assert ids(await repo.list_upcoming(s, TEAM, now=now, channel_id="C1")) == [
            ongoing.id,
            soon.id,
            later.id,
        ]
        everything = await repo.list_upcoming(s, TEAM, now=now)
        assert ids(everything) == [ongoing.id, soon.id, other_channel.id, later.id]
        # organizer
        assert ids(await repo.list_upcoming(s, TEAM, now=now, user_id="U9")) == [other_channel.id]
        # invitee by Slack id
        assert ids(await repo.list_upcoming(s, TEAM, now=now, user_id="U7")) == [other_channel.id]
        assert ids(await repo.list_upcoming(s, TEAM, now=now, user_id="U2")) == [
            ongoing.id,
            soon.id,
            later.id,
        ]
        assert await repo.list_upcoming(s, TEAM, now=now, channel_id="C2", user_id="U2") == []
        assert await repo.list_upcoming(s, TEAM, now=now, user_id="nobody") == []
        assert ids(await repo.list_upcoming(s, TEAM, now=now, limit=2)) == [ongoing.id, soon.id]
        # invitees are loaded with the appointments (no lazy load in async code)
        assert [i.email for i in everything[0].invitees] == ["john@acme.com", "u2@x.io"]
        # an aware `now` in another zone means the same instant
        later_now = (now + 3 * hour).astimezone(ZoneInfo("Asia/Tokyo"))
        assert ids(await repo.list_upcoming(s, TEAM, now=later_now)) == [later.id]


# --- invitees ------------------------------------------------------------------------------


async def test_add_invitee(db: Database) -> None:
    appt = await reserve_active(db, "a")
    async with db.session() as s:
        new, created = await repo.add_invitee(s, appt.id, email="New@Example.com", name="New")
        assert created and new.email == "new@example.com" and new.team_id == TEAM
        loaded = await repo.get_appointment(s, appt.id)
        assert [i.email for i in loaded.invitees][-1] == "new@example.com"
    async with db.session() as s:
        again, created = await repo.add_invitee(
            s, appt.id, email="new@EXAMPLE.com", name="Ignored", slack_user_id="U5"
        )
    assert not created and again.id == new.id
    assert (again.name, again.slack_user_id) == ("New", "U5")  # keeps name, fills missing id
    async with db.session() as s:
        with pytest.raises(ValueError):
            await repo.add_invitee(s, appt.id, email="  ")
        assert len((await repo.get_appointment(s, appt.id)).invitees) == 3


async def test_record_invitation(db: Database) -> None:
    appt = await reserve_active(db, "a")
    async with db.session() as s:
        await repo.record_invitation(s, appt.id, "JOHN@acme.com", gmail_first_invite=True)
        await repo.record_invitation(s, appt.id, "u2@x.io", error="invalid_email: bad address")
        with pytest.raises(NotFoundError):
            await repo.record_invitation(s, appt.id, "stranger@x.io")
    async with db.session() as s:
        john = await repo.get_invitee(s, appt.id, "john@acme.com")
        u2 = await repo.get_invitee(s, appt.id, "u2@x.io")
    assert (john.gmail_first_invite, john.invite_error) == (True, None)
    assert (u2.gmail_first_invite, u2.invite_error) == (False, "invalid_email: bad address")


async def test_record_response_ignores_older_answers(db: Database) -> None:
    appt = await reserve_active(db, "a")
    t = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)
    async with db.session() as s:
        ok = await repo.record_response(
            s, appt.id, email="John@acme.com", name="John D", response="accepted", responded_at=t
        )
        assert ok is True
        inv = await repo.get_invitee(s, appt.id, "john@acme.com")
        assert (inv.response, inv.responded_at, inv.name) == ("accepted", t, "John D")
    async with db.session() as s:  # older: ignored
        older = await repo.record_response(
            s,
            appt.id,
            email="john@acme.com",
            name=None,
            response="declined",
            responded_at=t - timedelta(seconds=1),
        )
        assert older is False
    async with db.session() as s:
        inv = await repo.get_invitee(s, appt.id, "john@acme.com")
        assert (inv.response, inv.responded_at) == ("accepted", t)
        newer = await repo.record_response(
            s,
            appt.id,
            email="john@acme.com",
            name=None,
            response="declined",
            responded_at=t + timedelta(minutes=5),
        )
        assert newer is True
        # the object in the session reflects the UPDATE straight away
        assert inv.response == "declined" and inv.name == "John D"
    async with db.session() as s:  # the same time again (a redelivery) is applied
        assert await repo.record_response(
            s,
            appt.id,
            email="john@acme.com",
            name=None,
            response="tentativelyAccepted",
            responded_at=t + timedelta(minutes=5),
        )
        inv = await repo.get_invitee(s, appt.id, "john@acme.com")
        assert inv.response == "tentativelyAccepted"


async def test_record_response_from_an_unknown_attendee_adds_them(db: Database) -> None:
    appt = await reserve_active(db, "a")
    t = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)
    async with db.session() as s:
        assert await repo.record_response(
            s,
            appt.id,
            email="Walk-In@x.io",
            name="Walk In",
            response="notResponded",
            responded_at=t,
        )
    async with db.session() as s:
        loaded = await repo.get_appointment(s, appt.id)
        walk_in = loaded.invitees[-1]
        assert (walk_in.email, walk_in.name, walk_in.response) == (
            "walk-in@x.io",
            "Walk In",
            "none",
        )
        assert walk_in.team_id == TEAM
        with pytest.raises(ValueError, match="unknown response"):
            await repo.record_response(
                s, appt.id, email="a@b.c", name=None, response="maybe", responded_at=t
            )


# --- proposals -----------------------------------------------------------------------------


async def propose(db: Database, appt_id: int, event_id: str = "evt-1"):
    async with db.session() as s:
        return await repo.add_proposal(
            s,
            appt_id,
            event_id=event_id,
            attendee_email="John@acme.com",
            attendee_name="John",
            proposed_start_utc=T0 + timedelta(hours=2),
            proposed_end_utc=T0 + timedelta(hours=3),
        )


async def test_add_get_and_list_proposals(db: Database) -> None:
    appt = await reserve_active(db, "a")
    proposal, created = await propose(db, appt.id)
    again, created_again = await propose(db, appt.id)  # the same webhook event redelivered
    assert (created, created_again) == (True, False) and again.id == proposal.id
    second, _ = await propose(db, appt.id, "evt-2")
    async with db.session() as s:
        got = await repo.get_proposal(s, proposal.id)
        assert (got.status, got.team_id, got.attendee_email) == ("open", TEAM, "john@acme.com")
        assert got.proposed_start_utc == T0 + timedelta(hours=2)
        await repo.set_proposal_message_ts(s, proposal.id, "1700000000.000200")
        assert [p.id for p in await repo.list_open_proposals(s, appt.id)] == [
            proposal.id,
            second.id,
        ]
        assert await repo.get_proposal(s, 12345) is None
        with pytest.raises(NotFoundError):
            await repo.set_proposal_message_ts(s, 12345, "1.1")
        with pytest.raises(NotFoundError):
            await repo.add_proposal(
                s,
                12345,
                event_id="e",
                attendee_email="a@b.c",
                attendee_name=None,
                proposed_start_utc=T0,
                proposed_end_utc=T0 + timedelta(hours=1),
            )
    async with db.session() as s:
        assert (await repo.get_proposal(s, proposal.id)).message_ts == "1700000000.000200"


async def test_decide_proposal_only_once(db: Database) -> None:
    appt = await reserve_active(db, "a")
    proposal, _ = await propose(db, appt.id)
    decided_at = datetime(2030, 5, 2, 8, 0, tzinfo=UTC)
    async with db.session() as s:
        won = await repo.decide_proposal(
            s, proposal.id, status="accepted", decided_by="U1", decided_at=decided_at
        )
        assert won is True
        assert (await repo.get_proposal(s, proposal.id)).status == "accepted"
    async with db.session() as s:
        lost = await repo.decide_proposal(s, proposal.id, status="kept", decided_by="U2")
        assert lost is False
        got = await repo.get_proposal(s, proposal.id)
        assert (got.status, got.decided_by, got.decided_at) == ("accepted", "U1", decided_at)
        assert await repo.list_open_proposals(s, appt.id) == []
        assert await repo.decide_proposal(s, 12345, status="kept", decided_by="U1") is False
        for bad in ("open", "maybe"):
            with pytest.raises(ValueError):
                await repo.decide_proposal(s, proposal.id, status=bad, decided_by="U1")


# --- helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#12", 12),
        ("12", 12),
        (" # 7 ", 7),
        ("#0", None),
        ("#-1", None),
        ("twelve", None),
        ("", None),
        ("#12a", None),
        ("1234567890", None),
    ],
)
def test_parse_ref(text: str, expected: int | None) -> None:
    assert repo.parse_ref(text) == expected


async def test_an_invitee_without_email_is_refused_before_anything_is_stored(db: Database) -> None:
    with pytest.raises(ValueError, match="email"):
        async with db.session() as s:
            await reserve(s, invitees=[InviteeDraft(" ")])
    async with db.session() as s:
        appt, _ = await reserve(s, key="ok")
    assert appt.ref == 1


async def test_reactivate_undoes_a_cancel_of_a_sent_appointment(db: Database) -> None:
    a = await reserve_active(db, "a")
    async with db.session() as s:
        await repo.mark_canceled(s, a.id)
        again = await repo.reactivate(s, a.id)
    assert again.status == "active"
    async with db.session() as s:
        never_sent, _ = await reserve(s, key="b")
        with pytest.raises(ValueError, match="never sent"):
            await repo.reactivate(s, never_sent.id)


async def test_fail_stale_sends_marks_only_old_sending_rows(db: Database) -> None:
    async with db.session() as s:
        old, _ = await reserve(s, key="old")
        young, _ = await reserve(s, key="young")
    sent = await reserve_active(db, "sent")
    cut_off = datetime.now(UTC) + timedelta(seconds=5)
    async with db.session() as s:
        (await repo.get_appointment(s, young.id)).created_at = cut_off + timedelta(minutes=1)
    async with db.session() as s:
        failed = await repo.fail_stale_sends(s, created_before=cut_off)
    assert [a.id for a in failed] == [old.id]
    async with db.session() as s:
        statuses = [(await repo.get_appointment(s, x.id)).status for x in (old, young, sent)]
    assert statuses == ["failed", "sending", "active"]
    async with db.session() as s:
        with pytest.raises(NaiveDatetimeError):
            await repo.fail_stale_sends(s, created_before=datetime(2026, 1, 1))
