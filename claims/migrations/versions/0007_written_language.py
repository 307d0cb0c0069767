"""The customer's language follows what they write: when they last wrote in a recognisable language.

Revision ID: 0007_written_language
Revises: 0006_outreach
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_written_language"
down_revision = "0006_outreach"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chat_preferences") as batch:
        batch.add_column(sa.Column("language_written_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("chat_preferences") as batch:
        batch.drop_column("language_written_at")
