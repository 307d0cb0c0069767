"""Handoffs to a human agent: one open request per chat, served in the order they came."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claims.enums import HandoffReason, HandoffStatus
from claims.models import Handoff
from claims.services.policyholders import policyholder_for_telegram_user

OPEN_STATUSES = (HandoffStatus.queued, HandoffStatus.assigned)


def open_handoff_for_chat(session: Session, chat_id: int) -> Handoff | None:
    """The chat's queued or assigned handoff, if any."""
    return session.scalar(
        select(Handoff).where(Handoff.chat_id == chat_id, Handoff.status.in_(OPEN_STATUSES))
        .order_by(Handoff.requested_at.desc(), Handoff.id.desc()).limit(1)
    )


def request_handoff(
    session: Session, *, chat_id: int, telegram_user_id: int | None, reason: HandoffReason | str,
    claim_id: int | None = None, summary: str | None = None, now: datetime,
) -> Handoff:
    """Queue the chat for an agent; asking again while a handoff is open returns that one."""
    existing = open_handoff_for_chat(session, chat_id)
    if existing is not None:
        return existing
    policyholder = policyholder_for_telegram_user(session, telegram_user_id) if telegram_user_id else None
    handoff = Handoff(
        chat_id=chat_id, telegram_user_id=telegram_user_id, reason=HandoffReason(reason),
        status=HandoffStatus.queued, requested_at=now, claim_id=claim_id, summary=summary,
        policyholder_id=policyholder.id if policyholder else None,
    )
    session.add(handoff)
    try:
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
