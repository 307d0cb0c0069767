"""Reminders and broadcast campaigns: the scheduler's lease and job store, campaigns, customers' reminder
choices, blocked chats, the vehicle's inspection and service dates, the policyholder's city, when a delivery's
request went out, and one form of delivery key for every kind: `<kind>:<recipient>:<object>:<occasion>`.

Revision ID: 0006_outreach
Revises: 0005_nps_survey
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_outreach"
down_revision = "0005_nps_survey"
branch_labels = None
depends_on = None

_deliveries = sa.table(
    "deliveries", sa.column("id", sa.Integer), sa.column("kind", sa.String), sa.column("dedupe_key", sa.String),
    sa.column("chat_id", sa.BigInteger), sa.column("payload", sa.JSON),
)


def _new_key(kind: str, old: str, chat_id: int, payload: dict) -> str | None:
    """The key in the new form, for the kinds that had keys of their own before; None: leave it."""
    suffix = old.split(":", 1)[1] if ":" in old else ""
    if kind == "stage_update" and old.count(":") == 1:
        return f"stage_update:{chat_id}:claim-{payload.get('claim_id')}:event-{suffix}"
    if kind == "survey" and old.count(":") == 1:
        return f"survey:{chat_id}:survey-{suffix}:invitation"
    return None


def _old_key(kind: str, new: str) -> str | None:
    parts = new.split(":")
    if kind == "stage_update" and len(parts) == 4:
        return f"stage_update:{parts[3].removeprefix('event-')}"
    if kind == "survey" and len(parts) == 4:
        return f"survey:{parts[2].removeprefix('survey-')}"
    return None


def _rewrite_keys(convert) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_deliveries.c.id, _deliveries.c.kind, _deliveries.c.dedupe_key,
                                        _deliveries.c.chat_id, _deliveries.c.payload)).all()
    for row in rows:
        key = convert(row)
        if key is not None:
            connection.execute(_deliveries.update().where(_deliveries.c.id == row.id).values(dedupe_key=key))


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("text_zh", sa.Text(), nullable=False),
        sa.Column("button_en", sa.String(length=64)),
        sa.Column("button_zh", sa.String(length=64)),
        sa.Column("button_url", sa.String(length=500)),
        sa.Column("button_intent", sa.String(length=40)),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100)),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("audience_size", sa.Integer()),
        sa.Column("note", sa.String(length=200)),
    )
    op.create_index("ix_campaigns_status_send_at", "campaigns", ["status", "send_at"])
    op.create_table(
        "reminder_preferences",
        sa.Column("chat_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(length=32), primary_key=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "scheduler_leases",
        sa.Column("name", sa.String(length=40), primary_key=True),
        sa.Column("holder", sa.String(length=120), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    # APScheduler's SQLAlchemyJobStore table (its own layout), made here so that migrations own the schema.
    op.create_table(
        "scheduler_jobs",
        sa.Column("id", sa.Unicode(length=191), primary_key=True),
        sa.Column("next_run_time", sa.Float(precision=25), index=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
    )
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("campaign_id", sa.Integer()))
        batch.add_column(sa.Column("dispatched_at", sa.DateTime(timezone=True)))
        batch.create_foreign_key("fk_deliveries_campaign_id_campaigns", "campaigns", ["campaign_id"], ["id"])
        batch.create_index("ix_deliveries_campaign_id_status", ["campaign_id", "status"])
    with op.batch_alter_table("chat_preferences") as batch:
        batch.add_column(sa.Column("blocked_at", sa.DateTime(timezone=True)))
    with op.batch_alter_table("vehicles") as batch:
        batch.add_column(sa.Column("inspection_due_on", sa.Date()))
        batch.add_column(sa.Column("maintenance_due_on", sa.Date()))
    with op.batch_alter_table("policyholders") as batch:
        batch.add_column(sa.Column("city", sa.String(length=40)))
        batch.create_index("ix_policyholders_city", ["city"])
    _rewrite_keys(lambda row: _new_key(row.kind, row.dedupe_key, row.chat_id, row.payload or {}))


def downgrade() -> None:
    _rewrite_keys(lambda row: _old_key(row.kind, row.dedupe_key))
    op.execute("DELETE FROM deliveries WHERE kind IN ('reminder', 'broadcast')")
    with op.batch_alter_table("policyholders") as batch:
        batch.drop_index("ix_policyholders_city")
        batch.drop_column("city")
    with op.batch_alter_table("vehicles") as batch:
        batch.drop_column("maintenance_due_on")
        batch.drop_column("inspection_due_on")
    with op.batch_alter_table("chat_preferences") as batch:
        batch.drop_column("blocked_at")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index("ix_deliveries_campaign_id_status")
        batch.drop_constraint("fk_deliveries_campaign_id_campaigns", type_="foreignkey")
        batch.drop_column("campaign_id")
        batch.drop_column("dispatched_at")
    op.drop_table("scheduler_jobs")
    op.drop_table("scheduler_leases")
    op.drop_table("reminder_preferences")
    op.drop_index("ix_campaigns_status_send_at", table_name="campaigns")
    op.drop_table("campaigns")
