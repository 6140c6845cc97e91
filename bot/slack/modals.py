"""Modals (pure builders) and the reading + validation of what people submit in them.

Readers return either a typed value or ``{block_id: message}`` errors, which the view
listeners answer with ``response_action: errors`` so the person fixes the field in place.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.slack.blocks import ref_text
from bot.slack.text import escape, truncate

SCHEDULE_CALLBACK = "meet_schedule"
INVITE_CALLBACK = "appt_invite"
RESCHEDULE_CALLBACK = "appt_reschedule"
CANCEL_CALLBACK = "appt_cancel"

VALUE = "value"  # the action_id of every input element
DURATIONS = (15, 30, 45, 60, 90, 120, 180, 240, 480)  # minutes offered in the picker
MAX_SUBJECT = 250
MAX_LOCATION = 500
MAX_NOTES = 1000
MAX_COMMENT = 500
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


# --------------------------------------------------------------------------- elements


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str = ""
) -> dict[str, Any]:
    block = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": {**element, "action_id": VALUE},
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint)
    return block


def _text_input(
    initial: str | None = None, *, multiline: bool = False, max_length: int = 250, placeholder=""
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = truncate(initial, max_length)
    if placeholder:
        element["placeholder"] = _plain(placeholder)
    return element


def _datetime_picker(initial: datetime | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datetimepicker"}
    if initial is not None:
        element["initial_date_time"] = int(initial.timestamp())
    return element


def _duration_option(minutes: int) -> dict[str, Any]:
    hours, rest = divmod(minutes, 60)
    label = f"{minutes} min" if not hours else (f"{hours} h" + (f" {rest} min" if rest else ""))
    return {"text": _plain(label), "value": str(minutes)}


def _duration_select(initial_minutes: int | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "options": [_duration_option(m) for m in DURATIONS],
    }
    if initial_minutes in DURATIONS:
        element["initial_option"] = _duration_option(initial_minutes)
    return element


def _users_select(initial: list[str]) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "multi_users_select", "placeholder": _plain("Pick people")}
    if initial:
        element["initial_users"] = initial[:100]
    return element


def _view(callback_id: str, title: str, submit: str, blocks: list, metadata: dict) -> dict:
    text = json.dumps(metadata, separators=(",", ":"))
    if len(text) > 3000:
        raise ValueError("private_metadata longer than 3,000 characters")
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": _plain(title[:24]),
        "submit": _plain(submit[:24]),
        "close": _plain("Cancel"),
        "private_metadata": text,
        "blocks": blocks,
    }


def metadata_of(view: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


# --------------------------------------------------------------------------- schedule


@dataclass(frozen=True)
class ScheduleDefaults:
    subject: str = ""
    start: datetime | None = None
    end: datetime | None = None
    user_ids: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    location: str | None = None
    notes: str | None = None


def schedule_modal(defaults: ScheduleDefaults, metadata: dict[str, Any]) -> dict[str, Any]:
    """The full form: `/meet` without text, and *Edit* on a preview (prefilled)."""
    minutes = None
    end_initial = None
    if defaults.start and defaults.end:
        minutes = int((defaults.end - defaults.start).total_seconds() // 60)
        if minutes not in DURATIONS:
            end_initial = defaults.end
    blocks = [
        _input("subject", "Subject", _text_input(defaults.subject, max_length=MAX_SUBJECT)),
        _input(
            "start",
            "Starts",
            _datetime_picker(defaults.start),
            hint="In your own Slack time zone.",
        ),
        _input("duration", "Duration", _duration_select(minutes or 30), optional=True),
        _input(
            "end",
            "Or ends at",
            _datetime_picker(end_initial),
            optional=True,
            hint="Set this instead of a duration for other lengths.",
        ),
        _input("people", "People in Slack", _users_select(list(defaults.user_ids)), optional=True),
        _input(
            "emails",
            "Other email addresses",
            _text_input(
                ", ".join(defaults.emails),
                multiline=True,
                max_length=2000,
                placeholder="ann@acme.com, bob@example.org",
            ),
            optional=True,
        ),
        _input(
            "location",
            "Location",
            _text_input(defaults.location, max_length=MAX_LOCATION, placeholder="Room or URL"),
            optional=True,
        ),
        _input(
            "notes",
            "Notes",
            _text_input(defaults.notes, multiline=True, max_length=MAX_NOTES),
            optional=True,
        ),
    ]
    return _view(SCHEDULE_CALLBACK, "Schedule a meeting", "Preview", blocks, metadata)


@dataclass(frozen=True)
class ScheduleForm:
    subject: str
    start: datetime  # aware UTC
    end: datetime
    user_ids: tuple[str, ...]
    emails: tuple[str, ...]
    location: str | None
    notes: str | None


def _state(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    return (values.get(block_id) or {}).get(VALUE) or {}


def _text(values: dict[str, Any], block_id: str) -> str:
    return (_state(values, block_id).get("value") or "").strip()


def _epoch(values: dict[str, Any], block_id: str) -> datetime | None:
    raw = _state(values, block_id).get("selected_date_time")
    return None if raw is None else datetime.fromtimestamp(int(raw), UTC)


def _minutes(values: dict[str, Any], block_id: str) -> int | None:
    option = _state(values, block_id).get("selected_option") or {}
    try:
        return int(option["value"])
    except (KeyError, TypeError, ValueError):
        return None


def _users(values: dict[str, Any], block_id: str) -> tuple[str, ...]:
    return tuple(_state(values, block_id).get("selected_users") or ())


def split_emails(raw: str) -> tuple[list[str], list[str]]:
    """(valid emails lower-cased without duplicates, invalid entries as typed)."""
    valid: list[str] = []
    invalid: list[str] = []
    for token in re.split(r"[\s,;]+", raw):
        token = token.strip().strip("<>").split("|", 1)[0]
        if token.lower().startswith("mailto:"):
            token = token[len("mailto:") :]
        if not token:
            continue
        if EMAIL_RE.match(token):
            if token.lower() not in valid:
                valid.append(token.lower())
        else:
            invalid.append(token)
    return valid, invalid


def _read_time(
    values: dict[str, Any], *, now: datetime, errors: dict[str, str]
) -> tuple[datetime | None, datetime | None]:
    start = _epoch(values, "start")
    end = _epoch(values, "end")
    minutes = _minutes(values, "duration")
    if start is None:
        errors["start"] = "Pick a date and a time."
        return None, None
    if start < now - timedelta(minutes=1):
        errors["start"] = "That time is in the past. Pick a time from now on."
    if end is not None:
        if end <= start:
            errors["end"] = "The end must be after the start."
        elif end - start > timedelta(days=14):
            errors["end"] = "That is longer than two weeks. Check the end date."
    else:
        end = start + timedelta(minutes=minutes or 30)
    return start, end


def read_schedule_form(
    values: dict[str, Any], *, now: datetime
) -> tuple[ScheduleForm | None, dict[str, str]]:
    errors: dict[str, str] = {}
    subject = _text(values, "subject")
    if not subject:
        errors["subject"] = "Give the meeting a subject."
    start, end = _read_time(values, now=now, errors=errors)
    emails, invalid = split_emails(_text(values, "emails"))
    if invalid:
        shown = ", ".join(truncate(x, 60) for x in invalid[:5])
        errors["emails"] = truncate(f"Not an email address: {shown}", 150)
    if errors or start is None or end is None:
        return None, errors
    form = ScheduleForm(
        subject=subject,
        start=start,
        end=end,
        user_ids=_users(values, "people"),
        emails=tuple(emails),
        location=_text(values, "location") or None,
        notes=_text(values, "notes") or None,
    )
    return form, {}


# --------------------------------------------------------------------------- manage


def _about(ref: int, subject: str) -> dict[str, Any]:
    text = f"*{ref_text(ref)} {escape(truncate(subject, 200))}*"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def invite_modal(ref: int, subject: str, metadata: dict[str, Any]) -> dict[str, Any]:
    blocks = [
        _about(ref, subject),
        _input("people", "People in Slack", _users_select([]), optional=True),
        _input(
            "emails",
            "Email addresses",
            _text_input(multiline=True, max_length=2000, placeholder="ann@acme.com"),
            optional=True,
        ),
    ]
    return _view(INVITE_CALLBACK, "Add invitees", "Invite", blocks, metadata)


@dataclass(frozen=True)
class InviteForm:
    user_ids: tuple[str, ...]
    emails: tuple[str, ...]


def read_invite_form(values: dict[str, Any]) -> tuple[InviteForm | None, dict[str, str]]:
    emails, invalid = split_emails(_text(values, "emails"))
    users = _users(values, "people")
    if invalid:
        shown = ", ".join(truncate(x, 60) for x in invalid[:5])
        return None, {"emails": truncate(f"Not an email address: {shown}", 150)}
    if not emails and not users:
        return None, {"people": "Pick someone, or type an email address below."}
    return InviteForm(user_ids=users, emails=tuple(emails)), {}


def reschedule_modal(
    ref: int, subject: str, start: datetime, end: datetime, metadata: dict[str, Any]
) -> dict[str, Any]:
    minutes = int((end - start).total_seconds() // 60)
    blocks = [
        _about(ref, subject),
        _input("start", "New start", _datetime_picker(start), hint="In your own Slack time zone."),
        _input(
            "duration",
            "Duration",
            _duration_select(minutes if minutes in DURATIONS else None),
            optional=True,
        ),
        _input(
            "end",
            "Or ends at",
            _datetime_picker(None if minutes in DURATIONS else end),
            optional=True,
        ),
    ]
    return _view(RESCHEDULE_CALLBACK, "Reschedule", "Reschedule", blocks, metadata)


def read_reschedule_form(
    values: dict[str, Any], *, now: datetime
) -> tuple[tuple[datetime, datetime] | None, dict[str, str]]:
    errors: dict[str, str] = {}
    start, end = _read_time(values, now=now, errors=errors)
    if errors or start is None or end is None:
        return None, errors
    return (start, end), {}


def cancel_modal(ref: int, subject: str, metadata: dict[str, Any]) -> dict[str, Any]:
    blocks = [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": (
                    f"Cancel *{ref_text(ref)} {escape(truncate(subject, 200))}*? Every attendee "
                    "gets a cancellation notice and the event leaves their calendars. "
                    "This cannot be undone."
                ),
            },
        },
        _input(
            "comment",
            "Comment for the attendees",
            _text_input(multiline=True, max_length=MAX_COMMENT, placeholder="Optional"),
            optional=True,
        ),
    ]
    view = _view(CANCEL_CALLBACK, "Cancel meeting", "Cancel meeting", blocks, metadata)
    view["close"] = _plain("Keep it")
    return view


def read_cancel_form(values: dict[str, Any]) -> str | None:
    return _text(values, "comment") or None
