"""The conversation transcript an agent reads when taking over a chat."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.clock import utcnow
from claims.enums import MessageDirection, MessageSender
from claims.models import ConversationMessage


def record_message(
    session: Session, *, chat_id: int, direction: MessageDirection | str, sender: MessageSender | str,
    text: str, now: datetime | None = None,
) -> ConversationMessage:
    """Store one message of the chat (direction 'in'/'out'; sender customer, bot or agent)."""
    message = ConversationMessage(
        chat_id=chat_id, direction=MessageDirection(direction), sender=MessageSender(sender), text=text,
        created_at=now or utcnow(),
    )
    session.add(message)
    session.commit()
    return message


def recent_messages(session: Session, *, chat_id: int, limit: int = 20) -> list[ConversationMessage]:
    """The chat's last `limit` messages, oldest first."""
    newest_first = session.scalars(
        select(ConversationMessage)
        .where(ConversationMessage.chat_id == chat_id)
        .order_by(ConversationMessage.created_at.desc(), ConversationMessage.id.desc())
        .limit(limit)
    ).all()
    return list(reversed(newest_first))
