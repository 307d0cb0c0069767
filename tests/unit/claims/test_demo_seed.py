"""The demo data: the cited identities exist, stories follow the stage machine, a second run adds nothing."""
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from claims import seed
from claims.models import Claim, NpsResponse, Policy, Policyholder, RoadsideRequest, Vehicle
from claims.payout import payout_breakdown
from claims.services.policyholders import find_policyholder_by_phone
from claims.stages import ClaimStage, can_transition
from claims.vehicles import normalise_plate, normalise_vin


@pytest.fixture
def seeded(session, now):
    result = seed.seed_demo_data(session, now=now)
    assert result.created
    return result


def test_cited_identities(session, seeded):
    for phone, name, dob, policy_number, plate in [
        (seed.DEMO_PHONE_EN, seed.DEMO_NAME_EN, seed.DEMO_DOB_EN, seed.DEMO_POLICY_EN, seed.DEMO_PLATE_EN),
        (seed.DEMO_PHONE_ZH, seed.DEMO_NAME_ZH, seed.DEMO_DOB_ZH, seed.DEMO_POLICY_ZH, seed.DEMO_PLATE_ZH),
    ]:
        holder = find_policyholder_by_phone(session, phone)
        assert (holder.full_name, holder.date_of_birth) == (name, dob)
        assert holder.policies[0].policy_number == policy_number
        assert holder.policies[0].vehicles[0].plate_number == plate
    for number, stage, owner in [
        (seed.DEMO_CLAIM_PAID_EN, ClaimStage.paid, seed.DEMO_PHONE_EN),
        (seed.DEMO_CLAIM_ASSESSMENT_EN, ClaimStage.loss_assessment, seed.DEMO_PHONE_EN),
        (seed.DEMO_CLAIM_PAID_ZH, ClaimStage.paid, seed.DEMO_PHONE_ZH),
        (seed.DEMO_CLAIM_ASSESSMENT_ZH, ClaimStage.loss_assessment, seed.DEMO_PHONE_ZH),
    ]:
        claim = session.scalar(select(Claim).where(Claim.claim_number == number))
        assert claim.stage is stage and claim.policy.policyholder.phone == owner


def test_cited_paid_claims_show_every_line_of_the_breakdown(session, seeded):
    for number in (seed.DEMO_CLAIM_PAID_EN, seed.DEMO_CLAIM_PAID_ZH):
        claim = session.scalar(select(Claim).where(Claim.claim_number == number))
        breakdown = payout_breakdown(parts=claim.assessed_parts, labour=claim.assessed_labour,
                                     deductible=claim.policy.deductible, depreciation=claim.depreciation,
                                     salvage=claim.salvage)
        assert breakdown.payout == claim.payout_amount > 0
        assert breakdown.deductible_applied == claim.deductible_applied
        assert all(line.amount != 0 for line in breakdown.lines)
        assert claim.paid_at is not None and len(claim.payout_card_last4) == 4


def test_volumes_and_variety(session, seeded):
    holders = session.scalars(select(Policyholder)).all()
    assert len(holders) >= 24
    assert Counter(h.preferred_language.value for h in holders) == {"en": 12, "zh": 12}
    stages = Counter(session.scalars(select(Claim.stage)).all())
    assert all(stages[stage] >= 2 for stage in ClaimStage), stages
    assert session.scalar(select(func.count()).where(Claim.fast_track.is_(True))) >= 5
    assert {r.status for r in session.scalars(select(RoadsideRequest))} >= {"requested", "en_route", "completed"}
    assert session.scalar(select(func.count()).select_from(NpsResponse)) >= 5
    makes = set(session.scalars(select(Vehicle.make)))
    assert {"BYD", "Tesla", "Volkswagen", "Toyota", "Geely", "Honda", "Buick"} <= makes
    provinces = {v.plate_number[0] for v in session.scalars(select(Vehicle))}
    assert len(provinces) >= 5
    for vehicle in session.scalars(select(Vehicle)):
        assert normalise_plate(vehicle.plate_number) == vehicle.plate_number
        assert normalise_vin(vehicle.vin) == vehicle.vin
    assert all(1 <= len(p.vehicles) for p in session.scalars(select(Policy)))


def test_histories_follow_the_stage_machine_and_lie_in_the_past(session, seeded, now):
    for claim in session.scalars(select(Claim)):
        events = claim.stage_events
        assert events[0].from_stage is None and events[0].to_stage is ClaimStage.reported
        assert events[0].occurred_at == claim.reported_at > now - timedelta(days=21)
        for before, after in zip(events, events[1:]):
            assert after.from_stage is before.to_stage
            assert can_transition(before.to_stage, after.to_stage, fast_track=claim.fast_track)
            assert before.occurred_at < after.occurred_at
        assert events[-1].to_stage is claim.stage
        assert events[-1].occurred_at == claim.stage_changed_at < now
        assert claim.incident_at < claim.reported_at
        assert (claim.payout_amount is not None) == any(e.to_stage is ClaimStage.loss_review for e in events)


def test_second_run_adds_nothing_and_reset_reseeds_identically(session, seeded, now):
    counts = dict(seeded.counts)
    assert seed.seed_demo_data(session, now=now).created is False
    numbers = sorted(session.scalars(select(Claim.claim_number)))
    seed.wipe_all_data(session)
    assert session.scalar(select(func.count()).select_from(Policyholder)) == 0
    again = seed.seed_demo_data(session, now=now)
    assert again.counts == counts
    assert sorted(session.scalars(select(Claim.claim_number))) == numbers


def test_every_customer_has_a_city_and_every_car_its_papers_dates(session, seeded, now):
    holders = session.scalars(select(Policyholder)).all()
    assert all(holder.city for holder in holders)
    cities = {holder.full_name: holder.city for holder in holders}
    assert (cities[seed.DEMO_NAME_EN], cities[seed.DEMO_NAME_ZH]) == ("Shanghai", "Shenzhen")  # by their plates
    for vehicle in session.scalars(select(Vehicle)):
        assert now.date() < vehicle.inspection_due_on <= now.date() + timedelta(days=366)
        assert now.date() < vehicle.maintenance_due_on <= now.date() + timedelta(days=181)
