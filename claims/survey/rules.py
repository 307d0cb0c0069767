"""When a survey may go out: the delay after the service, the per-person throttle and quiet hours.

All arithmetic is on aware datetimes; quiet hours are wall-clock times in the business timezone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from claims.clock import require_aware


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


def parse_quiet_hours(text: str) -> tuple[time, time]:
    """"21:00-09:00" -> (21:00, 09:00); "" -> no quiet hours (start == end)."""
    text = (text or "").strip()
    if not text:
        return time(0, 0), time(0, 0)
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError as error:
        raise ValueError(f"quiet hours look like 21:00-09:00, not {text!r}") from error
    return start, end


def in_quiet_hours(moment: datetime, rules: SurveyRules) -> bool:
    """Whether `moment` falls in the quiet hours (which may span midnight, 21:00-09:00)."""
    require_aware(moment)
    local = moment.astimezone(rules.timezone).time() if rules.timezone else moment.time()
    start, end = rules.quiet_start, rules.quiet_end
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def after_quiet_hours(moment: datetime, rules: SurveyRules) -> datetime:
    """`moment` itself when it is outside quiet hours, else the end of those quiet hours."""
    require_aware(moment)
    if not in_quiet_hours(moment, rules):
        return moment
    zone = rules.timezone or moment.tzinfo
    local = moment.astimezone(zone)
    end = local.replace(hour=rules.quiet_end.hour, minute=rules.quiet_end.minute, second=0, microsecond=0)
    if end <= local:
        end = (local + timedelta(days=1)).replace(hour=rules.quiet_end.hour, minute=rules.quiet_end.minute,
                                                  second=0, microsecond=0)
    return end.astimezone(moment.tzinfo)


def first_due(completed_at: datetime, rules: SurveyRules) -> datetime:
    """When a survey about a service completed at `completed_at` is first due: after the delay, outside quiet
    hours."""
    require_aware(completed_at)
    return after_quiet_hours(completed_at + rules.delay, rules)


def throttled(last_surveyed_at: datetime | None, now: datetime, rules: SurveyRules) -> bool:
    """Whether the person had a survey within the throttle window."""
    require_aware(now)
    return last_surveyed_at is not None and now - last_surveyed_at < rules.per_person
