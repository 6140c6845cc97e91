"""A previewed appointment that has not been sent yet, carried inside the preview's buttons.

Why in the button value and not in a table: a preview is private, short-lived and
usually abandoned; keeping it in the message means no cleanup job and no state to lose
between processes. Slack signs every click, so the value comes back exactly as we wrote
it. The limit is 2,000 characters per value: compact JSON, deflated and base64url-encoded
when that is shorter; a draft that still does not fit (very long notes) is refused with a
sentence (:class:`DraftTooLarge`).

The idempotency key of the appointment is derived from ``Draft.id`` (random per preview),
so clicking **Send invites** twice, or on two devices, reserves the same row.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import zlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

MAX_VALUE = 2000
_DEFLATED = "z:"
_PLAIN = "j:"


class DraftError(ValueError):
    """The button value is not a draft we wrote (corrupted or from another app version)."""


class DraftTooLarge(ValueError):
    """The draft does not fit in a button value."""


@dataclass(frozen=True)
class DraftAttendee:
    email: str
    name: str | None = None
    slack_user_id: str | None = None


@dataclass(frozen=True)
class Draft:
    team_id: str
    channel_id: str
    organizer_id: str
    subject: str
    start: datetime  # aware
    end: datetime  # aware
    timezone: str
    attendees: tuple[DraftAttendee, ...] = ()
    location: str | None = None
    notes: str | None = None
    id: str = field(default_factory=lambda: secrets.token_urlsafe(12))

    @property
    def idempotency_key(self) -> str:
        raw = f"preview:{self.team_id}:{self.organizer_id}:{self.id}"
        return hashlib.sha256(raw.encode()).hexdigest()[:48]

    def renewed(self, **changes: Any) -> Draft:
        """A changed copy with a fresh id: an edited preview is a different request."""
        return replace(self, id=secrets.token_urlsafe(12), **changes)

    # ----------------------------------------------------------------- encoding

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "i": self.id,
            "T": self.team_id,
            "c": self.channel_id,
            "o": self.organizer_id,
            "s": self.subject,
            "b": int(self.start.timestamp()),
            "e": int(self.end.timestamp()),
            "z": self.timezone,
            "a": [[a.email, a.name, a.slack_user_id] for a in self.attendees],
        }
        if self.location:
            data["l"] = self.location
        if self.notes:
            data["n"] = self.notes
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        try:
            return cls(
                id=str(data["i"]),
                team_id=str(data["T"]),
                channel_id=str(data["c"]),
                organizer_id=str(data["o"]),
                subject=str(data["s"]),
                start=datetime.fromtimestamp(int(data["b"]), UTC),
                end=datetime.fromtimestamp(int(data["e"]), UTC),
                timezone=str(data["z"]),
                attendees=tuple(
                    DraftAttendee(email=str(a[0]), name=a[1], slack_user_id=a[2])
                    for a in data.get("a", [])
                ),
                location=data.get("l"),
                notes=data.get("n"),
            )
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise DraftError(f"malformed draft: {exc!r}") from None

    def encode(self) -> str:
        plain = _PLAIN + json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)
        if len(plain) <= MAX_VALUE and len(plain.encode()) <= 2 * MAX_VALUE:
            return plain
        packed = zlib.compress(plain[len(_PLAIN) :].encode(), 9)
        deflated = _DEFLATED + base64.urlsafe_b64encode(packed).decode()
        if len(deflated) > MAX_VALUE:
            raise DraftTooLarge(
                "That request is too long for a preview. Shorten the notes or the attendee "
                "list (you can add people later with *Add invitee*)."
            )
        return deflated

    @classmethod
    def decode(cls, value: str | None) -> Draft:
        if not value:
            raise DraftError("empty draft")
        try:
            if value.startswith(_PLAIN):
                raw = value[len(_PLAIN) :]
            elif value.startswith(_DEFLATED):
                raw = zlib.decompress(base64.urlsafe_b64decode(value[len(_DEFLATED) :])).decode()
            else:
                raise DraftError("unknown draft format")
            data = json.loads(raw)
        except (binascii.Error, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DraftError(f"undecodable draft: {exc!r}") from None
        if not isinstance(data, dict):
            raise DraftError("draft is not an object")
        return cls.from_dict(data)
