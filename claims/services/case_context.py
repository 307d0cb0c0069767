"""Everything an agent needs to take over a case without asking the customer again.

Who (verified or not, policies, vehicles), why the bot handed over, the open claim (stage, what is
missing, payout, handler) and the last messages. Language-neutral: the agents' console words it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from claims.enums import (
    HandoffOutcome, HandoffReason, HandoffStatus, Language, MessageSender, PolicyStatus, RoadsideStatus, ServiceType,
)
from claims.models import ChatPreference, Claim, Handoff, RoadsideRequest
from claims.roadside.requests import open_request, open_request_for_chat
from claims.privacy import mask_phone
from claims.services import transcript
from claims.services.handoffs import queue_position
from claims.services.tracking import ClaimStatus, claim_status, claims_of
from claims.settings import ClaimsSettings

TRANSCRIPT_LENGTH = 20


@dataclass(frozen=True)
class PolicyLine:
    number: str
    product: str
    status: PolicyStatus
    vehicles: list[str]  # "沪A6K215 Tesla Model 3 (2022)"


@dataclass(frozen=True)
class TranscriptLine:
    at: datetime
    sender: MessageSender
    text: str


@dataclass(frozen=True)
class RescueLine:
    """An open roadside request: what the agent needs to follow or take over the rescue."""

    reference: str
    service: ServiceType
    status: RoadsideStatus
    place: str  # the typed address, or the shared coordinates
    driver_name: str | None
    truck_plate: str | None
    eta_minutes: int | None
    distance_km: Decimal | None
    last_error: str | None  # why dispatch is failing, if it is


@dataclass(frozen=True)
class CaseContext:
    """The context card's content."""

    handoff_id: int
    reason: HandoffReason
    status: HandoffStatus
    outcome: HandoffOutcome | None
    requested_at: datetime
    queue_position: int | None
    agent_name: str | None
    customer_name: str
    verified: bool
    phone: str | None  # masked: the agent calls through the desk phone system, not from a chat
    language: Language
    policies: list[PolicyLine]
    claim: ClaimStatus | None
    other_open_claims: list[str]  # numbers of further open claims
    request_text: str | None  # what the customer said when the bot handed over
    transcript: list[TranscriptLine]
    transfer_count: int
    breached: bool
    topic_id: int | None = None  # the case's forum topic, once opened
    card_message_id: int | None = None  # the card in it
    rescue: RescueLine | None = None  # an open roadside request of the customer


def rescue_line(request: RoadsideRequest | None) -> RescueLine | None:
    """The card's line for an open rescue."""
    if request is None:
        return None
    place = request.address or (f"{request.latitude:.5f}, {request.longitude:.5f}" if request.latitude is not None else "?")
    return RescueLine(reference=request.reference, service=request.service_type, status=request.status, place=place,
                      driver_name=request.driver_name, truck_plate=request.truck_plate, eta_minutes=request.eta_minutes,
                      distance_km=request.distance_km, last_error=request.last_error)


def case_context(session: Session, handoff_id: int, *, now: datetime, settings: ClaimsSettings,
                 transcript_length: int = TRANSCRIPT_LENGTH) -> CaseContext | None:
    """The card for a handoff as of `now`; None if there is no such handoff."""
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        return None
    policyholder = handoff.policyholder
    preference = session.get(ChatPreference, handoff.chat_id)
    open_claims = claims_of(session, policyholder) if policyholder else []
    claim: Claim | None = handoff.claim or (open_claims[0] if open_claims else None)
    policies = [
        PolicyLine(
            number=policy.policy_number, product=policy.product, status=policy.status,
            vehicles=[f"{v.plate_number} {v.make} {v.model} ({v.year})" for v in policy.vehicles],
        )
        for policy in (policyholder.policies if policyholder else [])
    ]
    return CaseContext(
        handoff_id=handoff.id,
        reason=handoff.reason,
        status=handoff.status,
        outcome=handoff.outcome,
        requested_at=handoff.requested_at,
        queue_position=queue_position(session, handoff),
        agent_name=handoff.agent_name,
        customer_name=policyholder.full_name if policyholder else (handoff.customer_name or "?"),
        verified=policyholder is not None,
        phone=mask_phone(policyholder.phone) if policyholder else None,
        language=preference.language if preference else Language.en,
        policies=policies,
        claim=claim_status(session, claim, now=now, settings=settings) if claim else None,
        other_open_claims=[c.claim_number for c in open_claims if claim is None or c.id != claim.id],
        request_text=handoff.summary,
        transcript=[
            TranscriptLine(m.created_at, m.sender, m.text)
            for m in transcript.recent_messages(session, chat_id=handoff.chat_id, limit=transcript_length)
        ],
        transfer_count=handoff.transfer_count or 0,
        breached=handoff.breached_at is not None,
        topic_id=handoff.topic_id,
        card_message_id=handoff.card_message_id,
        rescue=rescue_line(
            open_request(session, policyholder_id=policyholder.id) if policyholder
            else open_request_for_chat(session, handoff.chat_id)),
    )
