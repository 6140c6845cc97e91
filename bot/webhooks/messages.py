"""Thread replies for webhook events: pure builders returning ``(fallback_text, blocks)``.

Every piece of attendee- or ScheduCal-supplied text is escaped (``person_text``,
``escape``), so a name like ``<!channel>`` shows as typed and pings nobody. Times use
``<!date^...>`` tokens (each reader's own zone) with the appointment's zone named in the
fallback and in the notification text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.slack.blocks import actions, button, context, person_text, section, when_text
from bot.slack.text import date_token, escape, truncate, wall_time_text

PROPOSAL_ACCEPT = "proposal_accept"
PROPOSAL_KEEP = "proposal_keep"

RESPONSE_WORDS = {
    "accepted": (":white_check_mark:", "accepted"),
    "declined": (":x:", "declined"),
    "tentativelyAccepted": (":grey_question:", "tentatively accepted"),
    "none": (":grey_exclamation:", "has not responded"),
    "notResponded": (":grey_exclamation:", "has not responded"),
}

Message = tuple[str, list[dict[str, Any]]]


def _plain(text: str) -> str:
    """Notification text: escaped too (clients render it as mrkdwn)."""
    return escape(truncate(text, 500))


def _proposed_line(who: str, start: datetime, end: datetime, tz_name: str) -> str:
    return f":arrows_counterclockwise: {who} proposed a new time:\n{when_text(start, end, tz_name)}"


def responded(name: str, email: str, response: str, *, superseded: bool) -> Message:
    emoji, word = RESPONSE_WORDS.get(response, (":grey_exclamation:", response))
    who = person_text(name, email)
    line = f"{emoji} {who} *{escape(word)}*"
    blocks = [section(line)]
    if superseded:
        blocks.append(
            context("_An earlier answer, delivered late: the tally keeps their newer one._")
        )
    return _plain(f"{name or email} {word}"), blocks


def proposal(
    proposal_id: int, name: str, email: str, start: datetime, end: datetime, tz_name: str
) -> Message:
    who = person_text(name, email)
    value = str(proposal_id)
    confirm = {
        "title": {"type": "plain_text", "text": "Move the meeting?"},
        "text": {
            "type": "mrkdwn",
            "text": truncate(
                f"Everyone invited gets an update for {wall_time_text(start, tz_name)}.", 300
            ),
        },
        "confirm": {"type": "plain_text", "text": "Move it"},
        "deny": {"type": "plain_text", "text": "Not now"},
    }
    blocks = [
        section(_proposed_line(who, start, end, tz_name)),
        actions(
            f"proposal_{proposal_id}",
            button(
                "Accept proposed time", PROPOSAL_ACCEPT, value, style="primary", confirm=confirm
            ),
            button("Keep original", PROPOSAL_KEEP, value),
        ),
    ]
    fallback = f"{name or email} proposed {wall_time_text(start, tz_name)}"
    return _plain(fallback), blocks


def proposal_decided(
    name: str,
    email: str,
    start: datetime,
    end: datetime,
    tz_name: str,
    *,
    accepted: bool,
    decided_by: str,
    decided_at: datetime,
) -> Message:
    """The proposal reply once decided: the buttons are replaced by who decided and when."""
    who = person_text(name, email)
    verdict = (
        ":white_check_mark: Accepted" if accepted else ":no_entry_sign: Kept the original time"
    )
    blocks = [
        section(_proposed_line(who, start, end, tz_name)),
        context(f"{verdict} by <@{decided_by}> on {date_token(decided_at, tz_name)}"),
    ]
    word = "accepted" if accepted else "declined"
    return _plain(f"Proposal by {name or email} {word}"), blocks


def proposal_retired(
    name: str, email: str, start: datetime, end: datetime, tz_name: str, *, reason: str
) -> Message:
    """The proposal reply once the meeting was moved or canceled: no buttons any more."""
    who = person_text(name, email)
    blocks = [
        section(_proposed_line(who, start, end, tz_name)),
        context(f":no_entry: No longer applies: the meeting was {reason} after this was proposed."),
    ]
    return _plain(f"Proposal by {name or email} no longer applies"), blocks


@dataclass(frozen=True)
class Change:
    label: str
    old: str  # already mrkdwn (escaped or a date token)
    new: str


def updated(changes: list[Change]) -> Message:
    lines = [f"• *{change.label}:* {change.old} → {change.new}" for change in changes]
    labels = ", ".join(change.label.lower() for change in changes)
    return (
        _plain(f"Appointment updated: {labels}"),
        [section(":pencil2: *Appointment updated*\n" + "\n".join(lines))],
    )


def canceled(comment: str | None) -> Message:
    text = ":no_entry_sign: *Appointment canceled*"
    if comment and comment.strip():
        text += f"\n> {escape(truncate(comment.strip(), 1000))}"
    return "Appointment canceled", [section(text)]


def unknown_appointment(
    event_type: str, appointment_id: str, subject: str | None, detail: list[dict[str, Any]]
) -> Message:
    """For SCHEDUCAL_DEFAULT_CHANNEL: an event about an appointment this bot did not send."""
    title = escape(truncate(subject or "an appointment", 250))
    head = context(
        f"ScheduCal `{escape(event_type)}` for *{title}* "
        f"(`{escape(truncate(appointment_id, 80))}`), not sent from this workspace's Slack"
    )
    return _plain(f"ScheduCal: {event_type} for {subject or appointment_id}"), [head, *detail]
