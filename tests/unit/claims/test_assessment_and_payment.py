"""The back office's services: assessment figures, payment, adjuster, advancing with a note."""
from datetime import timedelta
from decimal import Decimal

import pytest

from claims.models import Claim
from claims.services.claims import (
    ClaimNotAssessable, PaymentRefused, StaleClaimStage, advance_claim, assign_adjuster, following_stage,
    move_claim_to_stage, record_assessment, record_payment,
)
from claims.stages import ClaimStage as S, IllegalTransition
from tests.factories import make_adjuster, make_claim


def test_assessment_stores_inputs_deductible_and_payout(session, now):
    claim = make_claim(session, stage=S.loss_assessment, now=now)  # policy deductible 500
    breakdown = record_assessment(session, claim=claim, parts=Decimal("1000.005"), labour=Decimal("250"),
                                  depreciation=Decimal("50"), salvage=Decimal("0"))
    session.expire_all()
    stored = session.get(Claim, claim.id)
    assert (stored.assessed_parts, stored.assessed_labour, stored.depreciation, stored.salvage) == (
        Decimal("1000.01"), Decimal("250.00"), Decimal("50.00"), Decimal("0.00"))
    assert (stored.deductible_applied, stored.payout_amount) == (Decimal("500.00"), Decimal("700.01"))
    assert breakdown.payout == stored.payout_amount


def test_assessment_refuses_bad_figures_and_writes_nothing(session, now):
    claim = make_claim(session, stage=S.loss_assessment, now=now)
    with pytest.raises(ValueError, match="negative"):
        record_assessment(session, claim=claim, parts=Decimal("-1"), labour=Decimal("0"))
    with pytest.raises(TypeError):
        record_assessment(session, claim=claim, parts=1000.0, labour=Decimal("0"))
    session.expire_all()
    assert session.get(Claim, claim.id).assessed_parts is None


@pytest.mark.parametrize("stage", [S.reported, S.approval, S.paid, S.closed, S.rejected, S.withdrawn])
def test_assessment_only_while_the_claim_is_being_assessed(session, now, stage):
    claim = make_claim(session, stage=stage, now=now)
    with pytest.raises(ClaimNotAssessable):
        record_assessment(session, claim=claim, parts=Decimal("100"), labour=Decimal("100"))


def test_assessment_after_another_process_sent_the_claim_on_is_refused(session, engine, now):
    claim = make_claim(session, stage=S.adjustment, now=now)
    with engine.begin() as other:
        other.execute(Claim.__table__.update().where(Claim.__table__.c.id == claim.id).values(stage="approval"))
    with pytest.raises(ClaimNotAssessable):
        record_assessment(session, claim=claim, parts=Decimal("100"), labour=Decimal("100"))
    session.expire_all()
    assert session.get(Claim, claim.id).payout_amount is None


def test_payment_sets_card_and_paid_at_and_records_the_move(session, now):
    claim = make_claim(session, stage=S.approval, now=now - timedelta(days=1), payout_amount=Decimal("10"))
    event = record_payment(session, claim=claim, card_last4="9876", actor="back_office", now=now, note="batch 7")
    session.expire_all()
    stored = session.get(Claim, claim.id)
    assert (stored.stage, stored.paid_at, stored.payout_card_last4) == (S.paid, now, "9876")
    assert (event.from_stage, event.to_stage, event.note) == (S.approval, S.paid, "batch 7")


@pytest.mark.parametrize("card", ["987", "98765", "98 7", None, 9876])
def test_payment_needs_exactly_the_last_four_digits(session, now, card):
    claim = make_claim(session, stage=S.approval, now=now, payout_amount=Decimal("10"))
    with pytest.raises(PaymentRefused):
        record_payment(session, claim=claim, card_last4=card, actor="back_office", now=now)


def test_a_payment_that_loses_a_race_leaves_no_card_behind(session, engine, now):
    claim = make_claim(session, stage=S.approval, now=now, payout_amount=Decimal("10"))
    with engine.begin() as other:  # sent back to adjustment meanwhile
        other.execute(Claim.__table__.update().where(Claim.__table__.c.id == claim.id).values(stage="adjustment"))
    with pytest.raises(StaleClaimStage):
        record_payment(session, claim=claim, card_last4="1234", actor="back_office", now=now)
    session.expire_all()
    stored = session.get(Claim, claim.id)
    assert (stored.stage, stored.payout_card_last4, stored.paid_at) == (S.adjustment, None, None)


def test_payment_of_a_claim_not_approved(session, now):
    claim = make_claim(session, stage=S.adjustment, now=now, payout_amount=Decimal("10"))
    with pytest.raises(IllegalTransition):
        record_payment(session, claim=claim, card_last4="1234", actor="back_office", now=now)


def test_assign_adjuster(session, now):
    claim = make_claim(session, now=now)
    adjuster = make_adjuster(session)
    assign_adjuster(session, claim=claim, adjuster=adjuster)
    session.expire_all()
    assert session.get(Claim, claim.id).adjuster.name == adjuster.name


def test_advance_keeps_its_note_and_following_stage_matches(session, now):
    claim = make_claim(session, stage=S.adjustment, now=now)
    move_claim_to_stage(session, claim=claim, to_stage=S.awaiting_documents, actor="back_office", now=now)
    assert following_stage(claim) is S.adjustment
    event = advance_claim(session, claim_number=claim.claim_number, actor="back_office", now=now, note="all in")
    assert (event.to_stage, event.note) == (S.adjustment, "all in")
    assert following_stage(claim) is S.approval
    rejected = make_claim(session, stage=S.rejected, now=now)
    assert following_stage(rejected) is None
