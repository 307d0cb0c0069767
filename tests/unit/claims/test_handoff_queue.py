"""Handoffs to an agent: one open per chat, queue positions."""
from datetime import timedelta

from claims.enums import HandoffReason, HandoffStatus
from claims.services.handoffs import open_handoff_for_chat, queue_position, request_handoff
from tests.factories import make_claim, make_policyholder


def test_asking_twice_returns_the_open_handoff(session, now):
    first = request_handoff(session, chat_id=1, telegram_user_id=1, reason=HandoffReason.user_request, now=now)
    again = request_handoff(session, chat_id=1, telegram_user_id=1, reason="complaint",
                            now=now + timedelta(minutes=1))
    assert again.id == first.id and again.reason is HandoffReason.user_request
    assert open_handoff_for_chat(session, 1).id == first.id


def test_a_closed_handoff_does_not_block_a_new_one(session, now):
    first = request_handoff(session, chat_id=2, telegram_user_id=2, reason="injury", now=now)
    first.status = HandoffStatus.closed
    session.commit()
    assert open_handoff_for_chat(session, 2) is None
    second = request_handoff(session, chat_id=2, telegram_user_id=2, reason="injury", now=now)
    assert second.id != first.id and second.status is HandoffStatus.queued


def test_linked_policyholder_and_claim_are_attached(session, now):
    holder = make_policyholder(session, telegram_user_id=777)
    claim = make_claim(session, now=now)
    handoff = request_handoff(session, chat_id=777, telegram_user_id=777, reason="disputed_assessment",
                              claim_id=claim.id, summary="disputes the parts price", now=now)
    assert handoff.policyholder_id == holder.id and handoff.claim_id == claim.id
    assert handoff.summary == "disputes the parts price"


def test_queue_positions_follow_request_time_and_skip_assigned(session, now):
    late = request_handoff(session, chat_id=3, telegram_user_id=3, reason="complaint", now=now + timedelta(minutes=2))
    early = request_handoff(session, chat_id=4, telegram_user_id=4, reason="complaint", now=now)
    middle = request_handoff(session, chat_id=5, telegram_user_id=5, reason="complaint", now=now + timedelta(minutes=1))
    assert [queue_position(session, h) for h in (early, middle, late)] == [1, 2, 3]
    early.status = HandoffStatus.assigned
    session.commit()
    assert queue_position(session, early) is None
    assert [queue_position(session, h) for h in (middle, late)] == [1, 2]


def test_simultaneous_requests_are_ordered_by_id(session, now):
    a = request_handoff(session, chat_id=6, telegram_user_id=6, reason="complaint", now=now)
    b = request_handoff(session, chat_id=7, telegram_user_id=7, reason="complaint", now=now)
    assert (queue_position(session, a), queue_position(session, b)) == (1, 2)
