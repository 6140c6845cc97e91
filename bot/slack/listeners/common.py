"""Small helpers shared by the listeners."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.slack.errors import GENERIC_FAILURE, sentence_for
from bot.slack.modals import metadata_of
from bot.slack.operations import tell
from bot.slack.text import unescape

log = logging.getLogger(__name__)


async def reply(
    respond: Any, text: str, blocks: list[dict[str, Any]], *, replace: bool = False
) -> None:
    """Answer privately through the request's response URL."""
    await respond(
        text=text,
        blocks=blocks,
        response_type="ephemeral",
        replace_original=replace,
    )


def field_error(message: str) -> str:
    """A mrkdwn sentence as a modal field error: plain text, at most 300 characters."""
    message = unescape(message.replace("*", ""))
    return message if len(message) <= 300 else message[:299] + "…"


def team_of(body: dict[str, Any], context: Any) -> str:
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return team["id"]
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return user["team_id"]
    return body.get("team_id") or context.get("team_id")


def guarded(listener: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """Turn an exception raised after the ack into a logged apology.

    Bolt, when a listener raises after ``ack()``, forgets the ack and keeps the HTTP
    request waiting until its 3 s timeout, so Slack shows the person an error. Failures
    before the ack still go to Bolt (500 and the global error handler).
    Bolt resolves listener arguments by name through ``__wrapped__``, so the wrapper
    receives exactly what ``listener`` asked for.
    """

    @functools.wraps(listener)
    async def run(**kwargs: Any) -> None:
        try:
            await listener(**kwargs)
        except Exception as exc:
            ack = kwargs.get("ack")
            if ack is not None and getattr(ack, "response", None) is None:
                raise  # not acknowledged yet: let Bolt answer 500
            await apologize(exc, kwargs)

    return run


async def apologize(exc: Exception, kwargs: dict[str, Any]) -> None:
    message = sentence_for(exc)
    if message is None:
        kind = (kwargs.get("body") or {}).get("type")
        log.error("listener failed after the ack (%s)", kind, exc_info=exc)
        message = GENERIC_FAILURE
    body = kwargs.get("body") or {}
    respond = kwargs.get("respond")
    try:
        if respond is not None and (body.get("response_url") or body.get("response_urls")):
            await respond(text=message, response_type="ephemeral", replace_original=False)
            return
        context = kwargs.get("context")
        user = (body.get("user") or {}).get("id") or body.get("user_id")
        channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
        if not channel and isinstance(body.get("view"), dict):  # a modal: where it came from
            channel = metadata_of(body["view"]).get("c")
        if context is not None and user and channel:
            await tell(context["services"], channel, user, message)
    except Exception:  # noqa: BLE001 - the apology failed too; the log has the cause
        log.warning("could not tell the person about a failure")
