"""What changed since last time, rendered: the shell prints this after every action.

Each visible thing (channel message, thread reply, ephemeral, open modal) has a key and a
number-free rendering; what is new or rendered differently since the previous call is
printed again, what disappeared is announced in one line. Buttons of the printed items
are numbered from 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.devslack.render import Renderer, Screen, renderer_for

if TYPE_CHECKING:
    from bot.devslack.server import DevSlackServer

Key = tuple[str, ...]


@dataclass
class _Item:
    key: Key
    kind: str  # "message" | "reply" | "ephemeral" | "modal"
    obj: dict[str, Any]
    channel: str = ""


def _first_line(msg: dict[str, Any], renderer: Renderer) -> str:
    text = renderer.md(msg.get("text") or "").strip().splitlines()
    line = text[0] if text else "(message)"
    return line if len(line) <= 60 else line[:57] + "..."


class Feed:
    """Remembers what a terminal user has already been shown."""

    def __init__(self, slack: DevSlackServer, channel_ids: list[str]) -> None:
        self.slack = slack
        self.channel_ids = channel_ids
        self._seen: dict[Key, str] = {}
        self._labels: dict[Key, str] = {}

    def _items(self, viewer: str) -> list[_Item]:
        items: list[_Item] = []
        for channel_id in self.channel_ids:
            for msg in self.slack.messages(channel_id):
                items.append(_Item(("msg", channel_id, msg["ts"]), "message", msg, channel_id))
                for reply in self.slack.thread(channel_id, msg["ts"]):
                    key = ("msg", channel_id, reply["ts"])
                    items.append(_Item(key, "reply", reply, channel_id))
        for msg in self.slack.ephemerals(viewer):
            items.append(_Item(("eph", viewer, msg["channel"], msg["ts"]), "ephemeral", msg))
        for view in self.slack.views(viewer):
            items.append(_Item(("view", viewer, view["id"]), "modal", view))
        return items

    def _draw(self, item: _Item, renderer: Renderer, screen: Screen) -> None:
        if item.kind == "message":
            renderer.message(item.obj, screen, reply_count=False)
        elif item.kind == "reply":
            renderer.message(item.obj, screen, reply=True)
        elif item.kind == "ephemeral":
            renderer.ephemeral(item.obj, screen)
        else:
            renderer.modal(item.obj, screen, self.slack.view_errors(item.obj["id"]))

    def _label(self, item: _Item, renderer: Renderer) -> str:
        if item.kind == "modal":
            return f"modal “{renderer.text_obj(item.obj.get('title'))}” closed"
        if item.kind == "ephemeral":
            return f"message only you could see (“{_first_line(item.obj, renderer)}”) went away"
        return f"message “{_first_line(item.obj, renderer)}” was deleted"

    def _probe(self, item: _Item) -> str:
        """The item's rendering in a fixed zone: switching viewers changes nothing."""
        probe = Screen()
        self._draw(item, renderer_for(self.slack, ""), probe)
        return probe.text

    def changes(self, viewer: str) -> Screen:
        """New or changed items since the last call (and one line per vanished item)."""
        renderer = renderer_for(self.slack, viewer)
        screen = Screen()
        items = self._items(viewer)
        current: set[Key] = set()
        printed_parents: set[str] = set()
        channel_shown: set[str] = set()
        for item in items:
            current.add(item.key)
            probe = self._probe(item)
            if self._seen.get(item.key) == probe:
                continue
            self._seen[item.key] = probe
            self._labels[item.key] = self._label(item, renderer)
            if item.channel and item.channel not in channel_shown:
                channel_shown.add(item.channel)
                name = self.slack.channels[item.channel].name
                screen.lines.append(f"#{name}")
            if item.kind == "reply" and item.obj.get("thread_ts") not in printed_parents:
                parent = self.slack.message(item.channel, item.obj["thread_ts"]) or {}
                screen.lines.append(f"  in the thread of “{_first_line(parent, renderer)}”:")
            if item.kind == "message":
                printed_parents.add(item.obj["ts"])
            self._draw(item, renderer, screen)
        for key in [k for k in self._seen if k not in current]:
            if key[0] in ("eph", "view") and key[1] != viewer:
                continue  # someone else's: not gone, just not ours to see
            screen.lines.append(f"({self._labels.pop(key, 'something')})")
            del self._seen[key]
        return screen

    def everything(self, viewer: str) -> Screen:
        """The whole picture for ``viewer`` (and remember it as seen)."""
        renderer = renderer_for(self.slack, viewer)
        screen = Screen()
        for channel_id in self.channel_ids:
            messages = self.slack.messages(channel_id)
            threads = {m["ts"]: self.slack.thread(channel_id, m["ts"]) for m in messages}
            renderer.channel(self.slack.channels[channel_id].name, messages, threads, screen)
        for item in self._items(viewer):
            if item.kind in ("ephemeral", "modal"):
                self._draw(item, renderer, screen)
        self.mark_seen(viewer)
        return screen

    def mark_seen(self, viewer: str) -> None:
        renderer = renderer_for(self.slack, viewer)
        for item in self._items(viewer):
            self._seen[item.key] = self._probe(item)
            self._labels[item.key] = self._label(item, renderer)
