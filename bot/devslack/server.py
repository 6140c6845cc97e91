"""``DevSlackServer``: a local Slack that is as strict as the real one.

It serves the Web API methods the bot uses under ``/api/<method>`` and response URLs
under ``/response/<id>``, remembers what the bot posted, and acts as Slack towards the
app: slash commands, button clicks, modal submissions and App Home events, signed the
way Slack signs them. Tests and ``scheducal-bot shell`` both use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web

from bot.devslack import interactions
from bot.devslack.state import (
    Channel,
    Clock,
    Ephemeral,
    Message,
    ResponseUrl,
    Trigger,
    User,
    View,
    new_id,
)
from bot.devslack.webapi import METHODS, ApiError

log = logging.getLogger(__name__)

DEFAULT_SCOPES = frozenset(
    {"commands", "chat:write", "chat:write.public", "users:read", "users:read.email"}
    | {"channels:history", "groups:history", "im:history"}  # the worker's recovery look-up
)
RESPONSE_URL_TTL = 30 * 60
RESPONSE_URL_USES = 5
RESPONSE_URL_FAULT = "response_url"  # fail_next(...) name that targets response URL posts


@dataclass
class _Fault:
    status: int | None
    error: str | None
    retry_after: int
    times: int
    lose_answer: bool = False  # the call takes effect; only its answer is replaced


@dataclass
class AppResponse:
    """What the app answered to something devslack sent it."""

    status: int
    body: str
    content_type: str = ""
    timed_out: bool = False
    client_errors: dict[str, str] | None = None

    @property
    def json(self) -> Any:
        """The body as JSON, or ``None`` when it is empty or not JSON."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class _Bucket:
    """Token bucket: ``rate`` per second with ``burst`` tokens."""

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate, self.burst, self.tokens, self.updated = rate, burst, float(burst), now

    def take(self, now: float) -> float:
        """0 when allowed, else the seconds until a token is available."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


# Slack's tz_label is a long name ("Pacific Standard Time"); zoneinfo only knows the
# abbreviation, so the common ones are spelled out here (others keep the abbreviation).
_TZ_NAMES = {
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "JST": "Japan Standard Time",
    "AEST": "Australian Eastern Standard Time",
    "AEDT": "Australian Eastern Daylight Time",
    "UTC": "Coordinated Universal Time",
}


def _tz_facts(tz: str, at: float) -> tuple[str, int]:
    """Slack's ``tz_label`` and ``tz_offset`` (seconds east of UTC) for ``tz`` at ``at``."""
    moment = datetime.fromtimestamp(at, ZoneInfo(tz))
    offset = moment.utcoffset()
    seconds = int(offset.total_seconds()) if offset is not None else 0
    abbreviation = moment.tzname() or tz
    if tz in ("Asia/Kolkata", "Asia/Calcutta"):
        return "India Standard Time", seconds
    return _TZ_NAMES.get(abbreviation, abbreviation), seconds


class DevSlackServer:
    """Local Slack Web API + the Slack side of commands and interactivity."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        signing_secret: str | None = None,
        bot_token: str | None = None,
        app_url: str | None = None,
        team_id: str = "T0DEVSLACK",
        team_domain: str = "devslack",
        scopes: Iterable[str] = DEFAULT_SCOPES,
        rate_limit: bool = False,
        rate_limit_burst: int = 3,
        ack_timeout: float = 3.0,
        text_required_with_blocks: bool = True,
    ) -> None:
        self.host = host
        self._port = port
        self.signing_secret = signing_secret or secrets.token_hex(16)
        self.bot_token = bot_token or f"xoxb-devslack-{secrets.token_hex(12)}"
        self.verification_token = f"devslack{secrets.token_hex(8)}"
        self.app_url = app_url
        self.team_id = team_id
        self.team_domain = team_domain
        self.team_name = "DevSlack"
        self.app_id = "A0DEVSLACK"
        self.bot_user_id = "U0DEVBOT"
        self.bot_id = "B0DEVBOT"
        self.bot_name = "scheducal"
        self.scopes = set(scopes)
        self.rate_limit = rate_limit
        self.rate_limit_burst = rate_limit_burst
        self.ack_timeout = ack_timeout
        self.text_required_with_blocks = text_required_with_blocks

        self.clock = Clock()
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.state_messages: dict[tuple[str, str], Message] = {}
        self.channel_order: dict[str, list[str]] = {}
        self.state_ephemerals: list[Ephemeral] = []
        self.all_views: dict[str, View] = {}
        self.homes: dict[str, View] = {}
        self.triggers: dict[str, Trigger] = {}
        self.response_urls: dict[str, ResponseUrl] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.confirm_dialogs: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []  # what devslack sent the app, with its answer
        self.response_posts: list[dict[str, Any]] = []  # what the app posted to response URLs
        self.problems: list[str] = []
        self._faults: dict[str, list[_Fault]] = {}
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._last_activity = time.monotonic()
        self.activity = 0  # grows with every call, post and change: "did anything happen?"
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._session: aiohttp.ClientSession | None = None

        self.users[self.bot_user_id] = User(
            id=self.bot_user_id,
            name=self.bot_name,
            real_name="ScheduCal",
            email=None,
            tz="UTC",
            tz_label="Coordinated Universal Time",
            tz_offset=0,
            is_bot=True,
        )

    def __repr__(self) -> str:  # no token or secret, ever
        return f"DevSlackServer(api_url={self.api_url!r}, app_url={self.app_url!r})"

    # --- lifecycle -----------------------------------------------------------------------

    def create_app(self) -> web.Application:
        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response/{id}", self._handle_response_url)
        return app

    async def start(self) -> DevSlackServer:
        self._runner = web.AppRunner(self.create_app(), access_log=None)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self.host, self._port)
        await self._site.start()
        self._port = int(self._runner.addresses[0][1])
        self._session = aiohttp.ClientSession()
        return self

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DevSlackServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self._port}/"

    @property
    def api_url(self) -> str:
        """Use as ``SLACK_API_URL`` (ends with ``/``)."""
        return self.base_url + "api/"

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("DevSlackServer is not started")
        return self._session

    # --- workspace set-up ----------------------------------------------------------------

    def add_user(
        self,
        id: str,
        name: str,
        real_name: str,
        email: str | None,
        tz: str,
        is_admin: bool = False,
        *,
        is_owner: bool = False,
        display_name: str | None = None,
    ) -> User:
        label, offset = _tz_facts(tz, self.clock.now())
        user = User(
            id=id,
            name=name,
            real_name=real_name,
            email=email,
            tz=tz,
            tz_label=label,
            tz_offset=offset,
            display_name=display_name if display_name is not None else name,
            is_admin=is_admin or is_owner,
            is_owner=is_owner,
        )
        self.users[id] = user
        for channel in self.channels.values():
            if channel.everyone:
                channel.members.add(id)
        return user

    def add_channel(
        self,
        id: str,
        name: str,
        *,
        is_private: bool = False,
        members: Iterable[str] | None = None,
        bot_member: bool = True,
        is_archived: bool = False,
    ) -> Channel:
        """A channel; ``members=None`` means everyone in the workspace, now and later."""
        channel = Channel(
            id=id,
            name=name,
            is_private=is_private,
            is_archived=is_archived,
            created=int(self.clock.now()),
            everyone=members is None,
        )
        channel.members = set(self.users) - {self.bot_user_id} if members is None else set(members)
        if bot_member:
            channel.members.add(self.bot_user_id)
        else:
            channel.members.discard(self.bot_user_id)
        self.channels[id] = channel
        self.channel_order.setdefault(id, [])
        return channel

    def resolve_channel(self, channel_id: str) -> Channel | None:
        """A channel by id or ``#name``; a user id means the bot's DM with that person."""
        if channel_id in self.channels:
            return self.channels[channel_id]
        user = self.users.get(channel_id)
        if user is not None and not user.is_bot:
            return self.dm_channel(user.id)
        if channel_id.startswith("#"):
            found = self.find_channel(channel_id)
            return found if found is not None and not found.is_im else None
        return None

    def dm_channel(self, user_id: str) -> Channel:
        dm_id = "D" + user_id[1:]
        if dm_id not in self.channels:
            channel = Channel(id=dm_id, name=user_id, is_im=True, created=int(self.clock.now()))
            channel.members = {user_id, self.bot_user_id}
            self.channels[dm_id] = channel
            self.channel_order[dm_id] = []
        return self.channels[dm_id]

    def find_user(self, name_or_id: str) -> User | None:
        """A person by id, user name or display name (case-insensitive)."""
        key = name_or_id.lstrip("@").lower()
        for user in self.users.values():
            if user.id.lower() == key or user.name.lower() == key:
                return user
        for user in self.users.values():
            if user.display_name.lower() == key:
                return user
        return None

    def find_channel(self, name_or_id: str) -> Channel | None:
        key = name_or_id.lstrip("#").lower()
        for channel in self.channels.values():
            if channel.id.lower() == key or channel.name.lower() == key:
                return channel
        return None

    def advance(self, seconds: float) -> None:
        """Move devslack's clock forward (expires trigger ids and response URLs)."""
        self.clock.advance(seconds)

    # --- recorded state (what tests read) ------------------------------------------------

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Top-level messages of ``channel``, oldest first (Slack-shaped dicts + ``channel``)."""
        return [
            self.state_messages[(channel, ts)].to_slack(with_metadata=True)
            for ts in self.channel_order.get(channel, [])
            if not self.state_messages[(channel, ts)].deleted
            and not self.state_messages[(channel, ts)].is_reply
        ]

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The replies in the thread under ``ts``, oldest first (without the parent)."""
        parent = self.state_messages.get((channel, ts))
        if parent is None:
            return []
        replies = (self.state_messages[(channel, r)] for r in parent.reply_ts)
        return [m.to_slack(with_metadata=True) for m in replies if not m.deleted]

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        found = self.state_messages.get((channel, ts))
        return None if found is None or found.deleted else found.to_slack(with_metadata=True)

    def ephemerals(self, user: str, channel: str | None = None) -> list[dict[str, Any]]:
        """Ephemeral messages ``user`` can still see, oldest first."""
        return [
            e.to_slack()
            for e in self.state_ephemerals
            if e.user == user and not e.deleted and (channel is None or e.channel == channel)
        ]

    def views(self, user: str) -> list[dict[str, Any]]:
        """``user``'s open modals, bottom of the stack first (the last one is on top)."""
        return [v.to_slack(self.team_id, self.app_id, self.bot_id) for v in self.modal_stack(user)]

    def view_errors(self, view_id: str) -> dict[str, str]:
        """Errors shown in an open modal: ``response_action: errors`` or the client's own."""
        view = self.all_views.get(view_id)
        return {} if view is None else dict(view.errors)

    def home(self, user: str) -> dict[str, Any] | None:
        view = self.homes.get(user)
        return None if view is None else view.to_slack(self.team_id, self.app_id, self.bot_id)

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    # --- fault injection -----------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int | None = None,
        error: str | None = None,
        retry_after: int = 1,
        times: int = 1,
        lose_answer: bool = False,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail: HTTP ``status`` (429 carries
        ``Retry-After``) or ``{"ok": false, "error": error}``. ``method="response_url"``
        targets posts to response URLs (a failed post does not use up the URL).

        ``lose_answer=True``: the call is carried out (a message is posted) and only the
        answer is the failure, as when a connection drops after Slack accepted a post.
        """
        if status is None and error is None:
            raise ValueError("fail_next needs a status or an error")
        fault = _Fault(status, error, retry_after, times, lose_answer)
        self._faults.setdefault(method, []).append(fault)

    # --- internal state changes (used by webapi and interactions) ------------------------

    def touch(self) -> None:
        self._last_activity = time.monotonic()
        self.activity += 1

    def store_message(self, message: Message) -> None:
        self.state_messages[(message.channel, message.ts)] = message
        self.channel_order.setdefault(message.channel, []).append(message.ts)
        self.touch()

    def delete_message(self, message: Message) -> None:
        """Delete as Slack does: a parent with replies stays as a tombstone."""
        if message.is_reply:
            parent = self.state_messages.get((message.channel, message.thread_ts or ""))
            if parent is not None and message.ts in parent.reply_ts:
                parent.reply_ts.remove(message.ts)
        if message.reply_ts and not message.is_reply:
            message.subtype = "tombstone"
            message.text = "This message was deleted."
            message.blocks = []
            message.metadata = None
        else:
            message.deleted = True
        self.touch()

    def store_ephemeral(self, ephemeral: Ephemeral) -> None:
        self.state_ephemerals.append(ephemeral)
        self.touch()

    def find_ephemeral(self, channel: str, ts: str) -> Ephemeral | None:
        for ephemeral in self.state_ephemerals:
            if ephemeral.channel == channel and ephemeral.ts == ts:
                return ephemeral
        return None

    def modal_stack(self, user: str) -> list[View]:
        return [
            v
            for v in self.all_views.values()
            if v.user == user and v.type == "modal" and not v.closed
        ]

    def create_view(
        self, user: str, body: dict[str, Any], *, previous: View | None, home: bool = False
    ) -> View:
        view_id = new_id("V")
        view = View(
            id=view_id,
            user=user,
            type="home" if home else "modal",
            body=body,
            hash=f"{int(self.clock.now())}.{secrets.token_hex(4)}",
            root_view_id=previous.root_view_id if previous else view_id,
            previous_view_id=previous.id if previous else None,
            external_id=body.get("external_id"),
        )
        view.state_values = interactions.initial_state(body)
        self.all_views[view_id] = view
        if home:
            self.homes[user] = view
        self.touch()
        return view

    def replace_view(self, view: View, body: dict[str, Any]) -> None:
        kept = {k: v for k, v in view.state_values.items()}
        view.body = body
        view.hash = f"{int(self.clock.now())}.{secrets.token_hex(4)}"
        fresh = interactions.initial_state(body)
        view.state_values = {k: kept.get(k, v) for k, v in fresh.items()}
        view.body.pop("_errors", None)
        self.touch()

    def new_trigger(self, user: str) -> Trigger:
        trigger_id = f"{int(self.clock.now())}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"
        trigger = Trigger(id=trigger_id, user=user, created=self.clock.now())
        self.triggers[trigger_id] = trigger
        return trigger

    def new_response_url(
        self,
        user: str,
        channel: str,
        *,
        target: tuple[str, str, str] | None = None,
        thread_ts: str | None = None,
        wait_for_ack: bool = False,
    ) -> str:
        url_id = secrets.token_urlsafe(18)
        self.response_urls[url_id] = ResponseUrl(
            id=url_id,
            user=user,
            channel=channel,
            created=self.clock.now(),
            target=target,
            thread_ts=thread_ts,
            acked=asyncio.Event() if wait_for_ack else None,
        )
        return f"{self.base_url}response/{url_id}"

    # --- waiting for the app -------------------------------------------------------------

    async def settle(self, quiet: float = 0.3, timeout: float = 15.0) -> bool:
        """Wait until nothing reached devslack for ``quiet`` seconds; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if time.monotonic() - self._last_activity >= quiet:
                return True
            await asyncio.sleep(min(0.05, quiet / 4))
        return False

    async def wait_for(
        self, predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.02
    ) -> Any:
        """Poll ``predicate`` until it returns something truthy; TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() >= deadline:
                raise TimeoutError("devslack: condition not met in time")
            await asyncio.sleep(interval)

    # --- acting as Slack toward the app ---------------------------------------------------

    async def send_command(
        self,
        user_id: str,
        channel_id: str,
        text: str,
        command: str = "/meet",
        *,
        escape: bool = True,
    ) -> AppResponse:
        """Post a slash command to the app as Slack does (``should_escape: true``)."""
        return await interactions.send_command(
            self, user_id, channel_id, text, command=command, escape=escape
        )

    async def click(
        self,
        user_id: str,
        message_or_ephemeral: dict[str, Any],
        action_id: str,
        value: Any = None,
        *,
        confirm: bool = True,
    ) -> AppResponse | None:
        """Click ``action_id`` on a message, an ephemeral or a view (dicts from
        :meth:`messages`, :meth:`ephemerals`, :meth:`views`, :meth:`home`). A button with
        a ``confirm`` dialog records the dialog; ``confirm=False`` presses its deny
        button, and then nothing is sent (``None``)."""
        return await interactions.click(
            self, user_id, message_or_ephemeral, action_id, value, confirm=confirm
        )

    async def submit_view(
        self, user_id: str, view_id: str, values: dict[str, Any] | None = None
    ) -> AppResponse:
        """Submit the open modal ``view_id`` with ``values`` keyed by block_id."""
        return await interactions.submit_view(self, user_id, view_id, values or {})

    def type_into(self, user_id: str, view_id: str, block_id: str, raw: Any) -> None:
        """Fill an input of an open modal the way a person types (nothing is sent)."""
        view = self.all_views.get(view_id)
        if view is None or view.closed or view.user != user_id:
            raise LookupError(f"devslack: no open modal {view_id!r} for {user_id}")
        for block in view.body.get("blocks", []):
            if block.get("type") == "input" and block.get("block_id") == block_id:
                element = block["element"]
                view.state_values[block_id] = {
                    element["action_id"]: interactions.shape_input(element, raw)
                }
                view.errors.pop(block_id, None)
                self.touch()
                return
        raise LookupError(f"devslack: the modal has no input block {block_id!r}")

    async def close_view(self, user_id: str, view_id: str) -> AppResponse | None:
        """Press the modal's close button (sends ``view_closed`` if it asked to be told)."""
        return await interactions.close_view(self, user_id, view_id)

    async def open_app_home(self, user_id: str) -> AppResponse:
        """Send the ``app_home_opened`` event for ``user_id``."""
        return await interactions.app_home_opened(self, user_id)

    # --- HTTP: Web API --------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method != "POST" or not request.can_read_body:
            return params
        raw = await request.read()
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = json.loads(raw.decode("utf-8") or "{}")
            except ValueError:
                raise ApiError("invalid_json") from None
            if not isinstance(body, dict):
                raise ApiError("invalid_json")
            # Slack ignores a token inside a JSON body: JSON callers must send the header.
            body.pop("token", None)
            params.update(body)
        elif ctype == "application/x-www-form-urlencoded":
            params.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        elif ctype.startswith("multipart/"):
            post = await request.post()
            params.update({k: v for k, v in post.items() if isinstance(v, str)})
        elif raw.strip():
            raise ApiError("invalid_form_data")
        return params

    def _token(self, request: web.Request, params: dict[str, Any]) -> str | None:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            return header[7:].strip() or None
        token = params.get("token")
        return str(token) if token else None

    def _fault(self, method: str, *, lost_answers: bool = False) -> web.Response | None:
        """The armed failure for this call, if any: before the call runs, or (with
        ``lost_answers``) after it ran, for faults armed with ``lose_answer``."""
        queue = self._faults.get(method)
        if not queue or queue[0].lose_answer != lost_answers:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        if fault.status == 429:
            return self._ratelimited(fault.retry_after)
        if fault.status is not None and fault.status != 200:
            return web.json_response({"ok": False, "error": "fatal_error"}, status=fault.status)
        return web.json_response({"ok": False, "error": fault.error})

    @staticmethod
    def _ratelimited(retry_after: float) -> web.Response:
        seconds = max(1, int(retry_after + 0.999))
        return web.json_response(
            {"ok": False, "error": "ratelimited"},
            status=429,
            headers={"Retry-After": str(seconds)},
        )

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params = await self._params(request)
        except ApiError as exc:
            self.calls.append((method, {}))
            return web.json_response(exc.body())
        token = self._token(request, params)
        params.pop("token", None)
        self.calls.append((method, params))
        self.touch()
        log.debug("devslack: %s", method)
        if token is None:
            return web.json_response({"ok": False, "error": "not_authed"})
        if not secrets.compare_digest(token.encode(), self.bot_token.encode()):
            return web.json_response({"ok": False, "error": "invalid_auth"})
        handler = METHODS.get(method)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        fault = self._fault(method)
        if fault is not None:
            return fault
        if self.rate_limit:
            key = (method, str(params.get("channel") or ""))
            now = self.clock.now()
            bucket = self._buckets.setdefault(key, _Bucket(1.0, self.rate_limit_burst, now))
            wait = bucket.take(now)
            if wait > 0:
                return self._ratelimited(wait)
        try:
            answer = await handler(self, params)
        except ApiError as exc:
            return web.json_response(exc.body())
        lost = self._fault(method, lost_answers=True)
        return lost if lost is not None else web.json_response(answer)

    # --- HTTP: response URLs --------------------------------------------------------------

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        entry = self.response_urls.get(request.match_info["id"])
        self.touch()
        if entry is None:
            return web.json_response({"ok": False, "error": "invalid_url"}, status=404)
        if entry.acked is not None and not entry.acked.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(entry.acked.wait(), timeout=self.ack_timeout + 1)
        if self.clock.now() - entry.created > RESPONSE_URL_TTL:
            return web.json_response({"ok": False, "error": "expired_url"}, status=404)
        if entry.uses >= RESPONSE_URL_USES:
            return web.json_response({"ok": False, "error": "used_url"}, status=404)
        fault = self._fault(RESPONSE_URL_FAULT)
        if fault is not None:
            return fault
        try:
            payload = json.loads((await request.read()).decode("utf-8"))
        except ValueError:
            return web.json_response({"ok": False, "error": "invalid_payload"}, status=400)
        if not isinstance(payload, dict):
            return web.json_response({"ok": False, "error": "invalid_payload"}, status=400)
        entry.uses += 1
        self.response_posts.append(payload)
        try:
            interactions.apply_response(self, entry, payload)
        except ApiError as exc:
            return web.json_response(exc.body(), status=400)
        return web.json_response({"ok": True})
