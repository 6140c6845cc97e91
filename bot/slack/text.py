"""Text helpers for Slack mrkdwn: escaping user text, date tokens, durations.

Everything here is pure: no Slack calls, no clock.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


def escape(text: str) -> str:
    """Escape user text for mrkdwn so `<!channel>` or `<@U1>` cannot ping anyone.

    `&` goes first so an already-escaped `&lt;` shows as typed instead of turning back into `<`.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def wall_time_text(dt_aware: datetime, tz_name: str) -> str:
    """`Wed, Apr 15 2026 9:00 AM PDT (America/Los_Angeles)`: a time that names its zone."""
    local = dt_aware.astimezone(ZoneInfo(tz_name))
    hour = local.strftime("%I").lstrip("0") or "12"
    abbreviation = local.strftime("%Z")
    zone = tz_name if abbreviation in ("", tz_name) else f"{abbreviation} ({tz_name})"
    return f"{local:%a, %b} {local.day} {local.year} {hour}:{local:%M} {local:%p} {zone}"


def date_token(dt_aware: datetime, tz_name: str) -> str:
    """Slack's `<!date^...>` token: each reader sees the time in their own zone.

    The fallback after `|` (shown by clients that cannot render the token, and in
    notifications) names the appointment's zone.
    """
    if dt_aware.tzinfo is None:
        raise ValueError("date_token needs an aware datetime")
    epoch = int(dt_aware.timestamp())
    return f"<!date^{epoch}^{{date_short_pretty}} at {{time}}|{wall_time_text(dt_aware, tz_name)}>"


def duration_text(length: timedelta) -> str:
    """`30 min`, `1 h`, `1 h 30 min`, `2 days 1 h`."""
    minutes = int(length.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(f"{days} day" + ("s" if days > 1 else ""))
    if hours:
        parts.append(f"{hours} h")
    if minutes or not parts:
        parts.append(f"{minutes} min")
    return " ".join(parts)


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters, ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + "…"


_SLACK_TOKEN = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
_USER_TOKEN = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>$")
_MAILTO_TOKEN = re.compile(r"^<mailto:([^<>|]+)(?:\|[^<>]*)?>$")


def unescape(text: str) -> str:
    """Undo Slack's escaping of `&`, `<` and `>` (in that safe order)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def slack_to_plain(text: str) -> str:
    """Slack-escaped command text -> plain text for people outside Slack (ScheduCal notices).

    `<@U1|ann>` -> `@ann`, `<mailto:a@b.c|a@b.c>` -> `a@b.c`, `<https://x|x>` -> `x`,
    `<#C1|general>` -> `#general`, then entities are unescaped.
    """

    def plain(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("@"):
            return "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            return label or ""
        if target.startswith("mailto:"):
            return label or target[len("mailto:") :]
        return label or target

    return unescape(_SLACK_TOKEN.sub(plain, text)).strip()


def user_id_of(token: str) -> str | None:
    """`<@U123|ann>` -> `U123`; anything else -> None."""
    match = _USER_TOKEN.match(token.strip())
    return match.group(1) if match else None


def email_of(token: str) -> str | None:
    """`<mailto:a@b.c|a@b.c>` or a bare `a@b.c` -> `a@b.c`; anything else -> None."""
    token = token.strip()
    match = _MAILTO_TOKEN.match(token)
    if match:
        return match.group(1)
    if "@" in token and "<" not in token and " " not in token:
        return unescape(token)
    return None
