"""Aware-time helpers: the store keeps UTC, people see the business timezone."""
from __future__ import annotations

from datetime import date, datetime, timezone, tzinfo
from math import ceil


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


def require_aware(value: datetime) -> datetime:
    """Return `value`, refusing naive datetimes (their timezone would be a guess)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: pass an aware datetime")
    return value


def business_date(value: datetime, tz: tzinfo) -> date:
    """The calendar date of an aware instant in the business timezone."""
    return require_aware(value).astimezone(tz).date()


def minutes_until(moment: datetime, now: datetime) -> int:
    """Whole minutes from `now` to `moment`, rounded up and at least one (for "try again in N minutes")."""
    return max(1, ceil((require_aware(moment) - require_aware(now)).total_seconds() / 60))
