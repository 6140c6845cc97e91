"""Devslack acting as Slack toward the app: commands, clicks, submissions, App Home.

Every request is signed exactly as Slack signs (``v0`` HMAC over the raw body) and
posted to ``<app_url>/slack/events``; the answers are applied as Slack applies them
(ack bodies become ephemerals, ``response_action`` drives the modal stack).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from datetime import date, datetime
from datetime import time as dtime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import aiohttp

from bot.devslack.blockkit import iter_elements, validate_view
from bot.devslack.escape import escape_command_text
from bot.devslack.state import Ephemeral, Message, ResponseUrl, View, new_id
from bot.devslack.webapi import MAX_VIEW_STACK, ApiError, flag, message_content, with_generated_ids

if TYPE_CHECKING:
    from bot.devslack.server import AppResponse, DevSlackServer

REQUIRED_FIELD = "Please complete this required field."
TEXT_INPUTS = {"plain_text_input", "email_text_input", "url_text_input", "number_input"}


def slack_signature(signing_secret: str, timestamp: str, body: bytes) -> str:
    """``v0=<hex>``: HMAC-SHA256 of ``v0:<timestamp>:<raw body>`` keyed with the secret."""
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(signing_secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


async def post_to_app(
    slack: DevSlackServer, body: bytes, content_type: str, *, kind: str, payload: Any
) -> AppResponse:
    """Sign ``body`` and POST it to the app's ``/slack/events``."""
    from bot.devslack.server import AppResponse

    if not slack.app_url:
        raise RuntimeError("DevSlackServer.app_url is not set: where is the app listening?")
    url = slack.app_url.rstrip("/") + "/slack/events"
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": slack_signature(slack.signing_secret, timestamp, body),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }
    record: dict[str, Any] = {"kind": kind, "payload": payload}
    slack.sent.append(record)
    slack.touch()
    try:
        async with slack.session.post(
            url,
            data=body,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=slack.ack_timeout),
        ) as resp:
            text = await resp.text()
            answer = AppResponse(status=resp.status, body=text, content_type=resp.content_type)
    except TimeoutError:
        answer = AppResponse(status=0, body="", timed_out=True)
    except aiohttp.ClientError as exc:
        answer = AppResponse(status=0, body=f"connection failed: {exc}")
    record["status"] = answer.status
    record["response"] = answer.body
    slack.touch()
    return answer


def _user_obj(slack: DevSlackServer, user_id: str) -> dict[str, Any]:
    user = slack.users[user_id]
    return {"id": user.id, "username": user.name, "name": user.name, "team_id": slack.team_id}


def _team(slack: DevSlackServer) -> dict[str, Any]:
    return {"id": slack.team_id, "domain": slack.team_domain}


def _need_user(slack: DevSlackServer, user_id: str) -> None:
    if user_id not in slack.users or slack.users[user_id].is_bot:
        raise ValueError(f"devslack: no person with id {user_id!r}")


def _slackbot_says(slack: DevSlackServer, user: str, channel: str, text: str) -> None:
    slack.store_ephemeral(
        Ephemeral(
            channel=channel,
            ts=slack.clock.next_ts(),
            user=user,
            text=text,
            blocks=[],
            source="slackbot",
        )
    )


# --- slash commands -------------------------------------------------------------------------


async def send_command(
    slack: DevSlackServer,
    user_id: str,
    channel_id: str,
    text: str,
    *,
    command: str,
    escape: bool,
) -> AppResponse:
    _need_user(slack, user_id)
    channel = slack.resolve_channel(channel_id)
    if channel is None:
        raise ValueError(f"devslack: no channel {channel_id!r}")
    if user_id not in channel.members:
        raise ValueError(f"devslack: {user_id} is not a member of #{channel.name}")
    if escape:

        def user_lookup(name: str) -> str | None:
            found = slack.find_user(name)
            return found.id if found and not found.is_bot else None

        def channel_lookup(name: str) -> str | None:
            found = slack.find_channel(name)
            return found.id if found and not found.is_im else None

        text = escape_command_text(text, user_lookup=user_lookup, channel_lookup=channel_lookup)
    trigger = slack.new_trigger(user_id)
    response_url = slack.new_response_url(user_id, channel.id, wait_for_ack=True)
    fields = {
        "token": slack.verification_token,
        "team_id": slack.team_id,
        "team_domain": slack.team_domain,
        "channel_id": channel.id,
        "channel_name": "directmessage" if channel.is_im else channel.name,
        "user_id": user_id,
        "user_name": slack.users[user_id].name,
        "command": command,
        "text": text,
        "api_app_id": slack.app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger.id,
    }
    body = urlencode(fields).encode("utf-8")
    entry = slack.response_urls[response_url.rsplit("/", 1)[1]]
    try:
        answer = await post_to_app(
            slack, body, "application/x-www-form-urlencoded", kind="command", payload=fields
        )
        _apply_ack(slack, entry, answer, command)
    finally:
        assert entry.acked is not None
        entry.acked.set()
    return answer


def _apply_ack(
    slack: DevSlackServer, entry: ResponseUrl, answer: AppResponse, command: str
) -> None:
    """What Slack does with a command's HTTP answer (errors are said by Slackbot)."""
    if answer.timed_out:
        problem = "operation_timeout"
    elif answer.status != 200:
        problem = "dispatch_failed"
    elif not answer.body.strip():
        return
    else:
        ack = answer.json if isinstance(answer.json, dict) else {"text": answer.body}
        try:
            apply_response(slack, entry, ack, source="ack")
            return
        except ApiError as exc:
            problem = exc.code
    text = f'{command} failed with the error "{problem}"'
    _slackbot_says(slack, entry.user, entry.channel, text)


# --- response URLs and ack bodies ----------------------------------------------------------


def apply_response(
    slack: DevSlackServer,
    entry: ResponseUrl,
    payload: dict[str, Any],
    *,
    source: str = "response_url",
) -> None:
    """Apply a message sent to a response URL (or returned as a command's ack body)."""
    if flag(payload.get("delete_original")):
        _delete_target(slack, entry)
        return
    text, blocks = message_content(slack, payload)
    if flag(payload.get("replace_original")) and entry.target is not None:
        _replace_target(slack, entry, text or "", blocks or [])
        return
    thread_ts = payload.get("thread_ts") or entry.thread_ts
    if payload.get("response_type") == "in_channel":
        parent = slack.state_messages.get((entry.channel, str(thread_ts))) if thread_ts else None
        message = Message(
            channel=entry.channel,
            ts=slack.clock.next_ts(),
            user=slack.bot_user_id,
            bot_id=slack.bot_id,
            text=text or "",
            blocks=blocks or [],
            thread_ts=parent.ts if parent else None,
            via=source,
        )
        slack.store_message(message)
        if parent is not None:
            parent.thread_ts = parent.ts
            parent.reply_ts.append(message.ts)
        if entry.target is None:
            entry.target = ("message", message.channel, message.ts)
        return
    ephemeral = Ephemeral(
        channel=entry.channel,
        ts=slack.clock.next_ts(),
        user=entry.user,
        text=text or "",
        blocks=blocks or [],
        thread_ts=str(thread_ts) if thread_ts else None,
        source=source,
    )
    slack.store_ephemeral(ephemeral)
    if entry.target is None:
        entry.target = ("ephemeral", ephemeral.channel, ephemeral.ts)


def _delete_target(slack: DevSlackServer, entry: ResponseUrl) -> None:
    if entry.target is None:
        raise ApiError("message_not_found")
    kind, channel, ts = entry.target
    if kind == "message":
        message = slack.state_messages.get((channel, ts))
        if message is None or message.deleted:
            raise ApiError("message_not_found")
        slack.delete_message(message)
    else:
        ephemeral = slack.find_ephemeral(channel, ts)
        if ephemeral is None or ephemeral.deleted:
            raise ApiError("message_not_found")
        ephemeral.deleted = True
    slack.touch()


def _replace_target(
    slack: DevSlackServer, entry: ResponseUrl, text: str, blocks: list[dict[str, Any]]
) -> None:
    assert entry.target is not None
    kind, channel, ts = entry.target
    if kind == "message":
        message = slack.state_messages.get((channel, ts))
        if message is None or message.deleted:
            raise ApiError("message_not_found")
        message.text, message.blocks = text, blocks
        message.edited_ts = slack.clock.next_ts()
    else:
        ephemeral = slack.find_ephemeral(channel, ts)
        if ephemeral is None or ephemeral.deleted:
            raise ApiError("message_not_found")
        ephemeral.text, ephemeral.blocks = text, blocks
        ephemeral.replaced += 1
    slack.touch()


# --- clicks ----------------------------------------------------------------------------------


def _locate(slack: DevSlackServer, target: dict[str, Any]) -> tuple[str, Any]:
    if target.get("is_ephemeral"):
        ephemeral = slack.find_ephemeral(str(target.get("channel")), str(target.get("ts")))
        if ephemeral is None or ephemeral.deleted:
            raise LookupError("devslack: that ephemeral message is gone")
        return "ephemeral", ephemeral
    if target.get("type") in ("modal", "home") and target.get("id"):
        view = slack.all_views.get(str(target["id"]))
        if view is None or view.closed:
            raise LookupError("devslack: that view is closed")
        return "view", view
    if target.get("channel") and target.get("ts"):
        message = slack.state_messages.get((str(target["channel"]), str(target["ts"])))
        if message is None or message.deleted:
            raise LookupError("devslack: that message was deleted")
        return "message", message
    raise ValueError("devslack: click needs a message, an ephemeral or a view from devslack")


def _find_element(
    blocks: list[dict[str, Any]], action_id: str, value: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    found = [(b, e) for b, e in iter_elements(blocks) if e.get("action_id") == action_id]
    if len(found) > 1 and value is not None:
        found = [(b, e) for b, e in found if e.get("value") == value] or found
    if not found:
        raise LookupError(
            f"devslack: no element with action_id {action_id!r} is shown there "
            "(was the message updated since?)"
        )
    if len(found) > 1:
        raise LookupError(f"devslack: several elements have action_id {action_id!r}; pass value=")
    return found[0]


def _option(element: dict[str, Any], value: Any) -> dict[str, Any]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += group.get("options", [])
    for option in options:
        if option.get("value") == value:
            return copy.deepcopy(option)
    raise LookupError(f"devslack: no option with value {value!r}")


def _action(
    element: dict[str, Any], block: dict[str, Any], value: Any, now: float
) -> dict[str, Any]:
    kind = element.get("type")
    action: dict[str, Any] = {
        "action_id": element.get("action_id"),
        "block_id": block.get("block_id"),
        "type": kind,
        "action_ts": f"{now:.6f}",
    }
    if kind == "button":
        action["text"] = copy.deepcopy(element.get("text"))
        if "value" in element:
            action["value"] = element["value"]
        if "style" in element:
            action["style"] = element["style"]
        return action
    if kind in ("static_select", "radio_buttons", "overflow"):
        action["selected_option"] = _option(element, value)
    elif kind in ("multi_static_select", "checkboxes"):
        action["selected_options"] = [_option(element, v) for v in value or []]
    else:
        action.update(shape_input(element, value))  # selected_user, selected_date, ...
    return action


async def click(
    slack: DevSlackServer,
    user_id: str,
    target: dict[str, Any],
    action_id: str,
    value: Any,
    *,
    confirm: bool,
) -> AppResponse | None:
    _need_user(slack, user_id)
    kind, obj = _locate(slack, target)
    blocks = obj.body.get("blocks", []) if kind == "view" else obj.blocks
    block, element = _find_element(blocks, action_id, value)
    if "confirm" in element:
        dialog = element["confirm"]
        slack.confirm_dialogs.append(
            {
                "user": user_id,
                "action_id": action_id,
                "title": dialog.get("title", {}).get("text"),
                "text": dialog.get("text", {}).get("text"),
                "confirm": dialog.get("confirm", {}).get("text"),
                "deny": dialog.get("deny", {}).get("text"),
                "style": dialog.get("style"),
                "confirmed": confirm,
            }
        )
        if not confirm:
            return None
    action = _action(element, block, value, slack.clock.now())
    trigger = slack.new_trigger(user_id)
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user_obj(slack, user_id),
        "api_app_id": slack.app_id,
        "token": slack.verification_token,
        "trigger_id": trigger.id,
        "team": _team(slack),
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if kind == "view":
        view: View = obj
        if view.user != user_id:
            raise LookupError("devslack: that view belongs to someone else")
        payload["container"] = {"type": "view", "view_id": view.id}
        payload["view"] = view.to_slack(slack.team_id, slack.app_id, slack.bot_id)
    else:
        channel = slack.channels[obj.channel]
        if kind == "ephemeral" and obj.user != user_id:
            raise LookupError("devslack: that ephemeral message is shown to someone else")
        if user_id not in channel.members:
            raise LookupError(f"devslack: {user_id} cannot see #{channel.name}")
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": obj.ts,
            "channel_id": obj.channel,
            "is_ephemeral": kind == "ephemeral",
        }
        if obj.thread_ts:
            container["thread_ts"] = obj.thread_ts
        payload["container"] = container
        payload["channel"] = {
            "id": channel.id,
            "name": "directmessage" if channel.is_im else channel.name,
        }
        if kind == "message":
            message = obj.to_slack(with_channel=False)
            message.update({"team": slack.team_id, "app_id": slack.app_id})
            payload["message"] = message
        payload["state"] = {"values": {}}
        payload["response_url"] = slack.new_response_url(
            user_id, obj.channel, target=(kind, obj.channel, obj.ts), thread_ts=obj.thread_ts
        )
    payload["actions"] = [action]
    body = urlencode({"payload": json.dumps(payload)}).encode("utf-8")
    return await post_to_app(
        slack, body, "application/x-www-form-urlencoded", kind="block_actions", payload=payload
    )


# --- modal state ----------------------------------------------------------------------------


def _empty_state(element: dict[str, Any]) -> dict[str, Any]:
    kind = element.get("type")
    state: dict[str, Any] = {"type": kind}
    if kind in TEXT_INPUTS:
        state["value"] = element.get("initial_value")
    elif kind == "datetimepicker":
        state["selected_date_time"] = element.get("initial_date_time")
    elif kind == "datepicker":
        state["selected_date"] = element.get("initial_date")
    elif kind == "timepicker":
        state["selected_time"] = element.get("initial_time")
    elif kind in ("static_select", "radio_buttons"):
        state["selected_option"] = copy.deepcopy(element.get("initial_option"))
    elif kind in ("multi_static_select", "checkboxes"):
        state["selected_options"] = copy.deepcopy(element.get("initial_options") or [])
    elif kind == "users_select":
        state["selected_user"] = element.get("initial_user")
    elif kind == "multi_users_select":
        state["selected_users"] = list(element.get("initial_users") or [])
    elif kind == "conversations_select":
        state["selected_conversation"] = element.get("initial_conversation")
    elif kind == "multi_conversations_select":
        state["selected_conversations"] = list(element.get("initial_conversations") or [])
    elif kind == "channels_select":
        state["selected_channel"] = element.get("initial_channel")
    return state


def initial_state(view_body: dict[str, Any]) -> dict[str, Any]:
    """``state.values`` of a freshly opened view: every input with its initial value."""
    values: dict[str, Any] = {}
    for block in view_body.get("blocks") or []:
        if block.get("type") == "input" and isinstance(block.get("element"), dict):
            element = block["element"]
            values[block["block_id"]] = {element["action_id"]: _empty_state(element)}
    return values


def shape_input(element: dict[str, Any], raw: Any) -> dict[str, Any]:
    """A typed-in value shaped as Slack puts it in ``state.values`` for ``element``."""
    kind = element.get("type")
    state: dict[str, Any] = {"type": kind}
    if kind in TEXT_INPUTS:
        state["value"] = None if raw is None or raw == "" else str(raw)
    elif kind == "datetimepicker":
        if isinstance(raw, datetime):
            if raw.tzinfo is None:
                raise ValueError("devslack: a datetimepicker needs an aware datetime")
            raw = int(raw.timestamp())
        state["selected_date_time"] = None if raw is None else int(raw)
    elif kind == "datepicker":
        state["selected_date"] = raw.isoformat() if isinstance(raw, date) else raw
    elif kind == "timepicker":
        state["selected_time"] = raw.strftime("%H:%M") if isinstance(raw, dtime) else raw
    elif kind in ("static_select", "radio_buttons"):
        state["selected_option"] = None if raw is None else _option(element, raw)
    elif kind in ("multi_static_select", "checkboxes"):
        state["selected_options"] = [_option(element, v) for v in raw or []]
    elif kind == "users_select":
        state["selected_user"] = raw
    elif kind == "multi_users_select":
        state["selected_users"] = list(raw or [])
    elif kind == "conversations_select":
        state["selected_conversation"] = raw
    elif kind == "multi_conversations_select":
        state["selected_conversations"] = list(raw or [])
    elif kind == "channels_select":
        state["selected_channel"] = raw
    return state


def _is_empty(state: dict[str, Any]) -> bool:
    for key, value in state.items():
        if key != "type":
            return value is None or value == "" or value == []
    return True


def _client_check(
    block: dict[str, Any], element: dict[str, Any], state: dict[str, Any]
) -> str | None:
    """What the Slack client itself refuses before the app ever sees the submission."""
    if _is_empty(state):
        return None if block.get("optional") else REQUIRED_FIELD
    if element.get("type") in TEXT_INPUTS and isinstance(state.get("value"), str):
        value = state["value"]
        min_length = element.get("min_length")
        max_length = element.get("max_length", 3000)
        if min_length and len(value) < min_length:
            return f"Please enter at least {min_length} characters."
        if max_length and len(value) > max_length:
            return f"Please enter no more than {max_length} characters."
        if element["type"] == "email_text_input" and "@" not in value:
            return "Please enter a valid email address."
    if element.get("type") == "multi_users_select":
        limit = element.get("max_selected_items")
        if limit and len(state["selected_users"]) > limit:
            return f"Please select no more than {limit} people."
    return None


async def submit_view(
    slack: DevSlackServer, user_id: str, view_id: str, values: dict[str, Any]
) -> AppResponse:
    from bot.devslack.server import AppResponse

    _need_user(slack, user_id)
    view = slack.all_views.get(view_id)
    if view is None or view.closed or view.type != "modal":
        raise LookupError(f"devslack: no open modal {view_id!r}")
    if view.user != user_id:
        raise LookupError("devslack: that modal is open for someone else")
    stack = slack.modal_stack(user_id)
    if stack[-1] is not view:
        raise LookupError("devslack: only the modal on top of the stack can be submitted")
    inputs = {
        b["block_id"]: b
        for b in view.body.get("blocks", [])
        if b.get("type") == "input" and isinstance(b.get("element"), dict)
    }
    unknown = set(values) - set(inputs)
    if unknown:
        raise ValueError(f"devslack: the modal has no input block(s) {sorted(unknown)}")
    new_state: dict[str, Any] = {}
    client_errors: dict[str, str] = {}
    for block_id, block in inputs.items():
        element = block["element"]
        if block_id in values:
            raw = values[block_id]
            state = raw if isinstance(raw, dict) and "type" in raw else shape_input(element, raw)
        else:
            state = view.state_values.get(block_id, {}).get(element["action_id"])
            state = state if state is not None else _empty_state(element)
        new_state[block_id] = {element["action_id"]: state}
        problem = _client_check(block, element, state)
        if problem:
            client_errors[block_id] = problem
    view.state_values = new_state
    if client_errors:
        view.errors = client_errors
        slack.touch()
        return AppResponse(status=0, body="", client_errors=client_errors)
    trigger = slack.new_trigger(user_id)
    payload = {
        "type": "view_submission",
        "team": _team(slack),
        "user": _user_obj(slack, user_id),
        "api_app_id": slack.app_id,
        "token": slack.verification_token,
        "trigger_id": trigger.id,
        "view": view.to_slack(slack.team_id, slack.app_id, slack.bot_id),
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    body = urlencode({"payload": json.dumps(payload)}).encode("utf-8")
    answer = await post_to_app(
        slack, body, "application/x-www-form-urlencoded", kind="view_submission", payload=payload
    )
    _apply_view_answer(slack, view, answer)
    return answer


def _apply_view_answer(slack: DevSlackServer, view: View, answer: AppResponse) -> None:
    if answer.status != 200:
        view.errors = {"": "We had some trouble connecting. Try again?"}
        return
    body = answer.json if isinstance(answer.json, dict) else {}
    action = body.get("response_action")
    view.errors = {}
    if action == "errors":
        errors = body.get("errors")
        inputs = {
            b.get("block_id") for b in view.body.get("blocks", []) if b.get("type") == "input"
        }
        if not isinstance(errors, dict) or not errors or not set(errors) <= inputs:
            slack.problems.append(
                f"response_action errors must name input blocks of the view; got {errors!r}"
            )
        view.errors = {str(k): str(v) for k, v in (errors or {}).items()}
    elif action in ("update", "push"):
        new_body = body.get("view")
        problems = validate_view(new_body)
        if problems or not isinstance(new_body, dict):
            slack.problems.append(f"response_action {action} with an invalid view: {problems}")
            view.errors = {"": "We had some trouble connecting. Try again?"}
            return
        new_body = dict(new_body, blocks=with_generated_ids(new_body.get("blocks") or []))
        if action == "update":
            slack.replace_view(view, new_body)
        elif len(slack.modal_stack(view.user)) >= MAX_VIEW_STACK:
            slack.problems.append("response_action push beyond 3 stacked modals")
        else:
            slack.create_view(view.user, new_body, previous=view)
    elif action == "clear":
        for open_view in slack.modal_stack(view.user):
            open_view.closed = True
    else:
        view.closed = True
    slack.touch()


async def close_view(slack: DevSlackServer, user_id: str, view_id: str) -> AppResponse | None:
    view = slack.all_views.get(view_id)
    if view is None or view.closed or view.user != user_id or view.type != "modal":
        raise LookupError(f"devslack: no open modal {view_id!r} for {user_id}")
    view.closed = True
    slack.touch()
    if not view.body.get("notify_on_close"):
        return None
    payload = {
        "type": "view_closed",
        "team": _team(slack),
        "user": _user_obj(slack, user_id),
        "api_app_id": slack.app_id,
        "token": slack.verification_token,
        "view": view.to_slack(slack.team_id, slack.app_id, slack.bot_id),
        "is_cleared": False,
        "is_enterprise_install": False,
        "enterprise": None,
    }
    body = urlencode({"payload": json.dumps(payload)}).encode("utf-8")
    return await post_to_app(
        slack, body, "application/x-www-form-urlencoded", kind="view_closed", payload=payload
    )


# --- events ------------------------------------------------------------------------------------


async def app_home_opened(slack: DevSlackServer, user_id: str) -> AppResponse:
    _need_user(slack, user_id)
    dm = slack.dm_channel(user_id)
    now = slack.clock.now()
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": dm.id,
        "tab": "home",
        "event_ts": f"{now:.6f}",
    }
    home = slack.home(user_id)
    if home is not None:
        event["view"] = home
    payload = {
        "token": slack.verification_token,
        "team_id": slack.team_id,
        "api_app_id": slack.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": new_id("Ev"),
        "event_time": int(now),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": slack.team_id,
                "user_id": slack.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
    body = json.dumps(payload).encode("utf-8")
    return await post_to_app(slack, body, "application/json", kind="event", payload=payload)
