"""The RFC 5545 invitation an attendee's calendar would receive for an appointment.

Active appointments are ``METHOD:REQUEST``; cancelled ones ``METHOD:CANCEL`` with
``STATUS:CANCELLED``. The UID never changes and SEQUENCE grows with every update, so
calendars replace the earlier copy instead of adding a second event.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

from bot.sandbox.state import Account, Appointment

PRODID = "-//ScheduCal//Sandbox 1.0//EN"
PARTSTAT = {
    "accepted": "ACCEPTED",
    "declined": "DECLINED",
    "tentativelyAccepted": "TENTATIVE",
    "none": "NEEDS-ACTION",
    "notResponded": "NEEDS-ACTION",
}
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<\s*(br|/p|/div|/li)\b[^>]*>", re.IGNORECASE)


def html_to_text(body: str) -> str:
    """A plain-text rendering of the HTML body for DESCRIPTION (tags dropped, breaks kept)."""
    text = _TAG.sub("", _BREAK.sub("\n", body))
    return html.unescape(text).strip()


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def invitation(appointment: Appointment, account: Account, now: datetime | None = None) -> bytes:
    """Serialise ``appointment`` as the iCalendar object sent to its attendees."""
    zone = ZoneInfo(appointment.time_zone)
    cancelled = not appointment.is_active
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")

    event = Event()
    event.add("uid", appointment.uid)
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0))
    event.add("created", appointment.created_at)
    event.add("last-modified", appointment.last_updated)
    event.add("dtstart", appointment.start.replace(tzinfo=zone))
    event.add("dtend", appointment.end.replace(tzinfo=zone))
    event.add("summary", appointment.subject)
    if appointment.location:
        event.add("location", appointment.location)
    if appointment.body:
        event.add("description", html_to_text(appointment.body))
        event.add("x-alt-desc", appointment.body, parameters={"FMTTYPE": "text/html"})
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if cancelled and appointment.cancel_comment:
        event.add("comment", appointment.cancel_comment)
    event.add("organizer", _address(account.organizer_email, account.organizer_name))
    for attendee in appointment.attendees:
        event.add(
            "attendee",
            _address(
                attendee.email,
                attendee.name,
                CUTYPE="INDIVIDUAL",
                ROLE="REQ-PARTICIPANT",
                PARTSTAT=PARTSTAT.get(attendee.response, "NEEDS-ACTION"),
                RSVP="FALSE" if cancelled else "TRUE",
            ),
        )
    calendar.add_component(event)
    # VTIMEZONE rules around the event only: a full 1970-2038 table bloats every invitation.
    calendar.add_missing_timezones(
        first_date=date(max(1, appointment.start.year - 1), 1, 1),
        last_date=date(min(9999, appointment.end.year + 2), 1, 1),
    )
    return calendar.to_ical()
