"""Typed keys under which the sandbox keeps its parts on the aiohttp application."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.sandbox.delivery import Dispatcher
from bot.sandbox.faults import Faults
from bot.sandbox.ratelimit import RateLimiter
from bot.sandbox.state import SandboxState


@dataclass(frozen=True)
class SandboxConfig:
    """Options that change request handling (the rest lives in its component)."""

    allow_http_webhooks: bool = False  # plain-HTTP webhook URLs beyond loopback


STATE = web.AppKey("sandbox_state", SandboxState)
DISPATCHER = web.AppKey("sandbox_dispatcher", Dispatcher)
LIMITER = web.AppKey("sandbox_limiter", RateLimiter)
CONFIG = web.AppKey("sandbox_config", SandboxConfig)
FAULTS = web.AppKey("sandbox_faults", Faults)
