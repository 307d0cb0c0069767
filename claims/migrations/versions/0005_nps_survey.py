"""NPS survey in chat: invitations, answers with their reason category, branch and channel, the opt-out.

`nps_surveys`: one invitation per paid claim and per completed rescue (unique), when it is due and what became
of it. `nps_responses` gains the survey, the reason category, the branch and the channel. `policies.branch`:
the insurer's branch serving the policy, which the report groups by. `chat_preferences.surveys_off`.

Revision ID: 0005_nps_survey
Revises: 0004_roadside_dispatch
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_nps_survey"
down_revision = "0004_roadside_dispatch"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nps_surveys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("claim_id", sa.Integer(), sa.ForeignKey("claims.id"), unique=True),
        sa.Column("roadside_request_id", sa.Integer(), sa.ForeignKey("roadside_requests.id"), unique=True),
        sa.Column("policyholder_id", sa.Integer(), sa.ForeignKey("policyholders.id"), nullable=False),
        sa.Column("chat_id", sa.BigInteger()),
        sa.Column("branch", sa.String(length=40)),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("answered_at", sa.DateTime(timezone=True)),
        sa.Column("note", sa.String(length=200)),
    )
    op.create_index("ix_nps_surveys_status_due_at", "nps_surveys", ["status", "due_at"])
    op.create_index("ix_nps_surveys_policyholder_id", "nps_surveys", ["policyholder_id"])
    with op.batch_alter_table("nps_responses") as batch:
        batch.add_column(sa.Column("survey_id", sa.Integer()))
        batch.add_column(sa.Column("reason", sa.String(length=32)))
        batch.add_column(sa.Column("branch", sa.String(length=40)))
        batch.add_column(sa.Column("channel", sa.String(length=20), nullable=False, server_default="telegram"))
        batch.create_foreign_key("fk_nps_responses_survey_id", "nps_surveys", ["survey_id"], ["id"])
        batch.create_unique_constraint("uq_nps_responses_survey_id", ["survey_id"])
    with op.batch_alter_table("policies") as batch:
        batch.add_column(sa.Column("branch", sa.String(length=40)))
    with op.batch_alter_table("chat_preferences") as batch:
        batch.add_column(sa.Column("surveys_off", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("chat_preferences") as batch:
        batch.drop_column("surveys_off")
    with op.batch_alter_table("policies") as batch:
        batch.drop_column("branch")
    with op.batch_alter_table("nps_responses") as batch:
        batch.drop_constraint("uq_nps_responses_survey_id", type_="unique")
        batch.drop_constraint("fk_nps_responses_survey_id", type_="foreignkey")
        for column in ("channel", "branch", "reason", "survey_id"):
            batch.drop_column(column)
    op.drop_index("ix_nps_surveys_policyholder_id", table_name="nps_surveys")
    op.drop_index("ix_nps_surveys_status_due_at", table_name="nps_surveys")
    op.drop_table("nps_surveys")
