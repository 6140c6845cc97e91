"""**Accept proposed time** / **Keep original** under a proposal in an appointment's thread.

Thin glue: acknowledge at once, decide in :mod:`bot.webhooks.decisions`, and answer the
clicker privately when nothing changed (the thread and the parent show the rest).
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.slack.blocks import notice_message
from bot.slack.listeners.common import guarded, reply
from bot.webhooks import decisions
from bot.webhooks.messages import PROPOSAL_ACCEPT, PROPOSAL_KEEP


def _proposal_id(body: dict[str, Any]) -> int | None:
    try:
        return int(body["actions"][0]["value"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


async def _decide(body: dict[str, Any], respond: Any, context: Any, *, accept: bool) -> None:
    proposal_id = _proposal_id(body)
    if proposal_id is None:
        await reply(respond, *notice_message("That button is out of date; nothing was changed."))
        return
    message_ts = (body.get("message") or {}).get("ts") or (body.get("container") or {}).get(
        "message_ts"
    )
    outcome = await decisions.decide(
        context["services"], proposal_id, body["user"]["id"], accept=accept, message_ts=message_ts
    )
    if outcome.private:
        await reply(respond, *notice_message(outcome.private))


async def accept(ack: Any, body: dict[str, Any], respond: Any, context: Any) -> None:
    await ack()
    await _decide(body, respond, context, accept=True)


async def keep(ack: Any, body: dict[str, Any], respond: Any, context: Any) -> None:
    await ack()
    await _decide(body, respond, context, accept=False)


def register(app: AsyncApp) -> None:
    app.action(PROPOSAL_ACCEPT)(guarded(accept))
    app.action(PROPOSAL_KEEP)(guarded(keep))
