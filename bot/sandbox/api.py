"""The documented ScheduCal API, ``/api/v1/...``, on top of :class:`SandboxState`.

Handlers parse and validate the request, authenticate, count the request against the
account's rate limit, call the state, and answer with the documented envelope. Webhook
deliveries happen in the dispatcher's background workers, never inside a handler.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from typing import Any

from aiohttp import web
from yarl import URL

from bot.sandbox import validation as v
from bot.sandbox.errors import ApiError, missing
from bot.sandbox.keys import CONFIG, LIMITER, STATE
from bot.sandbox.state import Account
from bot.scheducal.events import EVENT_TYPES

API = "/api/v1"
_LOOPBACK_NAMES = ("localhost",)


def ok(message: str, data: Any, status: int = 200) -> web.Response:
    body = {"success": True, "message": message, "data": data, "apiVersion": "v1"}
    return web.json_response(body, status=status)


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object; anything else is a 400 ``invalid_request``."""
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "invalid_request", "the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_request", "the request body must be a JSON object")
    return body


def _admit(request: web.Request, key: Any, secret: Any) -> Account:
    state = request.app[STATE]
    account = state.authenticate(
        key if isinstance(key, str) else None, secret if isinstance(secret, str) else None
    )
    request.app[LIMITER].check(account.api_key)
    return account


async def body_account(
    request: web.Request, allowed: Iterable[str] = ()
) -> tuple[dict[str, Any], Account]:
    """Credentials travel in the JSON body (every method except GET/DELETE on webhooks).

    A field outside ``allowed`` is refused, as Graph refuses unknown properties, so a
    misspelt ``appointmentLocaton`` fails loudly instead of being silently ignored.
    """
    body = await json_body(request)
    account = _admit(request, body.get("apiKey"), body.get("apiSecret"))
    permitted = set(allowed) | {"apiKey", "apiSecret"}
    unknown = sorted(key for key in body if key not in permitted)
    if unknown:
        raise ApiError(
            400,
            "unknown_field",
            f"unknown field {unknown[0]!r}; this endpoint accepts "
            + (", ".join(sorted(set(allowed))) or "only apiKey and apiSecret"),
            unknown[0],
        )
    return body, account


def query_account(request: web.Request) -> Account:
    """GET and DELETE on webhooks carry the credentials as query parameters."""
    return _admit(request, request.query.get("apiKey"), request.query.get("apiSecret"))


# -- appointments -------------------------------------------------------------------------

UPDATE_FIELDS = (
    "appointmentSubject",
    "appointmentBody",
    "appointmentStart",
    "appointmentEnd",
    "appointmentTimeZone",
    "appointmentLocation",
)
CREATE_FIELDS = (*UPDATE_FIELDS, "name", "address")


def _invitee(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """The optional initial invitee of a create: a name alone is not enough."""
    name = (v.optional_str(body, "name") or "").strip() or None
    address = (v.optional_str(body, "address") or "").strip() or None
    if name is not None and address is None:
        raise missing("address", "address (the invitee's email)")
    return name, (v.email(address) if address is not None else None)


def _required_invitee(body: dict[str, Any]) -> tuple[str, str]:
    name = v.required_str(body, "name")
    return name, v.email(v.required_str(body, "address"))


async def create_appointment(request: web.Request) -> web.Response:
    body, account = await body_account(request, CREATE_FIELDS)
    start_raw = v.required_str(body, "appointmentStart")
    end_raw = v.required_str(body, "appointmentEnd")
    zone = v.time_zone(v.required_str(body, "appointmentTimeZone"))
    start = v.wall_time(start_raw, "appointmentStart")
    end = v.wall_time(end_raw, "appointmentEnd")
    v.check_range(start, end, zone)
    name, address = _invitee(body)
    appointment, gmail_first = request.app[STATE].create_appointment(
        account,
        subject=v.optional_str(body, "appointmentSubject") or "",
        body=v.optional_str(body, "appointmentBody"),
        start=start,
        end=end,
        time_zone=zone,
        location=v.optional_str(body, "appointmentLocation") or None,
        invitee_name=name,
        invitee_email=address,
    )
    data = {
        "appointmentId": appointment.id,
        "subject": appointment.subject,
        "start": v.format_wall(appointment.start),
        "end": v.format_wall(appointment.end),
        "timeZone": appointment.time_zone,
        "location": appointment.location,
        "inviteeCount": len(appointment.attendees),
        "hasInitialInvitee": appointment.has_initial_invitee,
        "gmailFirstInvite": gmail_first,
        "dateCreated": v.format_utc(appointment.created_at),
    }
    return ok("Appointment created", data, status=201)


async def add_invitation(request: web.Request) -> web.Response:
    body, account = await body_account(request, ("name", "address"))
    appointment_id = request.match_info["appointmentId"]
    name, address = _required_invitee(body)
    appointment, attendee, added = request.app[STATE].invite(
        account, appointment_id, name=name, email=address
    )
    data = {
        "appointmentId": appointment.id,
        "invitee": attendee.name,
        "email": attendee.email,
        "totalInvitees": len(appointment.attendees),
        "appointmentSubject": appointment.subject,
        "gmailFirstInvite": added and attendee.gmail_first_invite,
    }
    if added:
        return ok("Invitation sent", data, status=201)
    return ok("Already invited; nothing changed", data)


_UPDATABLE_TEXT = {
    "appointmentSubject": "subject",
    "appointmentBody": "body",
    "appointmentLocation": "location",
}


def _changes(body: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for field, attr in _UPDATABLE_TEXT.items():
        if field in body:  # null clears the field (JSON merge-patch, as Graph's PATCH)
            value = v.optional_str(body, field)
            changes[attr] = (value or "") if attr == "subject" else (value or None)
    if "appointmentTimeZone" in body:
        changes["time_zone"] = v.time_zone(v.required_str(body, "appointmentTimeZone"))
    for field, attr in (("appointmentStart", "start"), ("appointmentEnd", "end")):
        if field in body:
            changes[attr] = v.wall_time(v.required_str(body, field), field)
    if not changes:
        raise ApiError(
            400,
            "missing_required_field",
            "nothing to update: give at least one of appointmentSubject, appointmentBody, "
            "appointmentStart, appointmentEnd, appointmentTimeZone, appointmentLocation",
        )
    return changes


async def update_appointment(request: web.Request) -> web.Response:
    body, account = await body_account(request, UPDATE_FIELDS)
    state = request.app[STATE]
    appointment_id = request.match_info["appointmentId"]
    state.owned(account, appointment_id)  # 404 before field errors, as Graph answers
    appointment = state.update_appointment(account, appointment_id, _changes(body))
    data = {
        "appointmentId": appointment.id,
        "subject": appointment.subject,
        "startDateTime": v.format_wall(appointment.start),
        "endDateTime": v.format_wall(appointment.end),
        "timeZone": appointment.time_zone,
        "location": appointment.location,
        "lastUpdated": v.format_utc(appointment.last_updated),
    }
    return ok("Appointment updated", data)


async def cancel_appointment(request: web.Request) -> web.Response:
    body, account = await body_account(request, ("comment",))
    comment = v.optional_str(body, "comment")
    appointment = request.app[STATE].cancel_appointment(
        account, request.match_info["appointmentId"], comment.strip() if comment else None
    )
    data = {
        "appointmentId": appointment.id,
        "subject": appointment.subject,
        "dateCanceled": v.format_utc(appointment.last_updated),  # = the cancellation time
        "isActive": False,
        "inviteeCount": 0,
        "originalInviteeCount": appointment.original_invitee_count,
    }
    return ok("Appointment cancelled", data)


# -- webhooks -----------------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_webhook_url(raw: str, *, allow_http: bool = False) -> str:
    """An absolute HTTPS URL; plain HTTP only to loopback (or anywhere with ``allow_http``)."""
    try:
        url: URL | None = URL(raw)
    except (ValueError, TypeError):
        url = None
    if url is None or not url.is_absolute() or url.scheme not in ("http", "https") or not url.host:
        raise ApiError(
            422, "invalid_webhook_url", "webhookUrl must be an absolute https:// URL", "webhookUrl"
        )
    if url.scheme == "http" and not (allow_http or _is_loopback(url.host)):
        raise ApiError(
            422,
            "invalid_webhook_url",
            "webhookUrl must use HTTPS (the sandbox also accepts http:// to 127.0.0.1, "
            "::1 or localhost)",
            "webhookUrl",
        )
    return raw


def webhook_url(request: web.Request, body: dict[str, Any]) -> str:
    raw = v.required_str(body, "webhookUrl")
    return check_webhook_url(raw, allow_http=request.app[CONFIG].allow_http_webhooks)


def event_types(body: dict[str, Any]) -> tuple[str, ...]:
    raw = body.get("eventTypes")
    if raw is None:
        raise missing("eventTypes", "eventTypes (an array of event type names)")
    if not isinstance(raw, list) or not raw or not all(isinstance(t, str) for t in raw):
        raise ApiError(
            422,
            "invalid_event_type",
            f"eventTypes must be a non-empty array of: {', '.join(EVENT_TYPES)}",
            "eventTypes",
        )
    unknown = [t for t in raw if t not in EVENT_TYPES]
    if unknown:
        raise ApiError(
            422,
            "invalid_event_type",
            f"unknown event type(s) {', '.join(unknown)}; known: {', '.join(EVENT_TYPES)}",
            "eventTypes",
        )
    return tuple(dict.fromkeys(raw))


async def register_webhook(request: web.Request) -> web.Response:
    body, account = await body_account(request, ("webhookUrl", "eventTypes"))
    url = webhook_url(request, body)
    types = event_types(body)
    webhook = request.app[STATE].add_webhook(account, url, types)
    return ok("Webhook registered; save the secret", webhook.to_json(with_secret=True), 201)


async def list_webhooks(request: web.Request) -> web.Response:
    account = query_account(request)
    webhooks = [w.to_json() for w in request.app[STATE].list_webhooks(account)]
    return ok(f"{len(webhooks)} webhook(s)", {"webhooks": webhooks})


async def update_webhook(request: web.Request) -> web.Response:
    body, account = await body_account(request, ("webhookUrl", "eventTypes", "active"))
    webhook = request.app[STATE].webhook(account, request.match_info["webhookId"])
    changes: dict[str, Any] = {}
    if "webhookUrl" in body:
        changes["url"] = webhook_url(request, body)
    if "eventTypes" in body:
        changes["event_types"] = event_types(body)
    if "active" in body:
        if not isinstance(body["active"], bool):
            raise ApiError(400, "invalid_field", "active must be true or false", "active")
        changes["active"] = body["active"]
    if not changes:
        raise ApiError(
            400,
            "missing_required_field",
            "nothing to update: give webhookUrl, eventTypes or active",
        )
    request.app[STATE].update_webhook(webhook, **changes)
    return ok("Webhook updated", webhook.to_json())


async def delete_webhook(request: web.Request) -> web.Response:
    account = query_account(request)
    webhook = request.app[STATE].delete_webhook(account, request.match_info["webhookId"])
    return ok("Webhook deleted", {"webhookId": webhook.id, "deleted": True})


async def regenerate_secret(request: web.Request) -> web.Response:
    _, account = await body_account(request)
    state = request.app[STATE]
    webhook = state.regenerate_secret(state.webhook(account, request.match_info["webhookId"]))
    return ok("Secret regenerated; the old one no longer signs", webhook.to_json(True))


def add_routes(app: web.Application) -> None:
    app.router.add_post(f"{API}/appointments", create_appointment)
    app.router.add_post(f"{API}/appointments/{{appointmentId}}/invitations", add_invitation)
    app.router.add_put(f"{API}/appointments/{{appointmentId}}", update_appointment)
    app.router.add_delete(f"{API}/appointments/{{appointmentId}}", cancel_appointment)
    app.router.add_post(f"{API}/webhooks", register_webhook)
    app.router.add_get(f"{API}/webhooks", list_webhooks)
    app.router.add_patch(f"{API}/webhooks/{{webhookId}}", update_webhook)
    app.router.add_delete(f"{API}/webhooks/{{webhookId}}", delete_webhook)
    app.router.add_post(f"{API}/webhooks/{{webhookId}}/regenerate-secret", regenerate_secret)
