"""The tables of the bot, as SQLAlchemy 2 declarative models.

Every Slack-facing row carries ``team_id`` so nothing assumes a single workspace.
Allowed values of the status-like columns are listed in tuples below and enforced by
CHECK constraints, so a typo in a caller fails loudly instead of storing nonsense.
The schema itself is created by the Alembic migrations in ``bot/store/migrations``;
a test compares the two so they cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.store.types import UTCDateTime, utcnow

APPOINTMENT_STATUSES = ("sending", "active", "canceled", "failed")
INVITEE_RESPONSES = ("none", "accepted", "declined", "tentativelyAccepted")
PROPOSAL_STATUSES = ("open", "accepted", "kept", "stale")
INBOX_STATUSES = ("pending", "posting", "done", "parked", "held")

# Stable constraint names, so later migrations (and SQLite batch mode) can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TEAM_ID = String(32)
SLACK_ID = String(32)  # channel, user and message ts values
EMAIL = String(320)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TeamCounter(Base):
    """The last short reference handed out in a team; bumped with one atomic UPDATE."""

    __tablename__ = "team_counters"

    team_id: Mapped[str] = mapped_column(TEAM_ID, primary_key=True)
    last_ref: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Appointment(Base):
    """One appointment sent from Slack; ``ref`` is the team-scoped ``#12`` people type."""

    __tablename__ = "appointments"
    __table_args__ = (
        UniqueConstraint("team_id", "ref"),
        UniqueConstraint("team_id", "idempotency_key"),
        CheckConstraint(_in("status", APPOINTMENT_STATUSES), name="status"),
        CheckConstraint("end_utc > start_utc", name="time_range"),
        Index("ix_appointments_channel_start", "team_id", "channel_id", "start_utc"),
        Index("ix_appointments_organizer_start", "team_id", "organizer_id", "start_utc"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, nullable=False)
    ref: Mapped[int] = mapped_column(Integer, nullable=False)
    scheducal_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), nullable=False)
    channel_id: Mapped[str] = mapped_column(SLACK_ID, nullable=False)
    message_ts: Mapped[str | None] = mapped_column(SLACK_ID)
    organizer_id: Mapped[str] = mapped_column(SLACK_ID, nullable=False)
    subject: Mapped[str] = mapped_column(Text, nullable=False)
    start_utc: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    end_utc: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False)
    location: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="sending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    # Loaded with the appointment (one extra SELECT ... IN), so async code never
    # trips over a lazy load.
    invitees: Mapped[list[Invitee]] = relationship(
        lazy="selectin",
        order_by="Invitee.id",
        cascade="all, delete-orphan",
        passive_deletes=True,  # the database's ON DELETE CASCADE removes them
    )

    def __repr__(self) -> str:
        return f"<Appointment #{self.ref} team={self.team_id} id={self.id} {self.status}>"


class Invitee(Base):
    """An attendee of an appointment with their latest response (emails stored lower-case)."""

    __tablename__ = "invitees"
    __table_args__ = (
        UniqueConstraint("appointment_id", "email"),
        CheckConstraint(_in("response", INVITEE_RESPONSES), name="response"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, nullable=False)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), nullable=False
    )
    email: Mapped[str] = mapped_column(EMAIL, nullable=False)
    name: Mapped[str | None] = mapped_column(Text)
    slack_user_id: Mapped[str | None] = mapped_column(SLACK_ID, index=True)
    response: Mapped[str] = mapped_column(String(24), nullable=False, default="none")
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    gmail_first_invite: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    invite_error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<Invitee {self.email} {self.response} appointment={self.appointment_id}>"


class Proposal(Base):
    """A new time an attendee proposed (one per webhook event), and who decided on it."""

    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint(_in("status", PROPOSAL_STATUSES), name="status"),
        Index("ix_proposals_appointment_status", "appointment_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID, nullable=False)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), nullable=False
    )
    event_id: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    attendee_email: Mapped[str] = mapped_column(EMAIL, nullable=False)
    attendee_name: Mapped[str | None] = mapped_column(Text)
    proposed_start_utc: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    proposed_end_utc: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    decided_by: Mapped[str | None] = mapped_column(SLACK_ID)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_ts: Mapped[str | None] = mapped_column(SLACK_ID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.status} appointment={self.appointment_id}>"


class InboxEvent(Base):
    """A verified ScheduCal webhook delivery, kept until the worker has handled it.

    The table belongs to the webhook pipeline (``bot/webhooks``), which owns the logic;
    it lives here so there is one metadata and one migration history. ``team_id`` is
    unknown when the event arrives and is filled in once the appointment is found.
    """

    __tablename__ = "inbox_events"
    __table_args__ = (
        CheckConstraint(_in("status", INBOX_STATUSES), name="status"),
        Index("ix_inbox_events_status_next", "status", "next_attempt_at"),
    )

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64), nullable=False)
    appointment_scheducal_id: Mapped[str | None] = mapped_column(String(255), index=True)
    team_id: Mapped[str | None] = mapped_column(TEAM_ID)
    payload: Mapped[str] = mapped_column(Text, nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    slack_ts: Mapped[str | None] = mapped_column(SLACK_ID)

    def __repr__(self) -> str:
        return f"<InboxEvent {self.event_id} {self.event_type} {self.status}>"


class WebhookSecret(Base):
    """A signing secret of a registered ScheduCal webhook, stored encrypted, never in clear.

    Several rows per webhook are normal while a rotated secret is still accepted until
    ``expires_at``. The ScheduCal account belongs to the deployment, not to a Slack
    team, so these rows carry no ``team_id``.
    """

    __tablename__ = "webhook_secrets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    webhook_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    secret_ciphertext: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:  # never shows the secret
        return f"<WebhookSecret {self.id} webhook={self.webhook_id}>"
