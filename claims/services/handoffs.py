"""Handoffs to a human agent: one open case per chat, one owner at a time, every step on record.

queued (waiting for an agent; the bot still helps meanwhile) -> assigned (an agent owns it; the bot is
quiet) -> closed (handed back to the bot, or withdrawn by the customer while waiting). `/transfer` puts an assigned case
back in the queue, where it keeps its place.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claims.clock import require_aware
from claims.desk_hours import DeskSchedule
from claims.enums import HandoffEventKind, HandoffOutcome, HandoffReason, HandoffStatus
from claims.models import Handoff, HandoffEvent
from claims.services.policyholders import policyholder_for_telegram_user

OPEN_STATUSES = (HandoffStatus.queued, HandoffStatus.assigned)


@dataclass(frozen=True)
class Agent:
    """The person acting on a case in the agents' group."""

    telegram_id: int
    name: str


@dataclass(frozen=True)
class CaseRoute:
    """Where a case stands and where its messages go: plain values, safe to pass between threads."""

    handoff_id: int
    chat_id: int
    telegram_user_id: int | None
    status: HandoffStatus
    topic_id: int | None
    card_message_id: int | None
    agent_telegram_id: int | None
    agent_name: str | None

    @classmethod
    def of(cls, handoff: Handoff) -> CaseRoute:
        return cls(handoff.id, handoff.chat_id, handoff.telegram_user_id, handoff.status, handoff.topic_id,
                   handoff.card_message_id, handoff.agent_telegram_id, handoff.agent_name)


def route_by_id(session: Session, handoff_id: int) -> CaseRoute | None:
    """The case with this id."""
    handoff = session.get(Handoff, handoff_id)
    return CaseRoute.of(handoff) if handoff else None


def route_for_chat(session: Session, chat_id: int) -> CaseRoute | None:
    """The chat's open case, if any."""
    handoff = open_handoff_for_chat(session, chat_id)
    return CaseRoute.of(handoff) if handoff else None


def route_for_topic(session: Session, topic_id: int) -> CaseRoute | None:
    """The case discussed in a forum topic of the agents' group, open or closed."""
    handoff = session.scalar(select(Handoff).where(Handoff.topic_id == topic_id).order_by(Handoff.id.desc()).limit(1))
    return CaseRoute.of(handoff) if handoff else None


def open_handoff_for_chat(session: Session, chat_id: int) -> Handoff | None:
    """The chat's queued or assigned handoff, if any."""
    return session.scalar(
        select(Handoff).where(Handoff.chat_id == chat_id, Handoff.status.in_(OPEN_STATUSES))
        .order_by(Handoff.requested_at.desc(), Handoff.id.desc()).limit(1)
    )


def _event(session: Session, handoff_id: int, kind: HandoffEventKind, now: datetime,
           agent: Agent | None = None, text: str | None = None) -> None:
    session.add(HandoffEvent(
        handoff_id=handoff_id, kind=kind, created_at=now, text=text,
        actor_telegram_id=agent.telegram_id if agent else None, actor_name=agent.name if agent else None,
    ))


def request_handoff(
    session: Session, *, chat_id: int, telegram_user_id: int | None, reason: HandoffReason | str,
    claim_id: int | None = None, summary: str | None = None, customer_name: str | None = None, now: datetime,
    schedule: DeskSchedule | None = None, target: timedelta | None = None,
) -> Handoff:
    """Queue the chat for an agent; asking again while a handoff is open returns that one.

    With a desk schedule and a first-response target, the case is due `target` of open desk time later.
    """
    require_aware(now)
    existing = open_handoff_for_chat(session, chat_id)
    if existing is not None:
        return existing
    policyholder = policyholder_for_telegram_user(session, telegram_user_id) if telegram_user_id else None
    handoff = Handoff(
        chat_id=chat_id, telegram_user_id=telegram_user_id, reason=HandoffReason(reason),
        status=HandoffStatus.queued, requested_at=now, claim_id=claim_id, summary=summary,
        policyholder_id=policyholder.id if policyholder else None, transfer_count=0,
        customer_name=(customer_name or "")[:100] or None,
        first_response_due_at=schedule.response_due(now, target) if schedule and target else None,
    )
    session.add(handoff)
    try:
        session.flush()
        _event(session, handoff.id, HandoffEventKind.requested, now, text=handoff.reason.value)
        session.commit()
    except IntegrityError:
        # Another request for the same chat won the race (one open handoff per chat): use that one.
        session.rollback()
        existing = open_handoff_for_chat(session, chat_id)
        if existing is None:
            raise
        return existing
    return handoff


def queue_position(session: Session, handoff: Handoff) -> int | None:
    """1 for the next queued handoff to be served; None when it is no longer queued."""
    if handoff.status is not HandoffStatus.queued:
        return None
    ahead = session.scalar(
        select(func.count()).select_from(Handoff).where(
            Handoff.status == HandoffStatus.queued,
            or_(
                Handoff.requested_at < handoff.requested_at,
                and_(Handoff.requested_at == handoff.requested_at, Handoff.id < handoff.id),
            ),
        )
    )
    return (ahead or 0) + 1


def attach_topic(session: Session, handoff_id: int, *, topic_id: int, card_message_id: int | None,
                 now: datetime) -> bool:
    """Record the case's forum topic; False if another process attached one first."""
    attached = session.execute(
        update(Handoff).where(Handoff.id == handoff_id, Handoff.topic_id.is_(None))
        .values(topic_id=topic_id, card_message_id=card_message_id)
    ).rowcount == 1
    if attached:
        _event(session, handoff_id, HandoffEventKind.topic_opened, now)
    session.commit()
    return attached


def set_card_message(session: Session, handoff_id: int, card_message_id: int) -> None:
    """The context card now shown in the topic (re-posted on /claim or transfer)."""
    session.execute(update(Handoff).where(Handoff.id == handoff_id).values(card_message_id=card_message_id))
    session.commit()


@dataclass(frozen=True)
class TakeResult:
    """Whether the agent now owns the case; else who does (or that it is closed)."""

    taken: bool
    case: CaseRoute
    first_take: bool = False  # the first time any agent took this case (the customer is told who)


def take_handoff(session: Session, handoff_id: int, *, agent: Agent, now: datetime) -> TakeResult:
    """Give a queued case to the agent; exactly one of several agents pressing at once wins."""
    require_aware(now)
    won = session.execute(
        update(Handoff).where(Handoff.id == handoff_id, Handoff.status == HandoffStatus.queued)
        .values(status=HandoffStatus.assigned, agent_telegram_id=agent.telegram_id, agent_name=agent.name,
                assigned_at=now, first_response_at=func.coalesce(Handoff.first_response_at, now))
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    handoff = session.get(Handoff, handoff_id, populate_existing=True)
    if handoff is None:
        raise LookupError(f"no handoff {handoff_id}")
    if won:
        _event(session, handoff.id, HandoffEventKind.taken, now, agent)
    session.commit()
    return TakeResult(won, CaseRoute.of(handoff), first_take=won and handoff.transfer_count == 0)


def owns(case: Handoff | CaseRoute, agent: Agent) -> bool:
    """Whether the agent is the case's current owner."""
    return case.status is HandoffStatus.assigned and case.agent_telegram_id == agent.telegram_id


def _owned(session: Session, handoff_id: int, agent: Agent) -> Handoff | None:
    """The case, locked for the change, if the agent owns it."""
    handoff = session.scalar(select(Handoff).where(Handoff.id == handoff_id).with_for_update())
    return handoff if handoff is not None and owns(handoff, agent) else None


def release_handoff(session: Session, handoff_id: int, *, agent: Agent, now: datetime) -> bool:
    """`/transfer`: the owner puts the case back in the queue (it keeps its place); False if not theirs."""
    handoff = _owned(session, handoff_id, agent)
    if handoff is None:
        return False
    handoff.status = HandoffStatus.queued
    handoff.agent_telegram_id = handoff.agent_name = None
    handoff.assigned_at = None
    handoff.transfer_count = (handoff.transfer_count or 0) + 1
    _event(session, handoff.id, HandoffEventKind.transferred, now, agent)
    session.commit()
    return True


def hand_back(session: Session, handoff_id: int, *, agent: Agent, now: datetime) -> bool:
    """`/done`: the owner closes the case and the bot takes the conversation back; False if not theirs."""
    handoff = _owned(session, handoff_id, agent)
    if handoff is None:
        return False
    _close(session, handoff, HandoffOutcome.handed_back, now)
    _event(session, handoff.id, HandoffEventKind.handed_back, now, agent)
    session.commit()
    return True


def withdraw_handoff(session: Session, *, chat_id: int, now: datetime) -> CaseRoute | None:
    """The customer no longer needs a person: close their case if nobody has taken it yet."""
    handoff = open_handoff_for_chat(session, chat_id)
    if handoff is None or handoff.status is not HandoffStatus.queued:
        return None
    _close(session, handoff, HandoffOutcome.withdrawn, now)
    _event(session, handoff.id, HandoffEventKind.withdrawn, now)
    session.commit()
    return CaseRoute.of(handoff)


def recently_handed_back(session: Session, *, chat_id: int, now: datetime, within: timedelta) -> bool:
    """Whether an agent handed this chat back to the bot within `within` of `now`."""
    return session.scalar(
        select(func.count()).select_from(Handoff).where(
            Handoff.chat_id == chat_id, Handoff.outcome == HandoffOutcome.handed_back,
            Handoff.closed_at >= require_aware(now) - within,
        )
    ) > 0


def _close(session: Session, handoff: Handoff, outcome: HandoffOutcome, now: datetime) -> None:
    handoff.status = HandoffStatus.closed
    handoff.outcome = outcome
    handoff.closed_at = require_aware(now)


def add_note(session: Session, handoff_id: int, *, agent: Agent, text: str, now: datetime) -> None:
    """An internal note on the case: kept with the case, never sent to the customer."""
    _event(session, handoff_id, HandoffEventKind.note, now, agent, text)
    session.commit()


def handoffs_without_topic(session: Session, *, limit: int = 20) -> list[int]:
    """Open cases whose forum topic is not opened yet, oldest first."""
    return list(session.scalars(
        select(Handoff.id).where(Handoff.status.in_(OPEN_STATUSES), Handoff.topic_id.is_(None))
        .order_by(Handoff.requested_at, Handoff.id).limit(limit)
    ))


def overdue_handoffs(session: Session, *, now: datetime) -> list[CaseRoute]:
    """Queued cases past their first-response target that have not been reminded about yet."""
    return [CaseRoute.of(handoff) for handoff in session.scalars(
        select(Handoff).where(
            Handoff.status == HandoffStatus.queued, Handoff.breached_at.is_(None),
            # A case answered in time and then transferred has met its first-response target.
            Handoff.first_response_at.is_(None),
            Handoff.first_response_due_at.is_not(None), Handoff.first_response_due_at <= require_aware(now),
        ).order_by(Handoff.requested_at, Handoff.id)
    )]


def mark_breached(session: Session, handoff_id: int, *, now: datetime) -> bool:
    """Record that a case missed its target (once); False if another process did it first or it was taken."""
    marked = session.execute(
        update(Handoff).where(Handoff.id == handoff_id, Handoff.breached_at.is_(None),
                              Handoff.status == HandoffStatus.queued, Handoff.first_response_at.is_(None))
        .values(breached_at=require_aware(now)).execution_options(synchronize_session=False)
    ).rowcount == 1
    if marked:
        _event(session, handoff_id, HandoffEventKind.reminded, now)
    session.commit()
    return marked
