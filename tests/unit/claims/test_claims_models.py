"""What the store guarantees: aware UTC times, exact money, enum values, constraints."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, StatementError

from claims.enums import HandoffStatus, MessageDirection, NpsFollowUp
from claims.models import Claim, ConversationMessage, Handoff, NpsResponse, Policy
from claims.nps import NpsCategory, follow_up_for_score, nps_category
from claims.stages import ClaimStage
from tests.factories import make_claim, make_handoff, make_policy

SHANGHAI = timezone(timedelta(hours=8))


def test_datetimes_come_back_aware_in_utc(session):
    claim = make_claim(session, reported_at=datetime(2026, 11, 20, 9, 30, tzinfo=SHANGHAI))
    session.expire_all()
    reloaded = session.get(Claim, claim.id)
    assert reloaded.reported_at.tzinfo is not None
    assert reloaded.reported_at.utcoffset() == timedelta(0)
    assert reloaded.reported_at == datetime(2026, 11, 20, 1, 30, tzinfo=timezone.utc)


def test_naive_datetimes_are_refused(session):
    session.add(ConversationMessage(chat_id=1, direction="in", sender="customer", text="hi",
                                    created_at=datetime(2026, 11, 20, 9, 30)))
    with pytest.raises(StatementError, match="naive datetime"):
        session.flush()


def test_money_is_exact_decimal_and_floats_are_refused(session):
    policy = make_policy(session, deductible=Decimal("1234567890.125"))
    session.expire_all()
    reloaded = session.get(Policy, policy.id)
    assert reloaded.deductible == Decimal("1234567890.13") and isinstance(reloaded.deductible, Decimal)
    reloaded.sum_insured = 100.5
    with pytest.raises(StatementError, match="Decimal"):
        session.commit()


def test_enums_are_stored_as_their_values(session):
    make_claim(session, stage=ClaimStage.loss_assessment)
    session.add(ConversationMessage(chat_id=7, direction=MessageDirection.inbound, sender="customer", text="你好",
                                    created_at=datetime.now(timezone.utc)))
    session.commit()
    assert session.execute(text("SELECT stage FROM claims")).scalar_one() == "loss_assessment"
    assert session.execute(text("SELECT direction FROM conversation_messages")).scalar_one() == "in"
    assert session.scalar(select(ConversationMessage.text)) == "你好"


def test_unknown_enum_strings_are_refused(session):
    session.add(ConversationMessage(chat_id=7, direction="sideways", sender="customer", text="x",
                                    created_at=datetime.now(timezone.utc)))
    with pytest.raises(StatementError):
        session.flush()


def test_stage_events_are_ordered_by_time_then_id(session, now):
    claim = make_claim(session, stage=ClaimStage.survey, now=now)
    assert [event.to_stage for event in claim.stage_events] == [ClaimStage.reported, ClaimStage.survey]


@pytest.mark.parametrize("score, category, follow_up", [
    (0, NpsCategory.detractor, NpsFollowUp.why_not), (6, NpsCategory.detractor, NpsFollowUp.why_not),
    (7, NpsCategory.passive, NpsFollowUp.improve), (8, NpsCategory.passive, NpsFollowUp.improve),
    (9, NpsCategory.promoter, NpsFollowUp.why_recommend), (10, NpsCategory.promoter, NpsFollowUp.why_recommend),
])
def test_nps_categories(score, category, follow_up):
    assert nps_category(score) is category
    assert follow_up_for_score(score) is follow_up
    assert NpsResponse(score=score).category is category


def test_nps_score_outside_0_to_10_is_refused_by_code_and_database(session):
    with pytest.raises(ValueError):
        nps_category(11)
    session.add(NpsResponse(chat_id=1, score=11, follow_up=NpsFollowUp.why_recommend,
                            created_at=datetime.now(timezone.utc)))
    with pytest.raises(IntegrityError):
        session.commit()


def test_only_one_open_handoff_per_chat_in_the_database(session):
    make_handoff(session, chat_id=42, status=HandoffStatus.closed)
    make_handoff(session, chat_id=42, status=HandoffStatus.closed)  # closed ones may pile up
    make_handoff(session, chat_id=42, status=HandoffStatus.queued)
    session.add(Handoff(chat_id=42, reason="complaint", status=HandoffStatus.assigned,
                        requested_at=datetime.now(timezone.utc)))
    with pytest.raises(IntegrityError):
        session.commit()
