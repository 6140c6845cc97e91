"""ScheduCal API: async client, typed results and errors, webhook signing. No Slack here."""

from bot.scheducal.client import ScheduCalClient
from bot.scheducal.errors import (
    AppointmentAlreadyCancelled,
    AppointmentNotFound,
    DuplicateRequest,
    InvalidCredentials,
    InvalidEmail,
    InvalidTimeRange,
    MissingRequiredField,
    RateLimitExceeded,
    ScheduCalConnectionError,
    ScheduCalError,
    ScheduCalProtocolError,
    ScheduCalServerError,
    WebhookNotFound,
)
from bot.scheducal.models import (
    CanceledAppointment,
    CreatedAppointment,
    Invitation,
    UpdatedAppointment,
    Webhook,
)

__all__ = [
    "AppointmentAlreadyCancelled",
    "AppointmentNotFound",
    "CanceledAppointment",
    "CreatedAppointment",
    "DuplicateRequest",
    "Invitation",
    "InvalidCredentials",
    "InvalidEmail",
    "InvalidTimeRange",
    "MissingRequiredField",
    "RateLimitExceeded",
    "ScheduCalClient",
    "ScheduCalConnectionError",
    "ScheduCalError",
    "ScheduCalProtocolError",
    "ScheduCalServerError",
    "UpdatedAppointment",
    "Webhook",
    "WebhookNotFound",
]
