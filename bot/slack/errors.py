"""Failures a person can hit, turned into sentences that say what to do.

Nothing here shows a stack trace or an internal error text to a user; details go to the
log (never with request bodies, which carry tokens).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

GENERIC_FAILURE = (
    ":warning: Sorry, something went wrong on my side and I could not finish that. "
    "Nothing else was changed; please try again in a minute."
)


class UserFacingError(Exception):
    """An error whose message is already the sentence to show the person (mrkdwn, escaped)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def scheducal_sentence(exc: Exception, *, doing: str = "do that") -> str:
    """A sentence for a ``bot.scheducal.errors.ScheduCalError`` (matched by its code/class)."""
    code = getattr(exc, "code", None)
    kind = type(exc).__name__
    param = getattr(exc, "param", None)
    if code == "invalid_time_range" or kind == "InvalidTimeRange":
        return f"ScheduCal could not {doing}: the end must be after the start. Pick a later end."
    if code == "missing_required_field" or kind == "MissingRequiredField":
        field = f" (`{param}`)" if param else ""
        return f"ScheduCal could not {doing}: a required field{field} was missing."
    if code == "invalid_email" or kind == "InvalidEmail":
        return (
            f"ScheduCal could not {doing}: it rejected an email address as malformed. "
            "Check the spelling and try again."
        )
    if code == "appointment_not_found" or kind == "AppointmentNotFound":
        return (
            f"ScheduCal could not {doing}: it no longer knows this appointment "
            "(it may have been cancelled from the ScheduCal dashboard)."
        )
    if code == "appointment_already_cancelled" or kind == "AppointmentAlreadyCancelled":
        return f"ScheduCal could not {doing}: this appointment is already cancelled."
    if code == "invalid_credentials" or kind == "InvalidCredentials":
        return (
            f"ScheduCal could not {doing}: it rejected the bot's credentials. Ask whoever "
            "installed this app to check SCHEDUCAL_API_KEY and SCHEDUCAL_API_SECRET."
        )
    if code == "rate_limit_exceeded" or kind == "RateLimitExceeded":
        return (
            f"ScheduCal is busy and asked us to slow down, so I could not {doing}. "
            "Try again in a minute."
        )
    if kind == "DuplicateRequest" or getattr(exc, "status", None) == 409:
        return (
            f"ScheduCal could not {doing}: it saw the same request already. "
            "Check `list` before trying again."
        )
    if kind == "ScheduCalServerError":
        return f"ScheduCal had a server error, so I could not {doing}. Try again in a few minutes."
    if kind == "ScheduCalConnectionError":
        return f"I could not reach ScheduCal to {doing}. Try again in a few minutes."
    if kind == "ScheduCalProtocolError":
        return (
            f"ScheduCal gave an answer I did not understand, so I could not {doing}. "
            "Try again later; if it keeps happening, tell whoever runs this app."
        )
    return f"ScheduCal could not {doing}."


def slack_sentence(exc: SlackApiError, *, doing: str = "post in this channel") -> str:
    """A sentence for a Slack Web API error the person can do something about."""
    error = exc.response.get("error") if exc.response is not None else None
    if error in ("not_in_channel", "channel_not_found"):
        return (
            f"I could not {doing}: I am not a member of this channel. "
            "Add me with `/invite @ScheduCal` (private channels need this) and try again."
        )
    if error == "is_archived":
        return f"I could not {doing}: this channel is archived."
    if error in ("expired_trigger_id", "invalid_trigger_id", "exchanged_trigger_id"):
        return "Slack closed the window for opening that form. Please try once more."
    if error == "user_not_found":
        return "Slack does not know one of the people you mentioned."
    if error in ("ratelimited", "rate_limited"):
        return f"Slack is rate limiting me, so I could not {doing}. Try again in a minute."
    return f"Slack refused when I tried to {doing} (`{error or 'unknown error'}`)."


def sentence_for(exc: Exception) -> str | None:
    """The sentence for a failure a person can understand, or None for a bug."""
    if isinstance(exc, UserFacingError):
        return exc.message
    if isinstance(exc, SlackApiError):
        return slack_sentence(exc, doing="finish that")
    from bot.scheducal.errors import ScheduCalError

    if isinstance(exc, ScheduCalError):
        return scheducal_sentence(exc)
    return None


def register_error_handler(app: AsyncApp) -> None:
    """Any exception a listener lets through becomes a private apology, never a trace."""

    @app.error
    async def on_error(error: Exception, body: dict[str, Any], respond: Any) -> None:
        kind = body.get("type") or ("slash_command" if "command" in body else "unknown")
        message = sentence_for(error)
        if message is None:
            log.error("listener failed for a %s request", kind, exc_info=error)
            message = GENERIC_FAILURE
        else:
            log.info("a %s request ended with: %s", kind, type(error).__name__)
        if respond is None or not (body.get("response_url") or body.get("response_urls")):
            return
        try:
            await respond(text=message, response_type="ephemeral", replace_original=False)
        except Exception:  # noqa: BLE001 - the apology itself failed; the log has the cause
            log.warning("could not tell the person about a failed %s request", kind)
