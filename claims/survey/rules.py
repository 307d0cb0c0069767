"""When a survey may go out: the delay after the service, the per-person throttle and quiet hours.

All arithmetic is on aware datetimes; quiet hours are wall-clock times in the business timezone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from claims.clock import require_aware
from claims.quiet_hours import QuietHours, parse_quiet_hours

__all__ = ["SurveyRules", "parse_quiet_hours", "in_quiet_hours", "after_quiet_hours", "first_due", "throttled"]


@dataclass(frozen=True)
class SurveyRules:
    """The survey's timing parameters (from ClaimsSettings.survey_rules)."""

    delay: timedelta = timedelta(hours=24)  # after the claim was paid or the rescue completed
    per_person: timedelta = timedelta(days=30)  # at most one survey per person in this window
    quiet_start: time = time(21, 0)
    quiet_end: time = time(9, 0)
    timezone: tzinfo | None = None  # the business timezone; None: UTC
    answer_window: timedelta = timedelta(days=7)  # a survey not answered by then has expired
    max_age: timedelta = timedelta(days=14)  # services completed longer ago are not surveyed (no flood after downtime)
    busy_recheck: timedelta = timedelta(minutes=10)  # how soon to look again at a customer who was busy

    def __post_init__(self) -> None:
        if self.delay < timedelta(0) or self.per_person < timedelta(0):
            raise ValueError("the survey delay and throttle cannot be negative")


def _quiet(rules: SurveyRules) -> QuietHours:
    return QuietHours(rules.quiet_start, rules.quiet_end, rules.timezone)


def in_quiet_hours(moment: datetime, rules: SurveyRules) -> bool:
    """Whether `moment` falls in the quiet hours (which may span midnight, 21:00-09:00)."""
    return _quiet(rules).contains(moment)


def after_quiet_hours(moment: datetime, rules: SurveyRules) -> datetime:
    """`moment` itself when it is outside quiet hours, else the end of those quiet hours."""
    return _quiet(rules).next_allowed(moment)


def first_due(completed_at: datetime, rules: SurveyRules) -> datetime:
    """When a survey about a service completed at `completed_at` is first due: after the delay, outside quiet
    hours."""
    require_aware(completed_at)
    return after_quiet_hours(completed_at + rules.delay, rules)


def throttled(last_surveyed_at: datetime | None, now: datetime, rules: SurveyRules) -> bool:
    """Whether the person had a survey within the throttle window."""
    require_aware(now)
    return last_surveyed_at is not None and now - last_surveyed_at < rules.per_person
