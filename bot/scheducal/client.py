"""Async client for the ScheduCal API v1 (see ``shared/scheducal-api.md``).

One :class:`ScheduCalClient` per process, over one ``aiohttp.ClientSession`` (its own,
or one passed in and then left open on :meth:`close`). Credentials travel in the JSON
body, or as query parameters for the webhook GET and DELETE, as the docs require.

Retries:
- 429: wait ``Retry-After`` (and hold the client-side limiter for that long) and try
  again, within ``max_attempts``. A ``Retry-After`` above ``max_retry_after`` is not
  waited out: :class:`RateLimitExceeded` is raised at once with ``retry_after``.
- 500/502/503/504, timeouts, refused or reset connections: exponential backoff with
  full jitter, within ``max_attempts``.
- Any other 4xx: never retried.

Idempotency: ScheduCal has no idempotency key, so an attempt that timed out, lost its
connection after sending, or got 500/502/504 may have taken effect. The client still
retries (the docs ask for it on 5xx) because each operation is safe to repeat:
- create: ScheduCal refuses a repeat of the same appointment with 409. The client then
  raises :class:`DuplicateRequest` with ``after_ambiguous_attempt=True``, a message
  saying the first attempt most likely created it, and ``existing_id`` (the sandbox,
  and we expect ScheduCal, name the existing appointment), so the caller can adopt
  that id instead of telling the person "failed, nothing was sent".
- invite: inviting the same address again changes nothing; update (PUT) is repeatable.
- cancel: a repeat answers ``appointment_already_cancelled``; with
  ``after_ambiguous_attempt=True`` that means "our first attempt cancelled it".
- register_webhook may leave a second registration (receivers de-duplicate by event
  id; ``list_webhooks`` shows it); regenerate_webhook_secret returns the newest secret.
Every exception raised after such an attempt carries ``after_ambiguous_attempt=True``.

Secrets: the key and secret are kept out of ``repr``, out of log lines (only method,
path, status and timings are logged) and out of exception text (server messages and
network error texts are scrubbed of them).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import aiohttp

from bot.scheducal.errors import (
    DuplicateRequest,
    RateLimitExceeded,
    ScheduCalConnectionError,
    ScheduCalError,
    ScheduCalProtocolError,
    error_class,
)
from bot.scheducal.limiter import SlidingWindowLimiter
from bot.scheducal.models import (
    CanceledAppointment,
    CreatedAppointment,
    Invitation,
    UpdatedAppointment,
    Webhook,
    webhooks_from_data,
)
from bot.scheducal.retry import (
    AMBIGUOUS_STATUSES,
    RETRY_STATUSES,
    RetryPolicy,
    parse_retry_after,
)

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

_SNIPPET = 200  # characters of an unexpected body quoted in an error message
_USER_AGENT = "scheducal-bot/0.1 (+aiohttp)"


class _Credentials:
    """Holds the key and secret; its repr never shows them."""

    __slots__ = ("key", "secret")

    def __init__(self, key: str, secret: str) -> None:
        self.key = key
        self.secret = secret

    def __repr__(self) -> str:
        return "<ScheduCal credentials hidden>"

    def redact(self, text: str) -> str:
        for value in (self.key, self.secret):
            if len(value) >= 4:  # shorter values would mangle ordinary words
                text = text.replace(value, "[redacted]")
                text = text.replace(quote(value, safe=""), "[redacted]")
        return text


class _Reply:
    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


def _wall_time(value: datetime, time_zone: str | None, name: str) -> str:
    """ISO 8601 wall time in ``time_zone``: aware values are converted, naive ones kept."""
    if value.tzinfo is not None and value.utcoffset() is not None:
        if not time_zone:
            raise ValueError(f"{name} is timezone-aware: pass time_zone to say which wall time")
        try:
            zone = ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {time_zone!r}") from None
        value = value.astimezone(zone)
    return value.replace(tzinfo=None, microsecond=0).isoformat()


def _segment(value: str, name: str) -> str:
    """One URL path segment; opaque ids (Exchange ids hold '/', '+', '=') are escaped."""
    if not value:
        raise ValueError(f"{name} must not be empty")
    return quote(value, safe="")


class ScheduCalClient:
    """The ScheduCal API v1 operations as typed async methods."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        api_secret: str,
        *,
        session: aiohttp.ClientSession | None = None,
        rate_limit_per_minute: int | None = 60,
        max_attempts: int = 4,
        timeout: float = 10.0,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        max_retry_after: float = 60.0,
        rate_limit_window: float = 60.0,
    ) -> None:
        """``rate_limit_per_minute=None`` disables the client-side limiter.

        ``rate_limit_window`` is the limiter's window in seconds (60 = "per minute");
        tests shrink it, and ``backoff_base``/``max_retry_after``, to run fast.
        ``timeout`` is per attempt, in seconds.
        """
        if not base_url:
            raise ValueError("base_url must not be empty")
        self.base_url = base_url.rstrip("/")
        self._credentials = _Credentials(api_key, api_secret)
        self._session = session
        self._owns_session = session is None
        self.timeout = timeout
        self.policy = RetryPolicy(
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
            max_retry_after=max_retry_after,
        )
        self.limiter = (
            None
            if rate_limit_per_minute is None
            else SlidingWindowLimiter(rate_limit_per_minute, rate_limit_window)
        )

    @classmethod
    def from_settings(
        cls, settings: Settings, session: aiohttp.ClientSession | None = None, **options: Any
    ) -> ScheduCalClient:
        """A client for ``settings``; stops with one line if the key or secret is not set."""
        settings.require("SCHEDUCAL_API_KEY", "SCHEDUCAL_API_SECRET")
        return cls(
            settings.scheducal_api_url,
            settings.scheducal_api_key,
            settings.scheducal_api_secret,
            session=session,
            rate_limit_per_minute=settings.scheducal_rate_limit,
            **options,
        )

    def __repr__(self) -> str:
        limit = self.limiter.limit if self.limiter else None
        return (
            f"ScheduCalClient(base_url={self.base_url!r}, rate_limit_per_minute={limit}, "
            f"max_attempts={self.policy.max_attempts}, timeout={self.timeout})"
        )

    async def __aenter__(self) -> ScheduCalClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session if this client created it; a passed-in one stays open."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    # -- appointments ----------------------------------------------------------------

    async def create_appointment(
        self,
        *,
        start: datetime,
        end: datetime,
        time_zone: str,
        subject: str | None = None,
        body: str | None = None,
        location: str | None = None,
        invitee_name: str | None = None,
        invitee_email: str | None = None,
    ) -> CreatedAppointment:
        """Create an appointment; aware ``start``/``end`` are converted to ``time_zone``."""
        fields = {
            "appointmentStart": _wall_time(start, time_zone, "start"),
            "appointmentEnd": _wall_time(end, time_zone, "end"),
            "appointmentTimeZone": time_zone,
            "appointmentSubject": subject,
            "appointmentBody": body,
            "appointmentLocation": location,
            "name": invitee_name,
            "address": invitee_email,
        }
        data = await self._call("create_appointment", "POST", "/api/v1/appointments", fields)
        return CreatedAppointment.from_data(data)

    async def invite(self, appointment_id: str, *, name: str, email: str) -> Invitation:
        """Add one invitee; ScheduCal sends them the invitation."""
        path = f"/api/v1/appointments/{_segment(appointment_id, 'appointment_id')}/invitations"
        data = await self._call("invite", "POST", path, {"name": name, "address": email})
        return Invitation.from_data(data)

    async def update_appointment(
        self,
        appointment_id: str,
        *,
        subject: str | None = None,
        body: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        time_zone: str | None = None,
        location: str | None = None,
    ) -> UpdatedAppointment:
        """Change only the given fields. Aware ``start``/``end`` need ``time_zone``;
        naive ones are wall time in ``time_zone`` or, without it, the appointment's zone."""
        fields = {
            "appointmentSubject": subject,
            "appointmentBody": body,
            "appointmentStart": None if start is None else _wall_time(start, time_zone, "start"),
            "appointmentEnd": None if end is None else _wall_time(end, time_zone, "end"),
            "appointmentTimeZone": time_zone,
            "appointmentLocation": location,
        }
        if all(value is None for value in fields.values()):
            raise ValueError("update_appointment needs at least one field to change")
        path = f"/api/v1/appointments/{_segment(appointment_id, 'appointment_id')}"
        data = await self._call("update_appointment", "PUT", path, fields)
        return UpdatedAppointment.from_data(data)

    async def cancel_appointment(
        self, appointment_id: str, *, comment: str | None = None
    ) -> CanceledAppointment:
        """Cancel (irreversible); ``comment`` is shown in the cancellation notice."""
        path = f"/api/v1/appointments/{_segment(appointment_id, 'appointment_id')}"
        data = await self._call("cancel_appointment", "DELETE", path, {"comment": comment})
        return CanceledAppointment.from_data(data)

    # -- webhooks --------------------------------------------------------------------

    async def register_webhook(self, url: str, event_types: Iterable[str]) -> Webhook:
        """Register ``url``; the reply's ``secret`` is shown only here: store it."""
        fields = {"webhookUrl": url, "eventTypes": list(event_types)}
        data = await self._call("register_webhook", "POST", "/api/v1/webhooks", fields)
        return Webhook.from_data(data, "register_webhook", need_secret=True)

    async def list_webhooks(self) -> list[Webhook]:
        data = await self._call("list_webhooks", "GET", "/api/v1/webhooks", None)
        return webhooks_from_data(data)

    async def update_webhook(
        self,
        webhook_id: str,
        *,
        url: str | None = None,
        event_types: Iterable[str] | None = None,
    ) -> Webhook:
        fields = {
            "webhookUrl": url,
            "eventTypes": None if event_types is None else list(event_types),
        }
        if url is None and event_types is None:
            raise ValueError("update_webhook needs url or event_types")
        path = f"/api/v1/webhooks/{_segment(webhook_id, 'webhook_id')}"
        data = await self._call("update_webhook", "PATCH", path, fields)
        return Webhook.from_data(data, "update_webhook")

    async def delete_webhook(self, webhook_id: str) -> None:
        path = f"/api/v1/webhooks/{_segment(webhook_id, 'webhook_id')}"
        await self._call("delete_webhook", "DELETE", path, None, expect_data=False)

    async def regenerate_webhook_secret(self, webhook_id: str) -> Webhook:
        """A new ``whsec_`` secret; the old one stops signing deliveries."""
        path = f"/api/v1/webhooks/{_segment(webhook_id, 'webhook_id')}/regenerate-secret"
        data = await self._call("regenerate_webhook_secret", "POST", path, {})
        return Webhook.from_data(
            data, "regenerate_webhook_secret", need_secret=True, need_details=False
        )

    # -- transport -------------------------------------------------------------------

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            if not self._owns_session:
                raise RuntimeError("the aiohttp session passed to ScheduCalClient is closed")
            self._session = aiohttp.ClientSession()
        return self._session

    async def _call(
        self,
        op: str,
        method: str,
        path: str,
        fields: Mapping[str, Any] | None,
        *,
        expect_data: bool = True,
    ) -> Any:
        """Send one operation with retries; return the envelope's ``data``.

        ``fields=None`` means "credentials as query parameters" (webhook GET/DELETE);
        otherwise the credentials and the non-None fields form the JSON body.
        """
        creds = self._credentials
        if fields is None:
            body = None
            params: dict[str, str] | None = {"apiKey": creds.key, "apiSecret": creds.secret}
        else:
            body = {"apiKey": creds.key, "apiSecret": creds.secret}
            body.update({k: v for k, v in fields.items() if v is not None})
            params = None
        url = self.base_url + path
        policy = self.policy
        ambiguous = False  # an earlier attempt may have reached the server and acted
        for attempt in range(1, policy.max_attempts + 1):
            last = attempt == policy.max_attempts
            try:
                reply = await self._attempt(op, method, url, body, params)
            except aiohttp.InvalidURL:
                raise ScheduCalConnectionError(
                    f"ScheduCal base URL {self.base_url!r} is not a valid URL"
                ) from None
            except (TimeoutError, aiohttp.ClientError) as exc:
                reason = self._describe(exc)
                # A refused connection never carried the request; anything later might have.
                ambiguous = ambiguous or not isinstance(exc, aiohttp.ClientConnectorError)
                if last:
                    raise ScheduCalConnectionError(
                        f"ScheduCal {op} failed after {attempt} attempt(s): {reason}",
                        after_ambiguous_attempt=ambiguous,
                    ) from None
                wait = policy.backoff(attempt)
                log.warning(
                    "ScheduCal %s %s: %s; retry %d of %d in %.2fs",
                    method, path, reason, attempt, policy.max_attempts - 1, wait,
                )  # fmt: skip
                await asyncio.sleep(wait)
                continue

            if 200 <= reply.status < 300:
                return self._data(op, reply, expect_data)

            if reply.status == 429:
                retry_after = parse_retry_after(reply.headers.get("Retry-After"))
                if not last and (retry_after is None or retry_after <= policy.max_retry_after):
                    wait = retry_after if retry_after is not None else policy.backoff(attempt)
                    if self.limiter is not None:
                        self.limiter.defer(wait)
                    log.warning(
                        "ScheduCal %s %s: rate limited (429); retry %d of %d in %.2fs",
                        method, path, attempt, policy.max_attempts - 1, wait,
                    )  # fmt: skip
                    await asyncio.sleep(wait)
                    continue
                raise self._error(op, reply, attempt, ambiguous, retry_after=retry_after)

            # A 500/502/504 may come after the server acted (a gateway timing out on a
            # slow backend); 503 and 429 mean it did not take the request on.
            ambiguous = ambiguous or reply.status in AMBIGUOUS_STATUSES
            if reply.status in RETRY_STATUSES and not last:
                wait = policy.backoff(attempt)
                log.warning(
                    "ScheduCal %s %s: HTTP %d; retry %d of %d in %.2fs",
                    method, path, reply.status, attempt, policy.max_attempts - 1, wait,
                )  # fmt: skip
                await asyncio.sleep(wait)
                continue
            raise self._error(op, reply, attempt, ambiguous)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    async def _attempt(
        self,
        op: str,
        method: str,
        url: str,
        body: dict[str, Any] | None,
        params: dict[str, str] | None,
    ) -> _Reply:
        """One request, holding a slot of the client-side limiter while it runs."""
        if self.limiter is None:
            return await self._send(method, url, body, params)
        async with self.limiter.slot() as waited:
            if waited > 0.05:
                log.info("ScheduCal %s waited %.2fs for the client-side rate limit", op, waited)
            return await self._send(method, url, body, params)

    async def _send(
        self,
        method: str,
        url: str,
        body: dict[str, Any] | None,
        params: dict[str, str] | None,
    ) -> _Reply:
        session = self._get_session()
        started = time.monotonic()
        async with session.request(
            method,
            url,
            json=body,
            params=params,
            headers={"User-Agent": _USER_AGENT},
            timeout=aiohttp.ClientTimeout(total=self.timeout),
            allow_redirects=False,  # a redirect would resend the credentials elsewhere
        ) as response:
            payload = await response.read()
        elapsed_ms = (time.monotonic() - started) * 1000
        # ``url`` never holds credentials (they go in ``params``): safe to log.
        log.debug("ScheduCal %s %s -> %d in %.1f ms", method, url, response.status, elapsed_ms)
        return _Reply(response.status, response.headers, payload)

    def _describe(self, exc: BaseException) -> str:
        if isinstance(exc, TimeoutError):
            return f"no reply within {self.timeout:g}s"
        text = self._credentials.redact(str(exc))
        return f"{type(exc).__name__}: {text}" if text else type(exc).__name__

    def _snippet(self, body: bytes) -> str:
        text = body[:_SNIPPET].decode("utf-8", "replace").strip()
        text = self._credentials.redact(text)
        return repr(text) + ("..." if len(body) > _SNIPPET else "")

    def _data(self, op: str, reply: _Reply, expect_data: bool) -> Any:
        if not reply.body.strip() and not expect_data:
            return None
        envelope = _decode(reply.body)
        where = f"unexpected ScheduCal reply to {op} (HTTP {reply.status})"
        if envelope is None:
            raise ScheduCalProtocolError(
                f"{where}: the body is not JSON: {self._snippet(reply.body)}", status=reply.status
            )
        if not isinstance(envelope, dict):
            raise ScheduCalProtocolError(f"{where}: not a JSON object", status=reply.status)
        if envelope.get("success") is not True:
            raise ScheduCalProtocolError(
                f"{where}: 'success' is {envelope.get('success')!r}, expected true",
                status=reply.status,
            )
        data = envelope.get("data")
        if data is None and expect_data:
            raise ScheduCalProtocolError(f"{where}: 'data' is missing", status=reply.status)
        return data

    def _error(
        self,
        op: str,
        reply: _Reply,
        attempts: int,
        ambiguous: bool,
        *,
        retry_after: float | None = None,
    ) -> ScheduCalError:
        """The exception for an error reply (never raises itself)."""
        status = reply.status
        envelope = _decode(reply.body)
        error = envelope.get("error") if isinstance(envelope, dict) else None
        if not isinstance(error, dict):
            # Not the documented error envelope: a proxy page, a wrong base URL, ...
            if status >= 500 or status == 429:
                cls: type[ScheduCalError] = error_class(status, None)
                message = f"ScheduCal {op} failed with HTTP {status}: {self._snippet(reply.body)}"
            else:
                cls = ScheduCalProtocolError
                message = (
                    f"unexpected ScheduCal reply to {op}: HTTP {status} without the documented "
                    f"error envelope (is SCHEDUCAL_API_URL right?): {self._snippet(reply.body)}"
                )
            code = param = None
        else:
            code = error.get("code") if isinstance(error.get("code"), str) else None
            param = error.get("param") if isinstance(error.get("param"), str) else None
            server_message = envelope.get("message")  # type: ignore[union-attr]
            message = self._credentials.redact(
                server_message if isinstance(server_message, str) and server_message else
                f"ScheduCal {op} failed with HTTP {status}"
            )  # fmt: skip
            cls = error_class(status, code)
        if status in RETRY_STATUSES and attempts > 1:
            message += f" (still failing after {attempts} attempts)"
        if ambiguous and cls is DuplicateRequest:
            message = (
                f"ScheduCal refused to repeat {op}: an earlier attempt timed out or lost its"
                f" connection and most likely succeeded, so check before trying again"
                f" (server said: {message})"
            )
        elif ambiguous:
            message += (
                " (an earlier attempt timed out or lost its connection and may have taken effect)"
            )
        kwargs: dict[str, Any] = {
            "status": status,
            "code": code,
            "param": param,
            "after_ambiguous_attempt": ambiguous,
        }
        if issubclass(cls, RateLimitExceeded):
            return cls(message, retry_after=retry_after, **kwargs)
        if issubclass(cls, DuplicateRequest):
            return cls(message, existing_id=_existing_id(envelope), **kwargs)
        return cls(message, **kwargs)


def _decode(body: bytes) -> Any:
    """Parsed JSON, or None when the body is not JSON."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def _existing_id(envelope: Any) -> str | None:
    """The earlier object's id, if a 409 reply names it (``error`` or ``data``)."""
    if not isinstance(envelope, dict):
        return None
    for holder in (envelope.get("error"), envelope.get("data")):
        if isinstance(holder, dict):
            for key in ("appointmentId", "existingAppointmentId", "webhookId"):
                value = holder.get(key)
                if isinstance(value, str) and value:
                    return value
    return None
