"""The workspace the stand-in remembers: people, channels, messages, ephemerals, views.

Plain data with no I/O. Times come from :class:`Clock`, which tests can move forward
(``advance``) to expire trigger ids and response URLs without sleeping.
"""

from __future__ import annotations

import asyncio
import copy
import secrets
import time
from dataclasses import dataclass, field
from typing import Any


class Clock:
    """Wall-clock seconds plus an offset that tests can advance."""

    def __init__(self) -> None:
        self.offset = 0.0
        self._last_ts = 0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def next_ts(self) -> str:
        """A message ts (``"1712345678.000100"``), strictly greater than every earlier one."""
        micros = max(int(self.now() * 1_000_000), self._last_ts + 1)
        self._last_ts = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def new_id(prefix: str, length: int = 10) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


@dataclass
class User:
    id: str
    name: str
    real_name: str
    email: str | None
    tz: str
    tz_label: str
    tz_offset: int
    display_name: str = ""
    is_admin: bool = False
    is_owner: bool = False
    is_bot: bool = False
    deleted: bool = False

    def to_slack(self, team_id: str, *, with_email: bool) -> dict[str, Any]:
        profile: dict[str, Any] = {
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.display_name,
            "display_name_normalized": self.display_name,
        }
        if with_email and self.email:
            profile["email"] = self.email
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": self.tz_label,
            "tz_offset": self.tz_offset,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_owner,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "profile": profile,
        }


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    is_im: bool = False
    members: set[str] = field(default_factory=set)
    created: int = 0
    everyone: bool = False  # every person in the workspace is (and will be) a member

    def to_slack(self, bot_user_id: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private and not self.is_im,
            "is_group": self.is_private,
            "is_im": self.is_im,
            "is_private": self.is_private,
            "is_archived": self.is_archived,
            "is_general": self.name == "general",
            "is_member": bot_user_id in self.members,
            "created": self.created,
            "num_members": len(self.members),
        }


@dataclass
class Message:
    """A channel message or thread reply (``thread_ts`` set and not equal to ``ts``)."""

    channel: str
    ts: str
    user: str
    text: str
    blocks: list[dict[str, Any]]
    bot_id: str | None = None
    thread_ts: str | None = None
    metadata: dict[str, Any] | None = None
    reply_ts: list[str] = field(default_factory=list)
    edited_ts: str | None = None
    deleted: bool = False
    subtype: str | None = None  # "tombstone": a deleted parent whose replies remain
    via: str = "chat.postMessage"

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    def to_slack(self, *, with_metadata: bool = False, with_channel: bool = True) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "type": "message",
            "ts": self.ts,
            "user": self.user,
            "text": self.text,
            "blocks": copy.deepcopy(self.blocks),
        }
        if with_channel:
            msg["channel"] = self.channel
        if self.subtype:
            msg["subtype"] = self.subtype
        if self.bot_id:
            msg["bot_id"] = self.bot_id
        if self.thread_ts:
            msg["thread_ts"] = self.thread_ts
        if self.reply_ts:
            msg["reply_count"] = len(self.reply_ts)
            msg["latest_reply"] = self.reply_ts[-1]
        if self.edited_ts:
            msg["edited"] = {"user": self.user, "ts": self.edited_ts}
        if with_metadata and self.metadata is not None:
            msg["metadata"] = copy.deepcopy(self.metadata)
        return msg


@dataclass
class Ephemeral:
    """A message only one person sees (postEphemeral, a response_url reply or an ack)."""

    channel: str
    ts: str
    user: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None = None
    source: str = "chat.postEphemeral"
    deleted: bool = False
    replaced: int = 0

    def to_slack(self) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "type": "message",
            "subtype": "ephemeral",
            "ts": self.ts,
            "channel": self.channel,
            "user": self.user,
            "text": self.text,
            "blocks": copy.deepcopy(self.blocks),
            "is_ephemeral": True,
            "source": self.source,
        }
        if self.thread_ts:
            msg["thread_ts"] = self.thread_ts
        return msg


@dataclass
class View:
    id: str
    user: str
    type: str
    body: dict[str, Any]
    hash: str
    root_view_id: str
    previous_view_id: str | None = None
    external_id: str | None = None
    closed: bool = False
    state_values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # shown under inputs (block_id -> text)

    def to_slack(self, team_id: str, app_id: str, bot_id: str) -> dict[str, Any]:
        view = copy.deepcopy(self.body)
        view.update(
            {
                "id": self.id,
                "team_id": team_id,
                "type": self.type,
                "private_metadata": self.body.get("private_metadata", ""),
                "callback_id": self.body.get("callback_id", ""),
                "external_id": self.external_id or "",
                "state": {"values": copy.deepcopy(self.state_values)},
                "hash": self.hash,
                "clear_on_close": bool(self.body.get("clear_on_close", False)),
                "notify_on_close": bool(self.body.get("notify_on_close", False)),
                "root_view_id": self.root_view_id,
                "previous_view_id": self.previous_view_id,
                "app_id": app_id,
                "app_installed_team_id": team_id,
                "bot_id": bot_id,
            }
        )
        return view


@dataclass
class Trigger:
    id: str
    user: str
    created: float
    used: bool = False


@dataclass
class ResponseUrl:
    """``/response/<id>``: where the app answers an interaction after its ack.

    ``target`` is what ``replace_original``/``delete_original`` act on: ``("message",
    channel, ts)`` for a click on a channel message, ``("ephemeral", channel, ts)`` for a
    click on an ephemeral, or ``None`` for a command until it has posted a reply.
    """

    id: str
    user: str
    channel: str
    created: float
    thread_ts: str | None = None
    target: tuple[str, str, str] | None = None
    uses: int = 0
    # Set once the command's ack has been applied: a reply that overtakes the ack waits, so
    # `replace_original` always finds the ack's message (deterministic, unlike the network).
    acked: asyncio.Event | None = None
