"""The front end's use of the claims store: chat preferences, identity, the transcript.

Database calls run in a worker thread so a slow query never blocks other chats.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from claims.enums import Language
from claims.services import chats, transcript

T = TypeVar("T")


@dataclass
class ChatStore:
    """Session factory plus the few operations the handlers need."""

    sessions: sessionmaker[Session]

    async def call(self, service: Callable[..., T], **kwargs: Any) -> T:
        """Run a claims service with a session of its own, in a worker thread."""

        def work() -> T:
            with self.sessions() as session:
                return service(session, **kwargs)

        return await asyncio.to_thread(work)

    async def language_for(self, *, chat_id: int, telegram_user_id: int | None, language_code: str | None,
                           written: Language | None = None) -> str:
        """The chat's language: the user's /language choice, else the language they write in, else their
        Telegram language."""
        preference = await self.call(
            chats.get_or_create_chat_preference,
            chat_id=chat_id,
            telegram_user_id=telegram_user_id,
            telegram_language_code=language_code,
            written=written,
        )
        return preference.language.value

    async def set_language(self, *, chat_id: int, language: str) -> None:
        """Remember the user's explicit language choice."""
        await self.call(chats.set_chat_language, chat_id=chat_id, language=language)

    async def record(self, *, chat_id: int, direction: str, sender: str, text: str) -> None:
        """Append a message to the chat's transcript (agents see it on handoff)."""
        await self.call(transcript.record_message, chat_id=chat_id, direction=direction, sender=sender, text=text)
