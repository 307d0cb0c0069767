"""Opening hours of the agents' desk, closures and overtime, and the first-response deadline."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from claims.desk_hours import DEFAULT_DESK_HOURS, DailyHours, DeskOverride, DeskSchedule, parse_daily_hours, parse_week

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAYS_ONLY = {"mon": "09:00-18:00", "tue": "09:00-18:00", "wed": "09:00-18:00", "thu": "09:00-18:00",
                 "fri": "09:00-18:00", "sat": "closed", "sun": ""}


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in November 2026 in Shanghai (23 Nov 2026 is a Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def schedule(hours=WEEKDAYS_ONLY, overrides=()) -> DeskSchedule:
    return DeskSchedule(parse_week(hours), SHANGHAI, tuple(overrides))


def test_hours_are_parsed_and_closed_days_are_none():
    assert parse_daily_hours("08:30-20:00") == DailyHours(510, 1200)
    assert parse_daily_hours("0:00-24:00") == DailyHours(0, 1440)
    assert parse_daily_hours("closed") is None and parse_daily_hours("") is None


@pytest.mark.parametrize("bad", ["9-18", "18:00-09:00", "09:00-25:00", "09:61-10:00", "nine to five"])
def test_unreadable_hours_are_refused(bad):
    with pytest.raises(ValueError):
        parse_daily_hours(bad)


def test_unknown_weekday_is_refused():
    with pytest.raises(ValueError, match="weekdays"):
        parse_week({"monday": "09:00-18:00"})


def test_default_hours_cover_every_day():
    assert all(parse_week(DEFAULT_DESK_HOURS).values())


def test_open_inside_hours_closed_outside_and_on_weekends():
    desk = schedule()
    assert desk.is_open(local(23, 9)) and desk.is_open(local(23, 17, 59))
    assert not desk.is_open(local(23, 8, 59)) and not desk.is_open(local(23, 18))
    assert not desk.is_open(local(28, 12))  # Saturday


def test_is_open_works_from_utc_times():
    assert schedule().is_open(datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc))  # 10:00 in Shanghai
    assert not schedule().is_open(datetime(2026, 11, 23, 11, 0, tzinfo=timezone.utc))  # 19:00


def test_next_opening_skips_the_weekend():
    assert schedule().next_opening(local(27, 18, 30)) == local(30, 9)  # Friday evening -> Monday
    assert schedule().next_opening(local(23, 10)) == local(23, 10)  # open now


def test_response_due_counts_only_open_time():
    target = timedelta(minutes=2)
    assert schedule().response_due(local(23, 10), target) == local(23, 10, 2)
    assert schedule().response_due(local(23, 17, 59), target) == local(24, 9, 1)  # 1 min today, 1 tomorrow
    assert schedule().response_due(local(28, 11), target) == local(30, 9, 2)  # Saturday -> Monday


def test_a_closure_override_closes_the_desk_and_the_latest_override_wins():
    closure = DeskOverride(local(23, 12), local(23, 14), is_open=False)
    desk = schedule(overrides=[closure])
    assert not desk.is_open(local(23, 13))
    assert desk.is_open(local(23, 14))
    assert desk.next_opening(local(23, 12, 30)) == local(23, 14)
    reopened = schedule(overrides=[closure, DeskOverride(local(23, 13), local(23, 14), is_open=True)])
    assert reopened.is_open(local(23, 13, 30)) and not reopened.is_open(local(23, 12, 30))


def test_overtime_opens_the_desk_outside_hours():
    desk = schedule(overrides=[DeskOverride(local(28, 10), local(28, 12), is_open=True)])
    assert desk.is_open(local(28, 11))
    assert desk.response_due(local(28, 11, 59), timedelta(minutes=2)) == local(30, 9, 1)


def test_closing_after_is_the_end_of_the_current_open_period():
    assert schedule().closing_after(local(23, 10)) == local(23, 18)
    assert schedule().closing_after(local(23, 20)) is None


def test_a_desk_that_never_opens_has_no_next_opening():
    never = {day: "closed" for day in WEEKDAYS_ONLY}
    assert schedule(never).next_opening(local(23, 10)) is None
    assert schedule(never).response_due(local(23, 10), timedelta(minutes=2)) is None


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        schedule().is_open(datetime(2026, 11, 23, 10))
