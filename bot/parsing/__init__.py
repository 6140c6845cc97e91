"""Text -> appointment: times, ranges, durations, zones, people, subject, location.

Pure functions: no I/O, no Slack, no database. See :func:`parse_request`.
"""

from bot.parsing.model import AppointmentRequest, Attendee, ParseError
from bot.parsing.request import parse_request, parse_when, warm_up

__all__ = [
    "AppointmentRequest",
    "Attendee",
    "ParseError",
    "parse_request",
    "parse_when",
    "warm_up",
]
