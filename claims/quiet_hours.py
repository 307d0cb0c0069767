"""Quiet hours: a wall-clock span in the business timezone (which may cross midnight, 21:00-09:00) when no
proactive message goes out. Shared by the survey and the reminders."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from claims.clock import require_aware


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


@dataclass(frozen=True)
class QuietHours:
    start: time = time(21, 0)
    end: time = time(9, 0)
    timezone: tzinfo | None = None  # the business timezone; None: the moment's own

    @classmethod
    def parse(cls, text: str, timezone: tzinfo | None) -> QuietHours:
        start, end = parse_quiet_hours(text)
        return cls(start, end, timezone)

    def contains(self, moment: datetime) -> bool:
        """Whether `moment` falls in the quiet hours."""
        require_aware(moment)
        local = (moment.astimezone(self.timezone) if self.timezone else moment).time()
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, moment: datetime) -> datetime:
        """`moment` itself when it is outside quiet hours, else the end of those quiet hours."""
        if not self.contains(moment):
            return moment
        local = moment.astimezone(self.timezone or moment.tzinfo)
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=self.end.second, microsecond=0)
        if end <= local:
            end = (local + timedelta(days=1)).replace(hour=self.end.hour, minute=self.end.minute,
                                                      second=self.end.second, microsecond=0)
        return end.astimezone(moment.tzinfo)
