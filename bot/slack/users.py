"""Slack people as the bot needs them (time zone, email, admin flag), cached with a TTL.

``users.info`` is a Tier 4 method, but a busy channel runs `/meet` often enough that one
lookup per command would be wasteful; a person's zone or email rarely changes within
minutes. Lookups of the same person that overlap share one request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient


@dataclass(frozen=True)
class SlackUser:
    id: str
    name: str  # the best human name: display name, real name, then handle
    email: str | None
    tz: str | None
    is_admin: bool
    is_owner: bool
    is_bot: bool

    @property
    def may_manage_everything(self) -> bool:
        """Workspace admins and owners may reschedule or cancel anyone's appointment."""
        return self.is_admin or self.is_owner

    @classmethod
    def from_api(cls, user: dict[str, Any]) -> SlackUser:
        profile = user.get("profile") or {}
        name = (
            profile.get("display_name")
            or profile.get("real_name")
            or user.get("real_name")
            or user.get("name")
            or user["id"]
        )
        return cls(
            id=user["id"],
            name=name,
            email=profile.get("email") or None,
            tz=user.get("tz") or None,
            is_admin=bool(user.get("is_admin")),
            is_owner=bool(user.get("is_owner") or user.get("is_primary_owner")),
            is_bot=bool(user.get("is_bot")),
        )


class UserDirectory:
    """``users.info`` with a per-process cache (default 10 minutes)."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        ttl: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[float, SlackUser]] = {}
        self._pending: dict[str, asyncio.Future[SlackUser]] = {}

    async def get(self, user_id: str) -> SlackUser:
        """The person behind ``user_id``; raises ``SlackApiError`` (e.g. ``user_not_found``)."""
        cached = self._cache.get(user_id)
        if cached and self._clock() - cached[0] < self._ttl:
            return cached[1]
        pending = self._pending.get(user_id)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[SlackUser] = asyncio.get_running_loop().create_future()
        self._pending[user_id] = future
        try:
            response = await self._client.users_info(user=user_id)
            user = SlackUser.from_api(response["user"])
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: nobody else may be waiting
            raise
        finally:
            self._pending.pop(user_id, None)
        self._cache[user_id] = (self._clock(), user)
        future.set_result(user)
        return user

    def forget(self, user_id: str) -> None:
        self._cache.pop(user_id, None)
