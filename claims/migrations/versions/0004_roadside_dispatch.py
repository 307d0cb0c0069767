"""Roadside dispatch: requests follow a provider's job; their status history; roadside cover on policies.

`roadside_requests`: the chat and language to answer in, the policy whose free calls it uses, the provider's
job id, dispatch attempts and back-off, the driver, truck and its position, ETA and distance as last reported,
and what the customer has been shown (the live location message, the last status and ETA told).
`dispatched` becomes `booked`, as dispatch APIs name it. `roadside_events`: each status change.

Revision ID: 0004_roadside_dispatch
Revises: 0003_agent_desk
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_roadside_dispatch"
down_revision = "0003_agent_desk"
branch_labels = None
depends_on = None

NEW_REQUEST_COLUMNS = (
    ("policy_id", sa.Integer()),
    ("chat_id", sa.BigInteger()),
    ("language", sa.String(length=32)),
    ("provider_job_id", sa.String(length=64)),
    ("next_dispatch_at", sa.DateTime(timezone=True)),
    ("last_error", sa.Text()),
    ("driver_name", sa.String(length=100)),
    ("driver_phone", sa.String(length=20)),
    ("truck_latitude", sa.Float()),
    ("truck_longitude", sa.Float()),
    ("distance_km", sa.Numeric(8, 1)),
    ("live_message_id", sa.BigInteger()),
    ("live_updated_at", sa.DateTime(timezone=True)),
    ("told_status", sa.String(length=32)),
    ("told_arrival_at", sa.DateTime(timezone=True)),
    ("cancel_reason", sa.String(length=64)),
    ("closed_at", sa.DateTime(timezone=True)),
)
NEW_FLAGS = ("hazard", "provider_cancel_pending", "live_stopped", "told_dispatch_delay")


def upgrade() -> None:
    with op.batch_alter_table("policies") as batch:
        batch.add_column(sa.Column("roadside_cover", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("roadside_requests") as batch:
        for name, type_ in NEW_REQUEST_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
        for name in NEW_FLAGS:
            batch.add_column(sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("dispatch_attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.create_foreign_key(op.f("fk_roadside_requests_policy_id_policies"), "policies", ["policy_id"], ["id"])
        batch.create_unique_constraint(op.f("uq_roadside_requests_provider_name_provider_job_id"),
                                       ["provider_name", "provider_job_id"])
    op.create_index(op.f("ix_roadside_requests_policy_id"), "roadside_requests", ["policy_id"], unique=False)
    op.create_index(op.f("ix_roadside_requests_chat_id"), "roadside_requests", ["chat_id"], unique=False)
    op.create_index("ix_roadside_requests_status_next_dispatch_at", "roadside_requests",
                    ["status", "next_dispatch_at"], unique=False)
    op.execute("UPDATE roadside_requests SET status = 'booked' WHERE status = 'dispatched'")
    op.create_table(
        "roadside_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["roadside_requests.id"],
                                name=op.f("fk_roadside_events_request_id_roadside_requests")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadside_events")),
    )
    op.create_index(op.f("ix_roadside_events_request_id"), "roadside_events", ["request_id"], unique=False)
    op.create_index("ix_roadside_events_to_status_occurred_at", "roadside_events", ["to_status", "occurred_at"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_roadside_events_to_status_occurred_at", table_name="roadside_events")
    op.drop_index(op.f("ix_roadside_events_request_id"), table_name="roadside_events")
    op.drop_table("roadside_events")
    op.execute("UPDATE roadside_requests SET status = 'dispatched' WHERE status = 'booked'")
    op.drop_index("ix_roadside_requests_status_next_dispatch_at", table_name="roadside_requests")
    op.drop_index(op.f("ix_roadside_requests_chat_id"), table_name="roadside_requests")
    op.drop_index(op.f("ix_roadside_requests_policy_id"), table_name="roadside_requests")
    with op.batch_alter_table("roadside_requests") as batch:
        batch.drop_constraint(op.f("uq_roadside_requests_provider_name_provider_job_id"), type_="unique")
        batch.drop_constraint(op.f("fk_roadside_requests_policy_id_policies"), type_="foreignkey")
        for name in ("dispatch_attempts", *NEW_FLAGS, *(name for name, _ in NEW_REQUEST_COLUMNS)):
            batch.drop_column(name)
    with op.batch_alter_table("policies") as batch:
        batch.drop_column("roadside_cover")
