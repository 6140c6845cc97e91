"""Events API listeners."""

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners.common import guarded
from bot.slack.listeners.events import app_home


def register(app: AsyncApp, **_: object) -> None:
    app.event("app_home_opened")(guarded(app_home.publish_home))
