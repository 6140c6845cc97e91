"""`POST /webhooks/scheducal`: verify -> validate -> store in the inbox -> 2xx.

The handler never talks to Slack. It answers only after the event is committed to
the inbox (so a 2xx means "we will not lose it"), and a duplicate ``id`` answers 2xx
without doing anything more. Order of checks, cheapest and safest first:

1. size: ``Content-Length`` over the limit -> 413 before reading; the body is read
   with the same limit, so a lying or absent ``Content-Length`` cannot get past it;
2. signature on the raw bytes against every accepted secret, in constant time -> 401;
3. JSON and envelope -> 400; unknown event type -> 200 and a log line;
4. inbox insert (group-committed by :class:`~bot.webhooks.batcher.InboxWriter`) -> 200,
   or 503 when the database is unavailable so ScheduCal delivers again later.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.scheducal.events import InvalidEventError, parse_event
from bot.scheducal.signing import SIGNATURE_HEADER, verify
from bot.webhooks.inbox import MAX_EVENT_ID_LENGTH, InboxRow
from bot.webhooks.secrets import SecretRing

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
ROUTE = "/webhooks/scheducal"

StoreRow = Callable[[InboxRow], Awaitable[bool]]


def _answer(status: int, **fields: object) -> web.Response:
    return web.json_response(fields, status=status)


async def read_limited(request: web.Request, limit: int) -> bytes | None:
    """The body, or None when it is (or turns out to be) larger than ``limit`` bytes."""
    if request.content_length is not None and request.content_length > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await request.content.read(limit + 1 - size)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)


class WebhookReceiver:
    """The aiohttp handler: ``handle`` is mounted at :data:`ROUTE`."""

    def __init__(
        self, *, secrets: SecretRing, store: StoreRow, max_body: int = MAX_BODY_BYTES
    ) -> None:
        self._secrets = secrets
        self._store = store
        self._max_body = max_body

    async def handle(self, request: web.Request) -> web.Response:
        body = await read_limited(request, self._max_body)
        if body is None:
            return _answer(413, error=f"body larger than {self._max_body} bytes")
        if not await self._verified(body, request.headers.get(SIGNATURE_HEADER)):
            log.warning("rejected a webhook with a missing or invalid signature")
            return _answer(401, error="missing or invalid signature")
        try:
            text = body.decode("utf-8")
            event = parse_event(json.loads(text))
        except ValueError as exc:
            # UnicodeDecodeError, JSONDecodeError and InvalidEventError are all ValueErrors.
            reason = str(exc) if isinstance(exc, InvalidEventError) else "body is not UTF-8 JSON"
            return _answer(400, error=reason)
        if len(event.id) > MAX_EVENT_ID_LENGTH:
            return _answer(400, error=f"event.id is longer than {MAX_EVENT_ID_LENGTH} characters")
        if not event.known:
            log.info("ignored ScheduCal event %s of unknown type %r", event.id, event.event_type)
            return _answer(200, ok=True, ignored=True)
        try:
            stored = await self._store(InboxRow.from_event(event, text))
        except Exception:  # noqa: BLE001 - any storage failure: ScheduCal must retry
            log.exception("could not store webhook event %s; answering 503", event.id)
            return _answer(503, error="temporarily unavailable, deliver again later")
        if not stored:
            log.debug("duplicate webhook event %s ignored", event.id)
            return _answer(200, ok=True, duplicate=True)
        return _answer(200, ok=True)

    async def _verified(self, body: bytes, header: str | None) -> bool:
        ring = self._secrets
        if ring.stale():
            await ring.reload()
        if verify(body, header, ring.current()):
            return True
        # Perhaps signed with a secret rotated a moment ago: look once more (rate-limited).
        if header and ring.may_force():
            await ring.reload(forced=True)
            return verify(body, header, ring.current())
        return False
