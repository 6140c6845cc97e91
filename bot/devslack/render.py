"""Text rendering of what a person would see in Slack: channel, threads, ephemerals, modals.

Buttons get numbers (``[1] Send invites``) so a terminal user can click them by number;
modal inputs get numbers too so they can be filled in. mrkdwn is made readable:
``<!date^..|fallback>`` becomes the fallback, ``<@U1>`` becomes ``@name``, ``&amp;``
becomes ``&``.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from bot.devslack.server import DevSlackServer

Lookup = Callable[[str], str | None]

_ANGLE = re.compile(r"<([^<>]*)>")


@dataclass
class Control:
    """Something with a number on screen: a button/select to click or a modal input to fill."""

    number: int
    kind: str  # "action" | "input" | "submit" | "close"
    label: str
    target: dict[str, Any]
    action_id: str = ""
    value: str | None = None
    block_id: str = ""
    element_type: str = ""


@dataclass
class Screen:
    """Rendered text plus the numbered controls it shows."""

    lines: list[str] = field(default_factory=list)
    controls: list[Control] = field(default_factory=list)
    next_number: int = 1

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def add(self, kind: str, label: str, target: dict[str, Any], **extra: Any) -> Control:
        control = Control(self.next_number, kind, label, target, **extra)
        self.controls.append(control)
        self.next_number += 1
        return control


def mrkdwn_to_text(
    text: str, *, user_name: Lookup = lambda _: None, channel_name: Lookup = lambda _: None
) -> str:
    """Slack mrkdwn as a person reads it (formatting marks kept, links and tokens resolved)."""

    def angle(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("!date^"):
            return label or target
        if target.startswith("@"):
            name = user_name(target[1:]) or label or target[1:]
            return "@" + name
        if target.startswith("#"):
            name = channel_name(target[1:]) or label or target[1:]
            return "#" + name
        if target.startswith("!subteam^"):
            return label or "@group"
        if target.startswith("!"):
            return "@" + target[1:]
        if target.startswith("mailto:"):
            return label or target[len("mailto:") :]
        if label and label != target:
            return f"{label} ({target})"
        return target

    out = _ANGLE.sub(angle, text)
    return out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


class Renderer:
    """Renders devslack's recorded dicts for one viewer."""

    def __init__(
        self,
        *,
        user_name: Lookup,
        channel_name: Lookup,
        tz: str = "UTC",
        width: int = 88,
        app_name: str = "app",
    ) -> None:
        self.user_name = user_name
        self.channel_name = channel_name
        self.app_name = app_name
        self.zone = ZoneInfo(tz)
        self.width = width

    def md(self, text: str) -> str:
        return mrkdwn_to_text(text, user_name=self.user_name, channel_name=self.channel_name)

    def _clock(self, ts: str) -> str:
        return datetime.fromtimestamp(float(ts), self.zone).strftime("%H:%M")

    def _wrap(self, text: str, indent: str) -> list[str]:
        lines: list[str] = []
        for raw in text.splitlines() or [""]:
            wrapped = textwrap.wrap(raw, width=max(20, self.width - len(indent))) or [""]
            lines += [indent + part for part in wrapped]
        return lines

    def text_obj(self, obj: Any) -> str:
        if not isinstance(obj, dict):
            return ""
        text = str(obj.get("text", ""))
        return self.md(text) if obj.get("type") == "mrkdwn" else text

    def _control_label(self, element: dict[str, Any]) -> str:
        kind = element.get("type")
        if kind == "button":
            label = self.text_obj(element.get("text"))
            if element.get("style") == "danger":
                label += " (!)"
            return label
        placeholder = self.text_obj(element.get("placeholder")) or kind or "menu"
        return f"{placeholder} [{kind}]"

    def _actions_line(
        self,
        elements: list[dict[str, Any]],
        block: dict[str, Any],
        target: dict[str, Any],
        screen: Screen,
    ) -> str:
        parts = []
        for element in elements:
            control = screen.add(
                "action",
                self._control_label(element),
                target,
                action_id=str(element.get("action_id", "")),
                value=element.get("value"),
                block_id=str(block.get("block_id", "")),
                element_type=str(element.get("type", "")),
            )
            parts.append(f"[{control.number}] {control.label}")
        return "   ".join(parts)

    def blocks(
        self,
        blocks: list[dict[str, Any]],
        fallback: str,
        target: dict[str, Any],
        screen: Screen,
        indent: str,
        state: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
    ) -> None:
        """Append the rendering of ``blocks`` (or ``fallback`` text when there are none)."""
        if not blocks:
            screen.lines += self._wrap(self.md(fallback), indent)
            return
        for block in blocks:
            kind = block.get("type")
            if kind == "header":
                screen.lines += self._wrap(self.text_obj(block.get("text")).upper(), indent)
            elif kind == "section":
                if "text" in block:
                    screen.lines += self._wrap(self.text_obj(block["text"]), indent)
                for item in block.get("fields") or []:
                    screen.lines += self._wrap(self.text_obj(item), indent + "  ")
                accessory = block.get("accessory")
                if isinstance(accessory, dict) and accessory.get("type") != "image":
                    line = self._actions_line([accessory], block, target, screen)
                    screen.lines.append(indent + line)
            elif kind == "context":
                parts = [
                    self.text_obj(el) if el.get("type") != "image" else ""
                    for el in block.get("elements", [])
                ]
                text = "  ·  ".join(p for p in parts if p)
                screen.lines += self._wrap(text, indent + "  ")
            elif kind == "divider":
                screen.lines.append(indent + "-" * 24)
            elif kind == "actions":
                line = self._actions_line(block.get("elements", []), block, target, screen)
                screen.lines.append(indent + line)
            elif kind == "image":
                screen.lines.append(f"{indent}[image: {block.get('alt_text', '')}]")
            elif kind == "input":
                self._input(block, target, screen, indent, state or {}, errors or {})
            else:
                screen.lines.append(f"{indent}[{kind} block]")

    def _input(
        self,
        block: dict[str, Any],
        target: dict[str, Any],
        screen: Screen,
        indent: str,
        state: dict[str, Any],
        errors: dict[str, str],
    ) -> None:
        element = block.get("element", {})
        block_id = str(block.get("block_id", ""))
        current = state.get(block_id, {}).get(element.get("action_id", ""), {})
        label = self.text_obj(block.get("label"))
        if block.get("optional"):
            label += " (optional)"
        control = screen.add(
            "input",
            label,
            target,
            action_id=str(element.get("action_id", "")),
            block_id=block_id,
            element_type=str(element.get("type", "")),
        )
        shown = self._state_value(current) or "—"
        screen.lines.append(f"{indent}[{control.number}] {label}: {shown}")
        hint = self.text_obj(block.get("hint"))
        if hint:
            screen.lines.append(f"{indent}      {hint}")
        if block_id in errors:
            screen.lines += self._wrap(f"! {errors[block_id]}", f"{indent}      ")

    def _state_value(self, state: dict[str, Any]) -> str:
        if not state:
            return ""
        if state.get("value"):
            return str(state["value"])
        if state.get("selected_date_time"):
            moment = datetime.fromtimestamp(int(state["selected_date_time"]), self.zone)
            return moment.strftime("%Y-%m-%d %H:%M %Z")
        for key in (
            "selected_date",
            "selected_time",
            "selected_user",
            "selected_channel",
            "selected_conversation",
        ):
            if state.get(key):
                value = str(state[key])
                return "@" + (self.user_name(value) or value) if key == "selected_user" else value
        if state.get("selected_users"):
            return ", ".join("@" + (self.user_name(u) or u) for u in state["selected_users"])
        if state.get("selected_option"):
            return self.text_obj(state["selected_option"].get("text"))
        if state.get("selected_options"):
            return ", ".join(self.text_obj(o.get("text")) for o in state["selected_options"])
        return ""

    # --- whole objects -----------------------------------------------------------------------

    def message(
        self,
        msg: dict[str, Any],
        screen: Screen,
        *,
        reply: bool = False,
        reply_count: bool = True,
    ) -> None:
        indent = "      " if reply else "  "
        head = "    ↳ " if reply else "• "
        author = self.user_name(str(msg.get("user", ""))) or msg.get("user", "?")
        edited = "  (edited)" if msg.get("edited") else ""
        screen.lines.append(f"{head}{author}  {self._clock(msg['ts'])}{edited}")
        self.blocks(msg.get("blocks") or [], msg.get("text", ""), msg, screen, indent)
        if not reply and reply_count and msg.get("reply_count"):
            count = msg["reply_count"]
            screen.lines.append(f"{indent}{count} repl{'y' if count == 1 else 'ies'}")

    def ephemeral(self, msg: dict[str, Any], screen: Screen) -> None:
        sender = "Slackbot" if msg.get("source") == "slackbot" else self.app_name
        channel = self.channel_name(str(msg.get("channel", ""))) or msg.get("channel", "")
        screen.lines.append(
            f"• {sender}  {self._clock(msg['ts'])}  (only visible to you, in #{channel})"
        )
        self.blocks(msg.get("blocks") or [], msg.get("text", ""), msg, screen, "  ")

    def modal(self, view: dict[str, Any], screen: Screen, errors: dict[str, str]) -> None:
        title = self.text_obj(view.get("title"))
        screen.lines.append(f"┌─ modal: {title} " + "─" * max(4, 40 - len(title)))
        self.blocks(
            view.get("blocks") or [],
            "",
            view,
            screen,
            "│ ",
            state=view.get("state", {}).get("values", {}),
            errors=errors,
        )
        if errors.get(""):
            screen.lines.append(f"│ ! {errors['']}")
        parts = []
        if view.get("submit"):
            control = screen.add("submit", self.text_obj(view["submit"]), view)
            parts.append(f"[{control.number}] {control.label}")
        close = self.text_obj(view.get("close")) or "Cancel"
        control = screen.add("close", close, view)
        parts.append(f"[{control.number}] {close}")
        screen.lines.append("│ " + "   ".join(parts))
        screen.lines.append("└" + "─" * 50)

    def channel(
        self,
        name: str,
        messages: list[dict[str, Any]],
        threads: dict[str, list[dict[str, Any]]],
        screen: Screen,
    ) -> None:
        screen.lines.append(f"#{name}")
        if not messages:
            screen.lines.append("  (no messages yet)")
        for msg in messages:
            self.message(msg, screen)
            for reply in threads.get(msg["ts"], []):
                self.message(reply, screen, reply=True)


def render_workspace(slack: DevSlackServer, viewer: str, channel_ids: list[str]) -> Screen:
    """Everything ``viewer`` sees: the channels with threads, their ephemerals, open modals."""
    renderer = renderer_for(slack, viewer)
    screen = Screen()
    for channel_id in channel_ids:
        messages = slack.messages(channel_id)
        threads = {m["ts"]: slack.thread(channel_id, m["ts"]) for m in messages}
        renderer.channel(slack.channels[channel_id].name, messages, threads, screen)
    for msg in slack.ephemerals(viewer):
        renderer.ephemeral(msg, screen)
    for view in slack.views(viewer):
        renderer.modal(view, screen, slack.view_errors(view["id"]))
    return screen


def renderer_for(slack: DevSlackServer, viewer: str) -> Renderer:
    """A renderer that names people and channels from devslack, in the viewer's zone."""

    def user_name(user_id: str) -> str | None:
        user = slack.users.get(user_id)
        return None if user is None else (user.display_name or user.name)

    def channel_name(channel_id: str) -> str | None:
        channel = slack.channels.get(channel_id)
        return None if channel is None else channel.name

    tz = slack.users[viewer].tz if viewer in slack.users else "UTC"
    return Renderer(user_name=user_name, channel_name=channel_name, tz=tz, app_name=slack.bot_name)
