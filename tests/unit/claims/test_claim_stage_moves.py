"""Moving claims through their stages: validated, recorded, committed."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from claims.models import Claim, ClaimStageEvent
from claims.services.claims import (
    ClaimNotFound, StaleClaimStage, advance_claim, claim_by_number, move_claim_to_stage,
)
from claims.stages import ClaimStage as S, IllegalTransition
from tests.factories import make_claim


def test_move_records_an_event_and_updates_the_claim(session, now):
    claim = make_claim(session, now=now - timedelta(days=1))
    event = move_claim_to_stage(session, claim=claim, to_stage="survey", actor="back_office",
                                note="surveyor booked", now=now)
    session.expire_all()
    stored = session.get(Claim, claim.id)
    assert (stored.stage, stored.stage_changed_at) == (S.survey, now)
    assert (event.from_stage, event.to_stage, event.actor, event.note) == (
        S.reported, S.survey, "back_office", "surveyor booked")
    assert [e.to_stage for e in stored.stage_events] == [S.reported, S.survey]


def test_illegal_move_raises_and_writes_nothing(session, now):
    claim = make_claim(session, now=now)
    with pytest.raises(IllegalTransition):
        move_claim_to_stage(session, claim=claim, to_stage=S.paid, actor="back_office", now=now)
    with pytest.raises(IllegalTransition):  # a standard claim cannot skip the survey
        move_claim_to_stage(session, claim=claim, to_stage=S.loss_assessment, actor="back_office", now=now)
    session.expire_all()
    assert session.get(Claim, claim.id).stage is S.reported
    assert len(session.scalars(select(ClaimStageEvent)).all()) == 1


def test_paying_sets_paid_at(session, now):
    claim = make_claim(session, stage=S.approval, now=now)
    move_claim_to_stage(session, claim=claim, to_stage=S.paid, actor="back_office", now=now)
    assert claim.paid_at == now


def test_a_concurrent_move_is_detected(session, engine, now):
    claim = make_claim(session, now=now)
    with engine.begin() as other:  # someone else moved it in the meantime
        other.execute(Claim.__table__.update().where(Claim.__table__.c.id == claim.id).values(stage="withdrawn"))
    with pytest.raises(StaleClaimStage):
        move_claim_to_stage(session, claim=claim, to_stage=S.survey, actor="back_office", now=now)
    assert session.scalars(select(ClaimStageEvent).where(ClaimStageEvent.to_stage == S.survey)).all() == []


def test_advance_follows_the_main_line_and_fast_track(session, now):
    standard = make_claim(session, now=now)
    fast = make_claim(session, fast_track=True, now=now)
    assert advance_claim(session, claim_number=standard.claim_number, actor="system", now=now).to_stage is S.survey
    assert advance_claim(session, claim_number=fast.claim_number.lower(), actor="system",
                         now=now).to_stage is S.loss_assessment


def test_advance_after_documents_returns_to_where_the_claim_was(session, now):
    claim = make_claim(session, stage=S.adjustment, now=now)
    move_claim_to_stage(session, claim=claim, to_stage=S.awaiting_documents, actor="back_office", now=now)
    event = advance_claim(session, claim_number=claim.claim_number, actor="back_office",
                          now=now + timedelta(hours=1))
    assert (event.from_stage, event.to_stage) == (S.awaiting_documents, S.adjustment)


def test_advance_from_reported_after_documents_goes_to_the_survey(session, now):
    claim = make_claim(session, now=now)
    move_claim_to_stage(session, claim=claim, to_stage=S.awaiting_documents, actor="back_office", now=now)
    assert advance_claim(session, claim_number=claim.claim_number, actor="back_office",
                         now=now).to_stage is S.survey


def test_advance_at_the_end_or_unknown_claim(session, now):
    closed = make_claim(session, stage=S.closed, now=now)
    with pytest.raises(IllegalTransition):
        advance_claim(session, claim_number=closed.claim_number, actor="system", now=now)
    with pytest.raises(ClaimNotFound):
        advance_claim(session, claim_number="CLM-2026-999999", actor="system", now=now)
    assert claim_by_number(session, "not a number") is None


def test_naive_now_is_refused(session, now):
    claim = make_claim(session, now=now)
    with pytest.raises(ValueError, match="naive"):
        move_claim_to_stage(session, claim=claim, to_stage=S.survey, actor="system", now=now.replace(tzinfo=None))
