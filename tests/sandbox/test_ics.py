"""The invitation as iCalendar: parsed back with ``icalendar`` and checked field by field."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest

from tests.sandbox.conftest import Api


async def fetch(api: Api, appointment_id: str) -> tuple[icalendar.Calendar, icalendar.Event, str]:
    url = f"{api.base}/sandbox/appointments/{appointment_id}/invitation.ics"
    async with api.session.get(url) as response:
        assert response.status == 200
        content_type = response.headers["Content-Type"]
        assert content_type.startswith("text/calendar")
        calendar = icalendar.Calendar.from_ical(await response.read())
    (event,) = calendar.walk("VEVENT")
    return calendar, event, content_type


async def test_request_has_uid_sequence_times_and_people(api: Api) -> None:
    appointment_id = await api.create_id(
        appointmentLocation="Room 4",
        appointmentBody="<p>Agenda: Q1 &amp; Q2</p>",
        name="John Doe",
        address="john@acmecorp.com",
    )
    calendar, event, content_type = await fetch(api, appointment_id)
    assert "method=REQUEST" in content_type
    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    assert event["SUMMARY"] == "Quarterly Business Review"
    assert event["LOCATION"] == "Room 4"
    assert event["DESCRIPTION"] == "Agenda: Q1 & Q2"
    assert event["STATUS"] == "CONFIRMED"
    assert int(event["SEQUENCE"]) == 0
    start = event.decoded("DTSTART")
    assert start == datetime(2026, 4, 15, 9, tzinfo=ZoneInfo("America/New_York"))
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.decoded("DTEND") - start == (datetime(2026, 4, 15, 10) - datetime(2026, 4, 15, 9))
    # The zone is defined in the file itself, as RFC 5545 requires for a TZID.
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    assert str(event["ORGANIZER"]).startswith("mailto:")
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:john@acmecorp.com"
    assert attendee.params["CN"] == "John Doe"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["RSVP"] == "TRUE"


async def test_uid_stable_and_sequence_grows_with_updates(api: Api) -> None:
    appointment_id = await api.create_id()
    _, first, _ = await fetch(api, appointment_id)
    path = f"/api/v1/appointments/{appointment_id}"
    await api.call("PUT", path, {"appointmentStart": "2026-04-15T08:30:00"})
    await api.call("PUT", path, {"appointmentTimeZone": "Europe/Paris"})
    _, second, _ = await fetch(api, appointment_id)
    assert second["UID"] == first["UID"]
    assert int(second["SEQUENCE"]) == 2
    assert second["DTSTART"].params["TZID"] == "Europe/Paris"
    assert second.decoded("DTSTART") == datetime(
        2026, 4, 15, 8, 30, tzinfo=ZoneInfo("Europe/Paris")
    )


async def test_partstat_follows_responses(api: Api) -> None:
    appointment_id = await api.create_id(name="A", address="a@acme.com")
    for name, address in (("B", "b@acme.com"), ("C", "c@acme.com"), ("D", "d@acme.com")):
        await api.call(
            "POST",
            f"/api/v1/appointments/{appointment_id}/invitations",
            {"name": name, "address": address},
        )
    await api.sandbox("POST", f"/appointments/{appointment_id}/respond",
                      {"email": "a@acme.com", "response": "accepted"})  # fmt: skip
    await api.sandbox("POST", f"/appointments/{appointment_id}/respond",
                      {"email": "b@acme.com", "response": "declined"})  # fmt: skip
    await api.sandbox("POST", f"/appointments/{appointment_id}/propose",
                      {"email": "c@acme.com", "proposedStart": "2026-04-15T11:00:00",
                       "proposedEnd": "2026-04-15T12:00:00"})  # fmt: skip
    _, event, _ = await fetch(api, appointment_id)
    partstat = {str(a).removeprefix("mailto:"): a.params["PARTSTAT"] for a in event["ATTENDEE"]}
    assert partstat == {
        "a@acme.com": "ACCEPTED",
        "b@acme.com": "DECLINED",
        "c@acme.com": "TENTATIVE",
        "d@acme.com": "NEEDS-ACTION",
    }


async def test_cancel_is_method_cancel_with_higher_sequence(api: Api) -> None:
    appointment_id = await api.create_id(name="A", address="a@acme.com")
    await api.call("PUT", f"/api/v1/appointments/{appointment_id}", {"appointmentSubject": "B"})
    _, before, _ = await fetch(api, appointment_id)
    await api.call(
        "DELETE", f"/api/v1/appointments/{appointment_id}", {"comment": "No longer needed"}
    )
    calendar, event, content_type = await fetch(api, appointment_id)
    assert "method=CANCEL" in content_type
    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["UID"] == before["UID"]
    assert int(event["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert event["COMMENT"] == "No longer needed"
    assert event["ATTENDEE"].params["RSVP"] == "FALSE"


async def test_ics_of_unknown_appointment_is_404(api: Api) -> None:
    reply = await api.sandbox("GET", "/appointments/AAMkAGnope/invitation.ics")
    assert (reply.status, reply.error["code"]) == (404, "appointment_not_found")


@pytest.mark.parametrize(
    ("start", "end", "zone"),
    [
        ("1900-01-01T00:00:00", "1900-01-01T01:00:00", "Asia/Tokyo"),
        ("2999-12-31T22:00:00", "2999-12-31T23:59:00", "Pacific/Kiritimati"),
    ],
)
async def test_extreme_years_still_serialise(api: Api, start: str, end: str, zone: str) -> None:
    reply = await api.create(appointmentStart=start, appointmentEnd=end, appointmentTimeZone=zone)
    assert reply.status == 201
    assert (reply.data["start"], reply.data["end"]) == (start, end)
    _, event, _ = await fetch(api, reply.data["appointmentId"])
    assert event.decoded("DTSTART").year == int(start[:4])


@pytest.mark.parametrize(
    "start", ["0001-01-01T00:00:00", "1899-12-31T23:00:00", "3000-01-01T00:00:00"]
)
async def test_years_out_of_range_are_refused(api: Api, start: str) -> None:
    reply = await api.create(appointmentStart=start, appointmentTimeZone="Asia/Tokyo")
    assert reply.status == 400
    assert reply.error == {"code": "invalid_datetime", "param": "appointmentStart"}
    assert "1900 to 2999" in reply.body["message"]
