"""A local Slack for tests and `scheducal-bot shell`: Web API, interactivity, rendering."""

from bot.devslack.escape import escape_command_text, escape_mrkdwn
from bot.devslack.interactions import slack_signature
from bot.devslack.server import AppResponse, DevSlackServer

__all__ = [
    "AppResponse",
    "DevSlackServer",
    "escape_command_text",
    "escape_mrkdwn",
    "slack_signature",
]
