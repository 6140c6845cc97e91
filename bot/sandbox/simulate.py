"""Sandbox-only endpoints (no credentials): inspect state, play the attendee, drive deliveries.

These exist only in the sandbox. They let tests and the local shell do what in real life
an attendee's calendar or ScheduCal's dashboard does: accept, decline, propose a new time,
see every event and its delivery attempts, replay undelivered events, and send an event
again on purpose to exercise a receiver's de-duplication.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from bot.sandbox import validation as v
from bot.sandbox.api import json_body, ok
from bot.sandbox.delivery import ABANDONED, DELIVERED, UNDELIVERED
from bot.sandbox.errors import ApiError
from bot.sandbox.faults import Fault
from bot.sandbox.ics import invitation
from bot.sandbox.keys import DISPATCHER, FAULTS, STATE
from bot.sandbox.state import RESPONSES, Event

PREFIX = "/sandbox"


def event_json(event: Event) -> dict[str, Any]:
    states = {d.state for d in event.deliveries}
    if not states:
        summary = "no_subscribers"
    elif UNDELIVERED in states:
        summary = "undelivered"
    elif states - {DELIVERED, ABANDONED}:
        summary = "pending"
    elif DELIVERED in states:
        summary = "delivered"
    else:
        summary = "abandoned"
    return {
        "id": event.id,
        "eventType": event.event_type,
        "timestamp": event.payload["timestamp"],
        "appointmentId": event.payload["data"]["appointmentId"],
        "state": summary,
        "payload": event.payload,
        "deliveries": [d.to_json() for d in event.deliveries],
    }


def _event(request: web.Request) -> Event:
    event_id = request.match_info["eventId"]
    event = request.app[STATE].events.get(event_id)
    if event is None:
        raise ApiError(404, "event_not_found", f"no event with id {event_id!r}", "eventId")
    return event


def _responded_at(body: dict[str, Any]) -> datetime | None:
    raw = v.optional_str(body, "respondedAt")
    return v.parse_utc(raw, "respondedAt") if raw else None


def _response(body: dict[str, Any], default: str | None = None) -> str:
    value = v.optional_str(body, "response") or default
    if value is None:
        raise ApiError(400, "missing_required_field", "response is required", "response")
    if value not in RESPONSES:
        raise ApiError(
            400,
            "invalid_response",
            f"response must be one of {', '.join(RESPONSES)}, not {value!r}",
            "response",
        )
    return value


async def list_appointments(request: web.Request) -> web.Response:
    items = [a.to_json() for a in request.app[STATE].appointments.values()]
    return ok(f"{len(items)} appointment(s)", {"appointments": items})


async def get_appointment(request: web.Request) -> web.Response:
    appointment = request.app[STATE].get(request.match_info["appointmentId"])
    return ok("Appointment", appointment.to_json())


async def respond(request: web.Request) -> web.Response:
    body = await json_body(request)
    email = v.required_str(body, "email")
    response = _response(body)
    event = request.app[STATE].respond(
        request.match_info["appointmentId"],
        email=email,
        response=response,
        responded_at=_responded_at(body),
    )
    return ok(f"{email} {response}", {"eventId": event.id, "event": event.payload})


async def propose(request: web.Request) -> web.Response:
    body = await json_body(request)
    email = v.required_str(body, "email")
    start = v.wall_time(v.required_str(body, "proposedStart"), "proposedStart")
    end = v.wall_time(v.required_str(body, "proposedEnd"), "proposedEnd")
    event = request.app[STATE].propose(
        request.match_info["appointmentId"],
        email=email,
        start=start,
        end=end,
        response=_response(body, "tentativelyAccepted"),
        responded_at=_responded_at(body),
    )
    return ok(f"{email} proposed a new time", {"eventId": event.id, "event": event.payload})


async def invitation_ics(request: web.Request) -> web.Response:
    state = request.app[STATE]
    appointment = state.get(request.match_info["appointmentId"])
    text = invitation(appointment, state.accounts[appointment.account_key])
    method = "REQUEST" if appointment.is_active else "CANCEL"
    return web.Response(
        body=text,
        headers={"Content-Type": f"text/calendar; charset=utf-8; method={method}"},
    )


async def list_events(request: web.Request) -> web.Response:
    events = list(request.app[STATE].events.values())
    appointment_id = request.query.get("appointmentId")
    if appointment_id:
        events = [e for e in events if e.payload["data"]["appointmentId"] == appointment_id]
    event_type = request.query.get("eventType")
    if event_type:
        events = [e for e in events if e.event_type == event_type]
    return ok(f"{len(events)} event(s)", {"events": [event_json(e) for e in events]})


async def get_event(request: web.Request) -> web.Response:
    return ok("Event", event_json(_event(request)))


async def undelivered(request: web.Request) -> web.Response:
    items = [d.to_json() for d in request.app[DISPATCHER].undelivered()]
    return ok(f"{len(items)} undelivered", {"undelivered": items})


async def replay(request: web.Request) -> web.Response:
    event = _event(request)
    body = await json_body(request)
    webhook_id = v.optional_str(body, "webhookId")
    replayed = request.app[DISPATCHER].replay(event, webhook_id)
    if not replayed:
        raise ApiError(
            409,
            "event_not_undelivered",
            f"event {event.id} has no undelivered delivery to replay",
            "eventId",
        )
    return ok(f"Replaying to {len(replayed)} webhook(s)", event_json(event))


async def redeliver(request: web.Request) -> web.Response:
    event = _event(request)
    sent = request.app[DISPATCHER].redeliver(event)
    if not sent:
        raise ApiError(
            409,
            "no_subscribers",
            f"no active webhook of this account subscribes to {event.event_type}",
            "eventId",
        )
    return ok(f"Delivering again to {len(sent)} webhook(s)", event_json(event))


def _int(body: dict[str, Any], key: str, default: int | None) -> int | None:
    value = body.get(key, default)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ApiError(400, "invalid_field", f"{key} must be a whole number", key)
    return value


async def add_fault(request: web.Request) -> web.Response:
    body = await json_body(request)
    delay = body.get("delay", 0.0)
    if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
        raise ApiError(400, "invalid_field", "delay must be a number of seconds >= 0", "delay")
    fault = Fault(
        status=_int(body, "status", 503),
        times=_int(body, "times", 1) or 0,
        method=v.optional_str(body, "method"),
        path=v.optional_str(body, "path"),
        retry_after=_int(body, "retryAfter", None),
        delay=float(delay),
    )
    try:
        request.app[FAULTS].add(fault)
    except ValueError as exc:
        raise ApiError(400, "invalid_field", str(exc)) from None
    return ok("Fault armed", fault.to_json(), status=201)


async def list_faults(request: web.Request) -> web.Response:
    pending = [f.to_json() for f in request.app[FAULTS].pending]
    return ok(f"{len(pending)} fault(s) armed", {"faults": pending})


async def clear_faults(request: web.Request) -> web.Response:
    request.app[FAULTS].clear()
    return ok("Faults cleared", {"faults": []})


ENDPOINTS = (
    ("GET", "/sandbox/appointments", "every appointment with attendees and responses"),
    ("GET", "/sandbox/appointments/{appointmentId}", "one appointment's full state"),
    ("POST", "/sandbox/appointments/{appointmentId}/respond",
     '{"email","response"[,"respondedAt"]} -> attendee.responded'),
    ("POST", "/sandbox/appointments/{appointmentId}/propose",
     '{"email","proposedStart","proposedEnd"[,"response"]} -> attendee.proposed_new_time'),
    ("GET", "/sandbox/appointments/{appointmentId}/invitation.ics", "the iCalendar invitation"),
    ("GET", "/sandbox/events", "events with deliveries (?appointmentId=, ?eventType=)"),
    ("GET", "/sandbox/events/{eventId}", "one event with its delivery attempts"),
    ("GET", "/sandbox/webhooks/undelivered", "deliveries that gave up after 5 attempts"),
    ("POST", "/sandbox/events/{eventId}/replay", "retry the undelivered deliveries of an event"),
    ("POST", "/sandbox/events/{eventId}/redeliver", "send an event again (a duplicate)"),
    ("POST", "/sandbox/faults",
     '{"status","times","method","path","retryAfter","delay"}: fail the next API calls'),
    ("GET", "/sandbox/faults", "armed faults"),
    ("DELETE", "/sandbox/faults", "disarm every fault"),
)  # fmt: skip


async def index(_: web.Request) -> web.Response:
    endpoints = [{"method": m, "path": p, "does": d} for m, p, d in ENDPOINTS]
    return ok("ScheduCal sandbox tools (no credentials needed)", {"endpoints": endpoints})


def add_routes(app: web.Application) -> None:
    app.router.add_get(PREFIX, index)
    app.router.add_get(f"{PREFIX}/appointments", list_appointments)
    app.router.add_get(f"{PREFIX}/appointments/{{appointmentId}}", get_appointment)
    app.router.add_post(f"{PREFIX}/appointments/{{appointmentId}}/respond", respond)
    app.router.add_post(f"{PREFIX}/appointments/{{appointmentId}}/propose", propose)
    app.router.add_get(f"{PREFIX}/appointments/{{appointmentId}}/invitation.ics", invitation_ics)
    app.router.add_get(f"{PREFIX}/events", list_events)
    app.router.add_get(f"{PREFIX}/events/{{eventId}}", get_event)
    app.router.add_get(f"{PREFIX}/webhooks/undelivered", undelivered)
    app.router.add_post(f"{PREFIX}/events/{{eventId}}/replay", replay)
    app.router.add_post(f"{PREFIX}/events/{{eventId}}/redeliver", redeliver)
    app.router.add_post(f"{PREFIX}/faults", add_fault)
    app.router.add_get(f"{PREFIX}/faults", list_faults)
    app.router.add_delete(f"{PREFIX}/faults", clear_faults)
