"""Agent desk: handoff service levels and audit trail, desk-hours overrides.

`handoffs`: the context card's message, the first-response deadline, when a missed target was reminded,
transfers and how the case ended. `handoff_events`: who took a case when, transfers, internal notes,
reminders, hand-back. `desk_hours_overrides`: the desk closed early or opened outside its hours.

Revision ID: 0003_agent_desk
Revises: 0002_delivery_lease
Create Date: 2026-11-23
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_agent_desk"
down_revision = "0002_delivery_lease"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("customer_name", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("card_message_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("first_response_due_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("breached_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("transfer_count", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("outcome", sa.String(length=32), nullable=True))
    op.create_index(op.f("ix_handoffs_topic_id"), "handoffs", ["topic_id"], unique=False)
    op.create_table(
        "handoff_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("actor_telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], name=op.f("fk_handoff_events_handoff_id_handoffs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_events")),
    )
    op.create_index(op.f("ix_handoff_events_handoff_id"), "handoff_events", ["handoff_id"], unique=False)
    op.create_table(
        "desk_hours_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by_telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("set_by_name", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_hours_overrides")),
    )
    op.create_index(op.f("ix_desk_hours_overrides_starts_at"), "desk_hours_overrides", ["starts_at"], unique=False)
    op.create_index(op.f("ix_desk_hours_overrides_ends_at"), "desk_hours_overrides", ["ends_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_desk_hours_overrides_ends_at"), table_name="desk_hours_overrides")
    op.drop_index(op.f("ix_desk_hours_overrides_starts_at"), table_name="desk_hours_overrides")
    op.drop_table("desk_hours_overrides")
    op.drop_index(op.f("ix_handoff_events_handoff_id"), table_name="handoff_events")
    op.drop_table("handoff_events")
    op.drop_index(op.f("ix_handoffs_topic_id"), table_name="handoffs")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("outcome")
        batch.drop_column("transfer_count")
        batch.drop_column("breached_at")
        batch.drop_column("first_response_due_at")
        batch.drop_column("card_message_id")
        batch.drop_column("customer_name")
