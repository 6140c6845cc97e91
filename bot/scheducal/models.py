"""Typed results of the ScheduCal API, built from the ``data`` object of a reply.

Times: ``start``/``end`` are naive local wall times in ``time_zone`` (what ScheduCal
speaks); ``date_created``, ``last_updated`` and ``date_canceled`` are aware UTC.

Each ``from_data`` raises :class:`ScheduCalProtocolError` naming the field when the
reply does not have the documented shape, never ``KeyError``/``TypeError``. What is
required: ids, times, zones and counts. Text that may legitimately be empty (subject,
location) may be null or absent, and flags (``gmailFirstInvite``, ...) default to
False when absent; a value of the wrong type is always an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.scheducal.errors import ScheduCalProtocolError


class _Reader:
    """Typed access to one ``data`` object; errors name the operation and the field."""

    def __init__(self, data: Any, what: str) -> None:
        if not isinstance(data, Mapping):
            raise ScheduCalProtocolError(
                f"unexpected ScheduCal reply to {what}: 'data' is not an object"
            )
        self.data = data
        self.what = what

    def _fail(self, key: str, problem: str) -> ScheduCalProtocolError:
        return ScheduCalProtocolError(
            f"unexpected ScheduCal reply to {self.what}: data.{key} {problem}"
        )

    def text(self, key: str, *, required: bool = True, alias: str | None = None) -> str | None:
        value = self.data.get(key)
        if value is None and alias is not None:
            value = self.data.get(alias)
        if value is None:
            if required:
                raise self._fail(key, "is missing")
            return None
        if not isinstance(value, str):
            raise self._fail(key, f"should be a string, got {type(value).__name__}")
        if required and not value:
            raise self._fail(key, "is empty")
        return value

    def integer(self, key: str, *, default: int | None = None) -> int:
        value = self.data.get(key)
        if value is None and default is not None:
            return default
        if value is None:
            raise self._fail(key, "is missing")
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, f"should be an integer, got {type(value).__name__}")
        return value

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self._fail(key, f"should be true or false, got {type(value).__name__}")
        return value

    def wall_time(self, key: str, *, alias: str | None = None) -> datetime:
        """A local wall time; accepts ``key`` or its ``alias`` (``start``/``startDateTime``)."""
        raw = self.text(key, alias=alias)
        assert raw is not None
        try:
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise self._fail(key, f"is not an ISO 8601 time: {raw!r}") from None
        return parsed.replace(tzinfo=None)

    def utc(self, key: str, *, required: bool = True) -> datetime | None:
        raw = self.text(key, required=required)
        if raw is None:
            return None
        try:
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise self._fail(key, f"is not an ISO 8601 time: {raw!r}") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            raise self._fail(key, "is missing")
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self._fail(key, "should be a list of strings")
        return tuple(value)


@dataclass(frozen=True)
class CreatedAppointment:
    appointment_id: str
    subject: str | None
    start: datetime
    end: datetime
    time_zone: str
    location: str | None
    invitee_count: int
    has_initial_invitee: bool
    gmail_first_invite: bool
    date_created: datetime | None

    @classmethod
    def from_data(cls, data: Any) -> CreatedAppointment:
        r = _Reader(data, "create_appointment")
        return cls(
            appointment_id=r.text("appointmentId") or "",
            subject=r.text("subject", required=False),
            start=r.wall_time("start", alias="startDateTime"),
            end=r.wall_time("end", alias="endDateTime"),
            time_zone=r.text("timeZone") or "",
            location=r.text("location", required=False),
            invitee_count=r.integer("inviteeCount", default=0),
            has_initial_invitee=r.flag("hasInitialInvitee"),
            gmail_first_invite=r.flag("gmailFirstInvite"),
            date_created=r.utc("dateCreated", required=False),
        )


@dataclass(frozen=True)
class Invitation:
    appointment_id: str
    invitee: str | None
    email: str
    total_invitees: int
    appointment_subject: str | None
    gmail_first_invite: bool

    @classmethod
    def from_data(cls, data: Any) -> Invitation:
        r = _Reader(data, "invite")
        return cls(
            appointment_id=r.text("appointmentId") or "",
            invitee=r.text("invitee", required=False),
            email=r.text("email") or "",
            total_invitees=r.integer("totalInvitees"),
            appointment_subject=r.text("appointmentSubject", required=False),
            gmail_first_invite=r.flag("gmailFirstInvite"),
        )


@dataclass(frozen=True)
class UpdatedAppointment:
    appointment_id: str
    subject: str | None
    start: datetime
    end: datetime
    time_zone: str
    last_updated: datetime | None

    @classmethod
    def from_data(cls, data: Any) -> UpdatedAppointment:
        r = _Reader(data, "update_appointment")
        return cls(
            appointment_id=r.text("appointmentId") or "",
            subject=r.text("subject", required=False),
            # The docs name these startDateTime/endDateTime here; accept both spellings.
            start=r.wall_time("startDateTime", alias="start"),
            end=r.wall_time("endDateTime", alias="end"),
            time_zone=r.text("timeZone") or "",
            last_updated=r.utc("lastUpdated", required=False),
        )


@dataclass(frozen=True)
class CanceledAppointment:
    appointment_id: str
    subject: str | None
    date_canceled: datetime | None
    is_active: bool
    invitee_count: int
    original_invitee_count: int

    @classmethod
    def from_data(cls, data: Any) -> CanceledAppointment:
        r = _Reader(data, "cancel_appointment")
        return cls(
            appointment_id=r.text("appointmentId") or "",
            subject=r.text("subject", required=False),
            date_canceled=r.utc("dateCanceled", required=False),
            is_active=r.flag("isActive"),
            invitee_count=r.integer("inviteeCount", default=0),
            original_invitee_count=r.integer("originalInviteeCount"),
        )


@dataclass(frozen=True)
class Webhook:
    """A webhook registration. ``secret`` (``whsec_...``) is only present in the replies
    to register and regenerate-secret, and is hidden from ``repr``."""

    webhook_id: str
    webhook_url: str | None
    event_types: tuple[str, ...]
    secret: str | None = field(default=None, repr=False)
    active: bool | None = None

    @classmethod
    def from_data(
        cls, data: Any, what: str, *, need_secret: bool = False, need_details: bool = True
    ) -> Webhook:
        """``need_secret`` for register/regenerate; ``need_details=False`` lets the
        regenerate reply omit the URL and event types (the docs do not list its fields)."""
        r = _Reader(data, what)
        active = r.data.get("active", r.data.get("isActive"))
        if active is not None and not isinstance(active, bool):
            raise r._fail("active", f"should be true or false, got {type(active).__name__}")
        has_types = need_details or r.data.get("eventTypes") is not None
        return cls(
            webhook_id=r.text("webhookId") or "",
            webhook_url=r.text("webhookUrl", required=need_details),
            event_types=r.strings("eventTypes") if has_types else (),
            secret=r.text("secret", required=need_secret),
            active=active,
        )


def webhooks_from_data(data: Any) -> list[Webhook]:
    """The list reply: ``data`` is a list, or an object holding it under ``webhooks``."""
    items = data
    if isinstance(data, Mapping):
        items = data.get("webhooks")
    if not isinstance(items, list):
        raise ScheduCalProtocolError(
            "unexpected ScheduCal reply to list_webhooks: data is not a list of webhooks"
        )
    return [Webhook.from_data(item, "list_webhooks") for item in items]
