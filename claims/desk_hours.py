"""When the agents' desk is staffed: opening hours per weekday, with closures and overtime set by agents.

All arithmetic is on aware datetimes; opening hours are wall-clock times in the business timezone.
The first-response target only runs while the desk is open: a case handed over at 19:55 on Friday
with a 2-minute target is due 2 minutes after the desk opens again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from claims.clock import require_aware

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_DESK_HOURS: dict[str, str] = {
    "mon": "08:30-20:00", "tue": "08:30-20:00", "wed": "08:30-20:00", "thu": "08:30-20:00",
    "fri": "08:30-20:00", "sat": "09:00-17:00", "sun": "09:00-17:00",
}
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_CLOSED = {"", "closed", "none", "-"}
# How far ahead to look for the desk's next opening (a closure longer than this is a configuration error).
_HORIZON_DAYS = 60


@dataclass(frozen=True)
class DailyHours:
    """One weekday's opening, as minutes after midnight (close may be 24:00)."""

    opens: int
    closes: int

    def __str__(self) -> str:
        return f"{self.opens // 60:02d}:{self.opens % 60:02d}-{self.closes // 60:02d}:{self.closes % 60:02d}"


def parse_daily_hours(text: str | None) -> DailyHours | None:
    """'09:00-18:00' as DailyHours; '', 'closed' as None. Raises ValueError on anything else."""
    if text is None or text.strip().lower() in _CLOSED:
        return None
    match = _HOURS.match(text)
    if not match:
        raise ValueError(f"opening hours {text!r}: expected HH:MM-HH:MM or 'closed'")
    oh, om, ch, cm = (int(part) for part in match.groups())
    opens, closes = oh * 60 + om, ch * 60 + cm
    if om > 59 or cm > 59 or opens >= 24 * 60 or closes > 24 * 60 or closes <= opens:
        raise ValueError(f"opening hours {text!r}: the desk must close after it opens, by 24:00")
    return DailyHours(opens, closes)


def parse_week(hours: dict[str, str]) -> dict[int, DailyHours | None]:
    """Settings' {'mon': '08:30-20:00', ...} by weekday number (0 = Monday); missing days are closed."""
    unknown = set(hours) - set(WEEKDAYS)
    if unknown:
        raise ValueError(f"unknown weekdays {sorted(unknown)}: use {', '.join(WEEKDAYS)}")
    return {number: parse_daily_hours(hours.get(name)) for number, name in enumerate(WEEKDAYS)}


@dataclass(frozen=True)
class DeskOverride:
    """A closure (is_open False) or overtime (is_open True) set by an agent, from starts_at to ends_at."""

    starts_at: datetime
    ends_at: datetime
    is_open: bool


@dataclass(frozen=True)
class DeskSchedule:
    """The weekly opening hours plus agents' overrides; the latest override wins where they overlap."""

    week: dict[int, DailyHours | None]
    timezone: tzinfo
    overrides: tuple[DeskOverride, ...] = field(default=())

    def _scheduled_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.timezone)
        hours = self.week.get(local.weekday())
        minute = local.hour * 60 + local.minute
        return hours is not None and hours.opens <= minute < hours.closes

    def is_open(self, now: datetime) -> bool:
        """Whether an agent is expected at the desk at `now`."""
        require_aware(now)
        for override in reversed(self.overrides):
            if override.starts_at <= now < override.ends_at:
                return override.is_open
        return self._scheduled_open(now)

    def _boundaries(self, start: datetime, end: datetime) -> list[datetime]:
        """Every instant in [start, end) where the desk may open or close, in order."""
        moments = {start}
        day = start.astimezone(self.timezone).date() - timedelta(days=1)
        while True:
            for minutes in self._day_edges(day):
                moment = _local(day, minutes, self.timezone)
                if start < moment < end:
                    moments.add(moment)
            if _local(day, 0, self.timezone) > end:
                break
            day += timedelta(days=1)
        for override in self.overrides:
            moments.update(m for m in (override.starts_at, override.ends_at) if start < m < end)
        return sorted(moments)

    def _day_edges(self, day: date) -> tuple[int, ...]:
        hours = self.week.get(day.weekday())
        return () if hours is None else (hours.opens, hours.closes)

    def open_periods(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The periods in [start, end) when the desk is open, merged and in order."""
        require_aware(start), require_aware(end)
        points = self._boundaries(start, end) + [end]
        periods: list[tuple[datetime, datetime]] = []
        for begin, finish in zip(points, points[1:]):
            if finish > begin and self.is_open(begin):
                if periods and periods[-1][1] == begin:
                    periods[-1] = (periods[-1][0], finish)
                else:
                    periods.append((begin, finish))
        return periods

    def next_opening(self, now: datetime) -> datetime | None:
        """`now` if the desk is open, else when it next opens (None if not within 60 days)."""
        periods = self.open_periods(now, now + timedelta(days=_HORIZON_DAYS))
        return periods[0][0] if periods else None

    def response_due(self, requested_at: datetime, target: timedelta) -> datetime | None:
        """When a case requested at `requested_at` breaches the target, counting only open time."""
        remaining = target
        for begin, finish in self.open_periods(requested_at, requested_at + timedelta(days=_HORIZON_DAYS)):
            if finish - begin >= remaining:
                return begin + remaining
            remaining -= finish - begin
        return None

    def closing_after(self, now: datetime) -> datetime | None:
        """When the current open period ends (None if the desk is closed now)."""
        periods = self.open_periods(now, now + timedelta(days=_HORIZON_DAYS))
        return periods[0][1] if periods and periods[0][0] == now else None


def _local(day: date, minutes: int, tz: tzinfo) -> datetime:
    """The aware instant of `minutes` after midnight on `day` in `tz` (24:00 is the next midnight)."""
    return datetime.combine(day, time(0), tzinfo=tz) + timedelta(minutes=minutes)


def describe_week(week: dict[int, DailyHours | None]) -> dict[str, str]:
    """{'mon': '08:30-20:00', 'sun': 'closed'}: the opening hours as configured, for display."""
    return {WEEKDAYS[number]: str(hours) if hours else "closed" for number, hours in sorted(week.items())}
