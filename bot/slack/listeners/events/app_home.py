"""App Home: the person's upcoming appointments (organised or invited to)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.services import Services
from bot.slack import blocks
from bot.store import repo


async def publish_home(event: dict[str, Any], body: dict[str, Any], context: Any) -> None:
    if event.get("tab", "home") != "home":
        return
    services: Services = context["services"]
    user_id = event["user"]
    team_id = body.get("team_id") or context.get("team_id")
    async with services.db.session() as s:
        upcoming = await repo.list_upcoming(s, team_id, now=datetime.now(UTC), user_id=user_id)
    view = blocks.home_view(upcoming, services.settings.slack_command)
    await services.slack.views_publish(user_id=user_id, view=view)
