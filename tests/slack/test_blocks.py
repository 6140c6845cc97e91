"""The Block Kit builders: escaping, limits and content, compared directly."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.slack import blocks, modals
from bot.slack.draft import Draft, DraftAttendee

START = datetime(2026, 4, 15, 16, 0, tzinfo=UTC)
END = datetime(2026, 4, 15, 16, 30, tzinfo=UTC)
TOKEN = "<!date^1776268800^{date_short_pretty} at {time}|Wed, Apr 15 2026 9:00 AM PDT"


@dataclass
class Appt:
    ref: int = 12
    subject: str = "<!channel> budget & <@U999>"
    start_utc: datetime = START
    end_utc: datetime = END
    timezone: str = "America/Los_Angeles"
    location: str | None = "<https://evil.example|Zoom>"
    organizer_id: str = "U1"
    status: str = "active"


@dataclass
class Inv:
    email: str
    name: str | None = None
    response: str | None = "none"
    gmail_first_invite: bool | None = False
    invite_error: str | None = None


def all_text(value) -> str:
    """Everything Slack renders (button values are data, not shown)."""

    def shown(node):
        if isinstance(node, dict):
            return {k: shown(v) for k, v in node.items() if k != "value"}
        if isinstance(node, list):
            return [shown(v) for v in node]
        return node

    return json.dumps(shown(value), ensure_ascii=False)


def check_limits(message_blocks):
    assert len(message_blocks) <= blocks.MAX_BLOCKS
    for block in message_blocks:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= blocks.MAX_SECTION_TEXT
        for field in block.get("fields", []):
            assert len(field["text"]) <= blocks.MAX_FIELD_TEXT
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= blocks.MAX_BUTTON_TEXT
                assert len(element["value"]) <= blocks.MAX_BUTTON_VALUE
                assert len(element["action_id"]) <= 255
        assert len(block.get("block_id", "")) <= 255


def test_parent_message_escapes_subject_names_and_location():
    invitees = [Inv("ann@acme.com", name="Ann <!here> & co", response="accepted")]
    text, message = blocks.appointment_message(Appt(), invitees)
    dumped = all_text(message) + text
    for raw in ("<!channel>", "<@U999>", "<!here>", "<https://evil"):
        assert raw not in dumped
    assert "&lt;!channel&gt; budget &amp; &lt;@U999&gt;" in message[0]["text"]["text"]
    assert "Ann &lt;!here&gt; &amp; co (ann@acme.com)" in dumped
    assert "&lt;https://evil.example|Zoom&gt;" in dumped
    check_limits(message)


def test_parent_message_shows_time_token_organizer_rsvps_ref_and_buttons():
    invitees = [
        Inv("ann@acme.com", "Ann", response="accepted"),
        Inv("bob@gmail.com", "Bob", gmail_first_invite=True),
        Inv("cy@x.io", response="declined"),
        Inv("dee@x.io", response="tentativelyAccepted"),
        Inv("eve@x.io", invite_error="ScheduCal rejected the address"),
    ]
    text, message = blocks.appointment_message(Appt(subject="Budget"), invitees)
    assert text.startswith("#12 Budget — Wed, Apr 15 2026 9:00 AM PDT")
    fields = [f["text"] for f in message[1]["fields"]]
    assert fields[0].startswith("*When*\n" + TOKEN)
    assert fields[0].endswith("· 30 min")
    assert "*Organizer*\n<@U1>" in fields
    attendees = message[2]["text"]["text"]
    assert "(1 accepted · 1 tentative · 1 declined · 1 no reply yet)" in attendees
    assert "Bob (bob@gmail.com) — :hourglass_flowing_sand: no reply yet" in attendees
    assert blocks.SPAM_HINT in attendees.split("Bob")[1].split("cy@x.io")[0]
    assert "eve@x.io — :warning: not invited: ScheduCal rejected the address" in attendees
    (buttons,) = [b for b in message if b["type"] == "actions"]
    assert [e["action_id"] for e in buttons["elements"]] == [
        "appt_add_invitee",
        "appt_reschedule",
        "appt_cancel",
    ]
    assert {e["value"] for e in buttons["elements"]} == {"12"}
    assert message[-1]["elements"][0]["text"] == "Reference #12"


def test_canceled_parent_has_no_buttons_and_says_so():
    text, message = blocks.appointment_message(Appt(subject="Budget", status="canceled"), [])
    assert text.startswith("Canceled: #12 Budget")
    assert "~Budget~* — canceled" in message[0]["text"]["text"]
    assert not [b for b in message if b["type"] == "actions"]


def test_huge_attendee_lists_stay_within_block_kit_limits():
    invitees = [Inv(f"person{i}@example.com", name="N" * 100) for i in range(600)]
    _, message = blocks.appointment_message(Appt(subject="x" * 5000), invitees)
    check_limits(message)
    assert message[-1]["elements"][0]["text"] == "Reference #12"  # the tail survives
    assert "…and 500 more." in all_text(message)
    assert len(json.dumps(message)) < 40_000  # Slack's msg_too_long threshold


def test_fit_blocks_cuts_at_fifty_and_says_so():
    many = [blocks.section(str(i)) for i in range(80)]
    kept = blocks.fit_blocks(many, reserved=2)
    assert len(kept) == 48
    assert kept[-1]["elements"][0]["text"] == "_…and 33 more not shown here._"


def draft(**changes):
    values = dict(
        team_id="T1",
        channel_id="C1",
        organizer_id="U1",
        subject="Sync <!channel>",
        start=START,
        end=END,
        timezone="America/Los_Angeles",
        attendees=(DraftAttendee("ann@acme.com", "Ann <@U2>", "U2"),),
        location="Room & 4",
        notes="bring <b>",
    )
    values.update(changes)
    return Draft(**values)


def test_preview_shows_everything_escaped_and_carries_the_draft_in_its_buttons():
    d = draft()
    text, message = blocks.preview_message(d, notices=["I found no subject."])
    dumped = all_text(message)
    assert "<!channel>" not in dumped and "<@U2>" not in dumped and "<b>" not in dumped
    assert "Sync &lt;!channel&gt;" in message[0]["text"]["text"]
    assert message[1]["fields"][0]["text"].startswith("*When*\n" + TOKEN)
    assert "Room &amp; 4" in dumped
    (buttons,) = [b for b in message if b["type"] == "actions"]
    send, edit, cancel = buttons["elements"]
    assert (send["action_id"], edit["action_id"], cancel["action_id"]) == (
        "preview_send",
        "preview_edit",
        "preview_cancel",
    )
    assert Draft.decode(send["value"]) == d == Draft.decode(edit["value"])
    assert send["style"] == "primary"
    assert "I found no subject." in dumped
    assert text.startswith("Preview: Sync &lt;!channel&gt;")
    check_limits(message)


def test_preview_without_attendees_says_how_to_add_them():
    _, message = blocks.preview_message(draft(attendees=()))
    assert "Nobody yet" in all_text(message)


def test_send_outcome_names_failed_invitations_and_gmail_hints():
    invitees = [
        Inv("ann@gmail.com", "Ann", gmail_first_invite=True),
        Inv("bob@x.io", "Bob", invite_error="ScheduCal could not send this invitation."),
    ]
    text, message = blocks.send_outcome_message(
        Appt(subject="Budget"), invitees, problems=["I could not post in this channel."]
    )
    body = message[0]["text"]["text"]
    assert body.startswith(":warning: *#12 Budget* is scheduled for " + TOKEN)
    assert "invitations sent to 1 person." in body
    assert "Ann (ann@gmail.com): first invitation to this Gmail address" in body
    assert "Bob (bob@x.io) was *not* invited: ScheduCal could not send" in body
    assert "I could not post in this channel." in body


def test_list_help_and_home():
    text, message = blocks.list_message([Appt(subject="A & B")])
    assert "*#12* A &amp; B — " + TOKEN in message[0]["text"]["text"]
    assert blocks.list_message([])[0] == "No upcoming appointments in this channel."
    _, help_blocks = blocks.help_message("/sched")
    assert "`/sched list`" in help_blocks[0]["text"]["text"]
    home = blocks.home_view([Appt()])
    assert home["type"] == "home" and "#12" in all_text(home)
    assert "Nothing scheduled" in all_text(blocks.home_view([]))
    assert "Type `/schedule` in any channel" in all_text(blocks.home_view([], "/schedule"))


def test_schedule_modal_prefills_and_reads_back():
    d = draft()
    defaults = modals.ScheduleDefaults(
        subject=d.subject, start=d.start, end=d.end, user_ids=("U2",), emails=("x@y.io",)
    )
    view = modals.schedule_modal(defaults, {"c": "C1"})
    assert view["callback_id"] == "meet_schedule"
    assert len(view["title"]["text"]) <= 24
    by_id = {b["block_id"]: b for b in view["blocks"]}
    assert by_id["start"]["element"]["initial_date_time"] == 1776268800
    assert by_id["duration"]["element"]["initial_option"]["value"] == "30"
    assert by_id["people"]["element"]["initial_users"] == ["U2"]
    assert by_id["emails"]["element"]["initial_value"] == "x@y.io"


def values(**fields):
    state = {
        "subject": {"type": "plain_text_input", "value": fields.get("subject")},
        "start": {"type": "datetimepicker", "selected_date_time": fields.get("start")},
        "duration": {
            "type": "static_select",
            "selected_option": {"value": fields["duration"]} if "duration" in fields else None,
        },
        "end": {"type": "datetimepicker", "selected_date_time": fields.get("end")},
        "people": {"type": "multi_users_select", "selected_users": fields.get("people", [])},
        "emails": {"type": "plain_text_input", "value": fields.get("emails")},
        "location": {"type": "plain_text_input", "value": fields.get("location")},
        "notes": {"type": "plain_text_input", "value": None},
    }
    return {block: {modals.VALUE: element} for block, element in state.items()}


NOW = datetime(2026, 4, 1, tzinfo=UTC)


def test_schedule_form_validation_errors_point_at_fields():
    form, errors = modals.read_schedule_form(
        values(subject=" ", start=1776268800, end=1776268800 - 60, emails="ann@x.io, nope"),
        now=NOW,
    )
    assert form is None
    assert errors == {
        "subject": "Give the meeting a subject.",
        "end": "The end must be after the start.",
        "emails": "Not an email address: nope",
    }
    _, errors = modals.read_schedule_form(values(subject="A"), now=NOW)
    assert errors == {"start": "Pick a date and a time."}
    _, errors = modals.read_schedule_form(values(subject="A", start=1_000_000), now=NOW)
    assert "in the past" in errors["start"]


def test_schedule_form_reads_duration_people_and_emails():
    form, errors = modals.read_schedule_form(
        values(
            subject="Budget",
            start=1776268800,
            duration="45",
            people=["U2"],
            emails="Ann@X.io;\n<mailto:bob@y.io|bob@y.io> ann@x.io",
            location="Room 4",
        ),
        now=NOW,
    )
    assert errors == {}
    assert form.start == START and (form.end - form.start).seconds == 45 * 60
    assert form.user_ids == ("U2",) and form.emails == ("ann@x.io", "bob@y.io")
    assert form.location == "Room 4" and form.notes is None


def test_manage_modals():
    assert modals.invite_modal(3, "<b>", {"ref": 3})["callback_id"] == "appt_invite"
    _, errors = modals.read_invite_form(values())
    assert errors == {"people": "Pick someone, or type an email address below."}
    view = modals.cancel_modal(3, "Budget <!channel>", {"ref": 3})
    assert "&lt;!channel&gt;" in view["blocks"][0]["text"]["text"]
    assert view["close"]["text"] == "Keep it"
    view = modals.reschedule_modal(3, "B", START, END, {"ref": 3})
    assert view["blocks"][1]["element"]["initial_date_time"] == 1776268800
