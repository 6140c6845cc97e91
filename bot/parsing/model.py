"""The result types of the parser and its one error type."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

EXAMPLE = "/meet Intro call with john@acme.com tomorrow 3pm for 30m"
WHEN_EXAMPLE = "tomorrow 3pm"


class ParseError(ValueError):
    """The text could not be turned into an appointment.

    ``message`` is a sentence for the person who typed the text: what was not
    understood, followed by an example that works.
    """

    def __init__(self, problem: str, *, example: str = EXAMPLE) -> None:
        self.problem = problem
        self.example = example
        self.message = f"{problem} Try: `{example}`"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Attendee:
    """Someone to invite: an email address, a Slack user, or both, with a display name."""

    email: str | None = None
    slack_user_id: str | None = None
    name: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"email": self.email, "slack_user_id": self.slack_user_id, "name": self.name}


@dataclass(frozen=True)
class AppointmentRequest:
    """What a /meet text asks for. ``start``/``end`` are aware, in ``timezone``."""

    subject: str
    subject_is_fallback: bool
    start: datetime
    end: datetime
    timezone: str
    attendees: list[Attendee] = field(default_factory=list)
    location: str | None = None
    notes: str | None = None
