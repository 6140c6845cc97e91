"""Field-level validation of API input: wall times, IANA zones, e-mail addresses, strings.

Every check raises :class:`ApiError` naming the offending field in ``param`` so a client
can tell the person exactly what to fix.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from bot.sandbox.errors import ApiError, missing

# Deliberately simple: one "@", no spaces, a dotted domain whose labels are sane. Real
# services accept more exotic forms; the bot only ever sends ordinary addresses.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,63}$"
)
GMAIL_DOMAINS = ("gmail.com", "googlemail.com")
WALL_TIME_EXAMPLE = "2026-04-15T09:00:00"
# Years an appointment may fall in: far enough for any real meeting, near enough that
# every zone conversion and VTIMEZONE stays inside datetime's range.
MIN_YEAR, MAX_YEAR = 1900, 2999


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def optional_str(body: dict[str, Any], key: str) -> str | None:
    """The string at ``key``, or None when absent or null; any other type is a 400."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(400, "invalid_field", f"{key} must be a string", key)
    return value


def required_str(body: dict[str, Any], key: str) -> str:
    value = optional_str(body, key)
    if value is None or not value.strip():
        raise missing(key)
    return value.strip()


def time_zone(value: str, param: str = "appointmentTimeZone") -> str:
    """Accept an IANA zone name exactly as the tz database spells it."""
    name = value.strip()
    if name not in _zones():
        raise ApiError(
            400,
            "invalid_time_zone",
            f"{param} {value!r} is not an IANA time zone name (e.g. America/New_York)",
            param,
        )
    return name


def wall_time(value: str, param: str) -> datetime:
    """Parse a local wall time such as ``2026-04-15T09:00:00`` into a naive datetime.

    A UTC offset or ``Z`` is refused: the API takes wall time plus a separate zone, and
    silently dropping an offset would move the meeting.
    """
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(
            400,
            "invalid_datetime",
            f"{param} {value!r} is not an ISO 8601 date-time (e.g. {WALL_TIME_EXAMPLE})",
            param,
        ) from None
    if "T" not in text and " " not in text:
        raise ApiError(
            400,
            "invalid_datetime",
            f"{param} needs a date and a time (e.g. {WALL_TIME_EXAMPLE}), got {value!r}",
            param,
        )
    if parsed.tzinfo is not None:
        raise ApiError(
            400,
            "invalid_datetime",
            f"{param} must be a local wall time without a UTC offset (e.g. {WALL_TIME_EXAMPLE});"
            " give the zone in appointmentTimeZone",
            param,
        )
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ApiError(
            400,
            "invalid_datetime",
            f"{param} must fall in the years {MIN_YEAR} to {MAX_YEAR}, got {value!r}",
            param,
        )
    return parsed.replace(microsecond=0)


def instant(wall: datetime, zone: str) -> datetime:
    """The UTC instant of a wall time in ``zone`` (the earlier one when the clock repeats)."""
    return wall.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def check_range(start: datetime, end: datetime, zone: str, param: str = "appointmentEnd") -> None:
    if instant(end, zone) <= instant(start, zone):
        raise ApiError(400, "invalid_time_range", "end must be after start", param)


def email(value: str, param: str = "address") -> str:
    address = value.strip()
    if len(address) > 254 or not _EMAIL.match(address) or ".." in address.split("@", 1)[0]:
        raise ApiError(
            400, "invalid_email", f"{param} {value!r} is not a valid email address", param
        )
    return address


def mailbox_key(address: str) -> str:
    """Normalise an address to the mailbox it reaches.

    For Gmail, dots and ``+tags`` in the local part are ignored and googlemail.com is
    gmail.com, so ``J.Doe+x@googlemail.com`` and ``jdoe@gmail.com`` are one mailbox.
    """
    local, _, domain = address.lower().rpartition("@")
    if domain in GMAIL_DOMAINS:
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def is_gmail(address: str) -> bool:
    return address.lower().rpartition("@")[2] in GMAIL_DOMAINS


def format_wall(value: datetime) -> str:
    """``2026-04-15T09:00:00`` (isoformat, not strftime: ``%Y`` drops leading zeros)."""
    return value.replace(tzinfo=None).isoformat(timespec="seconds")


def format_utc(value: datetime) -> str:
    """``2026-03-19T14:23:01Z``."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def parse_utc(value: str, param: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(
            400, "invalid_datetime", f"{param} {value!r} is not an ISO 8601 UTC time", param
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).replace(microsecond=0)
