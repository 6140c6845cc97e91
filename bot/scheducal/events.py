"""The webhook envelope ScheduCal sends, as typed values.

``parse_event`` accepts the decoded JSON of a delivery and either returns a
:class:`WebhookEvent` or raises :class:`InvalidEventError` saying which field is wrong.
Unknown event types parse fine (``event.known`` is False) so the receiver can answer
2xx and log them instead of making ScheduCal retry forever.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

EVENT_TYPES = (
    "attendee.responded",
    "attendee.proposed_new_time",
    "appointment.updated",
    "appointment.canceled",
)
RESPONSES = ("accepted", "declined", "tentativelyAccepted", "none", "notResponded")


class InvalidEventError(ValueError):
    """The body is not the documented webhook envelope."""


@dataclass(frozen=True)
class EventAttendee:
    name: str
    email: str
    response: str | None
    responded_at: datetime | None
    proposed_start: datetime | None = None  # naive local wall time in the event's zone
    proposed_end: datetime | None = None


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    event_type: str
    timestamp: datetime  # aware, UTC
    api_version: str
    appointment_id: str
    data: dict[str, Any]  # the raw ``data`` object, for fields not modelled here
    subject: str | None = None
    start: datetime | None = None  # naive local wall time in ``time_zone``
    end: datetime | None = None
    time_zone: str | None = None
    location: str | None = None
    comment: str | None = None
    attendee: EventAttendee | None = None

    @property
    def known(self) -> bool:
        return self.event_type in EVENT_TYPES


def parse_utc(value: str) -> datetime:
    """Parse an ISO 8601 UTC stamp such as ``2026-03-19T14:23:01Z`` into an aware datetime."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_wall_time(value: str) -> datetime:
    """Parse a local wall time (``2026-04-15T09:00:00``); an offset, if any, is dropped."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


def _str(obj: dict[str, Any], key: str, where: str, required: bool = True) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise InvalidEventError(f"{where}.{key} is missing")
        return None
    if not isinstance(value, str):
        raise InvalidEventError(f"{where}.{key} must be a string")
    return value


def _time(obj: dict[str, Any], key: str, where: str, parser) -> datetime | None:  # type: ignore[no-untyped-def]
    raw = _str(obj, key, where, required=False)
    if raw is None:
        return None
    try:
        return parser(raw)
    except ValueError:
        raise InvalidEventError(f"{where}.{key} is not an ISO 8601 time: {raw!r}") from None


def _attendee(raw: Any) -> EventAttendee | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InvalidEventError("data.attendee must be an object")
    where = "data.attendee"
    return EventAttendee(
        name=_str(raw, "name", where, required=False) or "",
        email=_str(raw, "email", where) or "",
        response=_str(raw, "response", where, required=False),
        responded_at=_time(raw, "respondedAt", where, parse_utc),
        proposed_start=_time(raw, "proposedStart", where, parse_wall_time),
        proposed_end=_time(raw, "proposedEnd", where, parse_wall_time),
    )


def parse_event(payload: Any) -> WebhookEvent:
    """Validate the envelope; raise :class:`InvalidEventError` when it is not one."""
    if not isinstance(payload, dict):
        raise InvalidEventError("the body must be a JSON object")
    event_id = _str(payload, "id", "event")
    event_type = _str(payload, "eventType", "event")
    timestamp = _time(payload, "timestamp", "event", parse_utc)
    if timestamp is None:
        raise InvalidEventError("event.timestamp is missing")
    data = payload.get("data")
    if not isinstance(data, dict):
        raise InvalidEventError("event.data must be an object")
    attendee = _attendee(data.get("attendee"))
    if event_type in ("attendee.responded", "attendee.proposed_new_time") and attendee is None:
        raise InvalidEventError(f"data.attendee is required for {event_type}")
    if (
        event_type == "attendee.proposed_new_time"
        and attendee is not None
        and (attendee.proposed_start is None or attendee.proposed_end is None)
    ):
        raise InvalidEventError("data.attendee.proposedStart and proposedEnd are required")
    return WebhookEvent(
        id=event_id or "",
        event_type=event_type or "",
        timestamp=timestamp,
        api_version=str(payload.get("apiVersion") or "v1"),
        appointment_id=_str(data, "appointmentId", "data") or "",
        data=data,
        subject=_str(data, "subject", "data", required=False),
        start=_time(data, "start", "data", parse_wall_time)
        or _time(data, "startDateTime", "data", parse_wall_time),
        end=_time(data, "end", "data", parse_wall_time)
        or _time(data, "endDateTime", "data", parse_wall_time),
        time_zone=_str(data, "timeZone", "data", required=False),
        location=_str(data, "location", "data", required=False),
        comment=_str(data, "comment", "data", required=False),
        attendee=attendee,
    )
