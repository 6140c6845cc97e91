"""Small helpers shared by the listeners."""

from __future__ import annotations

from typing import Any


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


def team_of(body: dict[str, Any], context: Any) -> str:
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return team["id"]
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return user["team_id"]
    return body.get("team_id") or context.get("team_id")
