"""The sandbox's in-memory world: accounts, appointments, attendees, webhooks and events.

Methods take already-validated values (the HTTP layer parses requests) and apply the
service's rules: duplicates, Gmail priming, SEQUENCE, cancellation, which change fires
which webhook event. Every event goes to ``on_event`` (the delivery dispatcher); this
module never does I/O. All methods are synchronous, so each one is atomic on the loop.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.sandbox import validation as v
from bot.sandbox.errors import ApiError, already_cancelled, not_found
from bot.scheducal.events import EVENT_TYPES

if TYPE_CHECKING:
    from bot.sandbox.delivery import Delivery

API_VERSION = "v1"
RESPONSES = ("accepted", "declined", "tentativelyAccepted")
DEFAULT_DUPLICATE_WINDOW = 600.0  # seconds


def new_api_key() -> str:
    return "sk_sandbox_" + secrets.token_hex(12)


def new_api_secret() -> str:
    return "ss_sandbox_" + secrets.token_urlsafe(24)


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def new_appointment_id() -> str:
    # Graph-like opaque id: base64 of random bytes with Graph's fixed prefix and "=" padding,
    # so clients must treat it as an opaque string (and quote it in URLs if they wish).
    raw = base64.urlsafe_b64encode(secrets.token_bytes(40)).decode("ascii").rstrip("=")
    return f"AAMkAG{raw}AAA="


def fingerprint(
    subject: str, start: datetime, end: datetime, zone: str, invitee_key: str | None
) -> tuple[Any, ...]:
    return (subject.strip().casefold(), start, end, zone, invitee_key)


@dataclass
class Account:
    api_key: str
    api_secret: str = field(repr=False)
    organizer_name: str = "ScheduCal Sandbox"
    organizer_email: str = "organizer@sandbox.scheducal.test"
    primed_gmail: set[str] = field(default_factory=set)

    def secret_matches(self, given: str) -> bool:
        return hmac.compare_digest(self.api_secret.encode(), given.encode())


@dataclass
class Attendee:
    name: str
    email: str
    response: str = "none"
    responded_at: datetime | None = None
    proposed_start: datetime | None = None
    proposed_end: datetime | None = None
    gmail_first_invite: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "email": self.email,
            "response": self.response,
            "respondedAt": v.format_utc(self.responded_at) if self.responded_at else None,
        }
        if self.proposed_start and self.proposed_end:
            out["proposedStart"] = v.format_wall(self.proposed_start)
            out["proposedEnd"] = v.format_wall(self.proposed_end)
        return out


@dataclass
class Appointment:
    id: str
    account_key: str
    uid: str
    subject: str
    body: str | None
    start: datetime  # naive wall time in time_zone
    end: datetime
    time_zone: str
    location: str | None
    created_at: datetime
    last_updated: datetime
    created_mono: float
    initial_invitee_key: str | None  # mailbox of the invitee given at create, if any
    has_initial_invitee: bool = False
    attendees: list[Attendee] = field(default_factory=list)
    sequence: int = 0
    canceled_at: datetime | None = None
    cancel_comment: str | None = None
    original_invitee_count: int = 0

    @property
    def is_active(self) -> bool:
        return self.canceled_at is None

    @property
    def fingerprint(self) -> tuple[Any, ...]:
        """What makes two creates "the same request" (see ``SandboxState.create_appointment``).

        Computed from the current values, so an appointment that has since been moved
        no longer blocks creating a new one at its old time.
        """
        return fingerprint(
            self.subject, self.start, self.end, self.time_zone, self.initial_invitee_key
        )

    def attendee(self, email: str) -> Attendee | None:
        key = email.strip().lower()
        return next((a for a in self.attendees if a.email.lower() == key), None)

    def event_data(self) -> dict[str, Any]:
        """The fields every webhook event about this appointment carries."""
        return {
            "appointmentId": self.id,
            "subject": self.subject,
            "start": v.format_wall(self.start),
            "end": v.format_wall(self.end),
            "timeZone": self.time_zone,
            "location": self.location,
        }

    def to_json(self) -> dict[str, Any]:
        """Full state, for the sandbox-only inspection endpoints."""
        return {
            **self.event_data(),
            "body": self.body,
            "uid": self.uid,
            "sequence": self.sequence,
            "isActive": self.is_active,
            "dateCreated": v.format_utc(self.created_at),
            "lastUpdated": v.format_utc(self.last_updated),
            "dateCanceled": v.format_utc(self.canceled_at) if self.canceled_at else None,
            "cancelComment": self.cancel_comment,
            "attendees": [a.to_json() for a in self.attendees],
        }


@dataclass
class Webhook:
    id: str
    account_key: str
    url: str
    event_types: tuple[str, ...]
    secret: str = field(repr=False)
    created_at: datetime
    active: bool = True

    def to_json(self, with_secret: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "webhookId": self.id,
            "webhookUrl": self.url,
            "eventTypes": list(self.event_types),
            "active": self.active,
            "dateCreated": v.format_utc(self.created_at),
        }
        if with_secret:
            out["secret"] = self.secret
        return out


@dataclass
class Event:
    """A fired webhook event; ``body`` is the exact bytes every delivery sends and signs."""

    id: str
    event_type: str
    account_key: str
    created_at: datetime
    payload: dict[str, Any]
    body: bytes
    deliveries: list[Delivery] = field(default_factory=list)


@dataclass
class SandboxState:
    duplicate_window: float = DEFAULT_DUPLICATE_WINDOW
    clock: Callable[[], float] = time.monotonic
    utcnow: Callable[[], datetime] = lambda: datetime.now(UTC)
    on_event: Callable[[Event], object] | None = None
    accounts: dict[str, Account] = field(default_factory=dict)
    appointments: dict[str, Appointment] = field(default_factory=dict)
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)

    # -- accounts -------------------------------------------------------------------
    def add_account(self, api_key: str | None = None, api_secret: str | None = None) -> Account:
        account = Account(api_key or new_api_key(), api_secret or new_api_secret())
        self.accounts[account.api_key] = account
        return account

    def authenticate(self, api_key: str | None, api_secret: str | None) -> Account:
        if not api_key:
            raise ApiError(401, "invalid_credentials", "apiKey is required", "apiKey")
        if not api_secret:
            raise ApiError(401, "invalid_credentials", "apiSecret is required", "apiSecret")
        account = self.accounts.get(api_key)
        # Same answer for an unknown key and a wrong secret: no key enumeration.
        if account is None or not account.secret_matches(api_secret):
            raise ApiError(401, "invalid_credentials", "apiKey or apiSecret is not valid")
        return account

    def _now(self) -> datetime:
        return self.utcnow().astimezone(UTC).replace(microsecond=0)

    # -- appointments ---------------------------------------------------------------
    def owned(self, account: Account, appointment_id: str) -> Appointment:
        """The account's active appointment; 404 when unknown, foreign or cancelled."""
        appointment = self.appointments.get(appointment_id)
        if appointment is None or appointment.account_key != account.api_key:
            raise not_found(appointment_id)
        if not appointment.is_active:
            raise already_cancelled(appointment_id)
        return appointment

    def get(self, appointment_id: str) -> Appointment:
        appointment = self.appointments.get(appointment_id)
        if appointment is None:
            raise not_found(appointment_id)
        return appointment

    def _prime_gmail(self, account: Account, address: str) -> bool:
        """True the first time this account invites this Gmail mailbox."""
        if not v.is_gmail(address):
            return False
        key = v.mailbox_key(address)
        if key in account.primed_gmail:
            return False
        account.primed_gmail.add(key)
        return True

    def _find_duplicate(
        self, account: Account, request_print: tuple[Any, ...]
    ) -> Appointment | None:
        horizon = self.clock() - self.duplicate_window
        for appointment in reversed(self.appointments.values()):
            if appointment.created_mono <= horizon:
                break  # insertion order = creation order; the rest are older still
            if (
                appointment.account_key == account.api_key
                and appointment.is_active
                and appointment.fingerprint == request_print
            ):
                return appointment
        return None

    def create_appointment(
        self,
        account: Account,
        *,
        subject: str,
        body: str | None,
        start: datetime,
        end: datetime,
        time_zone: str,
        location: str | None,
        invitee_name: str | None,
        invitee_email: str | None,
    ) -> tuple[Appointment, bool]:
        """Create an appointment; returns it and whether the initial invite primed Gmail.

        Duplicate rule: a create is refused with 409 ``duplicate_request`` when an
        active appointment of the same account, created less than ``duplicate_window``
        seconds ago (10 minutes by default), has the same subject (case-insensitive,
        trimmed), start, end, time zone and initial invitee mailbox (or both have none).
        Body, location and the invitee's display name are ignored: a retried or
        double-clicked create differs at most in those.
        """
        invitee_key = v.mailbox_key(invitee_email) if invitee_email else None
        request_print = fingerprint(subject, start, end, time_zone, invitee_key)
        duplicate = self._find_duplicate(account, request_print)
        if duplicate is not None:
            minutes = int(self.duplicate_window // 60)
            raise ApiError(
                409,
                "duplicate_request",
                f"an identical appointment ({duplicate.id}) was created less than {minutes} "
                "minutes ago; cancel it first or change the subject, time or invitee",
                extra={"appointmentId": duplicate.id},
            )
        now = self._now()
        appointment = Appointment(
            id=new_appointment_id(),
            account_key=account.api_key,
            uid=f"{uuid.uuid4()}@sandbox.scheducal.test",
            subject=subject,
            body=body,
            start=start,
            end=end,
            time_zone=time_zone,
            location=location,
            created_at=now,
            last_updated=now,
            created_mono=self.clock(),
            initial_invitee_key=invitee_key,
        )
        gmail_first = False
        if invitee_email:
            gmail_first = self._prime_gmail(account, invitee_email)
            appointment.attendees.append(
                Attendee(
                    invitee_name or invitee_email, invitee_email, gmail_first_invite=gmail_first
                )
            )
            appointment.has_initial_invitee = True
        self.appointments[appointment.id] = appointment
        return appointment, gmail_first

    def invite(
        self, account: Account, appointment_id: str, *, name: str, email: str
    ) -> tuple[Appointment, Attendee, bool]:
        """Add an invitee; returns (appointment, attendee, newly added).

        Inviting someone who is already on the appointment changes nothing (Exchange
        merges attendees by address) and fires no event.
        """
        appointment = self.owned(account, appointment_id)
        existing = appointment.attendee(email)
        if existing is not None:
            return appointment, existing, False
        attendee = Attendee(name, email, gmail_first_invite=self._prime_gmail(account, email))
        appointment.attendees.append(attendee)
        appointment.last_updated = self._now()
        self._emit(account, "appointment.updated", appointment, {})
        return appointment, attendee, True

    def update_appointment(
        self, account: Account, appointment_id: str, changes: dict[str, Any]
    ) -> Appointment:
        """Apply ``changes`` (keys: subject, body, start, end, time_zone, location)."""
        appointment = self.owned(account, appointment_id)
        start = changes.get("start", appointment.start)
        end = changes.get("end", appointment.end)
        zone = changes.get("time_zone", appointment.time_zone)
        param = "appointmentEnd" if "end" in changes else "appointmentStart"
        v.check_range(start, end, zone, param)
        for key, value in changes.items():
            setattr(appointment, key, value)
        appointment.sequence += 1
        appointment.last_updated = self._now()
        self._emit(account, "appointment.updated", appointment, {})
        return appointment

    def cancel_appointment(
        self, account: Account, appointment_id: str, comment: str | None
    ) -> Appointment:
        appointment = self.owned(account, appointment_id)
        appointment.canceled_at = self._now()
        appointment.last_updated = appointment.canceled_at
        appointment.cancel_comment = comment
        appointment.original_invitee_count = len(appointment.attendees)
        appointment.sequence += 1  # RFC 5546: a CANCEL is a revision of the event
        extra: dict[str, Any] = {"dateCanceled": v.format_utc(appointment.canceled_at)}
        if comment:
            extra["comment"] = comment
        self._emit(account, "appointment.canceled", appointment, extra)
        return appointment

    # -- simulated attendees ----------------------------------------------------------
    def _attendee_of(self, appointment: Appointment, email: str) -> Attendee:
        if not appointment.is_active:
            raise already_cancelled(appointment.id)
        attendee = appointment.attendee(email)
        if attendee is None:
            raise ApiError(
                404,
                "attendee_not_found",
                f"{email} is not invited to appointment {appointment.id}",
                "email",
            )
        return attendee

    def respond(
        self,
        appointment_id: str,
        *,
        email: str,
        response: str,
        responded_at: datetime | None = None,
    ) -> Event:
        appointment = self.get(appointment_id)
        attendee = self._attendee_of(appointment, email)
        attendee.response = response
        attendee.responded_at = responded_at or self._now()
        attendee.proposed_start = attendee.proposed_end = None
        return self._emit_attendee("attendee.responded", appointment, attendee)

    def propose(
        self,
        appointment_id: str,
        *,
        email: str,
        start: datetime,
        end: datetime,
        response: str = "tentativelyAccepted",
        responded_at: datetime | None = None,
    ) -> Event:
        appointment = self.get(appointment_id)
        attendee = self._attendee_of(appointment, email)
        v.check_range(start, end, appointment.time_zone, "proposedEnd")
        attendee.response = response
        attendee.responded_at = responded_at or self._now()
        attendee.proposed_start, attendee.proposed_end = start, end
        return self._emit_attendee("attendee.proposed_new_time", appointment, attendee)

    def _emit_attendee(
        self, event_type: str, appointment: Appointment, attendee: Attendee
    ) -> Event:
        account = self.accounts[appointment.account_key]
        data = attendee.to_json()
        if event_type == "attendee.responded":
            data.pop("proposedStart", None)
            data.pop("proposedEnd", None)
        return self._emit(account, event_type, appointment, {"attendee": data})

    # -- webhooks -------------------------------------------------------------------
    def add_webhook(
        self,
        account: Account,
        url: str,
        event_types: Iterable[str],
        secret: str | None = None,
    ) -> Webhook:
        webhook = Webhook(
            id=str(uuid.uuid4()),
            account_key=account.api_key,
            url=url,
            event_types=tuple(event_types),
            secret=secret or new_webhook_secret(),
            created_at=self._now(),
        )
        self.webhooks[webhook.id] = webhook
        return webhook

    def webhook(self, account: Account, webhook_id: str) -> Webhook:
        webhook = self.webhooks.get(webhook_id)
        if webhook is None or webhook.account_key != account.api_key:
            raise ApiError(
                404, "webhook_not_found", f"no webhook with id {webhook_id!r}", "webhookId"
            )
        return webhook

    def update_webhook(
        self,
        webhook: Webhook,
        *,
        url: str | None = None,
        event_types: Iterable[str] | None = None,
        active: bool | None = None,
    ) -> Webhook:
        """Change a webhook; pending retries use the new URL and activity from now on."""
        if url is not None:
            webhook.url = url
        if event_types is not None:
            webhook.event_types = tuple(event_types)
        if active is not None:
            webhook.active = active
        return webhook

    def regenerate_secret(self, webhook: Webhook) -> Webhook:
        """A new secret signs every delivery from now on; the old one stops at once."""
        webhook.secret = new_webhook_secret()
        return webhook

    def list_webhooks(self, account: Account) -> list[Webhook]:
        return [w for w in self.webhooks.values() if w.account_key == account.api_key]

    def delete_webhook(self, account: Account, webhook_id: str) -> Webhook:
        webhook = self.webhook(account, webhook_id)
        del self.webhooks[webhook_id]
        return webhook

    # -- events ---------------------------------------------------------------------
    def _emit(
        self,
        account: Account,
        event_type: str,
        appointment: Appointment,
        extra: dict[str, Any],
    ) -> Event:
        assert event_type in EVENT_TYPES, event_type
        now = self._now()
        data = {**appointment.event_data(), **extra}
        if event_type.startswith("appointment."):
            data["lastUpdated"] = v.format_utc(appointment.last_updated)
            data["attendees"] = [
                {"name": a.name, "email": a.email, "response": a.response}
                for a in appointment.attendees
            ]
        payload = {
            "id": str(uuid.uuid4()),
            "eventType": event_type,
            "timestamp": v.format_utc(now),
            "apiVersion": API_VERSION,
            "data": data,
        }
        # Serialised once: every attempt sends and signs these exact bytes. Non-ASCII is
        # kept as UTF-8 so a receiver that re-serialises before verifying notices.
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        event = Event(payload["id"], event_type, account.api_key, now, payload, body)
        self.events[event.id] = event
        if self.on_event is not None:
            self.on_event(event)
        return event

    def subscribers(self, event: Event) -> list[Webhook]:
        return [
            w
            for w in self.webhooks.values()
            if w.account_key == event.account_key and w.active and event.event_type in w.event_types
        ]
