"""Roadside requests in the store: which car, eligibility, the stored request, status changes, cancelling.

Services own their transaction: functions that change something commit; the session is opened by the caller.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal
from enum import Enum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claims.clock import business_date, require_aware
from claims.enums import Language, PolicyStatus, RoadsideStatus, ServiceType
from claims.models import Policyholder, RoadsideEvent, RoadsideRequest, Vehicle
from claims.numbering import next_roadside_reference
from claims.roadside.eligibility import NOT_COUNTED, Eligibility, haversine_km, policy_year, roadside_eligibility
from claims.roadside.lifecycle import OPEN, customer_may_cancel, require_move
from claims.settings import ClaimsSettings

REFERENCE_ATTEMPTS = 5  # two requests at the same moment can draw the same reference; the loser takes the next


@dataclass(frozen=True)
class PartnerGarage:
    name: str
    latitude: float
    longitude: float


# Where a tow takes the car unless the customer arranges otherwise: the insurer's partner repair shops.
PARTNER_GARAGES = (
    PartnerGarage("Pudong Jinqiao repair centre", 31.2653, 121.5870),
    PartnerGarage("Minhang Xinzhuang repair centre", 31.1113, 121.3846),
    PartnerGarage("Jiading Anting repair centre", 31.2947, 121.1650),
    PartnerGarage("Songjiang repair centre", 31.0322, 121.2277),
    PartnerGarage("Guangzhou Tianhe repair centre", 23.1291, 113.3612),
    PartnerGarage("Shenzhen Futian repair centre", 22.5431, 114.0579),
    PartnerGarage("Beijing Chaoyang repair centre", 39.9219, 116.4436),
)


def nearest_garage_km(latitude: float, longitude: float) -> Decimal:
    """Distance to the nearest partner garage: how far a tow from here goes."""
    return min(haversine_km(latitude, longitude, g.latitude, g.longitude) for g in PARTNER_GARAGES)


def roadside_vehicles(policyholder: Policyholder) -> list[Vehicle]:
    """Every car of the policyholder, active policies first: a car on an expired policy still gets an
    answer (why it is not covered and what help costs) instead of "which car?"."""
    policies = sorted(policyholder.policies, key=lambda p: (p.status is not PolicyStatus.active, p.id))
    return [vehicle for policy in policies for vehicle in policy.vehicles]


def open_request(session: Session, *, policyholder_id: int) -> RoadsideRequest | None:
    """The policyholder's open request (not yet completed, cancelled or closed otherwise), newest first."""
    return session.scalars(
        select(RoadsideRequest)
        .where(RoadsideRequest.policyholder_id == policyholder_id, RoadsideRequest.status.in_(OPEN))
        .order_by(RoadsideRequest.id.desc())
    ).first()


def open_request_for_chat(session: Session, chat_id: int) -> RoadsideRequest | None:
    """The open request being followed in this chat (what "where is the truck?" asks about)."""
    return session.scalars(
        select(RoadsideRequest)
        .where(RoadsideRequest.chat_id == chat_id, RoadsideRequest.status.in_(OPEN))
        .order_by(RoadsideRequest.id.desc())
    ).first()


def calls_used(session: Session, *, policy_id: int, starts_on: date, on: date, tz: tzinfo) -> int:
    """This policy year's calls that use the allowance (open ones too, so two at once cannot both be free)."""
    year_start, year_end = policy_year(starts_on, on)
    created = session.scalars(
        select(RoadsideRequest.created_at)
        .where(RoadsideRequest.policy_id == policy_id, RoadsideRequest.status.not_in(NOT_COUNTED))
    ).all()
    # The policy year is a calendar window in the business timezone; created_at is UTC.
    return sum(1 for moment in created if year_start <= business_date(moment, tz) < year_end)


def eligibility_for(
    session: Session, *, vehicle: Vehicle, service: ServiceType, latitude: float | None, longitude: float | None,
    now: datetime, settings: ClaimsSettings,
) -> Eligibility:
    """The eligibility rule applied to this car's policy today."""
    policy = vehicle.policy
    today = business_date(now, settings.timezone)
    used = calls_used(session, policy_id=policy.id, starts_on=policy.starts_on, on=today, tz=settings.timezone)
    distance = nearest_garage_km(latitude, longitude) if latitude is not None and longitude is not None else None
    return roadside_eligibility(
        policy_status=policy.status, starts_on=policy.starts_on, ends_on=policy.ends_on,
        roadside_cover=policy.roadside_cover, on=today, calls_used=used, service=service,
        tow_distance_km=distance, rules=settings.roadside_rules,
    )


def record_move(
    session: Session, request: RoadsideRequest, to: RoadsideStatus, *, actor: str, now: datetime, note: str | None = None,
) -> None:
    """Move the request on (the lifecycle decides whether it may) and keep the event; the caller commits."""
    require_move(request.status, to)
    session.add(RoadsideEvent(request=request, from_status=request.status, to_status=to, actor=actor, note=note,
                              occurred_at=now))
    request.status = to
    request.updated_at = now
    if to in (RoadsideStatus.completed, RoadsideStatus.cancelled, RoadsideStatus.gone_on_arrival,
              RoadsideStatus.declined):
        request.closed_at = now


@dataclass(frozen=True)
class NewRequest:
    """What the customer confirmed."""

    service: ServiceType
    latitude: float | None
    longitude: float | None
    address: str | None
    hazard: bool = False


def create_request(
    session: Session, *, policyholder: Policyholder, vehicle: Vehicle, chat_id: int, language: Language,
    facts: NewRequest, now: datetime,
) -> tuple[RoadsideRequest, bool]:
    """Store the confirmed request with its reference before anything is sent; (request, created).

    A policyholder has one open request at a time: a second confirmation returns the open one.
    """
    require_aware(now)
    existing = open_request(session, policyholder_id=policyholder.id)
    if existing is not None:
        return existing, False
    for attempt in range(REFERENCE_ATTEMPTS):
        request = RoadsideRequest(
            reference=next_roadside_reference(session, year=now.year), policyholder_id=policyholder.id,
            policy_id=vehicle.policy_id, vehicle_id=vehicle.id, chat_id=chat_id, language=language,
            service_type=facts.service, latitude=facts.latitude, longitude=facts.longitude, address=facts.address,
            hazard=facts.hazard, status=RoadsideStatus.requested, next_dispatch_at=now, created_at=now, updated_at=now,
        )
        session.add(request)
        session.add(RoadsideEvent(request=request, from_status=None, to_status=RoadsideStatus.requested,
                                  actor="customer", occurred_at=now))
        try:
            session.commit()
            return request, True
        except IntegrityError:
            session.rollback()
            if attempt == REFERENCE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


class CancelOutcome(str, Enum):
    cancelled = "cancelled"
    too_late = "too_late"  # the truck is nearly there or there: a person can still help
    nothing_open = "nothing_open"


def cancel_by_customer(
    session: Session, request: RoadsideRequest | None, *, now: datetime, settings: ClaimsSettings,
) -> CancelOutcome:
    """Cancel before the cut-off. The provider is told by the dispatcher (provider_cancel_pending), so the
    customer gets the answer at once, whatever the provider's API is doing."""
    if request is None or request.status not in OPEN:
        return CancelOutcome.nothing_open
    if not customer_may_cancel(request.status, cutoff=settings.roadside_cancel_cutoff):
        return CancelOutcome.too_late
    request.provider_cancel_pending = request.provider_job_id is not None
    request.cancel_reason = "customer_cancelled"
    record_move(session, request, RoadsideStatus.cancelled, actor="customer", now=now)
    session.commit()
    return CancelOutcome.cancelled


def completed_since(session: Session, since: datetime) -> list[RoadsideEvent]:
    """Completion events after `since`, oldest first: what a follow-up survey starts from."""
    return list(session.scalars(
        select(RoadsideEvent)
        .where(RoadsideEvent.to_status == RoadsideStatus.completed, RoadsideEvent.occurred_at > since)
        .order_by(RoadsideEvent.occurred_at, RoadsideEvent.id)
    ))

