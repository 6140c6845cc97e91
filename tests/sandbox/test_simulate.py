"""Sandbox-only endpoints: inspecting state and playing the attendee, with their errors."""

from __future__ import annotations

import pytest

from tests.sandbox.conftest import Api


async def test_state_shows_attendees_and_responses(api: Api) -> None:
    appointment_id = await api.create_id(name="Jo", address="jo@acme.com")
    reply = await api.sandbox(
        "POST",
        f"/appointments/{appointment_id}/respond",
        {"email": "jo@acme.com", "response": "accepted", "respondedAt": "2026-04-15T09:03:44Z"},
    )
    assert reply.data["event"]["data"]["attendee"]["respondedAt"] == "2026-04-15T09:03:44Z"
    state = (await api.sandbox("GET", f"/appointments/{appointment_id}")).data
    assert state["attendees"] == [
        {"name": "Jo", "email": "jo@acme.com", "response": "accepted",
         "respondedAt": "2026-04-15T09:03:44Z"}
    ]  # fmt: skip
    assert state["isActive"] is True
    listed = (await api.sandbox("GET", "/appointments")).data["appointments"]
    assert [a["appointmentId"] for a in listed] == [appointment_id]


async def test_response_after_proposal_clears_the_proposal(api: Api) -> None:
    appointment_id = await api.create_id(name="Jo", address="jo@acme.com")
    await api.sandbox("POST", f"/appointments/{appointment_id}/propose",
                      {"email": "jo@acme.com", "proposedStart": "2026-04-15T11:00:00",
                       "proposedEnd": "2026-04-15T12:00:00", "response": "declined"})  # fmt: skip
    state = (await api.sandbox("GET", f"/appointments/{appointment_id}")).data
    assert state["attendees"][0]["response"] == "declined"
    assert state["attendees"][0]["proposedStart"] == "2026-04-15T11:00:00"
    reply = await api.sandbox("POST", f"/appointments/{appointment_id}/respond",
                              {"email": "jo@acme.com", "response": "accepted"})  # fmt: skip
    assert "proposedStart" not in reply.data["event"]["data"]["attendee"]
    state = (await api.sandbox("GET", f"/appointments/{appointment_id}")).data
    assert "proposedStart" not in state["attendees"][0]


@pytest.mark.parametrize(
    ("body", "status", "code", "param"),
    [
        ({"response": "accepted"}, 400, "missing_required_field", "email"),
        ({"email": "jo@acme.com"}, 400, "missing_required_field", "response"),
        ({"email": "jo@acme.com", "response": "maybe"}, 400, "invalid_response", "response"),
        ({"email": "zz@acme.com", "response": "accepted"}, 404, "attendee_not_found", "email"),
        ({"email": "jo@acme.com", "response": "accepted", "respondedAt": "noon"}, 400,
         "invalid_datetime", "respondedAt"),
    ],
)  # fmt: skip
async def test_respond_errors(api: Api, body: dict, status: int, code: str, param: str) -> None:
    appointment_id = await api.create_id(name="Jo", address="jo@acme.com")
    reply = await api.sandbox("POST", f"/appointments/{appointment_id}/respond", body)
    assert reply.status == status
    assert reply.error == {"code": code, "param": param}


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ({"proposedEnd": "2026-04-15T12:00:00"}, "missing_required_field", "proposedStart"),
        ({"proposedStart": "2026-04-15T12:00:00", "proposedEnd": "2026-04-15T11:00:00"},
         "invalid_time_range", "proposedEnd"),
        ({"proposedStart": "2026-04-15T12:00:00Z", "proposedEnd": "2026-04-15T13:00:00"},
         "invalid_datetime", "proposedStart"),
    ],
)  # fmt: skip
async def test_propose_errors(api: Api, body: dict, code: str, param: str) -> None:
    appointment_id = await api.create_id(name="Jo", address="jo@acme.com")
    reply = await api.sandbox(
        "POST", f"/appointments/{appointment_id}/propose", {"email": "jo@acme.com", **body}
    )
    assert reply.status == 400
    assert reply.error == {"code": code, "param": param}


async def test_attendee_of_cancelled_or_unknown_appointment(api: Api) -> None:
    appointment_id = await api.create_id(name="Jo", address="jo@acme.com")
    await api.call("DELETE", f"/api/v1/appointments/{appointment_id}")
    body = {"email": "jo@acme.com", "response": "accepted"}
    reply = await api.sandbox("POST", f"/appointments/{appointment_id}/respond", body)
    assert (reply.status, reply.error["code"]) == (404, "appointment_already_cancelled")
    reply = await api.sandbox("POST", "/appointments/AAMkAGnope/respond", body)
    assert (reply.status, reply.error["code"]) == (404, "appointment_not_found")
    reply = await api.sandbox("GET", "/events/nope")
    assert (reply.status, reply.error["code"]) == (404, "event_not_found")


async def test_redeliver_without_subscribers_is_409(api: Api) -> None:
    appointment_id = await api.create_id()
    await api.call("DELETE", f"/api/v1/appointments/{appointment_id}")
    (event,) = (await api.sandbox("GET", "/events")).data["events"]
    reply = await api.sandbox("POST", f"/events/{event['id']}/redeliver")
    assert (reply.status, reply.error["code"]) == (409, "no_subscribers")


async def test_index_lists_every_sandbox_route(api: Api, sandbox) -> None:  # noqa: ANN001
    listed = (await api.sandbox("GET", "")).data["endpoints"]
    documented = {(e["method"], e["path"]) for e in listed}
    routes = {
        (route.method, route.resource.canonical)
        for route in sandbox.app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/sandbox/")
        and route.method != "HEAD"
    }
    assert documented == routes
