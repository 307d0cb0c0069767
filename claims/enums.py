"""Closed vocabularies stored as their string values (ClaimStage lives in stages, EstimateBand in triage)."""
from __future__ import annotations

from enum import Enum


class Language(str, Enum):
    en = "en"
    zh = "zh"


class PolicyStatus(str, Enum):
    active = "active"
    expired = "expired"
    cancelled = "cancelled"


class ThirdParty(str, Enum):
    none = "none"
    other_vehicle = "other_vehicle"
    property = "property"
    pedestrian = "pedestrian"


class ChecklistItem(str, Enum):
    front_left = "front_left"
    front_right = "front_right"
    rear_left = "rear_left"
    rear_right = "rear_right"
    damage_closeup = "damage_closeup"
    vin_or_plate = "vin_or_plate"
    driving_licence = "driving_licence"
    vehicle_licence = "vehicle_licence"
    id_card = "id_card"
    bank_card = "bank_card"
    police_report = "police_report"
    repair_invoice = "repair_invoice"
    other = "other"


class ServiceType(str, Enum):
    tow = "tow"
    jump_start = "jump_start"
    tyre_change = "tyre_change"
    fuel = "fuel"
    lockout = "lockout"
    winch = "winch"  # pulled out of mud, sand, snow or a ditch


class RoadsideStatus(str, Enum):
    """A roadside request's life, as roadside dispatch APIs report a job (claims.roadside.lifecycle)."""

    requested = "requested"  # confirmed by the customer and stored; not yet accepted by a provider
    booked = "booked"  # a provider accepted it and assigned a truck and driver
    en_route = "en_route"
    approaching = "approaching"
    arrived = "arrived"
    completed = "completed"
    cancelled = "cancelled"
    gone_on_arrival = "gone_on_arrival"  # the truck came and found neither car nor customer
    declined = "declined"  # no provider could take it: a person takes over


class NpsFollowUp(str, Enum):
    why_not = "why_not"
    improve = "improve"
    why_recommend = "why_recommend"


class NpsReason(str, Enum):
    """The study's reason categories: complaints (detractors, passives), then praise (promoters)."""

    slow = "slow"  # survey, assessment, claim or rescue too slow
    payout_not_explained = "payout_not_explained"
    price_dispute = "price_dispute"  # the assessed price or amount disputed
    poor_guidance = "poor_guidance"
    cover_not_explained = "cover_not_explained"  # at the sale
    company_reasons = "company_reasons"
    few_service_points = "few_service_points"
    low_brand_recognition = "low_brand_recognition"
    staff_attitude = "staff_attitude"
    fast = "fast"
    all_good = "all_good"
    good_attitude = "good_attitude"
    professional = "professional"
    other = "other"


class HandoffReason(str, Enum):
    user_request = "user_request"
    complaint = "complaint"
    injury = "injury"
    disputed_assessment = "disputed_assessment"
    nlu_failure = "nlu_failure"
    form_failure = "form_failure"
    nps_detractor = "nps_detractor"
    roadside = "roadside"  # a rescue that needs a person: refused, undeliverable, or asked for mid-rescue


class HandoffStatus(str, Enum):
    queued = "queued"
    assigned = "assigned"
    closed = "closed"


class HandoffOutcome(str, Enum):
    """How a closed handoff ended."""

    handed_back = "handed_back"  # the agent finished and gave the conversation back to the bot
    withdrawn = "withdrawn"  # the customer no longer needed a person before anyone took the case


class HandoffEventKind(str, Enum):
    """One thing that happened to a handoff: its audit trail."""

    requested = "requested"
    topic_opened = "topic_opened"
    taken = "taken"
    transferred = "transferred"
    note = "note"
    reminded = "reminded"
    handed_back = "handed_back"
    withdrawn = "withdrawn"


class MessageDirection(str, Enum):
    inbound = "in"
    outbound = "out"


class MessageSender(str, Enum):
    customer = "customer"
    bot = "bot"
    agent = "agent"


class VerificationMethod(str, Enum):
    contact = "contact"
    policy = "policy"


class DeliveryKind(str, Enum):
    stage_update = "stage_update"
    reminder = "reminder"
    broadcast = "broadcast"
    survey = "survey"  # the NPS survey's first question (claims.survey)


class SurveyTrigger(str, Enum):
    """What the survey asks about."""

    claim_paid = "claim_paid"
    roadside_completed = "roadside_completed"


class SurveyStatus(str, Enum):
    """scheduled -> sent -> scored (the score, the follow-up still open) -> answered (the follow-up given,
    skipped or stopped); sent -> expired (no score in the answer window); scheduled -> withheld (throttled,
    opted out, not linked). Final: answered, withheld, expired."""

    scheduled = "scheduled"
    sent = "sent"
    scored = "scored"
    answered = "answered"
    withheld = "withheld"
    expired = "expired"  # sent, never answered within the answer window


class DeliveryStatus(str, Enum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    skipped = "skipped"  # not sent, and not to be: no longer due, opted out, blocked, campaign cancelled


class ReminderKind(str, Enum):
    """What a customer can switch on or off with /reminders (each kind also has an operator switch)."""

    documents = "documents"  # missing documents on an open claim
    renewal = "renewal"  # the policy ends soon
    inspection = "inspection"  # the vehicle's annual inspection
    maintenance = "maintenance"  # the vehicle's service
    birthday = "birthday"
    broadcasts = "broadcasts"  # operators' campaigns: weather warnings, announcements


class CampaignKind(str, Enum):
    message = "message"  # the operator's own words
    weather_warning = "weather_warning"  # a template for a city and a hazard (claims.campaigns.templates)


class CampaignStatus(str, Enum):
    """scheduled -> running <-> paused -> done; scheduled, running or paused -> cancelled; scheduled -> expired
    (its start time passed longer ago than the grace window while nothing was running)."""

    scheduled = "scheduled"
    running = "running"
    paused = "paused"
    done = "done"
    cancelled = "cancelled"
    expired = "expired"
