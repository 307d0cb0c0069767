"""A handoff's life at the agents' desk: due time, one owner, transfer, hand-back, withdrawal, reminders, topics."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from claims.desk_hours import DEFAULT_DESK_HOURS, DeskSchedule, parse_week
from claims.enums import HandoffEventKind, HandoffOutcome, HandoffStatus
from claims.models import Handoff, HandoffEvent
from claims.services.handoffs import (
    Agent, add_note, attach_topic, hand_back, handoffs_without_topic, mark_breached, overdue_handoffs,
    recently_handed_back, release_handoff, request_handoff, route_by_id, route_for_chat, route_for_topic,
    take_handoff, withdraw_handoff,
)
from tests.factories import make_handoff

SHANGHAI = ZoneInfo("Asia/Shanghai")
TARGET = timedelta(minutes=2)
LI = Agent(telegram_id=901, name="Li Na")
CHEN = Agent(telegram_id=902, name="Chen Jie")


def shanghai(year, month, day, hour, minute) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def schedule() -> DeskSchedule:
    return DeskSchedule(parse_week(DEFAULT_DESK_HOURS), SHANGHAI)


def queued(session, now, chat_id=1, **kwargs) -> Handoff:
    return request_handoff(session, chat_id=chat_id, telegram_user_id=chat_id, reason="user_request", now=now,
                           **kwargs)


def kinds(session, handoff_id) -> list[HandoffEventKind]:
    return list(session.scalars(select(HandoffEvent.kind).where(HandoffEvent.handoff_id == handoff_id)
                                .order_by(HandoffEvent.created_at, HandoffEvent.id)))


# --- request -----------------------------------------------------------------------------------

def test_request_a_minute_before_closing_is_due_two_minutes_into_the_next_morning(session, schedule):
    # Thursday 19 Nov 2026 19:59: one minute of the target today, the other after 08:30 on Friday
    handoff = queued(session, shanghai(2026, 11, 19, 19, 59), schedule=schedule, target=TARGET)
    assert handoff.first_response_due_at == shanghai(2026, 11, 20, 8, 31)


def test_request_while_open_is_due_after_the_target(session, schedule):
    handoff = queued(session, shanghai(2026, 11, 19, 10, 0), schedule=schedule, target=TARGET)
    assert handoff.first_response_due_at == shanghai(2026, 11, 19, 10, 2)


def test_request_on_friday_evening_is_due_on_saturday_at_nine(session, schedule):
    handoff = queued(session, shanghai(2026, 11, 20, 21, 0), schedule=schedule, target=TARGET)
    assert handoff.first_response_due_at == shanghai(2026, 11, 21, 9, 2)


def test_without_a_schedule_there_is_no_due_time(session, now):
    assert queued(session, now).first_response_due_at is None


def test_customer_name_is_kept_and_cut_to_100_characters(session, now):
    assert queued(session, now, chat_id=1, customer_name="Wei").customer_name == "Wei"
    assert len(queued(session, now, chat_id=2, customer_name="W" * 150).customer_name) == 100
    assert queued(session, now, chat_id=3, customer_name="").customer_name is None


def test_a_request_is_recorded_with_its_reason(session, now):
    handoff = request_handoff(session, chat_id=1, telegram_user_id=1, reason="complaint", now=now)
    event = session.scalars(select(HandoffEvent).where(HandoffEvent.handoff_id == handoff.id)).one()
    assert (event.kind, event.text, event.created_at) == (HandoffEventKind.requested, "complaint", now)
    assert handoff.transfer_count == 0


def test_a_naive_request_time_is_refused(session):
    with pytest.raises(ValueError):
        queued(session, datetime(2026, 11, 20, 10, 0))


# --- take --------------------------------------------------------------------------------------

def test_taking_assigns_the_case_and_records_the_first_response(session, now):
    handoff = queued(session, now)
    result = take_handoff(session, handoff.id, agent=LI, now=now + timedelta(seconds=45))
    assert result.taken and result.first_take
    assert (result.case.status, result.case.agent_telegram_id, result.case.agent_name) == (
        HandoffStatus.assigned, LI.telegram_id, "Li Na")
    session.refresh(handoff)
    assert handoff.assigned_at == handoff.first_response_at == now + timedelta(seconds=45)
    assert kinds(session, handoff.id) == [HandoffEventKind.requested, HandoffEventKind.taken]


def test_second_agent_to_take_loses_and_sees_who_has_it(session, now):
    handoff = queued(session, now)
    assert take_handoff(session, handoff.id, agent=LI, now=now + timedelta(seconds=10)).taken
    late = take_handoff(session, handoff.id, agent=CHEN, now=now + timedelta(seconds=11))
    assert late.taken is False and late.first_take is False
    assert (late.case.agent_name, late.case.agent_telegram_id) == ("Li Na", LI.telegram_id)
    assert kinds(session, handoff.id).count(HandoffEventKind.taken) == 1


def test_two_agents_pressing_at_once_in_separate_sessions_give_one_owner(engine, session, now):
    handoff_id = queued(session, now).id
    factory = sessionmaker(engine, expire_on_commit=False)
    barrier, results, errors = threading.Barrier(2), {}, []

    def press(agent: Agent) -> None:
        try:
            with factory() as own_session:
                barrier.wait(timeout=10)
                results[agent.name] = take_handoff(own_session, handoff_id, agent=agent, now=now)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=press, args=(agent,)) for agent in (LI, CHEN)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    winners = [name for name, result in results.items() if result.taken]
    assert len(winners) == 1
    loser = next(result for result in results.values() if not result.taken)
    assert loser.case.agent_name == winners[0]
    assert kinds(session, handoff_id).count(HandoffEventKind.taken) == 1


def test_taking_an_unknown_case_raises(session, now):
    with pytest.raises(LookupError):
        take_handoff(session, 999_999, agent=LI, now=now)


def test_first_response_is_kept_through_a_transfer_and_a_new_take(session, now):
    handoff = queued(session, now)
    take_handoff(session, handoff.id, agent=LI, now=now + timedelta(minutes=1))
    assert release_handoff(session, handoff.id, agent=LI, now=now + timedelta(minutes=5))
    again = take_handoff(session, handoff.id, agent=CHEN, now=now + timedelta(minutes=9))
    assert again.taken and again.first_take is False
    session.refresh(handoff)
    assert handoff.first_response_at == now + timedelta(minutes=1)
    assert handoff.assigned_at == now + timedelta(minutes=9)
    assert (handoff.agent_name, handoff.transfer_count) == ("Chen Jie", 1)


def test_a_taken_case_cannot_be_withdrawn_by_the_customer(session, now):
    handoff = queued(session, now, chat_id=7)
    take_handoff(session, handoff.id, agent=LI, now=now)
    assert withdraw_handoff(session, chat_id=7, now=now + timedelta(minutes=1)) is None
    session.refresh(handoff)
    assert handoff.status is HandoffStatus.assigned and handoff.outcome is None and handoff.closed_at is None


# --- transfer and hand-back --------------------------------------------------------------------

def test_only_the_owner_can_transfer(session, now):
    handoff = queued(session, now)
    take_handoff(session, handoff.id, agent=LI, now=now)
    assert release_handoff(session, handoff.id, agent=CHEN, now=now + timedelta(minutes=1)) is False
    session.refresh(handoff)
    assert (handoff.status, handoff.agent_name, handoff.transfer_count) == (HandoffStatus.assigned, "Li Na", 0)


def test_transfer_puts_the_case_back_in_the_queue_without_an_owner(session, now):
    handoff = queued(session, now)
    take_handoff(session, handoff.id, agent=LI, now=now)
    assert release_handoff(session, handoff.id, agent=LI, now=now + timedelta(minutes=3))
    session.refresh(handoff)
    assert handoff.status is HandoffStatus.queued
    assert (handoff.agent_telegram_id, handoff.agent_name, handoff.assigned_at) == (None, None, None)
    assert handoff.transfer_count == 1 and handoff.requested_at == now and handoff.closed_at is None


def test_a_queued_case_cannot_be_transferred_or_handed_back(session, now):
    handoff = queued(session, now)
    assert release_handoff(session, handoff.id, agent=LI, now=now) is False
    assert hand_back(session, handoff.id, agent=LI, now=now) is False
    session.refresh(handoff)
    assert handoff.status is HandoffStatus.queued and handoff.transfer_count == 0


def test_only_the_owner_can_hand_back(session, now):
    handoff = queued(session, now)
    take_handoff(session, handoff.id, agent=LI, now=now)
    assert hand_back(session, handoff.id, agent=CHEN, now=now + timedelta(minutes=1)) is False
    session.refresh(handoff)
    assert handoff.status is HandoffStatus.assigned and handoff.outcome is None and handoff.closed_at is None


def test_hand_back_closes_the_case(session, now):
    handoff = queued(session, now)
    take_handoff(session, handoff.id, agent=LI, now=now)
    assert hand_back(session, handoff.id, agent=LI, now=now + timedelta(minutes=12))
    session.refresh(handoff)
    assert (handoff.status, handoff.outcome) == (HandoffStatus.closed, HandoffOutcome.handed_back)
    assert handoff.closed_at == now + timedelta(minutes=12) and handoff.transfer_count == 0
    assert route_for_chat(session, handoff.chat_id) is None


def test_a_closed_case_cannot_be_handed_back_twice(session, now):
    handoff = queued(session, now)
    take_handoff(session, handoff.id, agent=LI, now=now)
    hand_back(session, handoff.id, agent=LI, now=now)
    assert hand_back(session, handoff.id, agent=LI, now=now + timedelta(minutes=1)) is False
    assert kinds(session, handoff.id).count(HandoffEventKind.handed_back) == 1


def test_every_step_is_on_record_with_the_agent(session, now):
    handoff = queued(session, now)
    take_handoff(session, handoff.id, agent=LI, now=now + timedelta(minutes=1))
    release_handoff(session, handoff.id, agent=LI, now=now + timedelta(minutes=2))
    take_handoff(session, handoff.id, agent=CHEN, now=now + timedelta(minutes=3))
    hand_back(session, handoff.id, agent=CHEN, now=now + timedelta(minutes=4))
    events = session.scalars(select(HandoffEvent).where(HandoffEvent.handoff_id == handoff.id)
                             .order_by(HandoffEvent.created_at, HandoffEvent.id)).all()
    assert [(e.kind, e.actor_name) for e in events] == [
        (HandoffEventKind.requested, None), (HandoffEventKind.taken, "Li Na"),
        (HandoffEventKind.transferred, "Li Na"), (HandoffEventKind.taken, "Chen Jie"),
        (HandoffEventKind.handed_back, "Chen Jie"),
    ]
    assert [e.actor_telegram_id for e in events[1:]] == [901, 901, 902, 902]


# --- withdrawal and return ---------------------------------------------------------------------

def test_withdrawing_closes_a_queued_case(session, now):
    handoff = queued(session, now, chat_id=8)
    route = withdraw_handoff(session, chat_id=8, now=now + timedelta(minutes=2))
    assert route is not None and route.handoff_id == handoff.id and route.status is HandoffStatus.closed
    session.refresh(handoff)
    assert (handoff.outcome, handoff.closed_at) == (HandoffOutcome.withdrawn, now + timedelta(minutes=2))
    assert kinds(session, handoff.id)[-1] is HandoffEventKind.withdrawn


def test_withdrawing_without_a_case_does_nothing(session, now):
    assert withdraw_handoff(session, chat_id=9, now=now) is None


def test_recently_handed_back_looks_only_within_the_window(session, now):
    handoff = queued(session, now, chat_id=10)
    take_handoff(session, handoff.id, agent=LI, now=now)
    hand_back(session, handoff.id, agent=LI, now=now)
    within = timedelta(minutes=1)
    assert recently_handed_back(session, chat_id=10, now=now + timedelta(seconds=30), within=within)
    assert not recently_handed_back(session, chat_id=10, now=now + timedelta(seconds=61), within=within)
    assert not recently_handed_back(session, chat_id=11, now=now, within=within)


def test_a_withdrawn_case_is_not_a_hand_back(session, now):
    queued(session, now, chat_id=12)
    withdraw_handoff(session, chat_id=12, now=now)
    assert not recently_handed_back(session, chat_id=12, now=now, within=timedelta(minutes=1))


# --- notes -------------------------------------------------------------------------------------

def test_a_note_is_kept_with_the_case_and_its_author(session, now):
    handoff = queued(session, now)
    add_note(session, handoff.id, agent=LI, text="called the garage, quote is 6,800", now=now)
    note = session.scalars(select(HandoffEvent).where(HandoffEvent.handoff_id == handoff.id,
                                                      HandoffEvent.kind == HandoffEventKind.note)).one()
    assert (note.text, note.actor_name, note.actor_telegram_id, note.created_at) == (
        "called the garage, quote is 6,800", "Li Na", 901, now)


# --- first-response reminders ------------------------------------------------------------------

def waiting_since(session, now, minutes, due_in_minutes, **overrides) -> Handoff:
    """A case requested `minutes` before `now`, due `due_in_minutes` after `now` (negative: past due)."""
    return make_handoff(session, requested_at=now - timedelta(minutes=minutes),
                        first_response_due_at=now + timedelta(minutes=due_in_minutes), **overrides)


def test_only_queued_cases_past_their_due_time_are_overdue(session, now):
    due = waiting_since(session, now, 5, -3)
    waiting_since(session, now, 0, 2)  # not yet
    make_handoff(session, requested_at=now - timedelta(minutes=5))  # no target
    waiting_since(session, now, 5, -3, status=HandoffStatus.assigned, agent_telegram_id=901, agent_name="Li Na")
    waiting_since(session, now, 5, -3, status=HandoffStatus.closed, outcome=HandoffOutcome.withdrawn, closed_at=now)
    assert [case.handoff_id for case in overdue_handoffs(session, now=now)] == [due.id]


def test_a_case_due_exactly_now_is_overdue(session, now):
    due = waiting_since(session, now, 2, 0)
    assert [case.handoff_id for case in overdue_handoffs(session, now=now)] == [due.id]


def test_overdue_cases_come_in_request_order(session, now):
    later = waiting_since(session, now, 3, -1)
    earlier = waiting_since(session, now, 9, -7)
    assert [case.handoff_id for case in overdue_handoffs(session, now=now)] == [earlier.id, later.id]


def test_a_breach_is_marked_once_and_then_no_longer_overdue(session, now):
    handoff = waiting_since(session, now, 5, -3)
    assert mark_breached(session, handoff.id, now=now) is True
    assert mark_breached(session, handoff.id, now=now + timedelta(minutes=1)) is False
    session.refresh(handoff)
    assert handoff.breached_at == now
    assert overdue_handoffs(session, now=now + timedelta(minutes=2)) == []
    assert kinds(session, handoff.id) == [HandoffEventKind.reminded]


def test_a_taken_case_is_not_marked_as_breached(session, now):
    handoff = queued(session, now - timedelta(minutes=5))
    handoff.first_response_due_at = now - timedelta(minutes=3)
    session.commit()
    take_handoff(session, handoff.id, agent=LI, now=now - timedelta(seconds=1))
    assert mark_breached(session, handoff.id, now=now) is False
    session.refresh(handoff)
    assert handoff.breached_at is None
    assert HandoffEventKind.reminded not in kinds(session, handoff.id)


def test_a_case_answered_in_time_and_transferred_is_not_overdue(session, now):
    handoff = queued(session, now - timedelta(minutes=10))
    handoff.first_response_due_at = now - timedelta(minutes=8)
    session.commit()
    take_handoff(session, handoff.id, agent=LI, now=now - timedelta(minutes=9))  # a minute before it was due
    release_handoff(session, handoff.id, agent=LI, now=now - timedelta(minutes=1))
    assert overdue_handoffs(session, now=now) == []
    assert mark_breached(session, handoff.id, now=now) is False


# --- topics and routes -------------------------------------------------------------------------

def test_a_topic_is_attached_once(session, now):
    handoff = queued(session, now)
    assert attach_topic(session, handoff.id, topic_id=4242, card_message_id=17, now=now) is True
    assert attach_topic(session, handoff.id, topic_id=4343, card_message_id=18, now=now) is False
    session.expire_all()  # attach_topic updates in SQL; each store call has a fresh session in the app
    route = route_by_id(session, handoff.id)
    assert (route.topic_id, route.card_message_id) == (4242, 17)
    assert kinds(session, handoff.id).count(HandoffEventKind.topic_opened) == 1


def test_route_for_topic_finds_the_case_open_or_closed(session, now):
    handoff = queued(session, now, chat_id=21)
    attach_topic(session, handoff.id, topic_id=555, card_message_id=None, now=now)
    session.expire_all()
    route = route_for_topic(session, 555)
    assert (route.handoff_id, route.chat_id, route.status, route.topic_id) == (
        handoff.id, 21, HandoffStatus.queued, 555)
    withdraw_handoff(session, chat_id=21, now=now)
    assert route_for_topic(session, 555).status is HandoffStatus.closed
    assert route_for_topic(session, 556) is None


def test_route_for_chat_is_the_open_case_only(session, now):
    handoff = queued(session, now, chat_id=22)
    take_handoff(session, handoff.id, agent=LI, now=now)
    route = route_for_chat(session, 22)
    assert (route.handoff_id, route.status, route.agent_name) == (handoff.id, HandoffStatus.assigned, "Li Na")
    assert route_for_chat(session, 23) is None
    hand_back(session, handoff.id, agent=LI, now=now)
    assert route_for_chat(session, 22) is None


def test_cases_without_a_topic_are_the_open_ones_oldest_first(session, now):
    newer = queued(session, now, chat_id=31)
    older = queued(session, now - timedelta(minutes=5), chat_id=32)
    assigned = queued(session, now - timedelta(minutes=1), chat_id=33)
    take_handoff(session, assigned.id, agent=LI, now=now)
    with_topic = queued(session, now - timedelta(minutes=9), chat_id=34)
    attach_topic(session, with_topic.id, topic_id=777, card_message_id=None, now=now)
    queued(session, now - timedelta(minutes=10), chat_id=35)
    withdraw_handoff(session, chat_id=35, now=now)
    assert handoffs_without_topic(session) == [older.id, assigned.id, newer.id]
    assert handoffs_without_topic(session, limit=1) == [older.id]


def test_times_come_back_aware(session, now):
    handoff = queued(session, now)
    session.expire_all()
    stored = session.get(Handoff, handoff.id)
    assert stored.requested_at.utcoffset() == timedelta(0) and stored.requested_at == now.astimezone(timezone.utc)
