"""The agents' desk: whether it is staffed now (hours plus agents' overrides) and today's service figures."""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import case, distinct, select, update
from sqlalchemy.orm import Session

from claims.clock import require_aware
from claims.desk_hours import DeskOverride, DeskSchedule
from claims.enums import HandoffOutcome, HandoffReason, HandoffStatus, MessageSender
from claims.models import ConversationMessage, DeskHoursOverride, Handoff
from claims.services.handoffs import OPEN_STATUSES, Agent
from claims.settings import ClaimsSettings

# Overrides set this long ago no longer matter to any schedule question asked now.
_OVERRIDE_MEMORY = timedelta(days=60)


def desk_schedule(session: Session, *, settings: ClaimsSettings, now: datetime) -> DeskSchedule:
    """The weekly hours with the overrides that still matter, oldest first (the latest wins)."""
    rows = session.scalars(
        select(DeskHoursOverride).where(DeskHoursOverride.ends_at > require_aware(now) - _OVERRIDE_MEMORY)
        .order_by(DeskHoursOverride.created_at, DeskHoursOverride.id)
    )
    overrides = tuple(DeskOverride(row.starts_at, row.ends_at, row.is_open) for row in rows)
    return DeskSchedule(settings.desk_week, settings.timezone, overrides)


def first_response_target(settings: ClaimsSettings) -> timedelta:
    """How soon an agent should take a handed-over case (open desk time)."""
    return timedelta(seconds=settings.first_response_target_seconds)


@dataclass(frozen=True)
class DeskChange:
    """What `/desk open` or `/desk close` did: the desk's state now and until when it holds."""

    is_open: bool
    until: datetime | None


def close_desk(session: Session, *, agent: Agent, now: datetime, settings: ClaimsSettings,
               duration: timedelta | None = None) -> DeskChange:
    """Close the desk now: for `duration`, or until it next opens by its hours after today's closing."""
    schedule = desk_schedule(session, settings=settings, now=now)
    if duration is None:
        closing = schedule.closing_after(now)
        # Closed by the weekly hours already: nothing to override.
        if closing is None:
            return DeskChange(False, schedule.next_opening(now))
        scheduled = DeskSchedule(schedule.week, schedule.timezone)
        until = scheduled.next_opening(closing) or closing
    else:
        until = now + duration
    _set_override(session, is_open=False, agent=agent, now=now, until=until)
    return DeskChange(False, until)


def open_desk(session: Session, *, agent: Agent, now: datetime, settings: ClaimsSettings,
              duration: timedelta | None = None) -> DeskChange:
    """Open the desk now: end any closure; outside the hours, open for `duration` (default 1 hour)."""
    session.execute(
        update(DeskHoursOverride)
        .where(DeskHoursOverride.is_open.is_(False), DeskHoursOverride.starts_at <= now, DeskHoursOverride.ends_at > now)
        .values(ends_at=now)
    )
    session.commit()
    schedule = desk_schedule(session, settings=settings, now=now)
    if schedule.is_open(now) and duration is None:
        return DeskChange(True, schedule.closing_after(now))
    until = now + (duration or timedelta(hours=1))
    _set_override(session, is_open=True, agent=agent, now=now, until=until)
    return DeskChange(True, until)


def _set_override(session: Session, *, is_open: bool, agent: Agent, now: datetime, until: datetime) -> None:
    session.add(DeskHoursOverride(
        is_open=is_open, starts_at=require_aware(now), ends_at=require_aware(until),
        set_by_telegram_id=agent.telegram_id, set_by_name=agent.name, created_at=now,
    ))
    session.commit()


@dataclass(frozen=True)
class DeskStats:
    """One day's figures for `/stats`."""

    handoffs: int
    taken: int
    waiting: int
    breached: int
    median_first_response: timedelta | None  # request to an agent taking the case
    median_resolution: timedelta | None  # request to hand-back
    conversations: int  # chats where a customer wrote that day
    contained: int  # ... and that never asked for a person

    @property
    def containment_rate(self) -> float | None:
        """Share of the day's conversations the bot finished without a human."""
        return self.contained / self.conversations if self.conversations else None


def desk_stats(session: Session, *, now: datetime, settings: ClaimsSettings) -> DeskStats:
    """Figures for the business day containing `now` (midnight to now, business timezone)."""
    local = require_aware(now).astimezone(settings.timezone)
    start = datetime.combine(local.date(), time(0), tzinfo=settings.timezone)
    handoffs = list(session.scalars(select(Handoff).where(Handoff.requested_at >= start, Handoff.requested_at <= now)))
    taken = [h for h in handoffs if h.first_response_at is not None]
    resolved = [h for h in handoffs if h.outcome is HandoffOutcome.handed_back and h.closed_at is not None]
    chats = set(session.scalars(
        select(distinct(ConversationMessage.chat_id)).where(
            ConversationMessage.sender == MessageSender.customer,
            ConversationMessage.created_at >= start, ConversationMessage.created_at <= now,
        )
    ))
    handed_over_chats = {h.chat_id for h in handoffs if h.outcome is not HandoffOutcome.withdrawn}
    return DeskStats(
        handoffs=len(handoffs),
        taken=len(taken),
        waiting=sum(1 for h in handoffs if h.first_response_at is None and h.closed_at is None),
        breached=sum(1 for h in handoffs if h.breached_at is not None),
        median_first_response=_median([h.first_response_at - h.requested_at for h in taken]),
        median_resolution=_median([h.closed_at - h.requested_at for h in resolved]),
        conversations=len(chats),
        contained=len(chats - handed_over_chats),
    )


def _median(durations: list[timedelta]) -> timedelta | None:
    if not durations:
        return None
    return timedelta(seconds=statistics.median(d.total_seconds() for d in durations))


@dataclass(frozen=True)
class QueueEntry:
    """One open case as `/queue` lists it."""

    handoff_id: int
    customer_name: str
    verified: bool
    reason: HandoffReason
    status: HandoffStatus
    requested_at: datetime
    assigned_at: datetime | None
    agent_name: str | None
    breached: bool


def desk_queue(session: Session) -> list[QueueEntry]:
    """Every open case: queued ones in the order they are served, then those agents own."""
    rows = session.scalars(
        select(Handoff).where(Handoff.status.in_(OPEN_STATUSES))
        .order_by(case((Handoff.status == HandoffStatus.queued, 0), else_=1), Handoff.requested_at, Handoff.id)
    )
    return [
        QueueEntry(
            handoff_id=h.id,
            customer_name=h.policyholder.full_name if h.policyholder else (h.customer_name or "?"),
            verified=h.policyholder is not None, reason=h.reason, status=h.status, requested_at=h.requested_at,
            assigned_at=h.assigned_at, agent_name=h.agent_name, breached=h.breached_at is not None,
        )
        for h in rows
    ]
