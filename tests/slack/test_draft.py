from datetime import UTC, datetime

import pytest

from bot.slack.draft import Draft, DraftAttendee, DraftError, DraftTooLarge


def make(**changes):
    values = dict(
        team_id="T1",
        channel_id="C1",
        organizer_id="U1",
        subject="Intro <call> & co",
        start=datetime(2026, 4, 15, 16, 0, tzinfo=UTC),
        end=datetime(2026, 4, 15, 16, 30, tzinfo=UTC),
        timezone="America/Los_Angeles",
        attendees=(DraftAttendee("ann@acme.com", "Ann", "U2"), DraftAttendee("bob@x.io")),
        location="Room 4",
        notes="Bring the numbers",
    )
    values.update(changes)
    return Draft(**values)


def test_round_trip_keeps_every_field():
    draft = make()
    value = draft.encode()
    assert value.startswith("j:") and len(value) <= 2000
    assert Draft.decode(value) == draft


def test_long_notes_are_deflated_to_fit_a_button():
    draft = make(notes="agenda item\n" * 200)
    value = draft.encode()
    assert value.startswith("z:") and len(value) <= 2000
    assert Draft.decode(value) == draft


def test_incompressible_draft_is_refused_with_a_sentence():
    import secrets

    draft = make(notes=secrets.token_urlsafe(3000))
    with pytest.raises(DraftTooLarge, match="Shorten the notes"):
        draft.encode()


@pytest.mark.parametrize("value", ["", "x:{}", "j:not json", "j:[]", 'j:{"i":"x"}', "z:!!!"])
def test_garbage_values_raise_draft_error(value):
    with pytest.raises(DraftError):
        Draft.decode(value)


def test_idempotency_key_is_stable_per_preview_and_changes_when_edited():
    draft = make()
    again = Draft.decode(draft.encode())
    assert again.idempotency_key == draft.idempotency_key
    edited = draft.renewed(subject="Other")
    assert edited.idempotency_key != draft.idempotency_key
    assert len(draft.idempotency_key) <= 255
