"""Dispatch to a roadside provider and following the job: the store's side (no HTTP, no Telegram).

The bot's dispatcher (bot/roadside.py) sends every stored request that no provider has accepted yet, with
a back-off that survives restarts, and follows accepted jobs by polling the provider; this module decides
what each answer changes and what the customer should be told next.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from claims.enums import RoadsideStatus
from claims.models import RoadsideRequest
from claims.roadside.lifecycle import OPEN, PROGRESS, can_move
from claims.roadside.provider_client import JobOrder, ProviderJob
from claims.roadside.requests import record_move
from claims.settings import ClaimsSettings

logger = logging.getLogger(__name__)


def due_for_dispatch(session: Session, *, now: datetime) -> list[RoadsideRequest]:
    """Confirmed requests no provider has accepted yet whose next attempt is due, oldest first."""
    return list(session.scalars(
        select(RoadsideRequest)
        .where(RoadsideRequest.status == RoadsideStatus.requested, RoadsideRequest.provider_job_id.is_(None),
               RoadsideRequest.chat_id.is_not(None), RoadsideRequest.next_dispatch_at <= now)
        .order_by(RoadsideRequest.id)
    ))


def job_order(request: RoadsideRequest) -> JobOrder:
    """The provider's order for a request; the reference is its idempotency key, so a retry never books twice."""
    vehicle = request.vehicle
    return JobOrder(
        reference=request.reference, service=request.service_type.value,
        latitude=request.latitude, longitude=request.longitude, address=request.address,
        plate=vehicle.plate_number if vehicle else "", make=vehicle.make if vehicle else None,
        model=vehicle.model if vehicle else None,
        notes="customer on a motorway or in danger" if request.hazard else None,
    )


def record_accepted(session: Session, request_id: int, job: ProviderJob, *, provider_name: str, now: datetime) -> None:
    """The provider accepted the job: keep its id and whatever it already reports."""
    request = session.get(RoadsideRequest, request_id)
    request.provider_job_id, request.provider_name = job.job_id, provider_name
    request.last_error, request.next_dispatch_at = None, None
    _apply(session, request, job, now=now)
    session.commit()


def retry_delay(attempts: int, settings: ClaimsSettings) -> timedelta:
    """Exponential back-off: first delay, doubled each time, capped."""
    seconds = settings.roadside_dispatch_retry_seconds * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, settings.roadside_dispatch_retry_max_seconds))


def record_dispatch_failure(
    session: Session, request_id: int, *, error: str, permanent: bool, now: datetime, settings: ClaimsSettings,
) -> RoadsideStatus:
    """A failed attempt: try again later, or after the last attempt (or a refusal) hand it to a person."""
    request = session.get(RoadsideRequest, request_id)
    request.dispatch_attempts += 1
    request.last_error = error[:500]
    if request.status is RoadsideStatus.requested and (
            permanent or request.dispatch_attempts >= settings.roadside_dispatch_max_attempts):
        record_move(session, request, RoadsideStatus.declined, actor="provider", now=now, note=error[:500])
        request.next_dispatch_at = None
    elif request.status is RoadsideStatus.requested:
        request.next_dispatch_at = now + retry_delay(request.dispatch_attempts, settings)
    session.commit()
    return request.status


def followed_requests(session: Session) -> list[RoadsideRequest]:
    """Accepted jobs still to follow, and cancellations the provider has not been told of yet."""
    return list(session.scalars(
        select(RoadsideRequest)
        .where(RoadsideRequest.provider_job_id.is_not(None),
               or_(RoadsideRequest.status.in_(OPEN), RoadsideRequest.provider_cancel_pending.is_(True)))
        .order_by(RoadsideRequest.id)
    ))


def requests_to_tell(session: Session) -> list[RoadsideRequest]:
    """Requests whose customer may have something new to hear: open ones, ones closed since the last message,
    and ones whose live location is still running."""
    return list(session.scalars(
        select(RoadsideRequest).where(
            RoadsideRequest.chat_id.is_not(None),
            or_(RoadsideRequest.status.in_(OPEN),
                RoadsideRequest.told_status.is_distinct_from(RoadsideRequest.status),
                RoadsideRequest.live_message_id.is_not(None) & RoadsideRequest.live_stopped.is_(False)))
        .order_by(RoadsideRequest.id)
    ))


def record_job(session: Session, request_id: int, job: ProviderJob, *, now: datetime) -> None:
    """What the provider reports now: status moves forward only, the truck's position, ETA and distance."""
    request = session.get(RoadsideRequest, request_id)
    _apply(session, request, job, now=now)
    session.commit()


def record_provider_told_of_cancel(session: Session, request_id: int, *, note: str | None = None) -> None:
    """The provider knows the customer cancelled (or it was too late to): stop telling it."""
    request = session.get(RoadsideRequest, request_id)
    request.provider_cancel_pending = False
    if note:
        request.last_error = note
    session.commit()


def _apply(session: Session, request: RoadsideRequest, job: ProviderJob, *, now: datetime) -> None:
    try:
        status = RoadsideStatus(job.status)
    except ValueError:
        logger.warning("request %s: the provider reports an unknown status %r", request.id, job.status)
        return
    if request.status is RoadsideStatus.cancelled and status is not RoadsideStatus.cancelled:
        return  # cancelled here: the provider's view no longer changes what the customer sees
    if can_move(request.status, status):
        if status is RoadsideStatus.cancelled:
            request.cancel_reason = request.cancel_reason or "provider_cancelled"
        record_move(session, request, status, actor="provider", now=now)
    if job.driver_name:
        request.driver_name, request.driver_phone, request.truck_plate = job.driver_name, job.driver_phone, job.truck_plate
    if job.truck_latitude is not None and job.truck_longitude is not None:
        request.truck_latitude, request.truck_longitude = job.truck_latitude, job.truck_longitude
    if request.latitude is None and job.latitude is not None:  # a typed address, placed on the map by the provider
        request.latitude, request.longitude = job.latitude, job.longitude
    request.eta_minutes = job.eta_minutes
    request.distance_km = job.distance_km
    request.updated_at = now


DELAY_TOLD_AFTER_ATTEMPTS = 2


class CustomerUpdate(str, Enum):
    """What the customer is told of a rescue, each once."""

    dispatch_delayed = "dispatch_delayed"  # the provider did not answer: still trying, nothing to do
    assigned = "assigned"  # driver, truck, ETA
    eta_changed = "eta_changed"
    approaching = "approaching"
    arrived = "arrived"
    completed = "completed"
    cancelled_by_provider = "cancelled_by_provider"
    gone_on_arrival = "gone_on_arrival"
    declined = "declined"  # no truck: a person takes over


def _rank(status: RoadsideStatus | None) -> int:
    return PROGRESS.index(status) if status in PROGRESS else -1


def expected_arrival(request: RoadsideRequest, now: datetime) -> datetime | None:
    """When the truck should arrive, from the ETA the provider last reported."""
    return None if request.eta_minutes is None else now + timedelta(minutes=request.eta_minutes)


def updates_due(request: RoadsideRequest, *, now: datetime, eta_change_minutes: int) -> list[CustomerUpdate]:
    """The messages the customer has not had yet, in the order to send them. An ETA counting down as planned
    is no news: the customer hears again when the expected arrival time moves by more than the threshold."""
    status, told = request.status, request.told_status
    if status is RoadsideStatus.declined:
        return [] if told is RoadsideStatus.declined else [CustomerUpdate.declined]
    if status is RoadsideStatus.requested:
        # One failure retried a second later is no news (and could overtake the chat's own "request is in");
        # from the second the customer hears that the bot keeps trying.
        delayed = request.dispatch_attempts >= DELAY_TOLD_AFTER_ATTEMPTS and not request.told_dispatch_delay
        return [CustomerUpdate.dispatch_delayed] if delayed else []
    if status is RoadsideStatus.cancelled:
        by_customer = request.cancel_reason == "customer_cancelled"
        return [] if by_customer or told is RoadsideStatus.cancelled else [CustomerUpdate.cancelled_by_provider]
    due: list[CustomerUpdate] = []
    if told is None or told is RoadsideStatus.requested:
        due.append(CustomerUpdate.assigned)
    if status is RoadsideStatus.gone_on_arrival:
        return due + ([] if told is RoadsideStatus.gone_on_arrival else [CustomerUpdate.gone_on_arrival])
    rank, told_rank = _rank(status), _rank(told)
    if status is RoadsideStatus.approaching and told_rank < rank:
        due.append(CustomerUpdate.approaching)
    if rank >= _rank(RoadsideStatus.arrived) and told_rank < _rank(RoadsideStatus.arrived):
        due.append(CustomerUpdate.arrived)
    if status is RoadsideStatus.completed and told is not RoadsideStatus.completed:
        due.append(CustomerUpdate.completed)
    arrival = expected_arrival(request, now)
    if (not due and status in (RoadsideStatus.booked, RoadsideStatus.en_route)
            and arrival is not None and request.told_arrival_at is not None
            and abs(arrival - request.told_arrival_at) > timedelta(minutes=eta_change_minutes)):
        due.append(CustomerUpdate.eta_changed)
    return due


def record_told(session: Session, request_id: int, update: CustomerUpdate, *, status: RoadsideStatus,
                arrival_at: datetime | None) -> None:
    """The customer has been sent `update` about the request as it stood (status, expected arrival)."""
    request = session.get(RoadsideRequest, request_id)
    if update is CustomerUpdate.dispatch_delayed:
        request.told_dispatch_delay = True
    else:
        request.told_status = status
    if update in (CustomerUpdate.assigned, CustomerUpdate.eta_changed):
        request.told_arrival_at = arrival_at
    session.commit()


def record_live_location(session: Session, request_id: int, *, message_id: int | None = None, now: datetime,
                         stopped: bool = False) -> None:
    """The live location message was sent, moved or stopped."""
    request = session.get(RoadsideRequest, request_id)
    if message_id is not None:
        request.live_message_id = message_id
    request.live_updated_at = now
    request.live_stopped = request.live_stopped or stopped
    session.commit()
