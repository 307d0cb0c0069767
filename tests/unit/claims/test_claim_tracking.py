"""A verified policyholder's claims and one claim's status."""
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from claims.enums import ChecklistItem as I, ThirdParty
from claims.payout import payout_breakdown
from claims.services.claims import move_claim_to_stage, record_assessment
from claims.services.tracking import AdjusterContact, claim_of, claim_payout, claim_status, claims_of
from claims.stages import ClaimStage as S
from tests.factories import (
    make_adjuster, make_claim, make_document, make_linked_policyholder, make_policy, make_vehicle,
)


@pytest.fixture
def holder(session):
    return make_linked_policyholder(session)


def vehicle_of(session, holder):
    return make_vehicle(session, policy=make_policy(session, policyholder=holder))


def test_claims_of_lists_own_claims_newest_first_and_open_only(session, now, holder):
    vehicle = vehicle_of(session, holder)
    second_vehicle = vehicle_of(session, holder)  # another policy of the same holder
    old = make_claim(session, vehicle=vehicle, reported_at=now - timedelta(days=30), stage=S.survey, now=now)
    new = make_claim(session, vehicle=second_vehicle, reported_at=now - timedelta(days=2), stage=S.paid, now=now)
    closed = make_claim(session, vehicle=vehicle, reported_at=now - timedelta(days=10), stage=S.closed, now=now)
    rejected = make_claim(session, vehicle=vehicle, reported_at=now - timedelta(days=5), stage=S.rejected, now=now)
    make_claim(session, now=now)  # someone else's
    assert [c.id for c in claims_of(session, holder)] == [new.id, old.id]
    assert [c.id for c in claims_of(session, holder, open_only=False)] == [new.id, rejected.id, closed.id, old.id]


def test_claims_of_someone_without_claims_is_empty(session, holder):
    assert claims_of(session, holder) == []


def test_claim_of_is_none_for_unknown_and_for_other_peoples_claims(session, now, holder):
    mine = make_claim(session, vehicle=vehicle_of(session, holder), now=now)
    theirs = make_claim(session, now=now)
    number = mine.claim_number  # CLM-2026-00000N
    loose = number.lower().replace("-", " ")
    assert claim_of(session, holder, number).id == mine.id
    assert claim_of(session, holder, loose).id == mine.id
    assert claim_of(session, holder, f"what about {number}?").id == mine.id
    assert claim_of(session, holder, theirs.claim_number) is None
    assert claim_of(session, holder, "CLM-2026-999999") is None
    assert claim_of(session, holder, "nonsense") is None
    assert claim_of(session, holder, None) is None


def test_status_of_a_standard_claim_in_progress(session, now, settings, holder):
    adjuster = make_adjuster(session, name="王磊", phone="+8613901762245", email="wang.lei@claims.example.cn")
    entered = now - timedelta(days=1)
    claim = make_claim(session, vehicle=vehicle_of(session, holder), stage=S.survey, now=entered,
                       reported_at=now - timedelta(days=2), third_party=ThirdParty.other_vehicle,
                       adjuster=adjuster)
    make_document(session, claim=claim, item=I.front_left)
    make_document(session, claim=claim, item=I.police_report)
    status = claim_status(session, claim, now=now, settings=settings)
    assert (status.claim_number, status.plate, status.stage) == (claim.claim_number, claim.vehicle.plate_number,
                                                                 S.survey)
    assert status.stage_entered_at == entered
    assert status.timeline == [(S.reported, now - timedelta(days=2)), (S.survey, entered)]
    assert status.adjuster == AdjusterContact("王磊", "+8613901762245", "wang.lei@claims.example.cn")
    assert status.missing_items == [I.front_right, I.rear_left, I.rear_right, I.damage_closeup, I.vin_or_plate,
                                    I.driving_licence, I.vehicle_licence, I.id_card, I.bank_card]
    assert status.next_stage is S.loss_assessment
    assert status.next_stage_due == entered + timedelta(days=2)  # the survey's target
    assert status.overdue is False
    assert (status.payout, status.payout_paid_at, status.payout_card_last4) == (None, None, None)
    assert status.is_open and not status.fast_track


def test_overdue_only_after_the_target(session, now, settings, holder):
    claim = make_claim(session, vehicle=vehicle_of(session, holder), stage=S.loss_assessment, now=now)
    due = now + timedelta(days=3)
    assert claim_status(session, claim, now=due, settings=settings).overdue is False
    late = claim_status(session, claim, now=due + timedelta(seconds=1), settings=settings)
    assert (late.next_stage_due, late.overdue) == (due, True)


def test_fast_track_goes_straight_to_assessment_and_needs_fewer_documents(session, now, settings, holder):
    claim = make_claim(session, vehicle=vehicle_of(session, holder), fast_track=True,
                       reported_at=now - timedelta(hours=3), now=now)
    status = claim_status(session, claim, now=now, settings=settings)
    assert status.fast_track and status.next_stage is S.loss_assessment
    assert status.next_stage_due == now - timedelta(hours=3) + timedelta(days=1)
    assert I.id_card not in status.missing_items and len(status.missing_items) == 8
    assert status.adjuster is None


def test_a_stage_without_a_target_has_no_due_date(session, now, settings, holder):
    claim = make_claim(session, vehicle=vehicle_of(session, holder), stage=S.survey, now=now)
    only_assessment = settings.model_copy(update={"stage_targets_days": {"loss_assessment": 3}})
    status = claim_status(session, claim, now=now + timedelta(days=30), settings=only_assessment)
    assert (status.next_stage, status.next_stage_due, status.overdue) == (S.loss_assessment, None, False)


def test_waiting_for_documents_resumes_where_it_was_and_keeps_the_payout(session, now, settings, holder):
    claim = make_claim(session, vehicle=vehicle_of(session, holder), stage=S.adjustment,
                       now=now - timedelta(days=2))
    record_assessment(session, claim=claim, parts=Decimal("6000"), labour=Decimal("2000"))
    move_claim_to_stage(session, claim=claim, to_stage=S.awaiting_documents, actor="back_office",
                        now=now - timedelta(days=1))
    status = claim_status(session, claim, now=now, settings=settings)
    assert status.next_stage is S.adjustment
    assert status.next_stage_due == now - timedelta(days=1) + timedelta(days=7)
    assert status.payout.payout == Decimal("7500.00")  # 8000 - 500 deductible
    assert [stage for stage, _ in status.timeline] == [S.reported, S.adjustment, S.awaiting_documents]


def test_payout_is_shown_from_the_loss_review_on(session, now, settings, holder):
    claim = make_claim(session, vehicle=vehicle_of(session, holder), stage=S.loss_assessment, now=now)
    record_assessment(session, claim=claim, parts=Decimal("8000"), labour=Decimal("2400.50"),
                      depreciation=Decimal("400"), salvage=Decimal("180"))
    assert claim_status(session, claim, now=now, settings=settings).payout is None  # not final yet
    move_claim_to_stage(session, claim=claim, to_stage=S.loss_review, actor="back_office", now=now)
    payout = claim_status(session, claim, now=now, settings=settings).payout
    assert payout == payout_breakdown(parts=Decimal("8000"), labour=Decimal("2400.50"), deductible=Decimal("500"),
                                      depreciation=Decimal("400"), salvage=Decimal("180"))
    assert payout.payout == Decimal("9320.50")
    # Sent back for re-assessment after a dispute: the old figures are no longer shown.
    move_claim_to_stage(session, claim=claim, to_stage=S.loss_assessment, actor="back_office", now=now)
    assert claim_status(session, claim, now=now, settings=settings).payout is None


def test_paid_claim_shows_when_and_where_and_asks_for_nothing(session, now, settings, holder):
    paid_at = now - timedelta(days=1)
    claim = make_claim(session, vehicle=vehicle_of(session, holder), stage=S.paid, now=paid_at,
                       assessed_parts=Decimal("3000"), assessed_labour=Decimal("1000"),
                       deductible_applied=Decimal("500"), payout_amount=Decimal("3500"), paid_at=paid_at,
                       payout_card_last4="0123")
    status = claim_status(session, claim, now=now, settings=settings)
    assert (status.payout.payout, status.payout_paid_at, status.payout_card_last4) == (Decimal("3500.00"), paid_at,
                                                                                       "0123")
    assert status.missing_items == []
    assert (status.next_stage, status.next_stage_due) == (S.closed, paid_at + timedelta(days=3))


def test_breakdown_uses_the_deductible_applied_when_assessed(session, now, holder):
    claim = make_claim(session, vehicle=vehicle_of(session, holder), stage=S.loss_review, now=now)
    record_assessment(session, claim=claim, parts=Decimal("1000"), labour=Decimal("200"))
    claim.policy.deductible = Decimal("2000")  # changed at renewal, after the assessment
    session.commit()
    assert claim_payout(claim).payout == Decimal("700.00")
    assert claim_payout(claim).payout == claim.payout_amount


@pytest.mark.parametrize("stage", [S.rejected, S.withdrawn, S.closed])
def test_ended_claims(session, now, settings, holder, stage):
    claim = make_claim(session, vehicle=vehicle_of(session, holder), stage=stage, now=now,
                       assessed_parts=Decimal("1000"), assessed_labour=Decimal("100"))
    status = claim_status(session, claim, now=now + timedelta(days=100), settings=settings)
    assert (status.next_stage, status.next_stage_due, status.overdue, status.missing_items) == (None, None, False, [])
    assert not status.is_open
    assert (status.payout is None) == (stage is not S.closed)


def test_naive_now_is_refused(session, settings, holder):
    claim = make_claim(session, vehicle=vehicle_of(session, holder))
    with pytest.raises(ValueError, match="naive"):
        claim_status(session, claim, now=datetime(2026, 11, 20), settings=settings)
