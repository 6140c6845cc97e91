"""Fixtures for the ScheduCal client tests: a flaky server and fast-retrying clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.scheducal.client import ScheduCalClient
from tests.scheducal.flaky import FlakyServer

# Credentials used against the flaky server; long and distinctive, so a leak is detectable.
API_KEY = "key_test_7f3c9a1e5b2d4c6a"
API_SECRET = "sec_test_Zq8Xw2Vn4Lm6Kp0J"


@pytest.fixture
async def flaky() -> AsyncIterator[FlakyServer]:
    async with FlakyServer() as server:
        yield server


@pytest.fixture
async def make_client(flaky: FlakyServer) -> AsyncIterator[Callable[..., ScheduCalClient]]:
    """Clients against ``flaky`` with waits scaled down; all closed after the test."""
    clients: list[ScheduCalClient] = []

    def make(**options: Any) -> ScheduCalClient:
        settings: dict[str, Any] = {
            "rate_limit_per_minute": None,
            "max_attempts": 4,
            "timeout": 0.3,
            "backoff_base": 0.01,
            "backoff_cap": 0.05,
            "max_retry_after": 1.0,
        }
        settings.update(options)
        base_url = settings.pop("base_url", flaky.url)
        client = ScheduCalClient(base_url, API_KEY, API_SECRET, **settings)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()
