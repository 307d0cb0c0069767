"""The claims store: SQLAlchemy 2.x models shared by the bot, the action server and the scripts."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from claims.clock import require_aware, utcnow
from claims.enums import (
    CampaignKind, CampaignStatus, ChecklistItem, DeliveryKind, DeliveryStatus, HandoffEventKind, HandoffOutcome, HandoffReason, HandoffStatus,
    Language, MessageDirection, MessageSender, NpsFollowUp, NpsReason, PolicyStatus, ReminderKind, RoadsideStatus,
    ServiceType,
    SurveyStatus, SurveyTrigger, ThirdParty, VerificationMethod,
)
from claims.money import to_money
from claims.nps import NpsCategory, nps_category
from claims.stages import ClaimStage
from claims.triage import EstimateBand

# Deterministic constraint names, so that Alembic can alter them on PostgreSQL and in SQLite batch mode.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
ENUM_LENGTH = 32  # room for new values without a column change


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC; SQLite, which drops the offset, gives them back aware too."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: sa.Dialect) -> Optional[datetime]:
        if value is None:
            return None
        value = require_aware(value).astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Optional[datetime], dialect: sa.Dialect) -> Optional[datetime]:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Money(TypeDecorator[Decimal]):
    """NUMERIC(12, 2) as Decimal; refuses floats so that no inexact amount reaches the store."""

    impl = sa.Numeric(12, 2, asdecimal=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[Decimal], dialect: sa.Dialect) -> Optional[Decimal]:
        return None if value is None else to_money(value)

    def process_result_value(self, value: Optional[Decimal], dialect: sa.Dialect) -> Optional[Decimal]:
        return None if value is None else to_money(Decimal(value))


def enum_column(enum_class: type[Enum]) -> sa.Enum:
    """A VARCHAR column holding the enum's `.value` (not its name), without a native type or CHECK."""
    return sa.Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=ENUM_LENGTH,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), Decimal: Money(), dict[str, Any]: sa.JSON()}


class Policyholder(Base):
    __tablename__ = "policyholders"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(100))  # as on the ID card, Chinese or Latin
    phone: Mapped[str] = mapped_column(String(20), unique=True)  # E.164
    date_of_birth: Mapped[date] = mapped_column(Date)
    id_number_last4: Mapped[str] = mapped_column(String(4))  # never the full resident ID number
    preferred_language: Mapped[Language] = mapped_column(enum_column(Language), default=Language.en)
    telegram_user_id: Mapped[Optional[int]] = mapped_column(BigInteger, unique=True)  # linked after verification
    city: Mapped[Optional[str]] = mapped_column(String(40), index=True)  # where they live: campaigns' audience
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    policies: Mapped[list[Policy]] = relationship(back_populates="policyholder", order_by="Policy.id")


class Policy(Base):
    __tablename__ = "policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_number: Mapped[str] = mapped_column(String(20), unique=True)  # PMV-2026-0000123
    policyholder_id: Mapped[int] = mapped_column(ForeignKey("policyholders.id"), index=True)
    product: Mapped[str] = mapped_column(String(40))  # comprehensive, third_party_only...
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    deductible: Mapped[Decimal]  # a fixed amount per claim
    sum_insured: Mapped[Decimal]
    status: Mapped[PolicyStatus] = mapped_column(enum_column(PolicyStatus), default=PolicyStatus.active)
    roadside_cover: Mapped[bool] = mapped_column(Boolean, default=True)  # the roadside assistance clause
    branch: Mapped[Optional[str]] = mapped_column(String(40))  # the insurer's branch serving it: Shanghai, Suzhou

    policyholder: Mapped[Policyholder] = relationship(back_populates="policies")
    vehicles: Mapped[list[Vehicle]] = relationship(back_populates="policy", order_by="Vehicle.id")
    claims: Mapped[list[Claim]] = relationship(back_populates="policy", order_by="Claim.id")


class Vehicle(Base):
    __tablename__ = "vehicles"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    plate_number: Mapped[str] = mapped_column(String(10), unique=True)  # normalised: 沪A12345, 粤BD12345
    vin: Mapped[str] = mapped_column(String(17))
    make: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    colour: Mapped[str] = mapped_column(String(20))
    # From the vehicle's papers: when its annual inspection and its next service are due (reminders).
    inspection_due_on: Mapped[Optional[date]] = mapped_column(Date)
    maintenance_due_on: Mapped[Optional[date]] = mapped_column(Date)

    policy: Mapped[Policy] = relationship(back_populates="vehicles")


class Adjuster(Base):
    """A claims adjuster who handles claims."""

    __tablename__ = "adjusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(120))
    region: Mapped[str] = mapped_column(String(40))


class Claim(Base):
    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_number: Mapped[str] = mapped_column(String(20), unique=True)  # CLM-2026-004217
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"), index=True)
    stage: Mapped[ClaimStage] = mapped_column(enum_column(ClaimStage), default=ClaimStage.reported, index=True)
    fast_track: Mapped[bool] = mapped_column(Boolean, default=False)
    injuries: Mapped[bool] = mapped_column(Boolean, default=False)
    third_party: Mapped[ThirdParty] = mapped_column(enum_column(ThirdParty), default=ThirdParty.none)
    incident_at: Mapped[datetime]
    reported_at: Mapped[datetime]
    location_text: Mapped[Optional[str]] = mapped_column(Text)
    latitude: Mapped[Optional[float]]
    longitude: Mapped[Optional[float]]
    description: Mapped[str] = mapped_column(Text, default="")
    police_report_number: Mapped[Optional[str]] = mapped_column(String(40))
    drivable: Mapped[Optional[bool]] = mapped_column(Boolean)
    estimate_band: Mapped[EstimateBand] = mapped_column(enum_column(EstimateBand), default=EstimateBand.unknown)
    adjuster_id: Mapped[Optional[int]] = mapped_column(ForeignKey("adjusters.id"), index=True)
    assessed_parts: Mapped[Optional[Decimal]]
    assessed_labour: Mapped[Optional[Decimal]]
    depreciation: Mapped[Optional[Decimal]]
    salvage: Mapped[Optional[Decimal]]
    deductible_applied: Mapped[Optional[Decimal]]
    payout_amount: Mapped[Optional[Decimal]]
    payout_card_last4: Mapped[Optional[str]] = mapped_column(String(4))  # never the full card number
    paid_at: Mapped[Optional[datetime]]
    stage_changed_at: Mapped[datetime]

    policy: Mapped[Policy] = relationship(back_populates="claims")
    vehicle: Mapped[Vehicle] = relationship()
    adjuster: Mapped[Optional[Adjuster]] = relationship()
    stage_events: Mapped[list[ClaimStageEvent]] = relationship(
        back_populates="claim",
        order_by="(ClaimStageEvent.occurred_at, ClaimStageEvent.id)",
        cascade="all, delete-orphan",
    )
    documents: Mapped[list[ClaimDocument]] = relationship(
        back_populates="claim", order_by="ClaimDocument.id", cascade="all, delete-orphan"
    )


class ClaimStageEvent(Base):
    """One stage change of a claim: the history the customer sees and the trigger of stage updates."""

    __tablename__ = "claim_stage_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    from_stage: Mapped[Optional[ClaimStage]] = mapped_column(enum_column(ClaimStage))
    to_stage: Mapped[ClaimStage] = mapped_column(enum_column(ClaimStage))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # recent ones are pushed
    note: Mapped[Optional[str]] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(32))  # policyholder, back_office, system

    claim: Mapped[Claim] = relationship(back_populates="stage_events")


class ClaimDocument(Base):
    __tablename__ = "claim_documents"
    __table_args__ = (sa.UniqueConstraint("claim_id", "sha256"),)  # the same photo twice is one document

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    checklist_item: Mapped[ChecklistItem] = mapped_column(enum_column(ChecklistItem))
    file_path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    mime_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    telegram_file_id: Mapped[Optional[str]] = mapped_column(String(200))
    exif: Mapped[Optional[dict[str, Any]]]  # kept for fraud checks, never shown
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    claim: Mapped[Claim] = relationship(back_populates="documents")


class RoadsideRequest(Base):
    """A stranded customer's request for roadside help, from confirmation to completion.

    Stored (status `requested`) before anything is sent to a provider; the bot's dispatcher sends it, retrying
    until a provider accepts it (`provider_job_id`), then follows the job (claims.roadside.dispatch).
    """

    __tablename__ = "roadside_requests"
    __table_args__ = (
        Index("ix_roadside_requests_status_next_dispatch_at", "status", "next_dispatch_at"),
        # A job id is the provider's: unique for that provider, not across providers.
        sa.UniqueConstraint("provider_name", "provider_job_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # RSA-2026-000123
    policyholder_id: Mapped[int] = mapped_column(ForeignKey("policyholders.id"), index=True)
    policy_id: Mapped[Optional[int]] = mapped_column(ForeignKey("policies.id"), index=True)  # counts its free calls
    vehicle_id: Mapped[Optional[int]] = mapped_column(ForeignKey("vehicles.id"))
    chat_id: Mapped[Optional[int]] = mapped_column(BigInteger, index=True)  # where the customer is told
    language: Mapped[Optional[Language]] = mapped_column(enum_column(Language))
    service_type: Mapped[ServiceType] = mapped_column(enum_column(ServiceType))
    latitude: Mapped[Optional[float]]
    longitude: Mapped[Optional[float]]
    address: Mapped[Optional[str]] = mapped_column(Text)
    hazard: Mapped[bool] = mapped_column(Boolean, default=False)  # on a motorway or otherwise in danger
    status: Mapped[RoadsideStatus] = mapped_column(enum_column(RoadsideStatus), default=RoadsideStatus.requested)
    # Dispatch: sent to the provider until it accepts; attempts and back-off survive restarts.
    provider_name: Mapped[Optional[str]] = mapped_column(String(100))
    provider_job_id: Mapped[Optional[str]] = mapped_column(String(64))
    dispatch_attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_dispatch_at: Mapped[Optional[datetime]]
    last_error: Mapped[Optional[str]] = mapped_column(Text)
    provider_cancel_pending: Mapped[bool] = mapped_column(Boolean, default=False)  # cancelled here, not yet there
    # The job as the provider last reported it.
    driver_name: Mapped[Optional[str]] = mapped_column(String(100))
    driver_phone: Mapped[Optional[str]] = mapped_column(String(20))
    truck_plate: Mapped[Optional[str]] = mapped_column(String(10))
    truck_latitude: Mapped[Optional[float]]
    truck_longitude: Mapped[Optional[float]]
    eta_minutes: Mapped[Optional[int]] = mapped_column(Integer)
    distance_km: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(8, 1, asdecimal=True))
    # What the customer has been shown: the live location message, the last status and ETA told.
    live_message_id: Mapped[Optional[int]] = mapped_column(BigInteger)
    live_updated_at: Mapped[Optional[datetime]]
    live_stopped: Mapped[bool] = mapped_column(Boolean, default=False)
    told_status: Mapped[Optional[RoadsideStatus]] = mapped_column(enum_column(RoadsideStatus))
    told_arrival_at: Mapped[Optional[datetime]]  # the arrival time last told: a new ETA is told when it moves
    told_dispatch_delay: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_reason: Mapped[Optional[str]] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[Optional[datetime]]

    policyholder: Mapped[Policyholder] = relationship()
    policy: Mapped[Optional[Policy]] = relationship()
    vehicle: Mapped[Optional[Vehicle]] = relationship()
    events: Mapped[list[RoadsideEvent]] = relationship(
        back_populates="request", order_by="(RoadsideEvent.occurred_at, RoadsideEvent.id)", cascade="all, delete-orphan"
    )


class RoadsideEvent(Base):
    """One status change of a roadside request; `completed` ones are what the NPS survey picks up."""

    __tablename__ = "roadside_events"
    __table_args__ = (Index("ix_roadside_events_to_status_occurred_at", "to_status", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("roadside_requests.id"), index=True)
    from_status: Mapped[Optional[RoadsideStatus]] = mapped_column(enum_column(RoadsideStatus))
    to_status: Mapped[RoadsideStatus] = mapped_column(enum_column(RoadsideStatus))
    actor: Mapped[str] = mapped_column(String(32))  # customer, provider, system
    note: Mapped[Optional[str]] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[RoadsideRequest] = relationship(back_populates="events")


class NpsSurvey(Base):
    """One survey invitation: at most one per paid claim and per completed rescue (claims.survey.invitations)."""

    __tablename__ = "nps_surveys"
    __table_args__ = (Index("ix_nps_surveys_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trigger: Mapped[SurveyTrigger] = mapped_column(enum_column(SurveyTrigger))
    claim_id: Mapped[Optional[int]] = mapped_column(ForeignKey("claims.id"), unique=True)
    roadside_request_id: Mapped[Optional[int]] = mapped_column(ForeignKey("roadside_requests.id"), unique=True)
    policyholder_id: Mapped[int] = mapped_column(ForeignKey("policyholders.id"), index=True)
    chat_id: Mapped[Optional[int]] = mapped_column(BigInteger)  # the linked Telegram chat, when there is one
    branch: Mapped[Optional[str]] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20), default="telegram")
    status: Mapped[SurveyStatus] = mapped_column(enum_column(SurveyStatus), default=SurveyStatus.scheduled)
    completed_at: Mapped[datetime]  # when the claim was paid or the rescue completed
    due_at: Mapped[datetime]  # completed_at + the delay; later while quiet hours or a busy chat defer it
    sent_at: Mapped[Optional[datetime]]
    answered_at: Mapped[Optional[datetime]]
    note: Mapped[Optional[str]] = mapped_column(String(200))  # why it was withheld or deferred

    claim: Mapped[Optional[Claim]] = relationship()
    roadside_request: Mapped[Optional[RoadsideRequest]] = relationship()
    policyholder: Mapped[Policyholder] = relationship()
    response: Mapped[Optional["NpsResponse"]] = relationship(back_populates="survey")


class NpsResponse(Base):
    __tablename__ = "nps_responses"
    __table_args__ = (CheckConstraint("score >= 0 AND score <= 10", name="score_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[Optional[int]] = mapped_column(ForeignKey("nps_surveys.id"), unique=True)
    policyholder_id: Mapped[Optional[int]] = mapped_column(ForeignKey("policyholders.id"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    claim_id: Mapped[Optional[int]] = mapped_column(ForeignKey("claims.id"), index=True)
    roadside_request_id: Mapped[Optional[int]] = mapped_column(ForeignKey("roadside_requests.id"))
    score: Mapped[int] = mapped_column(Integer)
    follow_up: Mapped[NpsFollowUp] = mapped_column(enum_column(NpsFollowUp))  # the question that was asked
    comment: Mapped[Optional[str]] = mapped_column(Text)  # the answer in the customer's words; None: skipped
    reason: Mapped[Optional[NpsReason]] = mapped_column(enum_column(NpsReason))  # the study's category of it
    branch: Mapped[Optional[str]] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20), default="telegram")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    survey: Mapped[Optional[NpsSurvey]] = relationship(back_populates="response")
    policyholder: Mapped[Optional[Policyholder]] = relationship()
    claim: Mapped[Optional[Claim]] = relationship()
    roadside_request: Mapped[Optional[RoadsideRequest]] = relationship()

    @property
    def category(self) -> NpsCategory:
        """detractor (0-6), passive (7-8) or promoter (9-10)."""
        return nps_category(self.score)


class Handoff(Base):
    """A request to talk to a human agent, from queued to closed."""

    __tablename__ = "handoffs"
    __table_args__ = (
        # At most one open handoff per chat, even when two requests race.
        Index(
            "uq_handoffs_open_chat_id", "chat_id", unique=True,
            sqlite_where=sa.text("status IN ('queued', 'assigned')"),
            postgresql_where=sa.text("status IN ('queued', 'assigned')"),
        ),
        Index("ix_handoffs_status_requested_at", "status", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    telegram_user_id: Mapped[Optional[int]] = mapped_column(BigInteger)
    policyholder_id: Mapped[Optional[int]] = mapped_column(ForeignKey("policyholders.id"))
    claim_id: Mapped[Optional[int]] = mapped_column(ForeignKey("claims.id"))
    reason: Mapped[HandoffReason] = mapped_column(enum_column(HandoffReason))
    status: Mapped[HandoffStatus] = mapped_column(enum_column(HandoffStatus), default=HandoffStatus.queued)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    agent_telegram_id: Mapped[Optional[int]] = mapped_column(BigInteger)
    agent_name: Mapped[Optional[str]] = mapped_column(String(100))
    assigned_at: Mapped[Optional[datetime]]
    first_response_at: Mapped[Optional[datetime]]
    closed_at: Mapped[Optional[datetime]]
    topic_id: Mapped[Optional[int]] = mapped_column(BigInteger, index=True)  # forum topic of the agents' group
    summary: Mapped[Optional[str]] = mapped_column(Text)
    customer_name: Mapped[Optional[str]] = mapped_column(String(100))  # as shown on Telegram; unverified
    # The context card in the topic, edited when the case is taken, transferred or closed.
    card_message_id: Mapped[Optional[int]] = mapped_column(BigInteger)
    # First-response target: an agent should take the case by then (open desk time only).
    first_response_due_at: Mapped[Optional[datetime]]
    breached_at: Mapped[Optional[datetime]]  # when the reminder went out for a missed target
    transfer_count: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[Optional[HandoffOutcome]] = mapped_column(enum_column(HandoffOutcome))

    policyholder: Mapped[Optional[Policyholder]] = relationship()
    claim: Mapped[Optional[Claim]] = relationship()
    events: Mapped[list[HandoffEvent]] = relationship(
        back_populates="handoff", order_by="(HandoffEvent.created_at, HandoffEvent.id)", cascade="all, delete-orphan"
    )


class HandoffEvent(Base):
    """The audit trail of a handoff: who took it when, transfers, internal notes, reminders, hand-back."""

    __tablename__ = "handoff_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id"), index=True)
    kind: Mapped[HandoffEventKind] = mapped_column(enum_column(HandoffEventKind))
    actor_telegram_id: Mapped[Optional[int]] = mapped_column(BigInteger)
    actor_name: Mapped[Optional[str]] = mapped_column(String(100))
    text: Mapped[Optional[str]] = mapped_column(Text)  # an internal note's words; never sent to the customer
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    handoff: Mapped[Handoff] = relationship(back_populates="events")


class DeskHoursOverride(Base):
    """An agent closed the desk early or opened it outside hours, for a period (see claims.desk_hours)."""

    __tablename__ = "desk_hours_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    is_open: Mapped[bool] = mapped_column(Boolean)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column(index=True)
    set_by_telegram_id: Mapped[Optional[int]] = mapped_column(BigInteger)
    set_by_name: Mapped[Optional[str]] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConversationMessage(Base):
    """The transcript an agent reads when taking over a chat (a store, not a log: text kept as is)."""

    __tablename__ = "conversation_messages"
    __table_args__ = (Index("ix_conversation_messages_chat_id_created_at", "chat_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    direction: Mapped[MessageDirection] = mapped_column(enum_column(MessageDirection))
    sender: Mapped[MessageSender] = mapped_column(enum_column(MessageSender))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChatPreference(Base):
    __tablename__ = "chat_preferences"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    telegram_user_id: Mapped[Optional[int]] = mapped_column(BigInteger)
    language: Mapped[Language] = mapped_column(enum_column(Language), default=Language.en)
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False)  # set with /language, not guessed
    # When the language was last taken from what the customer wrote: from then on what they write, not their phone's
    # setting, picks the language (until they choose one with /language).
    language_written_at: Mapped[Optional[datetime]]
    updates_muted: Mapped[bool] = mapped_column(Boolean, default=False)
    surveys_off: Mapped[bool] = mapped_column(Boolean, default=False)  # `/surveys off`
    # Telegram answered 403 (the customer blocked the bot): nothing proactive goes there until they write again.
    blocked_at: Mapped[Optional[datetime]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VerificationAttempt(Base):
    __tablename__ = "verification_attempts"
    __table_args__ = (Index("ix_verification_attempts_chat_id_attempted_at", "chat_id", "attempted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[VerificationMethod] = mapped_column(enum_column(VerificationMethod))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReminderPreference(Base):
    """A customer's choice for one kind of reminder (`/reminders`); no row: on."""

    __tablename__ = "reminder_preferences"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[ReminderKind] = mapped_column(enum_column(ReminderKind), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Campaign(Base):
    """A broadcast an operator created (claims.campaigns): who gets it, what it says, when, how far it got."""

    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_status_send_at", "status", "send_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[CampaignKind] = mapped_column(enum_column(CampaignKind), default=CampaignKind.message)
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)  # claims.campaigns.audience.AudienceFilter
    text_en: Mapped[str] = mapped_column(Text)
    text_zh: Mapped[str] = mapped_column(Text)
    # An optional button: a link, or one of the things a customer can start (claims.campaigns.BUTTON_INTENTS).
    button_en: Mapped[Optional[str]] = mapped_column(String(64))
    button_zh: Mapped[Optional[str]] = mapped_column(String(64))
    button_url: Mapped[Optional[str]] = mapped_column(String(500))
    button_intent: Mapped[Optional[str]] = mapped_column(String(40))
    status: Mapped[CampaignStatus] = mapped_column(enum_column(CampaignStatus), default=CampaignStatus.scheduled)
    send_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[Optional[str]] = mapped_column(String(100))
    started_at: Mapped[Optional[datetime]]
    finished_at: Mapped[Optional[datetime]]
    audience_size: Mapped[Optional[int]] = mapped_column(Integer)  # the recipients queued when it started
    note: Mapped[Optional[str]] = mapped_column(String(200))


class SchedulerLease(Base):
    """Which process does a deployment-wide job (the scheduler), until when (claims.services.leases)."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]


# APScheduler's job store (SQLAlchemyJobStore's own layout; bot/scheduler.py): declared here so that the
# migrations own it like every other table.
scheduler_jobs = sa.Table(
    "scheduler_jobs", Base.metadata,
    sa.Column("id", sa.Unicode(191), primary_key=True),
    sa.Column("next_run_time", sa.Float(25), index=True),
    sa.Column("job_state", sa.LargeBinary, nullable=False),
)


class Delivery(Base):
    """The outbox of every proactive message (stage updates, reminders, broadcasts, surveys); the unique
    dedupe_key, one per (kind, recipient, object, occasion), makes each one go out once."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_status_created_at", "status", "created_at"),
                      Index("ix_deliveries_campaign_id_status", "campaign_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DeliveryKind] = mapped_column(enum_column(DeliveryKind))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)  # claims.services.deliveries.delivery_key
    chat_id: Mapped[int] = mapped_column(BigInteger)
    campaign_id: Mapped[Optional[int]] = mapped_column(ForeignKey("campaigns.id"))  # a broadcast's campaign
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus), default=DeliveryStatus.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # No process takes the delivery before this time: while `sending`, the lease of the process sending it
    # (expired: it died, another may retry); while `pending` after a failure, the retry back-off.
    locked_until: Mapped[Optional[datetime]]
    # When the request to Telegram went out on the current attempt: a delivery leased but never dispatched can be
    # sent by another process without any risk of a duplicate (claims/services/deliveries.py).
    dispatched_at: Mapped[Optional[datetime]]
    sent_at: Mapped[Optional[datetime]]
    telegram_message_id: Mapped[Optional[int]] = mapped_column(BigInteger)
    last_error: Mapped[Optional[str]] = mapped_column(Text)
