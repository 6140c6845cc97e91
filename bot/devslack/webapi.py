"""Slack Web API methods of the stand-in, with Slack's error codes.

Every handler takes the parsed parameters and returns the JSON answer (``{"ok": ...}``).
They raise :class:`ApiError` for ``ok: false``; the HTTP layer in ``server.py`` does
authentication, fault injection, rate limits and recording.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.devslack.blockkit import iter_elements, validate_message_blocks, validate_view
from bot.devslack.state import Channel, Ephemeral, Message, Trigger, View, new_id

if TYPE_CHECKING:
    from bot.devslack.server import DevSlackServer

MAX_TEXT = 40_000
TRIGGER_TTL = 3.0
MAX_VIEW_STACK = 3


class ApiError(Exception):
    """An ``{"ok": false, "error": code}`` answer, with optional extra fields."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.code, **self.extra}


Handler = Callable[["DevSlackServer", dict[str, Any]], Awaitable[dict[str, Any]]]
METHODS: dict[str, Handler] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        METHODS[name] = fn
        return fn

    return register


# --- parameter helpers -------------------------------------------------------------------


def _json_param(params: dict[str, Any], name: str, error: str) -> Any:
    """A structured parameter: an object in a JSON body, a JSON string in a form body."""
    value = params.get(name)
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(
                error, response_metadata={"messages": [f"[ERROR] {name} is not valid JSON"]}
            ) from None
    return value


def flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def _required(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ApiError(
            "invalid_arguments",
            response_metadata={"messages": [f"[ERROR] missing required field: {name}"]},
        )
    return str(value)


def _blocks_error(problems: list[str]) -> ApiError:
    return ApiError(
        "invalid_blocks",
        errors=problems,
        response_metadata={"messages": [f"[ERROR] {p}" for p in problems]},
    )


def message_content(
    slack: DevSlackServer, params: dict[str, Any]
) -> tuple[str | None, list[dict[str, Any]] | None]:
    """``text`` and ``blocks`` of a message, checked as Slack checks them (``None`` = not
    given). Used for the Web API and for response URLs and ack bodies alike."""
    text = params.get("text")
    if text is not None and not isinstance(text, str):
        text = str(text)
    blocks = _json_param(params, "blocks", "invalid_blocks_format")
    if blocks is not None:
        problems = validate_message_blocks(blocks)
        if problems:
            raise _blocks_error(problems)
    if not text and not blocks:
        raise ApiError("no_text")
    if blocks and not text and slack.text_required_with_blocks:
        raise ApiError(
            "no_text",
            response_metadata={
                "messages": [
                    "[ERROR] text is required as the notification fallback when blocks are "
                    "given (devslack is strict here; real Slack only warns)"
                ]
            },
        )
    if text and len(text) > MAX_TEXT:
        raise ApiError("msg_too_long")
    if blocks is not None:
        blocks = with_generated_ids(blocks)
    return text, blocks


def with_generated_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Slack fills in ``block_id`` and ``action_id`` where the app left them out."""
    blocks = copy.deepcopy(blocks)
    for block in blocks:
        block.setdefault("block_id", new_id("", 5))
    for _, element in iter_elements(blocks):
        element.setdefault("action_id", new_id("", 5))
    return blocks


def _metadata(params: dict[str, Any]) -> dict[str, Any] | None:
    metadata = _json_param(params, "metadata", "invalid_metadata_format")
    if metadata is None:
        return None
    if (
        not isinstance(metadata, dict)
        or not isinstance(metadata.get("event_type"), str)
        or not metadata["event_type"]
        or not isinstance(metadata.get("event_payload", {}), dict)
    ):
        raise ApiError("invalid_metadata_format")
    return {
        "event_type": metadata["event_type"],
        "event_payload": metadata.get("event_payload", {}),
    }


def _channel(slack: DevSlackServer, params: dict[str, Any], *, for_write: bool) -> Channel:
    channel_id = params.get("channel")
    if not channel_id:
        raise ApiError("channel_not_found")
    channel = slack.resolve_channel(str(channel_id))
    if channel is None:
        raise ApiError("channel_not_found")
    bot_member = slack.bot_user_id in channel.members
    if channel.is_private and not bot_member:
        raise ApiError("channel_not_found")
    if for_write:
        if channel.is_archived:
            raise ApiError("is_archived")
        if not bot_member and not channel.is_im and "chat:write.public" not in slack.scopes:
            raise ApiError("not_in_channel")
    return channel


def _require_history_scope(slack: DevSlackServer, channel: Channel) -> None:
    """conversations.history/replies need the *:history scope of the conversation's kind."""
    if channel.is_im:
        needed = "im:history"
    else:
        needed = "groups:history" if channel.is_private else "channels:history"
    if needed not in slack.scopes:
        raise ApiError("missing_scope", needed=needed, provided=",".join(sorted(slack.scopes)))


def _message(slack: DevSlackServer, channel: Channel, ts: Any) -> Message:
    message = slack.state_messages.get((channel.id, str(ts or "")))
    if message is None or message.deleted:
        raise ApiError("message_not_found")
    return message


# --- auth and users ----------------------------------------------------------------------


@method("auth.test")
async def auth_test(slack: DevSlackServer, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "ok": True,
        "url": f"https://{slack.team_domain}.slack.com/",
        "team": slack.team_name,
        "user": slack.bot_name,
        "team_id": slack.team_id,
        "user_id": slack.bot_user_id,
        "bot_id": slack.bot_id,
        "is_enterprise_install": False,
    }


@method("users.info")
async def users_info(slack: DevSlackServer, params: dict[str, Any]) -> dict[str, Any]:
    user = slack.users.get(str(params.get("user") or ""))
    if user is None:
        raise ApiError("user_not_found")
    with_email = "users:read.email" in slack.scopes
    return {"ok": True, "user": user.to_slack(slack.team_id, with_email=with_email)}


# --- conversations -----------------------------------------------------------------------


@method("conversations.info")
async def conversations_info(slack: DevSlackServer, params: dict[str, Any]) -> dict[str, Any]:
    channel = _channel(slack, params, for_write=False)
    return {"ok": True, "channel": channel.to_slack(slack.bot_user_id)}


@method("conversations.replies")
async def conversations_replies(slack: DevSlackServer, params: dict[str, Any]) -> dict[str, Any]:
    channel = _channel(slack, params, for_write=False)
    _require_history_scope(slack, channel)
    if slack.bot_user_id not in channel.members and not channel.is_im:
        raise ApiError("not_in_channel")
    ts = params.get("ts")
    if not ts:
        raise ApiError("thread_not_found")
    parent = slack.state_messages.get((channel.id, str(ts)))
    if parent is None or parent.deleted:
        raise ApiError("thread_not_found")
    if parent.is_reply:
        parent = slack.state_messages[(channel.id, parent.thread_ts or "")]
    with_metadata = flag(params.get("include_all_metadata"))
    thread = [parent] + [slack.state_messages[(channel.id, r)] for r in parent.reply_ts]
    try:
        limit = int(params.get("limit") or 1000)
    except ValueError:
        raise ApiError("invalid_limit") from None
    visible = [m for m in thread if not m.deleted][: max(limit, 1)]
    return {
        "ok": True,
        "messages": [m.to_slack(with_metadata=with_metadata, with_channel=False) for m in visible],
        "has_more": len(visible) < len([m for m in thread if not m.deleted]),
    }


@method("conversations.history")
async def conversations_history(slack: DevSlackServer, params: dict[str, Any]) -> dict[str, Any]:
    """Top-level messages of a channel, newest first, like Slack (replies are not included).

    ``oldest``/``latest`` bound the ts (exclusive unless ``inclusive``); ``cursor`` is the ts
    the previous page stopped before.
    """
    channel = _channel(slack, params, for_write=False)
    _require_history_scope(slack, channel)
    if slack.bot_user_id not in channel.members and not channel.is_im:
        raise ApiError("not_in_channel")
    try:
        limit = min(max(int(params.get("limit") or 100), 1), 1000)
        oldest = float(params.get("oldest") or 0)
        latest = float(params.get("latest") or "inf")
        before = float(params.get("cursor") or "inf")
    except ValueError:
        raise ApiError("invalid_arguments") from None
    inclusive = flag(params.get("inclusive"))
    with_metadata = flag(params.get("include_all_metadata"))

    def wanted(message: Message) -> bool:
        ts = float(message.ts)
        inside = oldest <= ts <= latest if inclusive else oldest < ts < latest
        return inside and ts < before and not message.is_reply and not message.deleted

    found = sorted(
        (m for (cid, _), m in slack.state_messages.items() if cid == channel.id and wanted(m)),
        key=lambda m: float(m.ts),
        reverse=True,
    )
    page, more = found[:limit], len(found) > limit
    answer: dict[str, Any] = {
        "ok": True,
        "messages": [m.to_slack(with_metadata=with_metadata, with_channel=False) for m in page],
        "has_more": more,
    }
    if more:
        answer["response_metadata"] = {"next_cursor": page[-1].ts}
    return answer


# --- chat ----------------------------------------------------------------------------------


@method("chat.postMessage")
async def chat_post_message(slack: DevSlackServer, params: dict[str, Any]) -> dict[str, Any]:
    channel = _channel(slack, params, for_write=True)
    text, blocks = message_content(slack, params)
    metadata = _metadata(params)
    thread_ts = params.get("thread_ts") or None
    parent: Message | None = None
    if thread_ts:
        parent = slack.state_messages.get((channel.id, str(thread_ts)))
        if parent is None or parent.deleted:
            raise ApiError("thread_not_found")
        if parent.is_reply:  # replying to a reply lands in the parent's thread
            parent = slack.state_messages[(channel.id, parent.thread_ts or "")]
    ts = slack.clock.next_ts()
    message = Message(
        channel=channel.id,
        ts=ts,
        user=slack.bot_user_id,
        bot_id=slack.bot_id,
        text=text or "",
        blocks=blocks or [],
        thread_ts=parent.ts if parent else None,
        metadata=metadata,
    )
    slack.store_message(message)
    if parent is not None:
        if parent.thread_ts is None:
            parent.thread_ts = parent.ts
        parent.reply_ts.append(ts)
    return {
        "ok": True,
        "channel": channel.id,
        "ts": ts,
        "message": message.to_slack(with_metadata=True, with_channel=False),
    }


@method("chat.update")
async def chat_update(slack: DevSlackServer, params: dict[str, Any]) -> dict[str, Any]:
    channel = _channel(slack, params, for_write=True)
    message = _message(slack, channel, params.get("ts"))
    if message.user != slack.bot_user_id or message.subtype == "tombstone":
        raise ApiError("cant_update_message")
    text, blocks = message_content(slack, params)
    metadata = _metadata(params)
    if text is not None:
        message.text = text
    if "blocks" in params:
        message.blocks = blocks or []
    if metadata is not None:
        message.metadata = metadata
    message.edited_ts = slack.clock.next_ts()
    slack.touch()
    return {
        "ok": True,
        "channel": channel.id,
        "ts": message.ts,
        "text": message.text,
        "message": message.to_slack(with_channel=False),
    }


@method("chat.delete")
async def chat_delete(slack: DevSlackServer, params: dict[str, Any]) -> dict[str, Any]:
    channel = _channel(slack, params, for_write=True)
    message = _message(slack, channel, params.get("ts"))
    if message.user != slack.bot_user_id:
        raise ApiError("cant_delete_message")
    slack.delete_message(message)
    return {"ok": True, "channel": channel.id, "ts": message.ts}


@method("chat.postEphemeral")
async def chat_post_ephemeral(slack: DevSlackServer, params: dict[str, Any]) -> dict[str, Any]:
    channel = _channel(slack, params, for_write=True)
    user_id = str(params.get("user") or "")
    if user_id not in slack.users:
        raise ApiError("user_not_found")
    if user_id not in channel.members:
        raise ApiError("user_not_in_channel")
    text, blocks = message_content(slack, params)
    thread_ts = params.get("thread_ts") or None
    ephemeral = Ephemeral(
        channel=channel.id,
        ts=slack.clock.next_ts(),
        user=user_id,
        text=text or "",
        blocks=blocks or [],
        thread_ts=str(thread_ts) if thread_ts else None,
    )
    slack.store_ephemeral(ephemeral)
    return {"ok": True, "message_ts": ephemeral.ts}


# --- views ---------------------------------------------------------------------------------


def _view_param(params: dict[str, Any], *, kind: str) -> dict[str, Any]:
    view = _json_param(params, "view", "invalid_arguments")
    if view is None:
        raise ApiError(
            "invalid_arguments",
            response_metadata={"messages": ["[ERROR] missing required field: view"]},
        )
    problems = validate_view(view)
    if not problems and view.get("type") != kind:
        problems = [f"must be {kind} [json-pointer:/view/type]"]
    if problems:
        raise ApiError(
            "invalid_arguments", response_metadata={"messages": [f"[ERROR] {p}" for p in problems]}
        )
    view = copy.deepcopy(view)
    view["blocks"] = with_generated_ids(view.get("blocks") or [])
    return view


def _exchange_trigger(slack: DevSlackServer, params: dict[str, Any]) -> Trigger:
    trigger_id = _required(params, "trigger_id")
    trigger = slack.triggers.get(trigger_id)
    if trigger is None:
        raise ApiError("invalid_trigger_id")
    if slack.clock.now() - trigger.created > TRIGGER_TTL:
        raise ApiError("expired_trigger_id")
    if trigger.used:
        raise ApiError("exchanged_trigger_id")
    trigger.used = True
    return trigger


def _find_view(slack: DevSlackServer, params: dict[str, Any]) -> View:
    view_id = params.get("view_id")
    external_id = params.get("external_id")
    if not view_id and not external_id:
        raise ApiError(
            "invalid_arguments",
            response_metadata={"messages": ["[ERROR] either view_id or external_id is required"]},
        )
    for view in slack.all_views.values():
        if (view_id and view.id == view_id) or (external_id and view.external_id == external_id):
            if view.closed:
                break
            return view
    raise ApiError("not_found")


def _view_answer(slack: DevSlackServer, view: View) -> dict[str, Any]:
    return {"ok": True, "view": view.to_slack(slack.team_id, slack.app_id, slack.bot_id)}


@method("views.open")
async def views_open(slack: DevSlackServer, params: dict[str, Any]) -> dict[str, Any]:
    body = _view_param(params, kind="modal")
    trigger = _exchange_trigger(slack, params)
    for old in slack.modal_stack(trigger.user):
        old.closed = True
    view = slack.create_view(trigger.user, body, previous=None)
    return _view_answer(slack, view)


@method("views.push")
async def views_push(slack: DevSlackServer, params: dict[str, Any]) -> dict[str, Any]:
    body = _view_param(params, kind="modal")
    trigger = _exchange_trigger(slack, params)
    stack = slack.modal_stack(trigger.user)
    if not stack:
        raise ApiError("not_found")
    if len(stack) >= MAX_VIEW_STACK:
        raise ApiError("push_limit_reached")
    view = slack.create_view(trigger.user, body, previous=stack[-1])
    return _view_answer(slack, view)


@method("views.update")
async def views_update(slack: DevSlackServer, params: dict[str, Any]) -> dict[str, Any]:
    view = _find_view(slack, params)
    body = _view_param(params, kind=view.type)
    expected = params.get("hash")
    if expected and expected != view.hash:
        raise ApiError("hash_conflict")
    slack.replace_view(view, body)
    return _view_answer(slack, view)


@method("views.publish")
async def views_publish(slack: DevSlackServer, params: dict[str, Any]) -> dict[str, Any]:
    user_id = _required(params, "user_id")
    if user_id not in slack.users:
        raise ApiError("user_not_found")
    body = _view_param(params, kind="home")
    current = slack.homes.get(user_id)
    expected = params.get("hash")
    if current is not None and expected and expected != current.hash:
        raise ApiError("hash_conflict")
    if current is None:
        current = slack.create_view(user_id, body, previous=None, home=True)
    else:
        slack.replace_view(current, body)
    return _view_answer(slack, current)
