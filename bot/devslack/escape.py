"""What the Slack client does to a slash command's text when ``should_escape`` is true.

People type ``@alice`` (picked from autocomplete), ``#general``, ``bob@acme.com`` or a
link; the app receives ``<@U123|alice>``, ``<#C1|general>``, ``<mailto:bob@acme.com|
bob@acme.com>`` and ``<https://x.y|x.y>``; ``@here`` arrives as ``<!here>``. ``&``,
``<`` and ``>`` typed by the person arrive as ``&amp;``, ``&lt;`` and ``&gt;``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_URL = re.compile(r"\bhttps?://[^\s<>]+")
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9._-]+)")
_CHANNEL = re.compile(r"(?<![\w&])#([a-z0-9_-]+)")
_SPECIAL = ("here", "channel", "everyone")
_TOKEN = re.compile(
    "|".join(
        f"(?P<{name}>{rx.pattern})"
        for name, rx in (
            ("url", _URL),
            ("email", _EMAIL),
            ("mention", _MENTION),
            ("channel", _CHANNEL),
        )
    )
)


def escape_mrkdwn(text: str) -> str:
    """``&`` first, then ``<`` and ``>``: how Slack sends typed characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_command_text(
    text: str,
    *,
    user_lookup: Callable[[str], str | None],
    channel_lookup: Callable[[str], str | None],
) -> str:
    """``text`` as the app receives it. ``user_lookup(name)`` / ``channel_lookup(name)``
    return the id for a name, or ``None`` (then the text stays as typed, as when the
    person did not pick the name from autocomplete)."""
    out: list[str] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        out.append(escape_mrkdwn(text[pos : match.start()]))
        token = match.group(0)
        if match.group("url"):
            url = token.rstrip(".,;:!?)")
            out.append(f"<{escape_mrkdwn(url)}|{escape_mrkdwn(url.split('://', 1)[1])}>")
            out.append(escape_mrkdwn(token[len(url) :]))
        elif match.group("email"):
            out.append(f"<mailto:{token}|{token}>")
        elif match.group("mention"):
            name = token[1:].rstrip(".")
            if name in _SPECIAL:
                out.append(f"<!{name}>{token[1 + len(name) :]}")
                pos = match.end()
                continue
            user_id = user_lookup(name)
            tail = token[1 + len(name) :]
            out.append(f"<@{user_id}|{name}>{tail}" if user_id else escape_mrkdwn(token))
        else:
            name = token[1:]
            channel_id = channel_lookup(name)
            out.append(f"<#{channel_id}|{name}>" if channel_id else escape_mrkdwn(token))
        pos = match.end()
    out.append(escape_mrkdwn(text[pos:]))
    return "".join(out)
