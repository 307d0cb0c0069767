"""Filing the accident report as a claim (first notice of loss): numbered, triaged, with its first stage event."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from claims.checklist import checklist_for
from claims.enums import ChecklistItem as I, PolicyStatus, ThirdParty
from claims.models import Claim, ClaimStageEvent
from claims.services import reports
from claims.services.reports import (
    AccidentFacts, VehicleNotCovered, covered_vehicle, covered_vehicles, file_claim, open_injury_claim,
)
from claims.stages import ClaimStage
from claims.triage import EstimateBand as B, TriageReason as R, triage_reasons
from tests.factories import make_claim, make_policy, make_policyholder, make_vehicle

FAST = [I.front_left, I.front_right, I.rear_left, I.rear_right, I.damage_closeup, I.vin_or_plate,
        I.driving_licence, I.bank_card]
STANDARD = [I.front_left, I.front_right, I.rear_left, I.rear_right, I.damage_closeup, I.vin_or_plate,
            I.driving_licence, I.vehicle_licence, I.id_card, I.bank_card]
STANDARD_WITH_POLICE = [I.front_left, I.front_right, I.rear_left, I.rear_right, I.damage_closeup, I.vin_or_plate,
                        I.driving_licence, I.vehicle_licence, I.id_card, I.police_report, I.bank_card]


@pytest.fixture
def holder(session):
    """A policyholder with one active policy and one car, 沪A6K215."""
    policyholder = make_policyholder(session, full_name="Emma Carter")
    policy = make_policy(session, policyholder=policyholder)
    make_vehicle(session, policy=policy, plate_number="沪A6K215", make="Tesla", model="Model 3")
    return policyholder


def facts(**overrides) -> AccidentFacts:
    values = dict(
        plate_number="沪A6K215", incident_at=datetime(2026, 11, 19, 23, 40, tzinfo=timezone.utc),
        description="Reversed into a pillar in the car park.", third_party=ThirdParty.none,
        estimate_band=B.under_2000,
    )
    values.update(overrides)
    return AccidentFacts(**values)


def file(session, holder, settings, now, **overrides):
    return file_claim(session, policyholder=holder, facts=facts(**overrides), now=now, settings=settings)


def claim_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Claim))


# ------------------------------------------------------------------------------------------- the claim


def test_the_claim_takes_the_first_number_of_the_year(session, holder, settings, now):
    filed = file(session, holder, settings, now)
    assert filed.claim.claim_number == "CLM-2026-000001"
    assert filed.claim.id is not None


def test_the_claim_takes_the_next_number_after_existing_ones(session, holder, settings, now):
    other_car = make_vehicle(session)
    make_claim(session, vehicle=other_car, reported_at=now - timedelta(days=3))
    make_claim(session, vehicle=other_car, reported_at=now - timedelta(days=2))
    filed = file(session, holder, settings, now)
    assert filed.claim.claim_number == "CLM-2026-000003"
    second = file(session, holder, settings, now + timedelta(minutes=5))
    assert second.claim.claim_number == "CLM-2026-000004"


def test_the_year_of_the_number_is_the_business_timezones(session, holder, settings):
    other_car = make_vehicle(session)
    make_claim(session, vehicle=other_car, reported_at=datetime(2026, 12, 30, tzinfo=timezone.utc))
    new_year_in_shanghai = datetime(2026, 12, 31, 17, 0, tzinfo=timezone.utc)  # 01:00 on 1 Jan 2027 there
    filed = file(session, holder, settings, new_year_in_shanghai,
                 incident_at=new_year_in_shanghai - timedelta(hours=1))
    assert filed.claim.claim_number == "CLM-2027-000001"


def test_the_claim_is_reported_now_with_one_first_stage_event(session, holder, settings, now):
    claim = file(session, holder, settings, now).claim
    session.expire_all()
    stored = session.get(Claim, claim.id)
    assert stored.stage is ClaimStage.reported
    assert stored.reported_at == now and stored.stage_changed_at == now
    events = session.scalars(select(ClaimStageEvent).where(ClaimStageEvent.claim_id == claim.id)).all()
    assert len(events) == 1
    event = events[0]
    assert event.from_stage is None and event.to_stage is ClaimStage.reported
    assert event.actor == "policyholder" and event.occurred_at == now


def test_every_fact_is_stored_on_the_claim(session, holder, settings, now):
    incident = datetime(2026, 11, 19, 23, 40, tzinfo=timezone.utc)
    claim = file(
        session, holder, settings, now, incident_at=incident, description="A taxi hit my rear bumper.",
        third_party=ThirdParty.other_vehicle, estimate_band=B.from_5000_to_20000, drivable=False,
        location_text="Century Avenue 100, Pudong", latitude=31.2304, longitude=121.4737,
        police_report_number="SH-2026-00123", injuries=False,
    ).claim
    session.expire_all()
    stored = session.get(Claim, claim.id)
    vehicle = holder.policies[0].vehicles[0]
    assert stored.vehicle_id == vehicle.id and stored.policy_id == vehicle.policy_id
    assert stored.incident_at == incident
    assert stored.description == "A taxi hit my rear bumper."
    assert stored.third_party is ThirdParty.other_vehicle
    assert stored.estimate_band is B.from_5000_to_20000
    assert stored.drivable is False
    assert stored.location_text == "Century Avenue 100, Pudong"
    assert stored.latitude == pytest.approx(31.2304) and stored.longitude == pytest.approx(121.4737)
    assert stored.police_report_number == "SH-2026-00123"
    assert stored.injuries is False


def test_optional_facts_may_be_left_out(session, holder, settings, now):
    claim = file(session, holder, settings, now).claim
    session.expire_all()
    stored = session.get(Claim, claim.id)
    assert stored.drivable is None and stored.location_text is None
    assert stored.latitude is None and stored.longitude is None and stored.police_report_number is None


# ---------------------------------------------------------------------------------------- the triage


@pytest.mark.parametrize(
    ("third_party", "band", "injuries", "fast_track", "reasons"),
    [
        (ThirdParty.none, B.under_2000, False, True, []),
        (ThirdParty.none, B.from_2000_to_5000, False, True, []),  # the limit itself is fast-track
        (ThirdParty.none, B.from_5000_to_20000, False, False, [R.estimate_over_limit]),
        (ThirdParty.none, B.over_20000, False, False, [R.estimate_over_limit]),
        (ThirdParty.none, B.unknown, False, False, [R.estimate_unknown]),
        (ThirdParty.other_vehicle, B.under_2000, False, False, [R.third_party]),
        (ThirdParty.property, B.under_2000, False, False, [R.third_party]),
        (ThirdParty.pedestrian, B.under_2000, False, False, [R.third_party]),
        (ThirdParty.none, B.under_2000, True, False, [R.injuries]),
        (ThirdParty.other_vehicle, B.unknown, True, False, [R.injuries, R.third_party, R.estimate_unknown]),
    ],
)
def test_fast_track_exactly_when_the_triage_rule_allows(
    session, holder, settings, now, third_party, band, injuries, fast_track, reasons,
):
    filed = file(session, holder, settings, now, third_party=third_party, estimate_band=band, injuries=injuries)
    assert filed.claim.fast_track is fast_track
    assert filed.triage_reasons == reasons
    assert filed.triage_reasons == triage_reasons(injuries=injuries, third_party=third_party, estimate=band,
                                                  limit=settings.fast_track_limit)
    session.expire_all()
    assert session.get(Claim, filed.claim.id).fast_track is fast_track


def test_a_lower_fast_track_limit_changes_the_outcome(session, holder, settings, now):
    lower = settings.model_copy(update={"fast_track_limit": Decimal("2000")})
    middle = file(session, holder, lower, now, estimate_band=B.from_2000_to_5000)
    assert middle.claim.fast_track is False and middle.triage_reasons == [R.estimate_over_limit]
    small = file(session, holder, lower, now, estimate_band=B.under_2000)
    assert small.claim.fast_track is True and small.triage_reasons == []


def test_a_higher_fast_track_limit_lets_a_bigger_band_through(session, holder, settings, now):
    higher = settings.model_copy(update={"fast_track_limit": Decimal("20000")})
    filed = file(session, holder, higher, now, estimate_band=B.from_5000_to_20000)
    assert filed.claim.fast_track is True and filed.triage_reasons == []


@pytest.mark.parametrize(
    ("third_party", "band", "injuries", "expected"),
    [
        (ThirdParty.none, B.under_2000, False, FAST),
        (ThirdParty.none, B.over_20000, False, STANDARD),
        (ThirdParty.property, B.under_2000, False, STANDARD_WITH_POLICE),
        (ThirdParty.none, B.under_2000, True, STANDARD_WITH_POLICE),
    ],
)
def test_the_checklist_follows_the_triage(session, holder, settings, now, third_party, band, injuries, expected):
    filed = file(session, holder, settings, now, third_party=third_party, estimate_band=band, injuries=injuries)
    assert filed.checklist == expected
    assert filed.checklist == checklist_for(fast_track=filed.claim.fast_track, third_party=third_party,
                                            injuries=injuries)


# ------------------------------------------------------------------------------------- which car


def test_a_plate_typed_loosely_finds_the_car(session, holder, settings, now):
    filed = file(session, holder, settings, now, plate_number="沪a 6k2·15")
    assert filed.claim.vehicle.plate_number == "沪A6K215"


def test_another_policyholders_car_is_not_covered(session, holder, settings, now):
    make_vehicle(session, plate_number="沪B99887")  # on someone else's policy
    with pytest.raises(VehicleNotCovered):
        file(session, holder, settings, now, plate_number="沪B99887")
    assert claim_count(session) == 0


@pytest.mark.parametrize("status", [PolicyStatus.expired, PolicyStatus.cancelled])
def test_a_car_on_an_inactive_policy_is_not_covered(session, holder, settings, now, status):
    policy = make_policy(session, policyholder=holder, status=status)
    make_vehicle(session, policy=policy, plate_number="沪C12345")
    with pytest.raises(VehicleNotCovered):
        file(session, holder, settings, now, plate_number="沪C12345")
    assert claim_count(session) == 0


@pytest.mark.parametrize("plate", ["沪A6K216", "not a plate", ""])
def test_an_unknown_or_malformed_plate_is_not_covered(session, holder, settings, now, plate):
    with pytest.raises(VehicleNotCovered):
        file(session, holder, settings, now, plate_number=plate)
    assert claim_count(session) == 0


def test_covered_vehicles_in_policy_order_without_inactive_policies(session):
    policyholder = make_policyholder(session)
    first = make_policy(session, policyholder=policyholder)
    lapsed = make_policy(session, policyholder=policyholder, status=PolicyStatus.expired)
    second = make_policy(session, policyholder=policyholder)
    a = make_vehicle(session, policy=first, plate_number="沪A11111")
    b = make_vehicle(session, policy=second, plate_number="沪A22222")
    make_vehicle(session, policy=lapsed, plate_number="沪A33333")
    c = make_vehicle(session, policy=first, plate_number="沪A44444")
    session.expire_all()
    assert [v.plate_number for v in covered_vehicles(policyholder)] == [a.plate_number, c.plate_number,
                                                                        b.plate_number]
    assert covered_vehicle(policyholder, "沪a44444").id == c.id
    with pytest.raises(VehicleNotCovered):
        covered_vehicle(policyholder, "沪A33333")


def test_a_policyholder_without_policies_covers_nothing(session):
    assert covered_vehicles(make_policyholder(session)) == []


# ------------------------------------------------------------------------------------ refused input


def test_a_naive_now_is_refused(session, holder, settings):
    with pytest.raises(ValueError, match="naive"):
        file(session, holder, settings, datetime(2026, 11, 20, 10, 0))
    assert claim_count(session) == 0


def test_a_naive_incident_time_is_refused(session, holder, settings, now):
    with pytest.raises(ValueError, match="naive"):
        file(session, holder, settings, now, incident_at=datetime(2026, 11, 19, 22, 0))
    assert claim_count(session) == 0


# ---------------------------------------------------------------------------- racing for a number


def test_a_number_taken_meanwhile_is_retried_with_the_next_one(session, holder, settings, now, monkeypatch):
    taken = make_claim(session, vehicle=make_vehicle(session), reported_at=now - timedelta(days=1)).claim_number
    real = reports.next_claim_number
    calls = []

    def racing(session_, *, year):
        calls.append(year)
        return taken if len(calls) == 1 else real(session_, year=year)  # the first draw lost the race

    monkeypatch.setattr(reports, "next_claim_number", racing)
    filed = file(session, holder, settings, now)
    assert len(calls) == 2
    assert filed.claim.claim_number == "CLM-2026-000002"
    assert claim_count(session) == 2
    assert session.scalar(select(func.count()).select_from(ClaimStageEvent)
                          .where(ClaimStageEvent.claim_id == filed.claim.id)) == 1


def test_giving_up_after_the_last_attempt(session, holder, settings, now, monkeypatch):
    taken = make_claim(session, vehicle=make_vehicle(session), reported_at=now - timedelta(days=1)).claim_number
    calls = []

    def always_taken(session_, *, year):
        calls.append(year)
        return taken

    monkeypatch.setattr(reports, "next_claim_number", always_taken)
    with pytest.raises(IntegrityError):
        file(session, holder, settings, now)
    assert len(calls) == reports.NUMBER_ATTEMPTS
    assert claim_count(session) == 1


# ------------------------------------------------------------------------------- someone is hurt


def test_an_injury_opens_a_standard_claim_at_once(session, holder, settings, now):
    claim = open_injury_claim(session, policyholder=holder, now=now, settings=settings)
    assert claim is not None
    session.expire_all()
    stored = session.get(Claim, claim.id)
    assert stored.injuries is True and stored.fast_track is False
    assert stored.third_party is ThirdParty.none and stored.estimate_band is B.unknown
    assert stored.vehicle.plate_number == "沪A6K215"
    assert stored.incident_at == now and stored.reported_at == now
    assert stored.stage is ClaimStage.reported and stored.claim_number == "CLM-2026-000001"
    assert "several cars" not in stored.description
    assert len(stored.stage_events) == 1 and stored.stage_events[0].actor == "policyholder"


def test_an_injury_with_several_cars_uses_the_first_and_says_to_confirm(session, holder, settings, now):
    second_policy = make_policy(session, policyholder=holder)
    make_vehicle(session, policy=second_policy, plate_number="沪D54321")
    session.expire_all()
    claim = open_injury_claim(session, policyholder=holder, now=now, settings=settings)
    assert claim.vehicle.plate_number == "沪A6K215"
    assert "several cars" in claim.description


def test_an_injury_without_a_covered_car_opens_nothing(session, settings, now):
    policyholder = make_policyholder(session)
    policy = make_policy(session, policyholder=policyholder, status=PolicyStatus.cancelled)
    make_vehicle(session, policy=policy)
    assert open_injury_claim(session, policyholder=policyholder, now=now, settings=settings) is None
    assert claim_count(session) == 0


def test_an_injury_claim_refuses_a_naive_now(session, holder, settings):
    with pytest.raises(ValueError):
        open_injury_claim(session, policyholder=holder, now=datetime(2026, 11, 20, 10, 0), settings=settings)
    assert claim_count(session) == 0
