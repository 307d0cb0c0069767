"""The agents' desk: opening hours with agents' closures and overtime, /queue and today's /stats."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from claims.enums import HandoffOutcome, HandoffReason, HandoffStatus
from claims.models import DeskHoursOverride
from claims.services import transcript
from claims.services.agent_desk import (
    close_desk, desk_queue, desk_schedule, desk_stats, first_response_target, open_desk,
)
from claims.services.handoffs import Agent
from tests.factories import make_handoff, make_policyholder

SHANGHAI = ZoneInfo("Asia/Shanghai")
LI = Agent(telegram_id=901, name="Li Na")
MONDAY_2PM = datetime(2026, 11, 23, 14, 0, tzinfo=SHANGHAI)
MONDAY_9PM = datetime(2026, 11, 23, 21, 0, tzinfo=SHANGHAI)


def shanghai(day, hour, minute=0, second=0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=SHANGHAI)


def override(session, *, is_open, starts_at, ends_at, created_at=None) -> DeskHoursOverride:
    row = DeskHoursOverride(is_open=is_open, starts_at=starts_at, ends_at=ends_at, set_by_telegram_id=LI.telegram_id,
                            set_by_name=LI.name, created_at=created_at or starts_at)
    session.add(row)
    session.commit()
    return row


# --- the schedule --------------------------------------------------------------------------------

def test_by_the_weekly_hours_alone_the_desk_is_open_on_monday_afternoon(session, settings):
    schedule = desk_schedule(session, settings=settings, now=MONDAY_2PM)
    assert schedule.is_open(MONDAY_2PM) and not schedule.is_open(MONDAY_9PM)
    assert schedule.overrides == ()


def test_the_schedule_includes_agents_overrides(session, settings):
    override(session, is_open=False, starts_at=shanghai(23, 13), ends_at=shanghai(23, 15))
    override(session, is_open=True, starts_at=shanghai(23, 20), ends_at=shanghai(23, 22))
    schedule = desk_schedule(session, settings=settings, now=MONDAY_2PM)
    assert len(schedule.overrides) == 2
    assert not schedule.is_open(MONDAY_2PM) and schedule.is_open(MONDAY_9PM)
    assert schedule.is_open(shanghai(23, 15))


def test_overrides_long_over_are_left_out(session, settings):
    override(session, is_open=False, starts_at=MONDAY_2PM - timedelta(days=90), ends_at=MONDAY_2PM - timedelta(days=89))
    assert desk_schedule(session, settings=settings, now=MONDAY_2PM).overrides == ()


def test_the_latest_override_wins_where_they_overlap(session, settings):
    override(session, is_open=False, starts_at=shanghai(23, 12), ends_at=shanghai(23, 18), created_at=shanghai(23, 12))
    override(session, is_open=True, starts_at=shanghai(23, 13), ends_at=shanghai(23, 15), created_at=shanghai(23, 13))
    schedule = desk_schedule(session, settings=settings, now=MONDAY_2PM)
    assert schedule.is_open(MONDAY_2PM) and not schedule.is_open(shanghai(23, 16))


def test_the_first_response_target_comes_from_the_settings(settings):
    assert first_response_target(settings) == timedelta(minutes=2)


# --- /desk close and /desk open --------------------------------------------------------------------

def test_closing_without_a_duration_lasts_until_the_next_scheduled_opening(session, settings):
    change = close_desk(session, agent=LI, now=MONDAY_2PM, settings=settings)
    assert change.is_open is False and change.until == shanghai(24, 8, 30)
    schedule = desk_schedule(session, settings=settings, now=MONDAY_2PM)
    assert not schedule.is_open(MONDAY_2PM) and not schedule.is_open(shanghai(23, 19, 59))
    assert schedule.is_open(shanghai(24, 8, 30))
    row = session.scalars(select(DeskHoursOverride)).one()
    assert (row.is_open, row.starts_at, row.ends_at, row.set_by_name) == (
        False, MONDAY_2PM, shanghai(24, 8, 30), "Li Na")


def test_closing_on_friday_lasts_until_saturday_morning(session, settings):
    change = close_desk(session, agent=LI, now=shanghai(20, 18), settings=settings)
    assert change.until == shanghai(21, 9)


def test_closing_for_a_while_reopens_by_itself(session, settings):
    change = close_desk(session, agent=LI, now=MONDAY_2PM, settings=settings, duration=timedelta(minutes=30))
    assert change == type(change)(False, MONDAY_2PM + timedelta(minutes=30))
    schedule = desk_schedule(session, settings=settings, now=MONDAY_2PM)
    assert not schedule.is_open(shanghai(23, 14, 29)) and schedule.is_open(shanghai(23, 14, 30))


def test_closing_an_already_closed_desk_changes_nothing(session, settings):
    change = close_desk(session, agent=LI, now=MONDAY_9PM, settings=settings)
    assert change.is_open is False and change.until == shanghai(24, 8, 30)
    assert session.scalars(select(DeskHoursOverride)).all() == []


def test_opening_ends_a_closure(session, settings):
    close_desk(session, agent=LI, now=MONDAY_2PM, settings=settings)
    later = MONDAY_2PM + timedelta(minutes=20)
    change = open_desk(session, agent=LI, now=later, settings=settings)
    assert change.is_open is True and change.until == shanghai(23, 20)
    schedule = desk_schedule(session, settings=settings, now=later)
    assert schedule.is_open(later) and schedule.is_open(shanghai(23, 19))
    assert not schedule.is_open(MONDAY_2PM + timedelta(minutes=10))  # the closure is kept as it was


def test_opening_outside_the_hours_is_for_an_hour_by_default(session, settings):
    change = open_desk(session, agent=LI, now=MONDAY_9PM, settings=settings)
    assert change.is_open is True and change.until == MONDAY_9PM + timedelta(hours=1)
    schedule = desk_schedule(session, settings=settings, now=MONDAY_9PM)
    assert schedule.is_open(shanghai(23, 21, 59)) and not schedule.is_open(shanghai(23, 22))


def test_opening_outside_the_hours_for_a_duration(session, settings):
    change = open_desk(session, agent=LI, now=MONDAY_9PM, settings=settings, duration=timedelta(hours=2))
    assert change.until == shanghai(23, 23)
    assert desk_schedule(session, settings=settings, now=MONDAY_9PM).is_open(shanghai(23, 22, 30))


def test_opening_an_open_desk_adds_no_override(session, settings):
    change = open_desk(session, agent=LI, now=MONDAY_2PM, settings=settings)
    assert change.is_open is True and change.until == shanghai(23, 20)
    assert session.scalars(select(DeskHoursOverride)).all() == []


# --- /stats ----------------------------------------------------------------------------------------

def customer_says(session, chat_id, at, text="hello"):
    transcript.record_message(session, chat_id=chat_id, direction="in", sender="customer", text=text, now=at)


def test_stats_of_a_quiet_day_have_no_medians(session, settings):
    stats = desk_stats(session, now=MONDAY_2PM, settings=settings)
    assert (stats.handoffs, stats.taken, stats.waiting, stats.breached, stats.conversations, stats.contained) == (
        0, 0, 0, 0, 0, 0)
    assert stats.median_first_response is None and stats.median_resolution is None
    assert stats.containment_rate is None


def test_stats_count_the_days_handoffs(session, settings):
    morning = shanghai(23, 9)
    for answered_after, closed_after in ((timedelta(seconds=30), timedelta(minutes=10)),
                                         (timedelta(seconds=90), timedelta(minutes=30))):
        make_handoff(session, requested_at=morning, first_response_at=morning + answered_after,
                     status=HandoffStatus.closed, outcome=HandoffOutcome.handed_back, closed_at=morning + closed_after)
    make_handoff(session, requested_at=morning, first_response_at=morning + timedelta(minutes=5),
                 status=HandoffStatus.assigned, assigned_at=morning + timedelta(minutes=5), agent_name="Li Na",
                 agent_telegram_id=901, breached_at=morning + timedelta(minutes=2))
    make_handoff(session, requested_at=shanghai(23, 13), breached_at=shanghai(23, 13, 2))  # still waiting
    make_handoff(session, requested_at=shanghai(23, 13), status=HandoffStatus.closed,
                 outcome=HandoffOutcome.withdrawn, closed_at=shanghai(23, 13, 1))
    stats = desk_stats(session, now=MONDAY_2PM, settings=settings)
    assert (stats.handoffs, stats.taken, stats.waiting, stats.breached) == (5, 3, 1, 2)
    assert stats.median_first_response == timedelta(seconds=90)
    assert stats.median_resolution == timedelta(minutes=20)


def test_stats_day_starts_at_midnight_in_the_business_timezone(session, settings):
    make_handoff(session, requested_at=shanghai(22, 23, 59))  # Sunday night in Shanghai, counted on Sunday
    make_handoff(session, requested_at=shanghai(23, 0, 0))
    make_handoff(session, requested_at=MONDAY_2PM + timedelta(minutes=1))  # after `now`
    customer_says(session, 1, shanghai(22, 23, 59))
    customer_says(session, 2, shanghai(23, 0, 1))
    stats = desk_stats(session, now=MONDAY_2PM, settings=settings)
    assert (stats.handoffs, stats.waiting) == (1, 1)
    assert stats.conversations == 1
    # 00:30 in Shanghai is still Sunday in UTC: the day is the business one
    assert desk_stats(session, now=shanghai(23, 0, 30), settings=settings).handoffs == 1


def test_containment_counts_chats_without_a_handoff(session, settings):
    for chat_id in (11, 12, 13, 14):
        customer_says(session, chat_id, shanghai(23, 9))
        customer_says(session, chat_id, shanghai(23, 10), "one more")  # a chat counts once
    transcript.record_message(session, chat_id=15, direction="out", sender="bot", text="stage update",
                              now=shanghai(23, 9))  # only the bot wrote: not a conversation
    make_handoff(session, chat_id=12, requested_at=shanghai(23, 10, 5))
    make_handoff(session, chat_id=13, requested_at=shanghai(23, 10, 5), status=HandoffStatus.closed,
                 outcome=HandoffOutcome.withdrawn, closed_at=shanghai(23, 10, 6))  # withdrawn: still contained
    stats = desk_stats(session, now=MONDAY_2PM, settings=settings)
    assert (stats.conversations, stats.contained) == (4, 3)
    assert stats.containment_rate == pytest.approx(0.75)


def test_a_chat_handed_over_twice_counts_once(session, settings):
    customer_says(session, 21, shanghai(23, 9))
    customer_says(session, 22, shanghai(23, 9))
    make_handoff(session, chat_id=21, requested_at=shanghai(23, 9, 1), status=HandoffStatus.closed,
                 outcome=HandoffOutcome.handed_back, closed_at=shanghai(23, 9, 30))
    make_handoff(session, chat_id=21, requested_at=shanghai(23, 11))
    stats = desk_stats(session, now=MONDAY_2PM, settings=settings)
    assert (stats.conversations, stats.contained) == (2, 1)


def test_a_handoff_from_a_chat_that_did_not_write_today_does_not_lower_containment(session, settings):
    customer_says(session, 31, shanghai(23, 9))
    customer_says(session, 32, shanghai(22, 23, 59, 59))  # wrote just before midnight ...
    make_handoff(session, chat_id=32, requested_at=shanghai(23, 0, 0, 1))  # ... the handoff came just after
    stats = desk_stats(session, now=MONDAY_2PM, settings=settings)
    assert (stats.conversations, stats.contained) == (1, 1)


# --- /queue ----------------------------------------------------------------------------------------

def test_queue_lists_waiting_cases_in_request_order_then_owned_ones(session, now):
    owned_early = make_handoff(session, requested_at=now - timedelta(minutes=30), status=HandoffStatus.assigned,
                               assigned_at=now - timedelta(minutes=25), agent_name="Li Na", agent_telegram_id=901)
    second = make_handoff(session, requested_at=now - timedelta(minutes=5))
    first = make_handoff(session, requested_at=now - timedelta(minutes=10), breached_at=now - timedelta(minutes=8))
    third = make_handoff(session, requested_at=now - timedelta(minutes=5))  # same time: by id
    make_handoff(session, requested_at=now - timedelta(hours=1), status=HandoffStatus.closed,
                 outcome=HandoffOutcome.handed_back, closed_at=now)
    entries = desk_queue(session)
    assert [e.handoff_id for e in entries] == [first.id, second.id, third.id, owned_early.id]
    assert [e.status for e in entries] == [HandoffStatus.queued] * 3 + [HandoffStatus.assigned]
    assert [e.breached for e in entries] == [True, False, False, False]
    assert (entries[-1].agent_name, entries[-1].assigned_at) == ("Li Na", now - timedelta(minutes=25))


def test_queue_names_the_verified_policyholder_else_the_telegram_name(session, now):
    holder = make_policyholder(session, full_name="Zhang Wei", telegram_user_id=8801)
    verified = make_handoff(session, requested_at=now - timedelta(minutes=2), policyholder_id=holder.id,
                            customer_name="zw_1988", reason=HandoffReason.complaint)
    unverified = make_handoff(session, requested_at=now - timedelta(minutes=1), customer_name="Wei")
    nameless = make_handoff(session, requested_at=now)
    entries = {e.handoff_id: e for e in desk_queue(session)}
    assert (entries[verified.id].customer_name, entries[verified.id].verified) == ("Zhang Wei", True)
    assert entries[verified.id].reason is HandoffReason.complaint
    assert (entries[unverified.id].customer_name, entries[unverified.id].verified) == ("Wei", False)
    assert entries[nameless.id].customer_name == "?"


def test_an_empty_queue(session):
    assert desk_queue(session) == []
