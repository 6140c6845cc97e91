"""Block Kit builders: pure functions from values to ``(fallback_text, blocks)``.

No Slack calls, no database, no clock: tests compare their output directly. Every piece
of user text goes through :func:`escape`; every list that can grow is cut to Slack's
limits (50 blocks, 3,000 characters per section, 75 per button label, 2,000 per value).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from bot.slack.text import date_token, duration_text, escape, truncate, wall_time_text

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_FALLBACK_TEXT = 3000
MAX_ATTENDEE_LINES = 100  # beyond this the parent message says "...and N more"

# Action ids are part of the contract with the webhook worker and must not change.
PREVIEW_SEND = "preview_send"
PREVIEW_EDIT = "preview_edit"
PREVIEW_CANCEL = "preview_cancel"
APPT_ADD_INVITEE = "appt_add_invitee"
APPT_RESCHEDULE = "appt_reschedule"
APPT_CANCEL = "appt_cancel"

SPAM_HINT = "Please check your spam folder and confirm the calendar invitation."

RESPONSE_LABELS = {
    "accepted": ":white_check_mark: accepted",
    "declined": ":x: declined",
    "tentativelyAccepted": ":grey_question: tentative",
}
NO_RESPONSE_LABEL = ":hourglass_flowing_sand: no reply yet"


class AppointmentLike(Protocol):
    """What the builders read from ``bot.store.models.Appointment``."""

    ref: int
    subject: str
    start_utc: datetime
    end_utc: datetime
    timezone: str
    location: str | None
    organizer_id: str
    status: str


class InviteeLike(Protocol):
    """What the builders read from ``bot.store.models.Invitee``."""

    email: str
    name: str | None
    response: str | None
    gmail_first_invite: bool | None
    invite_error: str | None


# --------------------------------------------------------------------------- primitives


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, MAX_SECTION_TEXT)}}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(text, 3000)}]}


def button(
    label: str,
    action_id: str,
    value: str,
    *,
    style: str | None = None,
    confirm: dict[str, Any] | None = None,
) -> dict[str, Any]:
    if len(value) > MAX_BUTTON_VALUE:
        raise ValueError(f"button value for {action_id} is {len(value)} characters (max 2,000)")
    element: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": truncate(label, MAX_BUTTON_TEXT), "emoji": True},
        "value": value,
    }
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def actions(block_id: str, *elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "block_id": block_id, "elements": list(elements)}


def chunk_lines(lines: Iterable[str], limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Join lines into texts of at most ``limit`` characters (a too-long line is cut)."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = truncate(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


def fit_blocks(blocks: list[dict[str, Any]], *, reserved: int = 0) -> list[dict[str, Any]]:
    """Keep at most ``MAX_BLOCKS - reserved`` blocks, saying how much was left out."""
    room = MAX_BLOCKS - reserved
    if len(blocks) <= room:
        return blocks
    kept = blocks[: room - 1]
    kept.append(context(f"_…and {len(blocks) - len(kept)} more not shown here._"))
    return kept


# --------------------------------------------------------------------------- pieces


def when_text(start: datetime, end: datetime, tz_name: str) -> str:
    """Date token plus duration, e.g. `<!date^...|...> · 30 min`."""
    return f"{date_token(start, tz_name)} · {duration_text(end - start)}"


def person_text(name: str | None, email: str) -> str:
    """`Ann Lee <ann@x.com>` as escaped mrkdwn (no mention, so nobody is pinged)."""
    if name and name.strip() and name.strip().lower() != email.lower():
        return f"{escape(truncate(name.strip(), 120))} ({escape(email)})"
    return escape(email)


def response_label(response: str | None) -> str:
    return RESPONSE_LABELS.get(response or "none", NO_RESPONSE_LABEL)


def rsvp_tally(invitees: Sequence[InviteeLike]) -> str:
    counts = {"accepted": 0, "tentativelyAccepted": 0, "declined": 0}
    waiting = 0
    for invitee in invitees:
        if invitee.invite_error:
            continue
        if invitee.response in counts:
            counts[invitee.response] += 1
        else:
            waiting += 1
    return (
        f"{counts['accepted']} accepted · {counts['tentativelyAccepted']} tentative · "
        f"{counts['declined']} declined · {waiting} no reply yet"
    )


def invitee_line(invitee: InviteeLike) -> str:
    line = f"• {person_text(invitee.name, invitee.email)}"
    if invitee.invite_error:
        return f"{line} — :warning: not invited: {escape(truncate(invitee.invite_error, 300))}"
    line += f" — {response_label(invitee.response)}"
    if invitee.gmail_first_invite:
        line += f"\n      _{SPAM_HINT}_"
    return line


def ref_text(ref: int | None) -> str:
    return f"#{ref}" if ref is not None else ""


# --------------------------------------------------------------------------- channel parent


def appointment_message(
    appointment: AppointmentLike, invitees: Sequence[InviteeLike]
) -> tuple[str, list[dict[str, Any]]]:
    """The one channel message per appointment; its thread carries every later update.

    Shows subject, time (reader's own zone), organizer, attendees with their RSVP state,
    location and the short reference, plus the Add invitee / Reschedule / Cancel buttons
    while the appointment is active.
    """
    status = appointment.status
    subject = escape(truncate(appointment.subject or "Meeting", 250))
    ref = ref_text(appointment.ref)
    start, end, tz_name = appointment.start_utc, appointment.end_utc, appointment.timezone

    if status == "canceled":
        headline = f":no_entry_sign: *{ref} ~{subject}~* — canceled"
        fallback = f"Canceled: {ref} {appointment.subject}"
    elif status == "failed":
        headline = f":warning: *{ref} {subject}* — the invitations could not be sent"
        fallback = f"Not sent: {ref} {appointment.subject}"
    elif status == "sending":
        headline = f":hourglass_flowing_sand: *{ref} {subject}* — sending invitations…"
        fallback = f"Sending: {ref} {appointment.subject}"
    else:
        headline = f":calendar: *{ref} {subject}*"
        fallback = f"{ref} {appointment.subject}"
    fallback = escape(truncate(f"{fallback} — {wall_time_text(start, tz_name)}", 500))

    fields = [
        {"type": "mrkdwn", "text": f"*When*\n{when_text(start, end, tz_name)}"},
        {"type": "mrkdwn", "text": f"*Organizer*\n<@{appointment.organizer_id}>"},
    ]
    if appointment.location:
        location = escape(truncate(appointment.location, 500))
        fields.append({"type": "mrkdwn", "text": f"*Location*\n{location}"})
    fields.append({"type": "mrkdwn", "text": f"*Zone*\n{escape(tz_name)}"})

    blocks: list[dict[str, Any]] = [
        section(headline),
        {"type": "section", "fields": fields},
    ]
    attendee_header = f"*Attendees* ({rsvp_tally(invitees)})" if invitees else "*Attendees*"
    shown = [invitee_line(i) for i in invitees[:MAX_ATTENDEE_LINES]]
    lines = [attendee_header, *(shown or ["_Nobody invited yet._"])]
    if len(invitees) > MAX_ATTENDEE_LINES:
        lines.append(f"_…and {len(invitees) - MAX_ATTENDEE_LINES} more._")
    attendee_blocks = [section(chunk) for chunk in chunk_lines(lines)]

    tail: list[dict[str, Any]] = []
    if status == "active":
        value = str(appointment.ref)
        tail.append(
            actions(
                f"appt_{appointment.ref}",
                button("Add invitee", APPT_ADD_INVITEE, value),
                button("Reschedule", APPT_RESCHEDULE, value),
                button("Cancel meeting", APPT_CANCEL, value, style="danger"),
            )
        )
    tail.append(context(f"Reference {ref}"))
    body = fit_blocks(blocks + attendee_blocks, reserved=len(tail))
    return fallback, body + tail


# --------------------------------------------------------------------------- preview


class DraftLike(Protocol):
    subject: str
    start: datetime
    end: datetime
    timezone: str
    location: str | None
    notes: str | None

    @property
    def attendees(self) -> Sequence[Any]: ...

    def encode(self) -> str: ...


def preview_message(
    draft: DraftLike, *, notices: Sequence[str] = ()
) -> tuple[str, list[dict[str, Any]]]:
    """The private preview of a parsed `/meet`: nothing is sent until *Send invites*.

    ``notices`` are already-escaped mrkdwn lines (e.g. "no subject found").
    """
    value = draft.encode()
    subject = escape(truncate(draft.subject, 250))
    fields = [
        {"type": "mrkdwn", "text": f"*When*\n{when_text(draft.start, draft.end, draft.timezone)}"},
        {"type": "mrkdwn", "text": f"*Zone*\n{escape(draft.timezone)}"},
    ]
    if draft.location:
        fields.append(
            {"type": "mrkdwn", "text": f"*Location*\n{escape(truncate(draft.location, 500))}"}
        )
    people = [f"• {person_text(a.name, a.email)}" for a in draft.attendees]
    if not people:
        people = ["_Nobody yet: add people with *Edit*, or later with *Add invitee*._"]
    blocks: list[dict[str, Any]] = [
        section(f":eyes: *Preview* of *{subject}*  (nothing is sent until you press *Send*)"),
        {"type": "section", "fields": fields},
    ]
    blocks += [
        section(chunk) for chunk in chunk_lines([f"*Attendees* ({len(draft.attendees)})", *people])
    ]
    if draft.notes:
        blocks.append(context(f"*Notes:* {escape(truncate(draft.notes, 500))}"))
    tail = [context(line) for line in notices]
    tail.append(
        actions(
            "preview",
            button("Send invites", PREVIEW_SEND, value, style="primary"),
            button("Edit", PREVIEW_EDIT, value),
            button("Cancel", PREVIEW_CANCEL, "cancel"),
        )
    )
    fallback = escape(
        truncate(f"Preview: {draft.subject} — {wall_time_text(draft.start, draft.timezone)}", 500)
    )
    return fallback, fit_blocks(blocks, reserved=len(tail)) + tail


def notice_message(text: str) -> tuple[str, list[dict[str, Any]]]:
    """A one-paragraph private message (already-escaped mrkdwn)."""
    return text, [section(text)]


def send_outcome_message(
    appointment: AppointmentLike,
    invitees: Sequence[InviteeLike],
    *,
    problems: Sequence[str] = (),
) -> tuple[str, list[dict[str, Any]]]:
    """What replaces the preview once the invitations went out (possibly partly).

    ``problems`` are already-escaped sentences (a failed invitation, a channel post that
    did not work); they are listed so nothing half-done goes unreported.
    """
    subject = escape(truncate(appointment.subject, 250))
    invited = [i for i in invitees if not i.invite_error]
    failed = [i for i in invitees if i.invite_error]
    head = (
        f":white_check_mark: *{ref_text(appointment.ref)} {subject}* is scheduled for "
        f"{date_token(appointment.start_utc, appointment.timezone)}; "
        f"invitations sent to {len(invited)} " + ("person" if len(invited) == 1 else "people") + "."
    )
    if failed:
        head = head.replace(":white_check_mark:", ":warning:", 1)
    lines = [head]
    for invitee in invited:
        if invitee.gmail_first_invite:
            lines.append(
                f"• {person_text(invitee.name, invitee.email)}: first invitation to this Gmail "
                f"address; ask them to check their spam folder and confirm the invitation."
            )
    for invitee in failed:
        lines.append(
            f"• :x: {person_text(invitee.name, invitee.email)} was *not* invited: "
            f"{escape(truncate(invitee.invite_error or '', 300))}"
        )
    lines += [f"• :warning: {p}" for p in problems]
    blocks = [section(chunk) for chunk in chunk_lines(lines)]
    fallback = escape(truncate(f"Scheduled {ref_text(appointment.ref)} {appointment.subject}", 300))
    return fallback, fit_blocks(blocks)


# --------------------------------------------------------------------------- lists, help, home


def appointment_line(appointment: AppointmentLike, *, show_organizer: bool = True) -> str:
    subject = escape(truncate(appointment.subject, 150))
    line = (
        f"*{ref_text(appointment.ref)}* {subject} — "
        f"{date_token(appointment.start_utc, appointment.timezone)}"
    )
    if show_organizer:
        line += f" · <@{appointment.organizer_id}>"
    return line


def list_message(
    appointments: Sequence[AppointmentLike], *, where: str = "this channel"
) -> tuple[str, list[dict[str, Any]]]:
    if not appointments:
        text = f"No upcoming appointments in {where}."
        return text, [section(text)]
    lines = [f"*Upcoming appointments in {where}*"] + [appointment_line(a) for a in appointments]
    blocks = fit_blocks([section(chunk) for chunk in chunk_lines(lines)])
    return f"{len(appointments)} upcoming appointments in {where}", blocks


def help_message(command: str = "/meet") -> tuple[str, list[dict[str, Any]]]:
    c = escape(command)
    text = "\n".join(
        [
            f"*{c}* sends real calendar invitations through ScheduCal.",
            f"• `{c} Intro call with ann@acme.com tomorrow 3pm for 30m` — preview, then send",
            f"• `{c} Sync with @ann Friday 10:00-10:45 at Room 4` — Slack people are invited "
            "by their profile email",
            f"• `{c}` — open the form",
            f"• `{c} list` — upcoming appointments in this channel",
            f"• `{c} invite 12 bob@acme.com` or `{c} invite 12 @bob` — add someone to #12",
            f"• `{c} reschedule 12 next Tuesday 2pm` — move #12 (organizer or admins)",
            f"• `{c} cancel 12 sorry, double-booked` — cancel #12 with an optional comment",
            f"• `{c} help` — this message",
            "Times are read in your Slack time zone unless you name one (e.g. `3pm CET`).",
        ]
    )
    return f"How to use {command}", [section(text)]


def home_view(appointments: Sequence[AppointmentLike], command: str = "/meet") -> dict[str, Any]:
    """App Home: the person's upcoming appointments (organized or invited)."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your upcoming appointments"}},
    ]
    if appointments:
        lines = [appointment_line(a) for a in appointments]
        blocks += [section(chunk) for chunk in chunk_lines(lines)]
    else:
        blocks.append(
            section(f"Nothing scheduled. Type `{escape(command)}` in any channel to send one.")
        )
    blocks.append(context("Times show in your own time zone."))
    return {"type": "home", "blocks": fit_blocks(blocks, reserved=0)}
