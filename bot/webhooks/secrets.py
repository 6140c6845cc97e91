"""Webhook signing secrets: sealed at rest, and the set the receiver accepts.

Sealing (``webhook_secrets.secret_ciphertext``): the database never holds a secret in
clear. Keys are derived from ``SCHEDUCAL_API_SECRET`` (which the deployment has anyway
and which never enters the database) with HMAC-SHA256 under two fixed labels, one to
encrypt and one to authenticate. A secret is XORed with an HMAC-SHA256 keystream
(``HMAC(enc_key, nonce || counter)``, a random 16-byte nonce per secret) and tagged
with ``HMAC(mac_key, version || nonce || ciphertext)``; stored as
``v1:<base64url(nonce || ciphertext || tag)>``. Only the standard library is needed.
Without the same API secret the rows cannot be opened (and a changed API secret
makes them unreadable: register or rotate again, or set SCHEDUCAL_WEBHOOK_SECRET).

Accepted secrets: every ``SCHEDUCAL_WEBHOOK_SECRET`` value plus every stored secret
whose ``expires_at`` is empty or ahead (a rotated-out secret keeps working for the
grace period). :class:`SecretRing` caches them and reloads every 30 s, and at once
(at most once a second) when a signature fails, so a freshly rotated secret works on
its first delivery.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import time
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.db import Database
from bot.store.models import WebhookSecret
from bot.store.types import utcnow
from bot.webhooks import dbsession

log = logging.getLogger(__name__)

_VERSION = b"v1"
_NONCE = 16
_TAG = 16


class SealError(ValueError):
    """A stored secret cannot be opened (wrong SCHEDUCAL_API_SECRET or damaged row)."""


def _keys(api_secret: str) -> tuple[bytes, bytes]:
    if not api_secret:
        raise SealError("SCHEDUCAL_API_SECRET is needed to seal or open webhook secrets")
    root = api_secret.encode("utf-8")
    enc = hmac.new(root, b"scheducal-bot/webhook-secret/encrypt/v1", hashlib.sha256).digest()
    mac = hmac.new(root, b"scheducal-bot/webhook-secret/authenticate/v1", hashlib.sha256).digest()
    return enc, mac


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = []
    for counter in range((length + 31) // 32):
        blocks.append(hmac.new(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest())
    return b"".join(blocks)[:length]


def seal(secret: str, api_secret: str) -> str:
    enc, mac = _keys(api_secret)
    nonce = os.urandom(_NONCE)
    plain = secret.encode("utf-8")
    cipher = bytes(a ^ b for a, b in zip(plain, _keystream(enc, nonce, len(plain)), strict=True))
    tag = hmac.new(mac, _VERSION + nonce + cipher, hashlib.sha256).digest()[:_TAG]
    return "v1:" + base64.urlsafe_b64encode(nonce + cipher + tag).decode("ascii")


def unseal(sealed: str, api_secret: str) -> str:
    enc, mac = _keys(api_secret)
    if not sealed.startswith("v1:"):
        raise SealError("unknown sealed secret format")
    try:
        raw = base64.urlsafe_b64decode(sealed[3:].encode("ascii"))
    except ValueError:
        raise SealError("sealed secret is not valid base64") from None
    if len(raw) < _NONCE + _TAG:
        raise SealError("sealed secret is too short")
    nonce, cipher, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
    expected = hmac.new(mac, _VERSION + nonce + cipher, hashlib.sha256).digest()[:_TAG]
    if not hmac.compare_digest(expected, tag):
        raise SealError("sealed secret does not match SCHEDUCAL_API_SECRET (or was altered)")
    plain = bytes(a ^ b for a, b in zip(cipher, _keystream(enc, nonce, len(cipher)), strict=True))
    return plain.decode("utf-8")


def fingerprint(secret: str) -> str:
    """A short, non-reversible label to tell secrets apart in listings."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:12]


# --- repository ------------------------------------------------------------------------


async def store_secret(
    session: AsyncSession, webhook_id: str, secret: str, *, api_secret: str
) -> WebhookSecret:
    row = WebhookSecret(webhook_id=webhook_id, secret_ciphertext=seal(secret, api_secret))
    session.add(row)
    await session.flush()
    return row


async def expire_secrets(session: AsyncSession, webhook_id: str, *, at: datetime) -> int:
    """Every current secret of ``webhook_id`` stops being accepted at ``at``."""
    result = await session.execute(
        update(WebhookSecret)
        .where(
            WebhookSecret.webhook_id == webhook_id,
            or_(WebhookSecret.expires_at.is_(None), WebhookSecret.expires_at > at),
        )
        .values(expires_at=at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


async def active_rows(session: AsyncSession, *, now: datetime | None = None) -> list[WebhookSecret]:
    now = now or utcnow()
    result = await session.execute(
        select(WebhookSecret)
        .where(or_(WebhookSecret.expires_at.is_(None), WebhookSecret.expires_at > now))
        .order_by(WebhookSecret.id)
    )
    return list(result.scalars())


async def rows_for(session: AsyncSession, webhook_id: str) -> list[WebhookSecret]:
    result = await session.execute(
        select(WebhookSecret)
        .where(WebhookSecret.webhook_id == webhook_id)
        .order_by(WebhookSecret.id)
    )
    return list(result.scalars())


# --- what the receiver accepts ---------------------------------------------------------


class SecretRing:
    """The accepted secrets: configured ones plus unexpired stored ones, cached."""

    def __init__(
        self,
        configured: Sequence[str],
        *,
        db: Database | None,
        api_secret: str,
        refresh_seconds: float = 30.0,
    ) -> None:
        self._configured = tuple(s for s in configured if s)
        self._db = db
        self._api_secret = api_secret
        self._refresh = refresh_seconds
        self._stored: tuple[tuple[str, datetime | None], ...] = ()
        self._loaded_at = float("-inf")
        self._forced_at = float("-inf")

    def current(self) -> tuple[str, ...]:
        now = utcnow()
        stored = tuple(s for s, expires in self._stored if expires is None or expires > now)
        return self._configured + stored

    def is_empty(self) -> bool:
        return not self.current()

    def stale(self) -> bool:
        return time.monotonic() - self._loaded_at >= self._refresh

    def may_force(self) -> bool:
        """A failed signature may trigger one immediate reload per second."""
        return self._db is not None and time.monotonic() - self._forced_at >= 1.0

    async def reload(self, *, forced: bool = False) -> None:
        if self._db is None:
            return
        now_mono = time.monotonic()
        if forced:
            self._forced_at = now_mono
        self._loaded_at = now_mono  # concurrent requests do not all reload at once
        try:
            async with dbsession.session(self._db) as session:
                rows = await active_rows(session)
        except Exception as exc:  # noqa: BLE001 - keep the last known set
            log.warning("could not load stored webhook secrets: %s", type(exc).__name__)
            return
        opened: list[tuple[str, datetime | None]] = []
        for row in rows:
            if not self._api_secret:
                break
            try:
                opened.append((unseal(row.secret_ciphertext, self._api_secret), row.expires_at))
            except SealError as exc:
                log.warning(
                    "stored secret %s of webhook %s unusable: %s", row.id, row.webhook_id, exc
                )
        self._stored = tuple(opened)
