"""When each reminder is due. Pure functions of the facts and an aware `now`: no database, no real clock.

- Missing documents on an open claim: `documents_first` after the last request, then every `documents_every`,
  at most `documents_max` times; none once the checklist is complete or the claim is closed.
- Dated occasions (policy renewal, annual inspection, service): on the days `*_days` before the date.
- Birthday: on the day (29 February: on 28 February in other years).
- The dated ones and the birthday go out from `send_time` (business time) on their day, never in the quiet
  hours; a missing-documents reminder due in the quiet hours waits for their end.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo

from claims.clock import require_aware
from claims.enums import ReminderKind
from claims.quiet_hours import QuietHours

ALL_KINDS = frozenset(kind for kind in ReminderKind if kind is not ReminderKind.broadcasts)


@dataclass(frozen=True)
class ReminderRules:
    """The reminders' parameters (from ClaimsSettings.reminder_rules)."""

    timezone: tzinfo | None = None  # the business timezone; None: UTC
    quiet_hours: QuietHours = field(default_factory=QuietHours)
    send_time: time = time(10, 0)  # the dated reminders and the birthday go out from this time on their day
    documents_first: timedelta = timedelta(days=2)
    documents_every: timedelta = timedelta(days=3)
    documents_max: int = 3
    renewal_days: tuple[int, ...] = (30, 7, 1)
    inspection_days: tuple[int, ...] = (30, 7, 1)
    maintenance_days: tuple[int, ...] = (7, 1)
    enabled: frozenset[ReminderKind] = ALL_KINDS  # the operator's switch per kind

    def __post_init__(self) -> None:
        if self.quiet_hours.timezone is None and self.timezone is not None:  # quiet hours are business time
            object.__setattr__(self, "quiet_hours", replace(self.quiet_hours, timezone=self.timezone))
        if self.documents_first < timedelta(0) or self.documents_every <= timedelta(0) or self.documents_max < 0:
            raise ValueError("document reminders need a non-negative first delay, a positive interval and count")
        for days in (self.renewal_days, self.inspection_days, self.maintenance_days):
            if any(day < 0 for day in days):
                raise ValueError("reminder days before a date cannot be negative")


def parse_days(text: str) -> tuple[int, ...]:
    """"30,7,1" -> (30, 7, 1); "" -> none."""
    try:
        days = tuple(sorted({int(part) for part in text.replace(" ", "").split(",") if part}, reverse=True))
    except ValueError as error:
        raise ValueError(f"reminder days look like 30,7,1, not {text!r}") from error
    if any(day < 0 for day in days):
        raise ValueError(f"reminder days cannot be negative: {text!r}")
    return days


def parse_kinds(text: str) -> frozenset[ReminderKind]:
    """"documents,birthday" -> those kinds; "all" -> every kind; "" or "none" -> none."""
    text = (text or "").strip().lower()
    if text == "all":
        return ALL_KINDS
    if text in ("", "none"):
        return frozenset()
    try:
        return frozenset(ReminderKind(part.strip()) for part in text.split(",") if part.strip())
    except ValueError as error:
        raise ValueError(f"reminder kinds are {', '.join(k.value for k in ALL_KINDS)}, not {text!r}") from error


def local_date(now: datetime, rules: ReminderRules) -> date:
    """Today in the business timezone."""
    require_aware(now)
    return (now.astimezone(rules.timezone) if rules.timezone else now).date()


def may_send(now: datetime, rules: ReminderRules) -> bool:
    """Outside the quiet hours."""
    return not rules.quiet_hours.contains(now)


def daily_window_open(now: datetime, rules: ReminderRules) -> bool:
    """Whether a reminder for today may go out now: from `send_time` on, outside the quiet hours."""
    require_aware(now)
    local = now.astimezone(rules.timezone) if rules.timezone else now
    return local.time() >= rules.send_time and may_send(now, rules)


def next_daily_window(now: datetime, rules: ReminderRules) -> datetime:
    """When a reminder for a day may next go out: `now` if the window is open, else the send time (after the
    quiet hours) today or, past it, tomorrow."""
    require_aware(now)
    if daily_window_open(now, rules):
        return now
    zone = rules.timezone or now.tzinfo
    local = now.astimezone(zone)
    opens = local.replace(hour=rules.send_time.hour, minute=rules.send_time.minute, second=0, microsecond=0)
    if opens <= local:
        opens += timedelta(days=1)
    return rules.quiet_hours.next_allowed(opens.astimezone(now.tzinfo))


def document_reminder_due_at(requested_at: datetime, already_sent: int, rules: ReminderRules, *,
                             last_sent_at: datetime | None = None) -> datetime | None:
    """When the next missing-documents reminder about a request made at `requested_at` is due, after
    `already_sent` of them, the last at `last_sent_at`; None once the most have been sent. Never sooner than
    `documents_every` after the last one: a request made long before (the reminders were off, or new) does not
    get its reminders in a burst."""
    require_aware(requested_at)
    if already_sent >= rules.documents_max:
        return None
    due_at = requested_at + rules.documents_first + rules.documents_every * already_sent
    if last_sent_at is not None:
        due_at = max(due_at, require_aware(last_sent_at) + rules.documents_every)
    return due_at


def document_reminder_due(requested_at: datetime, already_sent: int, *, missing: int, claim_open: bool,
                          now: datetime, rules: ReminderRules, last_sent_at: datetime | None = None) -> bool:
    """Whether the next missing-documents reminder goes out now."""
    if missing <= 0 or not claim_open or ReminderKind.documents not in rules.enabled:
        return False
    due_at = document_reminder_due_at(requested_at, already_sent, rules, last_sent_at=last_sent_at)
    return due_at is not None and now >= due_at and may_send(now, rules)


def days_ahead(on: date, today: date, days: tuple[int, ...]) -> int | None:
    """How many days before `on` today is, when that is one of the reminder days; else None."""
    left = (on - today).days
    return left if left in days else None


def birthday_in(year: int, born: date) -> date:
    """The birthday in `year`: 29 February falls on 28 February in other years."""
    if born.month == 2 and born.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return born.replace(year=year)


def is_birthday(born: date, today: date) -> bool:
    return birthday_in(today.year, born) == today
