"""`scheducal-bot webhooks ...`: register our endpoint with ScheduCal, rotate its secret,
and look after events the worker could not deliver.

    register --url URL [--events T ...]   register (or reuse the registration of URL)
    list                                  registrations and the secrets we hold for them
    delete ID                             remove a registration (its secrets stop working)
    rotate ID [--grace-hours H]           new secret; the old one works for H more hours
    failed [--limit N]                    parked events (and kept ones of unknown appointments)
    replay ID                             queue a parked or kept event again

Secrets are stored sealed (see :mod:`bot.webhooks.secrets`); ``serve`` reads them
from the database, so nothing else is needed. The secret is printed once so it can
also be put in ``SCHEDUCAL_WEBHOOK_SECRET`` (needed only when the database is not
shared, or to pin it explicitly).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import timedelta
from typing import Any

from bot.scheducal.events import EVENT_TYPES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="webhooks_action", metavar="ACTION", required=True)
    register = actions.add_parser(
        "register", help="register this app's endpoint with ScheduCal (reuses one for the URL)"
    )
    register.add_argument(
        "--url",
        help="public HTTPS URL of POST /webhooks/scheducal "
        "(default: PUBLIC_URL + /webhooks/scheducal)",
    )
    register.add_argument(
        "--events",
        nargs="+",
        choices=EVENT_TYPES,
        default=list(EVENT_TYPES),
        metavar="TYPE",
        help=f"event types to receive (default: all of {', '.join(EVENT_TYPES)})",
    )
    actions.add_parser("list", help="show registrations and the secrets held for them")
    delete = actions.add_parser("delete", help="delete a registration")
    delete.add_argument("webhook_id", metavar="ID")
    rotate = actions.add_parser("rotate", help="regenerate a registration's signing secret")
    rotate.add_argument("webhook_id", metavar="ID")
    rotate.add_argument(
        "--grace-hours",
        type=float,
        default=None,
        help="hours the old secret is still accepted (default: WEBHOOK_SECRET_GRACE_HOURS, 24)",
    )
    failed = actions.add_parser("failed", help="list events that were parked or kept")
    failed.add_argument("--limit", type=int, default=50)
    replay = actions.add_parser("replay", help="queue a parked or kept event again")
    replay.add_argument("event_id", metavar="ID")


def run(args: argparse.Namespace) -> int:
    from bot.config import Settings

    settings = Settings.from_env()
    try:
        return asyncio.run(_run(settings, args))
    except CliError as exc:
        print(f"scheducal-bot webhooks: {exc}", file=sys.stderr)
        return 1


class CliError(Exception):
    """One line for the operator."""


async def _run(settings: Any, args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.scheducal.errors import ScheduCalError
    from bot.store.db import Database

    action = args.webhooks_action
    db = Database.from_settings(settings)
    try:
        if settings.database_url.startswith("sqlite"):
            await db.upgrade()
        if action == "failed":
            return await _failed(db, args.limit)
        if action == "replay":
            return await _replay(db, args.event_id)
        from bot.scheducal.client import ScheduCalClient

        settings.require("SCHEDUCAL_API_KEY", "SCHEDUCAL_API_SECRET")
        async with ScheduCalClient.from_settings(settings) as client:
            if action == "register":
                return await _register(settings, db, client, args)
            if action == "list":
                return await _list(settings, db, client)
            if action == "delete":
                return await _delete(db, client, args.webhook_id)
            return await _rotate(settings, db, client, args)
    except ScheduCalError as exc:
        raise CliError(f"the ScheduCal call did not succeed: {exc}") from None
    except (OSError, SQLAlchemyError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise CliError(f"cannot use the database or reach ScheduCal: {reason}") from None
    finally:
        await db.dispose()


def _secret_hint(secret: str) -> None:
    print("The signing secret is stored encrypted in the database; `serve` accepts it as is.")
    print("To set it explicitly instead (e.g. when serve uses another database):")
    print(f"  export SCHEDUCAL_WEBHOOK_SECRET={secret}")
    print("(several secrets may be given, comma-separated; this is the only time it is shown)")


async def _register(settings: Any, db: Any, client: Any, args: argparse.Namespace) -> int:
    from bot.webhooks.receiver import ROUTE
    from bot.webhooks.secrets import rows_for, store_secret

    url = args.url or (settings.public_url + ROUTE if settings.public_url else "")
    if not url:
        raise CliError("give --url (or set PUBLIC_URL) with the public HTTPS address")
    events = list(dict.fromkeys(args.events))
    existing = next((w for w in await client.list_webhooks() if w.webhook_url == url), None)
    if existing is not None:
        if sorted(existing.event_types) != sorted(events):
            existing = await client.update_webhook(existing.webhook_id, event_types=events)
            print(f"Updated webhook {existing.webhook_id}: events {', '.join(events)}.")
        else:
            print(f"Webhook {existing.webhook_id} is already registered for {url}.")
        async with db.session() as s:
            held = await rows_for(s, existing.webhook_id)
        if held or settings.scheducal_webhook_secrets:
            print("Its signing secret is already configured; nothing else to do.")
        else:
            print(
                "No secret for it is stored here: run "
                f"`scheducal-bot webhooks rotate {existing.webhook_id}` to get one."
            )
        return 0
    webhook = await client.register_webhook(url, events)
    print(f"Registered webhook {webhook.webhook_id} for {url} ({', '.join(events)}).")
    if not webhook.secret:
        raise CliError("ScheduCal returned no secret; run `webhooks rotate` for one")
    async with db.session() as s:
        await store_secret(
            s, webhook.webhook_id, webhook.secret, api_secret=settings.scheducal_api_secret
        )
    _secret_hint(webhook.secret)
    return 0


async def _list(settings: Any, db: Any, client: Any) -> int:
    from bot.store.types import utcnow
    from bot.webhooks.secrets import SealError, fingerprint, rows_for, unseal

    webhooks = await client.list_webhooks()
    if not webhooks:
        print("No webhooks registered. Run `scheducal-bot webhooks register --url URL`.")
        return 0
    now = utcnow()
    for webhook in webhooks:
        active = "" if getattr(webhook, "active", True) in (True, None) else " (inactive)"
        print(f"{webhook.webhook_id}  {webhook.webhook_url}{active}")
        print(f"    events: {', '.join(webhook.event_types)}")
        async with db.session() as s:
            rows = await rows_for(s, webhook.webhook_id)
        for row in rows:
            try:
                label = "secret " + fingerprint(
                    unseal(row.secret_ciphertext, settings.scheducal_api_secret)
                )
            except SealError:
                label = "secret (cannot be opened with this SCHEDUCAL_API_SECRET)"
            if row.expires_at is None:
                state = "current"
            elif row.expires_at > now:
                state = f"accepted until {row.expires_at:%Y-%m-%d %H:%M} UTC"
            else:
                state = "expired"
            print(f"    {label}: {state}")
        if not rows:
            print("    no secret stored here")
    return 0


async def _delete(db: Any, client: Any, webhook_id: str) -> int:
    from bot.store.types import utcnow
    from bot.webhooks.secrets import expire_secrets

    await client.delete_webhook(webhook_id)
    async with db.session() as s:
        await expire_secrets(s, webhook_id, at=utcnow())
    print(f"Deleted webhook {webhook_id}; its stored secrets are no longer accepted.")
    return 0


async def _rotate(settings: Any, db: Any, client: Any, args: argparse.Namespace) -> int:
    from bot.store.types import utcnow
    from bot.webhooks.options import WebhookOptions
    from bot.webhooks.secrets import expire_secrets, store_secret

    grace = (
        timedelta(hours=args.grace_hours)
        if args.grace_hours is not None
        else WebhookOptions.from_settings(settings).secret_grace
    )
    webhook = await client.regenerate_webhook_secret(args.webhook_id)
    if not webhook.secret:
        raise CliError("ScheduCal returned no new secret")
    until = utcnow() + grace
    async with db.session() as s:
        await expire_secrets(s, args.webhook_id, at=until)
        await store_secret(
            s, args.webhook_id, webhook.secret, api_secret=settings.scheducal_api_secret
        )
    print(f"New secret for webhook {args.webhook_id}.")
    print(f"The previous stored secret is still accepted until {until:%Y-%m-%d %H:%M} UTC.")
    if settings.scheducal_webhook_secrets:
        print("SCHEDUCAL_WEBHOOK_SECRET is set: add the new secret there (comma-separated)")
        print("and remove the old one once the grace period is over.")
    _secret_hint(webhook.secret)
    return 0


async def _failed(db: Any, limit: int) -> int:
    from bot.webhooks import inbox

    async with db.session() as s:
        rows = await inbox.list_failed(s, limit=limit)
    if not rows:
        print("No parked events.")
        return 0
    print(f"{'EVENT ID':<38} {'STATE':<7} {'TYPE':<27} {'TRIES':>5}  RECEIVED (UTC)    LAST ERROR")
    for row in rows:
        error = (row.last_error or "").splitlines()[0][:80] if row.last_error else ""
        print(
            f"{row.event_id:<38} {row.status:<7} {row.event_type:<27} {row.attempts:>5}  "
            f"{row.received_at:%Y-%m-%d %H:%M:%S} {error}"
        )
    print("Replay one with `scheducal-bot webhooks replay ID` (a running serve picks it up).")
    return 0


async def _replay(db: Any, event_id: str) -> int:
    from bot.webhooks import inbox

    async with db.session() as s:
        previous = await inbox.replay(s, event_id)
    if previous is None:
        raise CliError(f"no event {event_id} in the inbox")
    if previous in inbox.FAILED_STATUSES:
        print(f"Event {event_id} ({previous}) is queued again.")
        return 0
    if previous == "done":
        raise CliError(f"event {event_id} was already handled; replaying it would post twice")
    print(f"Event {event_id} is still queued ({previous}); nothing to do.")
    return 0
