"""The delay, quiet hours (across midnight, in business time) and the per-person throttle."""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from claims.survey.rules import SurveyRules, after_quiet_hours, first_due, in_quiet_hours, parse_quiet_hours, throttled

SHANGHAI = ZoneInfo("Asia/Shanghai")
RULES = SurveyRules(timezone=SHANGHAI)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize("moment, quiet", [
    (local(3, 20, 59), False), (local(3, 21, 0), True), (local(3, 23, 30), True), (local(4, 0, 5), True),
    (local(4, 8, 59), True), (local(4, 9, 0), False), (local(4, 14, 0), False),
])
def test_quiet_hours_span_midnight_in_business_time(moment, quiet):
    assert in_quiet_hours(moment, RULES) is quiet
    assert in_quiet_hours(moment.astimezone(timezone.utc), RULES) is quiet  # the same instant in UTC


def test_a_survey_due_in_quiet_hours_waits_for_the_morning():
    assert after_quiet_hours(local(3, 22, 15), RULES) == local(4, 9, 0)
    assert after_quiet_hours(local(4, 2, 0), RULES) == local(4, 9, 0)
    assert after_quiet_hours(local(4, 10, 0), RULES) == local(4, 10, 0)


def test_first_due_is_the_delay_later_outside_quiet_hours():
    assert first_due(local(3, 15, 0), RULES) == local(4, 15, 0)
    assert first_due(local(3, 22, 0), RULES) == local(4, 22, 0) + timedelta(hours=11)  # 09:00 on the 5th
    short = SurveyRules(delay=timedelta(seconds=5), timezone=SHANGHAI)
    assert first_due(local(3, 15, 0), short) == local(3, 15, 0) + timedelta(seconds=5)


def test_quiet_hours_within_one_day_and_none():
    lunch = SurveyRules(quiet_start=time(12, 0), quiet_end=time(13, 30), timezone=SHANGHAI)
    assert in_quiet_hours(local(3, 12, 45), lunch) and not in_quiet_hours(local(3, 13, 30), lunch)
    assert after_quiet_hours(local(3, 12, 45), lunch) == local(3, 13, 30)
    none = SurveyRules(quiet_start=time(0, 0), quiet_end=time(0, 0), timezone=SHANGHAI)
    assert not in_quiet_hours(local(3, 23, 0), none)


def test_parse_quiet_hours():
    assert parse_quiet_hours("21:00-09:00") == (time(21, 0), time(9, 0))
    assert parse_quiet_hours("") == (time(0, 0), time(0, 0))
    with pytest.raises(ValueError):
        parse_quiet_hours("late evening")


def test_one_survey_per_person_in_thirty_days():
    now = local(30, 12, 0)
    assert not throttled(None, now, RULES)
    assert throttled(now - timedelta(days=29, hours=23), now, RULES)
    assert not throttled(now - timedelta(days=30), now, RULES)


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        in_quiet_hours(datetime(2026, 12, 3, 22, 0), RULES)
