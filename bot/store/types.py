"""Column types shared by the models.

:class:`UTCDateTime` stores every timestamp as UTC and always hands back an aware
datetime, on PostgreSQL (``timestamptz``) and on SQLite (which has no time zone
type: values are stored as naive UTC text, so they also sort and compare correctly).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class NaiveDatetimeError(ValueError):
    """A naive datetime reached the store; its zone would be a guess, so it is refused."""


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that goes in aware (any zone) and comes out aware in UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        value = require_aware(value).astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def require_aware(value: datetime, what: str = "datetime") -> datetime:
    """``value`` unchanged, or NaiveDatetimeError when it has no time zone."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"naive {what} {value.isoformat()} given to the store; pass an aware datetime"
        )
    return value


def utcnow() -> datetime:
    return datetime.now(UTC)
