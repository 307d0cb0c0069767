"""Initial schema.

Policyholders, policies, vehicles, adjusters, claims with their stage history and documents, roadside
requests, NPS answers, handoffs, the transcript, chat preferences, verification attempts and the outbox.

Enums are stored as VARCHAR(32) holding the enum value (models use sa.Enum(native_enum=False)), datetimes
as timestamptz (SQLite: naive UTC, read back aware by claims.models.UTCDateTime), money as NUMERIC(12, 2).

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('adjusters',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('email', sa.String(length=120), nullable=False),
        sa.Column('region', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_adjusters'))
    )
    op.create_table('chat_preferences',
        sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('telegram_user_id', sa.BigInteger(), nullable=True),
        sa.Column('language', sa.String(length=32), nullable=False),
        sa.Column('language_chosen', sa.Boolean(), nullable=False),
        sa.Column('updates_muted', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('chat_id', name=op.f('pk_chat_preferences'))
    )
    op.create_table('conversation_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('chat_id', sa.BigInteger(), nullable=False),
        sa.Column('direction', sa.String(length=32), nullable=False),
        sa.Column('sender', sa.String(length=32), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_messages'))
    )
    op.create_index('ix_conversation_messages_chat_id_created_at', 'conversation_messages', ['chat_id', 'created_at'], unique=False)

    op.create_table('deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('dedupe_key', sa.String(length=200), nullable=False),
        sa.Column('chat_id', sa.BigInteger(), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('telegram_message_id', sa.BigInteger(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
        sa.UniqueConstraint('dedupe_key', name=op.f('uq_deliveries_dedupe_key'))
    )
    op.create_index('ix_deliveries_status_created_at', 'deliveries', ['status', 'created_at'], unique=False)

    op.create_table('policyholders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('full_name', sa.String(length=100), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('date_of_birth', sa.Date(), nullable=False),
        sa.Column('id_number_last4', sa.String(length=4), nullable=False),
        sa.Column('preferred_language', sa.String(length=32), nullable=False),
        sa.Column('telegram_user_id', sa.BigInteger(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_policyholders')),
        sa.UniqueConstraint('phone', name=op.f('uq_policyholders_phone')),
        sa.UniqueConstraint('telegram_user_id', name=op.f('uq_policyholders_telegram_user_id'))
    )
    op.create_table('verification_attempts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('chat_id', sa.BigInteger(), nullable=False),
        sa.Column('method', sa.String(length=32), nullable=False),
        sa.Column('succeeded', sa.Boolean(), nullable=False),
        sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_attempts'))
    )
    op.create_index('ix_verification_attempts_chat_id_attempted_at', 'verification_attempts', ['chat_id', 'attempted_at'], unique=False)

    op.create_table('policies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('policy_number', sa.String(length=20), nullable=False),
        sa.Column('policyholder_id', sa.Integer(), nullable=False),
        sa.Column('product', sa.String(length=40), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('deductible', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column('sum_insured', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['policyholder_id'], ['policyholders.id'], name=op.f('fk_policies_policyholder_id_policyholders')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_policies')),
        sa.UniqueConstraint('policy_number', name=op.f('uq_policies_policy_number'))
    )
    op.create_index(op.f('ix_policies_policyholder_id'), 'policies', ['policyholder_id'], unique=False)

    op.create_table('vehicles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('policy_id', sa.Integer(), nullable=False),
        sa.Column('plate_number', sa.String(length=10), nullable=False),
        sa.Column('vin', sa.String(length=17), nullable=False),
        sa.Column('make', sa.String(length=40), nullable=False),
        sa.Column('model', sa.String(length=40), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('colour', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_vehicles_policy_id_policies')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_vehicles')),
        sa.UniqueConstraint('plate_number', name=op.f('uq_vehicles_plate_number'))
    )
    op.create_index(op.f('ix_vehicles_policy_id'), 'vehicles', ['policy_id'], unique=False)

    op.create_table('claims',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('claim_number', sa.String(length=20), nullable=False),
        sa.Column('policy_id', sa.Integer(), nullable=False),
        sa.Column('vehicle_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=32), nullable=False),
        sa.Column('fast_track', sa.Boolean(), nullable=False),
        sa.Column('injuries', sa.Boolean(), nullable=False),
        sa.Column('third_party', sa.String(length=32), nullable=False),
        sa.Column('incident_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('location_text', sa.Text(), nullable=True),
        sa.Column('latitude', sa.Float(), nullable=True),
        sa.Column('longitude', sa.Float(), nullable=True),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('police_report_number', sa.String(length=40), nullable=True),
        sa.Column('drivable', sa.Boolean(), nullable=True),
        sa.Column('estimate_band', sa.String(length=32), nullable=False),
        sa.Column('adjuster_id', sa.Integer(), nullable=True),
        sa.Column('assessed_parts', sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column('assessed_labour', sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column('depreciation', sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column('salvage', sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column('deductible_applied', sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column('payout_amount', sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column('payout_card_last4', sa.String(length=4), nullable=True),
        sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('stage_changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['adjuster_id'], ['adjusters.id'], name=op.f('fk_claims_adjuster_id_adjusters')),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_claims_policy_id_policies')),
        sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_claims_vehicle_id_vehicles')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_claims')),
        sa.UniqueConstraint('claim_number', name=op.f('uq_claims_claim_number'))
    )
    op.create_index(op.f('ix_claims_adjuster_id'), 'claims', ['adjuster_id'], unique=False)
    op.create_index(op.f('ix_claims_policy_id'), 'claims', ['policy_id'], unique=False)
    op.create_index(op.f('ix_claims_stage'), 'claims', ['stage'], unique=False)
    op.create_index(op.f('ix_claims_vehicle_id'), 'claims', ['vehicle_id'], unique=False)

    op.create_table('roadside_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=20), nullable=False),
        sa.Column('policyholder_id', sa.Integer(), nullable=False),
        sa.Column('vehicle_id', sa.Integer(), nullable=True),
        sa.Column('service_type', sa.String(length=32), nullable=False),
        sa.Column('latitude', sa.Float(), nullable=True),
        sa.Column('longitude', sa.Float(), nullable=True),
        sa.Column('address', sa.Text(), nullable=True),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('provider_name', sa.String(length=100), nullable=True),
        sa.Column('truck_plate', sa.String(length=10), nullable=True),
        sa.Column('eta_minutes', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['policyholder_id'], ['policyholders.id'], name=op.f('fk_roadside_requests_policyholder_id_policyholders')),
        sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_roadside_requests_vehicle_id_vehicles')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_roadside_requests')),
        sa.UniqueConstraint('reference', name=op.f('uq_roadside_requests_reference'))
    )
    op.create_index(op.f('ix_roadside_requests_policyholder_id'), 'roadside_requests', ['policyholder_id'], unique=False)

    op.create_table('claim_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('claim_id', sa.Integer(), nullable=False),
        sa.Column('checklist_item', sa.String(length=32), nullable=False),
        sa.Column('file_path', sa.String(length=500), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('mime_type', sa.String(length=100), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('telegram_file_id', sa.String(length=200), nullable=True),
        sa.Column('exif', sa.JSON(), nullable=True),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_documents_claim_id_claims')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_documents')),
        sa.UniqueConstraint('claim_id', 'sha256', name=op.f('uq_claim_documents_claim_id_sha256'))
    )
    op.create_index(op.f('ix_claim_documents_claim_id'), 'claim_documents', ['claim_id'], unique=False)

    op.create_table('claim_stage_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('claim_id', sa.Integer(), nullable=False),
        sa.Column('from_stage', sa.String(length=32), nullable=True),
        sa.Column('to_stage', sa.String(length=32), nullable=False),
        sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('actor', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_stage_events_claim_id_claims')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_stage_events'))
    )
    op.create_index(op.f('ix_claim_stage_events_claim_id'), 'claim_stage_events', ['claim_id'], unique=False)

    op.create_table('handoffs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('chat_id', sa.BigInteger(), nullable=False),
        sa.Column('telegram_user_id', sa.BigInteger(), nullable=True),
        sa.Column('policyholder_id', sa.Integer(), nullable=True),
        sa.Column('claim_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.String(length=32), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('agent_telegram_id', sa.BigInteger(), nullable=True),
        sa.Column('agent_name', sa.String(length=100), nullable=True),
        sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('first_response_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('topic_id', sa.BigInteger(), nullable=True),
        sa.Column('summary', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_handoffs_claim_id_claims')),
        sa.ForeignKeyConstraint(['policyholder_id'], ['policyholders.id'], name=op.f('fk_handoffs_policyholder_id_policyholders')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_handoffs'))
    )
    op.create_index(op.f('ix_handoffs_chat_id'), 'handoffs', ['chat_id'], unique=False)
    op.create_index('ix_handoffs_status_requested_at', 'handoffs', ['status', 'requested_at'], unique=False)
    # At most one open (queued or assigned) handoff per chat, even when two requests race.
    op.create_index('uq_handoffs_open_chat_id', 'handoffs', ['chat_id'], unique=True, sqlite_where=sa.text("status IN ('queued', 'assigned')"), postgresql_where=sa.text("status IN ('queued', 'assigned')"))

    op.create_table('nps_responses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('policyholder_id', sa.Integer(), nullable=True),
        sa.Column('chat_id', sa.BigInteger(), nullable=False),
        sa.Column('claim_id', sa.Integer(), nullable=True),
        sa.Column('roadside_request_id', sa.Integer(), nullable=True),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('follow_up', sa.String(length=32), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('score >= 0 AND score <= 10', name=op.f('ck_nps_responses_score_range')),
        sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_nps_responses_claim_id_claims')),
        sa.ForeignKeyConstraint(['policyholder_id'], ['policyholders.id'], name=op.f('fk_nps_responses_policyholder_id_policyholders')),
        sa.ForeignKeyConstraint(['roadside_request_id'], ['roadside_requests.id'], name=op.f('fk_nps_responses_roadside_request_id_roadside_requests')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_nps_responses'))
    )
    op.create_index(op.f('ix_nps_responses_claim_id'), 'nps_responses', ['claim_id'], unique=False)
    op.create_index(op.f('ix_nps_responses_policyholder_id'), 'nps_responses', ['policyholder_id'], unique=False)


def downgrade() -> None:
    op.drop_table('nps_responses')
    op.drop_table('handoffs')
    op.drop_table('claim_stage_events')
    op.drop_table('claim_documents')
    op.drop_table('roadside_requests')
    op.drop_table('claims')
    op.drop_table('vehicles')
    op.drop_table('policies')
    op.drop_table('verification_attempts')
    op.drop_table('policyholders')
    op.drop_table('deliveries')
    op.drop_table('conversation_messages')
    op.drop_table('chat_preferences')
    op.drop_table('adjusters')
