"""Roadside requests in the store: one open request each, the free calls of a policy year, cancelling, and the
dispatcher's bookkeeping (back-off, refusal, provider reports moving forward only, what the customer is told)."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from claims.enums import Language, RoadsideStatus as S, ServiceType
from claims.models import RoadsideEvent, RoadsideRequest
from claims.roadside import dispatch
from claims.roadside.dispatch import CustomerUpdate as U
from claims.roadside.eligibility import RoadsideRefusal
from claims.roadside.provider_client import ProviderJob
from claims.roadside.requests import (
    CancelOutcome, NewRequest, calls_used, cancel_by_customer, completed_since, create_request, eligibility_for, open_request,
    roadside_vehicles,
)
from claims.settings import ClaimsSettings
from tests.factories import make_policy, make_policyholder, make_roadside_request, make_vehicle

NOW = datetime(2026, 12, 2, 6, 0, tzinfo=timezone.utc)  # 14:00 in Shanghai
SETTINGS = ClaimsSettings(roadside_dispatch_retry_seconds=5, roadside_dispatch_retry_max_seconds=60,
                          roadside_dispatch_max_attempts=3)
TZ = SETTINGS.timezone


@pytest.fixture
def car(session):
    holder = make_policyholder(session)
    policy = make_policy(session, policyholder=holder, starts_on=date(2026, 3, 1), ends_on=date(2027, 2, 28))
    return make_vehicle(session, policy=policy)


def job(status="booked", **overrides):
    values = dict(job_id="J-1", reference="RSA", status=status, latitude=31.2, longitude=121.4, driver_name="王师傅",
                  driver_phone="+8613900000001", truck_plate="沪AD1234", truck_latitude=31.25, truck_longitude=121.45,
                  eta_minutes=12, distance_km=Decimal("6.4"), updated_at=NOW)
    return ProviderJob(**{**values, **overrides})


def test_a_request_is_stored_with_a_reference_and_its_first_event(session, car):
    request, created = create_request(session, policyholder=car.policy.policyholder, vehicle=car, chat_id=42,
                                      language=Language.zh, facts=NewRequest(ServiceType.tow, 31.2, 121.4, None), now=NOW)
    assert created and request.reference.startswith("RSA-2026-") and request.status is S.requested
    assert request.next_dispatch_at == NOW and request.policy_id == car.policy_id
    events = session.scalars(select(RoadsideEvent).where(RoadsideEvent.request_id == request.id)).all()
    assert [(e.from_status, e.to_status, e.actor) for e in events] == [(None, S.requested, "customer")]


def test_a_second_confirmation_returns_the_open_request(session, car):
    holder = car.policy.policyholder
    first, _ = create_request(session, policyholder=holder, vehicle=car, chat_id=42, language=Language.en,
                              facts=NewRequest(ServiceType.tow, 31.2, 121.4, None), now=NOW)
    second, created = create_request(session, policyholder=holder, vehicle=car, chat_id=42, language=Language.en,
                                     facts=NewRequest(ServiceType.fuel, None, None, "G15 km 1032"), now=NOW)
    assert not created and second.id == first.id
    assert session.scalar(select(RoadsideRequest.id).where(RoadsideRequest.service_type == ServiceType.fuel)) is None


def test_only_calls_of_this_policy_year_that_gave_help_use_the_allowance(session, car):
    for status, created in ((S.completed, datetime(2026, 5, 1, tzinfo=timezone.utc)),
                            (S.cancelled, datetime(2026, 6, 1, tzinfo=timezone.utc)),
                            (S.declined, datetime(2026, 6, 2, tzinfo=timezone.utc)),
                            (S.gone_on_arrival, datetime(2026, 6, 3, tzinfo=timezone.utc)),
                            (S.completed, datetime(2026, 2, 27, tzinfo=timezone.utc))):  # the year before
        make_roadside_request(session, vehicle=car, status=status, created_at=created)
    policy = car.policy
    assert calls_used(session, policy_id=policy.id, starts_on=policy.starts_on, on=date(2026, 12, 2), tz=TZ) == 1
    make_roadside_request(session, vehicle=car, status=S.en_route, created_at=NOW)  # open ones count too
    assert calls_used(session, policy_id=policy.id, starts_on=policy.starts_on, on=date(2026, 12, 2), tz=TZ) == 2


def test_the_policy_year_boundary_is_in_business_time(session, car):
    # 28 Feb 2026 17:00 UTC is 1 March 01:00 in Shanghai: the first day of the policy year.
    make_roadside_request(session, vehicle=car, status=S.completed, created_at=datetime(2026, 2, 28, 17, tzinfo=timezone.utc))
    policy = car.policy
    assert calls_used(session, policy_id=policy.id, starts_on=policy.starts_on, on=date(2026, 3, 2), tz=TZ) == 1


def test_eligibility_uses_the_calls_and_the_distance_to_the_nearest_garage(session, car):
    covered = eligibility_for(session, vehicle=car, service=ServiceType.tow, latitude=31.2304, longitude=121.4737,
                              now=NOW, settings=SETTINGS)
    assert covered.covered and covered.calls_left == 2
    # Hangzhou West Lake to the Songjiang garage: 0.789° of latitude (87.7 km) and 1.078° of longitude at 30.6° N
    # (103.1 km), about 135 km: 85 km beyond the free 50, at 10 a km.
    far = eligibility_for(session, vehicle=car, service=ServiceType.tow, latitude=30.2431, longitude=120.1500,
                          now=NOW, settings=SETTINGS)
    assert far.refusal is RoadsideRefusal.tow_too_far and Decimal("830") < far.cost < Decimal("880")
    typed = eligibility_for(session, vehicle=car, service=ServiceType.tow, latitude=None, longitude=None, now=NOW,
                            settings=SETTINGS)
    assert typed.covered  # a typed address is placed by the provider; the distance is not checked here
    for _ in range(2):
        make_roadside_request(session, vehicle=car, status=S.completed, created_at=NOW - timedelta(days=30))
    used_up = eligibility_for(session, vehicle=car, service=ServiceType.fuel, latitude=None, longitude=None, now=NOW,
                              settings=SETTINGS)
    assert used_up.refusal is RoadsideRefusal.allowance_used


def test_every_car_is_offered_active_policies_first(session):
    holder = make_policyholder(session)
    expired = make_policy(session, policyholder=holder, status="expired")
    active = make_policy(session, policyholder=holder)
    old_car, new_car = make_vehicle(session, policy=expired), make_vehicle(session, policy=active)
    session.refresh(holder)
    assert [v.id for v in roadside_vehicles(holder)] == [new_car.id, old_car.id]


@pytest.mark.parametrize("status, outcome, pending", [
    (S.requested, CancelOutcome.cancelled, False), (S.booked, CancelOutcome.cancelled, True),
    (S.en_route, CancelOutcome.cancelled, True), (S.approaching, CancelOutcome.too_late, False),
    (S.arrived, CancelOutcome.too_late, False), (S.completed, CancelOutcome.nothing_open, False),
])
def test_the_customer_cancels_before_the_truck_is_nearly_there(session, car, status, outcome, pending):
    request = make_roadside_request(session, vehicle=car, status=status,
                                    provider_job_id=None if status is S.requested else f"J-{status.value}-{car.id}")
    assert cancel_by_customer(session, request, now=NOW, settings=SETTINGS) is outcome
    session.refresh(request)
    assert (request.status is S.cancelled) is (outcome is CancelOutcome.cancelled)
    assert request.provider_cancel_pending is pending
    if outcome is CancelOutcome.cancelled:
        assert request.closed_at == NOW and request.cancel_reason == "customer_cancelled"
        assert open_request(session, policyholder_id=car.policy.policyholder_id) is None


def test_dispatch_failures_back_off_then_hand_the_request_to_a_person(session, car):
    request = make_roadside_request(session, vehicle=car, next_dispatch_at=NOW)
    assert [r.id for r in dispatch.due_for_dispatch(session, now=NOW)] == [request.id]
    delays = []
    for attempt in range(2):
        status = dispatch.record_dispatch_failure(session, request.id, error="503", permanent=False, now=NOW,
                                                  settings=SETTINGS)
        session.refresh(request)
        assert status is S.requested
        delays.append(request.next_dispatch_at - NOW)
    assert delays == [timedelta(seconds=5), timedelta(seconds=10)]
    assert dispatch.due_for_dispatch(session, now=NOW + timedelta(seconds=9)) == []
    assert dispatch.record_dispatch_failure(session, request.id, error="503", permanent=False, now=NOW,
                                            settings=SETTINGS) is S.declined
    session.refresh(request)
    assert request.dispatch_attempts == 3 and request.closed_at == NOW


def test_a_refusal_by_the_provider_is_final_at_once(session, car):
    request = make_roadside_request(session, vehicle=car)
    assert dispatch.record_dispatch_failure(session, request.id, error="declined", permanent=True, now=NOW,
                                            settings=SETTINGS) is S.declined


def test_the_back_off_is_capped():
    assert dispatch.retry_delay(10, SETTINGS) == timedelta(seconds=60)


def test_provider_reports_move_the_request_forward_only(session, car):
    request = make_roadside_request(session, vehicle=car, address="G15 km 1032", latitude=None, longitude=None)
    dispatch.record_accepted(session, request.id, job("en_route"), provider_name="Anda", now=NOW)
    session.refresh(request)
    assert (request.status, request.provider_job_id, request.driver_name, request.eta_minutes) == (S.en_route, "J-1", "王师傅", 12)
    assert (request.latitude, request.longitude) == (31.2, 121.4)  # the provider placed the typed address
    dispatch.record_job(session, request.id, job("booked", eta_minutes=9), now=NOW)  # late, out of order
    session.refresh(request)
    assert request.status is S.en_route and request.eta_minutes == 9
    dispatch.record_job(session, request.id, job("completed"), now=NOW)
    session.refresh(request)
    assert request.status is S.completed and request.closed_at == NOW
    statuses = [e.to_status for e in request.events]
    assert statuses == [S.en_route, S.completed]  # the factory writes no first event
    assert [e.to_status for e in completed_since(session, NOW - timedelta(seconds=1))
            if e.request_id == request.id] == [S.completed]


def test_a_request_cancelled_here_ignores_the_providers_later_reports(session, car):
    request = make_roadside_request(session, vehicle=car, status=S.cancelled, provider_job_id=f"J-c-{car.id}",
                                    provider_cancel_pending=True, cancel_reason="customer_cancelled")
    dispatch.record_job(session, request.id, job("en_route", job_id=f"J-c-{car.id}"), now=NOW)
    session.refresh(request)
    assert request.status is S.cancelled
    assert [r.id for r in dispatch.followed_requests(session)] == [request.id]  # the provider still has to be told
    dispatch.record_provider_told_of_cancel(session, request.id)
    assert dispatch.followed_requests(session) == []


def told(session, request, update, now=NOW):
    dispatch.record_told(session, request.id, update, status=request.status,
                         arrival_at=dispatch.expected_arrival(request, now))
    session.refresh(request)


def test_the_customer_is_told_each_step_once_and_eta_changes_beyond_the_threshold(session, car):
    request = make_roadside_request(session, vehicle=car)
    due = lambda now=NOW: dispatch.updates_due(request, now=now, eta_change_minutes=3)  # noqa: E731
    assert due() == []
    dispatch.record_dispatch_failure(session, request.id, error="503", permanent=False, now=NOW, settings=SETTINGS)
    session.refresh(request)
    assert due() == []  # one failure is retried at once: no news yet
    dispatch.record_dispatch_failure(session, request.id, error="503", permanent=False, now=NOW, settings=SETTINGS)
    session.refresh(request)
    assert due() == [U.dispatch_delayed]
    told(session, request, U.dispatch_delayed)
    assert due() == []
    dispatch.record_accepted(session, request.id, job("booked", eta_minutes=12), provider_name="Anda", now=NOW)
    session.refresh(request)
    assert due() == [U.assigned]
    told(session, request, U.assigned)
    assert due() == []
    # Told at NOW: arrival expected at NOW + 12 min. Counting down on time is no news; a move of more than
    # 3 minutes of the arrival time is.
    for minutes_later, eta, expected in ((5, 7, []), (5, 10, []), (5, 11, [U.eta_changed]), (0, 8, [U.eta_changed]),
                                         (0, 9, [])):
        dispatch.record_job(session, request.id, job("en_route", eta_minutes=eta), now=NOW)
        session.refresh(request)
        assert due(NOW + timedelta(minutes=minutes_later)) == expected, (minutes_later, eta)
    dispatch.record_job(session, request.id, job("en_route", eta_minutes=20), now=NOW)
    session.refresh(request)
    told(session, request, U.eta_changed, now=NOW + timedelta(minutes=1))
    assert request.told_arrival_at == NOW + timedelta(minutes=21)
    dispatch.record_job(session, request.id, job("approaching", eta_minutes=1), now=NOW)
    session.refresh(request)
    assert due() == [U.approaching]
    told(session, request, U.approaching)
    dispatch.record_job(session, request.id, job("completed", eta_minutes=0), now=NOW)  # arrival missed between polls
    session.refresh(request)
    assert due() == [U.arrived, U.completed]
    told(session, request, U.completed)
    assert due() == []


def test_a_truck_that_finds_nobody_and_a_provider_cancellation_are_told(session, car):
    gone = make_roadside_request(session, vehicle=car, status=S.gone_on_arrival, told_status=S.arrived)
    assert dispatch.updates_due(gone, now=NOW, eta_change_minutes=3) == [U.gone_on_arrival]
    dropped = make_roadside_request(session, vehicle=car, status=S.cancelled, cancel_reason="provider_cancelled",
                                    told_status=S.en_route)
    assert dispatch.updates_due(dropped, now=NOW, eta_change_minutes=3) == [U.cancelled_by_provider]
    mine = make_roadside_request(session, vehicle=car, status=S.cancelled, cancel_reason="customer_cancelled",
                                 told_status=S.en_route)
    assert dispatch.updates_due(mine, now=NOW, eta_change_minutes=3) == []  # the customer was answered in the chat
    declined = make_roadside_request(session, vehicle=car, status=S.declined)
    assert dispatch.updates_due(declined, now=NOW, eta_change_minutes=3) == [U.declined]
