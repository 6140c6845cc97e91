"""commands listeners."""

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp, **_: object) -> None:
    pass
