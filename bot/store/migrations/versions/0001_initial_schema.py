"""Initial schema: appointments, invitees, proposals, team counters, webhook inbox, secrets.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision: str = "0001_initial"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEAM_ID = sa.String(32)
SLACK_ID = sa.String(32)
EMAIL = sa.String(320)


def _in(column: str, values: tuple[str, ...]) -> str:
    # Frozen copy of the allowed values at this revision (do not import them from models).
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "team_counters",
        sa.Column("team_id", TEAM_ID, nullable=False),
        sa.Column("last_ref", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_team_counters")),
    )
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", TEAM_ID, nullable=False),
        sa.Column("ref", sa.Integer(), nullable=False),
        sa.Column("scheducal_id", sa.String(255), nullable=True),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("channel_id", SLACK_ID, nullable=False),
        sa.Column("message_ts", SLACK_ID, nullable=True),
        sa.Column("organizer_id", SLACK_ID, nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("start_utc", UTCDateTime(), nullable=False),
        sa.Column("end_utc", UTCDateTime(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        sa.UniqueConstraint("team_id", "ref", name=op.f("uq_appointments_team_id_ref")),
        sa.UniqueConstraint(
            "team_id", "idempotency_key", name=op.f("uq_appointments_team_id_idempotency_key")
        ),
        sa.UniqueConstraint("scheducal_id", name=op.f("uq_appointments_scheducal_id")),
        sa.CheckConstraint(
            _in("status", ("sending", "active", "canceled", "failed")),
            name=op.f("ck_appointments_status"),
        ),
        sa.CheckConstraint("end_utc > start_utc", name=op.f("ck_appointments_time_range")),
    )
    op.create_index(
        "ix_appointments_channel_start", "appointments", ["team_id", "channel_id", "start_utc"]
    )
    op.create_index(
        "ix_appointments_organizer_start", "appointments", ["team_id", "organizer_id", "start_utc"]
    )

    op.create_table(
        "invitees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", TEAM_ID, nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("email", EMAIL, nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("slack_user_id", SLACK_ID, nullable=True),
        sa.Column("response", sa.String(24), nullable=False),
        sa.Column("responded_at", UTCDateTime(), nullable=True),
        sa.Column("gmail_first_invite", sa.Boolean(), nullable=False),
        sa.Column("invite_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitees")),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_invitees_appointment_id_appointments"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "appointment_id", "email", name=op.f("uq_invitees_appointment_id_email")
        ),
        sa.CheckConstraint(
            _in("response", ("none", "accepted", "declined", "tentativelyAccepted")),
            name=op.f("ck_invitees_response"),
        ),
    )
    op.create_index(op.f("ix_invitees_slack_user_id"), "invitees", ["slack_user_id"])

    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", TEAM_ID, nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("attendee_email", EMAIL, nullable=False),
        sa.Column("attendee_name", sa.Text(), nullable=True),
        sa.Column("proposed_start_utc", UTCDateTime(), nullable=False),
        sa.Column("proposed_end_utc", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", SLACK_ID, nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("message_ts", SLACK_ID, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_proposals_appointment_id_appointments"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("event_id", name=op.f("uq_proposals_event_id")),
        sa.CheckConstraint(
            _in("status", ("open", "accepted", "kept", "stale")),
            name=op.f("ck_proposals_status"),
        ),
    )
    op.create_index("ix_proposals_appointment_status", "proposals", ["appointment_id", "status"])

    op.create_table(
        "inbox_events",
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("appointment_scheducal_id", sa.String(255), nullable=True),
        sa.Column("team_id", TEAM_ID, nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.Column("slack_ts", SLACK_ID, nullable=True),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_inbox_events")),
        sa.CheckConstraint(
            _in("status", ("pending", "posting", "done", "parked", "held")),
            name=op.f("ck_inbox_events_status"),
        ),
    )
    op.create_index("ix_inbox_events_status_next", "inbox_events", ["status", "next_attempt_at"])
    op.create_index(
        op.f("ix_inbox_events_appointment_scheducal_id"),
        "inbox_events",
        ["appointment_scheducal_id"],
    )

    op.create_table(
        "webhook_secrets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("webhook_id", sa.String(64), nullable=False),
        sa.Column("secret_ciphertext", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_secrets")),
    )
    op.create_index(op.f("ix_webhook_secrets_webhook_id"), "webhook_secrets", ["webhook_id"])


def downgrade() -> None:
    op.drop_table("webhook_secrets")
    op.drop_table("inbox_events")
    op.drop_table("proposals")
    op.drop_table("invitees")
    op.drop_table("appointments")
    op.drop_table("team_counters")
