"""Delivery lease: `deliveries.locked_until`; stage events indexed by time.

`locked_until`: while a delivery is `sending`, the time its sender's lease runs out (after which another
bot process may take it over); while `pending` after a failed attempt, the time before which it is not
retried. `ix_claim_stage_events_occurred_at`: the bot looks for recent stage changes every few seconds.

Revision ID: 0002_delivery_lease
Revises: 0001_initial
Create Date: 2026-11-24
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_delivery_lease"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_claim_stage_events_occurred_at"), "claim_stage_events", ["occurred_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_claim_stage_events_occurred_at"), table_name="claim_stage_events")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("locked_until")
