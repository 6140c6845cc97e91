"""The appointment endpoints over raw HTTP: documented shapes, status codes and error codes."""

from __future__ import annotations

import re

import pytest

from bot.sandbox.server import SandboxServer
from tests.sandbox.conftest import END, START, ZONE, Api

UTC_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


async def test_create_returns_documented_fields(api: Api) -> None:
    reply = await api.create(
        appointmentLocation="Room 4", name="John Doe", address="john@acmecorp.com"
    )
    assert reply.status == 201
    assert reply.body["apiVersion"] == "v1"
    data = reply.data
    assert data["appointmentId"].startswith("AAMkAG")
    assert data["subject"] == "Quarterly Business Review"
    assert (data["start"], data["end"], data["timeZone"]) == (START, END, ZONE)
    assert data["location"] == "Room 4"
    assert data["inviteeCount"] == 1
    assert data["hasInitialInvitee"] is True
    assert data["gmailFirstInvite"] is False
    assert UTC_STAMP.match(data["dateCreated"])


async def test_create_without_invitee_or_subject(api: Api) -> None:
    reply = await api.create(appointmentSubject=None)
    assert reply.status == 201
    assert reply.data["inviteeCount"] == 0
    assert reply.data["hasInitialInvitee"] is False
    assert reply.data["subject"] == ""
    assert reply.data["location"] is None


async def test_create_normalises_fractional_seconds(api: Api) -> None:
    reply = await api.create(appointmentStart="2026-04-15T09:00:00.0000000")
    assert reply.status == 201
    assert reply.data["start"] == START


@pytest.mark.parametrize(
    ("field", "code", "param"),
    [
        ("appointmentStart", "missing_required_field", "appointmentStart"),
        ("appointmentEnd", "missing_required_field", "appointmentEnd"),
        ("appointmentTimeZone", "missing_required_field", "appointmentTimeZone"),
    ],
)
async def test_create_missing_field(api: Api, field: str, code: str, param: str) -> None:
    reply = await api.create(**{field: None})
    assert reply.status == 400
    assert reply.error == {"code": code, "param": param}
    assert param in reply.body["message"]


@pytest.mark.parametrize("end", [START, "2026-04-15T08:59:59"])
async def test_create_end_not_after_start(api: Api, end: str) -> None:
    reply = await api.create(appointmentEnd=end)
    assert reply.status == 400
    assert reply.body["message"] == "end must be after start"
    assert reply.error == {"code": "invalid_time_range", "param": "appointmentEnd"}


async def test_time_range_compares_instants_not_wall_clock(api: Api) -> None:
    # 2026-03-08 02:30 does not exist in New York (clocks jump 02:00 -> 03:00); read as
    # 02:30 EST it is 03:30 EDT, so 02:30 -> 03:15 ends before it starts.
    reply = await api.create(
        appointmentStart="2026-03-08T02:30:00", appointmentEnd="2026-03-08T03:15:00"
    )
    assert reply.error == {"code": "invalid_time_range", "param": "appointmentEnd"}
    # 01:30 -> 03:10 is only 40 minutes long, but it is a valid range.
    ok = await api.create(
        appointmentStart="2026-03-08T01:30:00", appointmentEnd="2026-03-08T03:10:00"
    )
    assert ok.status == 201


@pytest.mark.parametrize(
    "zone", ["Mars/Olympus_Mons", "EST5EDT ", "Pacific Standard Time", "america/new_york", "../x"]
)
async def test_create_rejects_non_iana_zone(api: Api, zone: str) -> None:
    reply = await api.create(appointmentTimeZone=zone)
    if zone.strip() == "EST5EDT":  # a real tz database entry; surrounding space is trimmed
        assert reply.status == 201
        return
    assert reply.status == 400
    assert reply.error == {"code": "invalid_time_zone", "param": "appointmentTimeZone"}
    assert "IANA" in reply.body["message"]


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("2026-04-15T09:00:00Z", "offset"),
        ("2026-04-15T09:00:00-04:00", "offset"),
        ("2026-04-15", "date and a time"),
        ("tomorrow at 9", "ISO 8601"),
    ],
)
async def test_create_rejects_bad_wall_time(api: Api, value: str, why: str) -> None:
    reply = await api.create(appointmentStart=value)
    assert reply.status == 400
    assert reply.error == {"code": "invalid_datetime", "param": "appointmentStart"}
    assert why in reply.body["message"]


async def test_create_rejects_wrong_types(api: Api) -> None:
    reply = await api.create(appointmentSubject=42)
    assert reply.status == 400
    assert reply.error == {"code": "invalid_field", "param": "appointmentSubject"}


@pytest.mark.parametrize(
    "address", ["john", "john@", "@acme.com", "john doe@acme.com", "john@acme", "a..b@acme.com"]
)
async def test_create_rejects_bad_email(api: Api, address: str) -> None:
    reply = await api.create(name="John", address=address)
    assert reply.status == 400
    assert reply.error == {"code": "invalid_email", "param": "address"}


async def test_create_named_invitee_needs_address(api: Api) -> None:
    reply = await api.create(name="John")
    assert reply.status == 400
    assert reply.error == {"code": "missing_required_field", "param": "address"}


async def test_create_address_without_name_uses_address(api: Api) -> None:
    appointment_id = await api.create_id(address="ann@acme.com")
    state = await api.sandbox("GET", f"/appointments/{appointment_id}")
    assert state.data["attendees"][0]["name"] == "ann@acme.com"


async def test_malformed_json_and_non_object(api: Api) -> None:
    reply = await api.call("POST", "/api/v1/appointments", raw=b"{not json")
    assert reply.status == 400
    assert reply.error["code"] == "invalid_request"
    reply = await api.call("POST", "/api/v1/appointments", raw=b"[1, 2]")
    assert reply.status == 400
    assert reply.error["code"] == "invalid_request"


async def test_invite_adds_attendee_and_counts(api: Api) -> None:
    appointment_id = await api.create_id(name="John", address="john@acmecorp.com")
    reply = await api.call(
        "POST",
        f"/api/v1/appointments/{appointment_id}/invitations",
        {"name": "Ann Lee", "address": "ann@acme.com"},
    )
    assert reply.status == 201
    assert reply.data == {
        "appointmentId": appointment_id,
        "invitee": "Ann Lee",
        "email": "ann@acme.com",
        "totalInvitees": 2,
        "appointmentSubject": "Quarterly Business Review",
        "gmailFirstInvite": False,
    }


async def test_invite_same_address_twice_changes_nothing(api: Api) -> None:
    appointment_id = await api.create_id(name="John", address="john@acmecorp.com")
    path = f"/api/v1/appointments/{appointment_id}/invitations"
    reply = await api.call("POST", path, {"name": "J", "address": "JOHN@acmecorp.com"})
    assert reply.status == 200
    assert reply.data["totalInvitees"] == 1
    assert reply.data["email"] == "john@acmecorp.com"


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ({"address": "ann@acme.com"}, "missing_required_field", "name"),
        ({"name": "Ann"}, "missing_required_field", "address"),
        ({"name": "Ann", "address": "ann-at-acme"}, "invalid_email", "address"),
    ],
)
async def test_invite_errors(api: Api, body: dict, code: str, param: str) -> None:
    appointment_id = await api.create_id()
    reply = await api.call("POST", f"/api/v1/appointments/{appointment_id}/invitations", body)
    assert reply.status == 400
    assert reply.error == {"code": code, "param": param}


async def test_invite_unknown_and_cancelled(api: Api) -> None:
    body = {"name": "Ann", "address": "ann@acme.com"}
    reply = await api.call("POST", "/api/v1/appointments/AAMkAGnope/invitations", body)
    assert reply.status == 404
    assert reply.error["code"] == "appointment_not_found"
    appointment_id = await api.create_id()
    await api.call("DELETE", f"/api/v1/appointments/{appointment_id}")
    reply = await api.call("POST", f"/api/v1/appointments/{appointment_id}/invitations", body)
    assert reply.status == 404
    assert reply.error["code"] == "appointment_already_cancelled"


async def test_update_returns_start_end_datetime_names(api: Api) -> None:
    appointment_id = await api.create_id()
    reply = await api.call(
        "PUT",
        f"/api/v1/appointments/{appointment_id}",
        {
            "appointmentStart": "2026-04-16T14:00:00",
            "appointmentEnd": "2026-04-16T15:30:00",
            "appointmentTimeZone": "Europe/Berlin",
            "appointmentSubject": "QBR (moved)",
            "appointmentLocation": "https://meet.example/qbr",
        },
    )
    assert reply.status == 200
    data = reply.data
    assert "start" not in data and "end" not in data
    assert data["startDateTime"] == "2026-04-16T14:00:00"
    assert data["endDateTime"] == "2026-04-16T15:30:00"
    assert data["timeZone"] == "Europe/Berlin"
    assert data["subject"] == "QBR (moved)"
    assert data["location"] == "https://meet.example/qbr"
    assert UTC_STAMP.match(data["lastUpdated"])


async def test_update_changes_only_given_fields(api: Api) -> None:
    appointment_id = await api.create_id(appointmentLocation="Room 4")
    reply = await api.call(
        "PUT", f"/api/v1/appointments/{appointment_id}", {"appointmentSubject": "Renamed"}
    )
    assert reply.data["startDateTime"] == START
    assert reply.data["location"] == "Room 4"
    # null clears an optional text field (JSON merge-patch, as Graph's PATCH does)
    reply = await api.call(
        "PUT", f"/api/v1/appointments/{appointment_id}", {"appointmentLocation": None}
    )
    assert reply.data["location"] is None
    assert reply.data["subject"] == "Renamed"


async def test_update_range_is_checked_against_current_values(api: Api) -> None:
    appointment_id = await api.create_id()
    path = f"/api/v1/appointments/{appointment_id}"
    reply = await api.call("PUT", path, {"appointmentStart": "2026-04-15T10:30:00"})
    assert reply.status == 400
    assert reply.error == {"code": "invalid_time_range", "param": "appointmentStart"}
    reply = await api.call("PUT", path, {"appointmentEnd": "2026-04-15T08:00:00"})
    assert reply.error == {"code": "invalid_time_range", "param": "appointmentEnd"}
    state = await api.sandbox("GET", f"/appointments/{appointment_id}")
    assert (state.data["start"], state.data["end"], state.data["sequence"]) == (START, END, 0)


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ({}, "missing_required_field", None),
        ({"appointmentTimeZone": "Nowhere/City"}, "invalid_time_zone", "appointmentTimeZone"),
        ({"appointmentStart": "soon"}, "invalid_datetime", "appointmentStart"),
        ({"appointmentStart": None}, "missing_required_field", "appointmentStart"),
    ],
)
async def test_update_errors(api: Api, body: dict, code: str, param: str | None) -> None:
    appointment_id = await api.create_id()
    reply = await api.call("PUT", f"/api/v1/appointments/{appointment_id}", body)
    assert reply.status == 400
    assert reply.error == {"code": code, "param": param}


async def test_update_unknown_and_cancelled(api: Api) -> None:
    body = {"appointmentSubject": "x"}
    reply = await api.call("PUT", "/api/v1/appointments/AAMkAGnope", body)
    assert (reply.status, reply.error["code"]) == (404, "appointment_not_found")
    appointment_id = await api.create_id()
    await api.call("DELETE", f"/api/v1/appointments/{appointment_id}")
    reply = await api.call("PUT", f"/api/v1/appointments/{appointment_id}", body)
    assert (reply.status, reply.error["code"]) == (404, "appointment_already_cancelled")


async def test_cancel_returns_documented_fields(api: Api) -> None:
    appointment_id = await api.create_id(name="John", address="john@acmecorp.com")
    await api.call(
        "POST",
        f"/api/v1/appointments/{appointment_id}/invitations",
        {"name": "Ann", "address": "ann@acme.com"},
    )
    reply = await api.call(
        "DELETE", f"/api/v1/appointments/{appointment_id}", {"comment": "Moved to email"}
    )
    assert reply.status == 200
    data = reply.data
    assert data["appointmentId"] == appointment_id
    assert data["subject"] == "Quarterly Business Review"
    assert UTC_STAMP.match(data["dateCanceled"])
    assert data["isActive"] is False
    assert data["inviteeCount"] == 0
    assert data["originalInviteeCount"] == 2
    state = await api.sandbox("GET", f"/appointments/{appointment_id}")
    assert state.data["isActive"] is False
    assert state.data["cancelComment"] == "Moved to email"


async def test_cancel_twice_and_unknown(api: Api) -> None:
    appointment_id = await api.create_id()
    first = await api.call("DELETE", f"/api/v1/appointments/{appointment_id}")
    assert first.status == 200
    again = await api.call("DELETE", f"/api/v1/appointments/{appointment_id}")
    assert again.status == 404
    assert again.error == {"code": "appointment_already_cancelled", "param": "appointmentId"}
    unknown = await api.call("DELETE", "/api/v1/appointments/AAMkAGnope")
    assert unknown.status == 404
    assert unknown.error == {"code": "appointment_not_found", "param": "appointmentId"}


async def test_appointment_of_another_account_is_not_found(
    api: Api, sandbox: SandboxServer
) -> None:
    appointment_id = await api.create_id()
    other_key, other_secret = sandbox.add_account()
    other = Api(api.session, sandbox)
    other.key, other.secret = other_key, other_secret
    path = f"/api/v1/appointments/{appointment_id}"
    reply = await other.call("PUT", path, {"appointmentSubject": "stolen"})
    assert (reply.status, reply.error["code"]) == (404, "appointment_not_found")


async def test_url_escaped_id_is_understood(api: Api) -> None:
    appointment_id = await api.create_id()
    escaped = appointment_id.replace("=", "%3D")
    reply = await api.call("PUT", f"/api/v1/appointments/{escaped}", {"appointmentSubject": "x"})
    assert reply.status == 200
    assert reply.data["appointmentId"] == appointment_id


async def test_unknown_route_and_method_use_the_envelope(api: Api) -> None:
    reply = await api.call("GET", "/api/v1/calendars")
    assert (reply.status, reply.error["code"]) == (404, "not_found")
    reply = await api.call("PATCH", "/api/v1/appointments")
    assert (reply.status, reply.error["code"]) == (405, "method_not_allowed")


@pytest.mark.parametrize(
    ("method", "suffix", "body", "field"),
    [
        ("POST", "", {"appointmentLocaton": "Room 4"}, "appointmentLocaton"),
        ("PUT", "/{id}", {"appointmentSubject": "x", "start": "2026-04-15T09:00:00"}, "start"),
        ("POST", "/{id}/invitations", {"name": "A", "address": "a@acme.com", "role": "x"}, "role"),
        ("DELETE", "/{id}", {"reason": "x"}, "reason"),
    ],
)
async def test_unknown_fields_are_refused_like_graph(
    api: Api, method: str, suffix: str, body: dict, field: str
) -> None:
    appointment_id = await api.create_id()
    if method == "POST" and not suffix:
        body = {"appointmentStart": START, "appointmentEnd": END, "appointmentTimeZone": ZONE,
                "appointmentSubject": "Other", **body}  # fmt: skip
    path = "/api/v1/appointments" + suffix.format(id=appointment_id)
    reply = await api.call(method, path, body)
    assert reply.status == 400
    assert reply.error == {"code": "unknown_field", "param": field}
    assert repr(field) in reply.body["message"]
    state = (await api.sandbox("GET", f"/appointments/{appointment_id}")).data
    assert state["isActive"] is True and state["sequence"] == 0


async def test_oversized_body_is_413_in_the_envelope(api: Api) -> None:
    huge = b'{"appointmentBody": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    reply = await api.call("POST", "/api/v1/appointments", raw=huge)
    assert reply.status == 413
    assert reply.error == {"code": "request_too_large", "param": None}
