"""The front end's use of the claims store: chat preferences and the conversation transcript.

Database calls run in a worker thread so a slow query never blocks other chats.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from claims.services import chats, transcript


@dataclass
class ChatStore:
    """Session factory plus the few operations the handlers need."""

    sessions: sessionmaker[Session]

    async def language_for(self, *, chat_id: int, telegram_user_id: int | None, language_code: str | None) -> str:
        """The chat's language: the user's /language choice, else their Telegram language."""

        def work() -> str:
            with self.sessions() as session:
                return chats.get_or_create_chat_preference(
                    session,
                    chat_id=chat_id,
                    telegram_user_id=telegram_user_id,
                    telegram_language_code=language_code,
                ).language.value

        return await asyncio.to_thread(work)

    async def set_language(self, *, chat_id: int, language: str) -> None:
        """Remember the user's explicit language choice."""

        def work() -> None:
            with self.sessions() as session:
                chats.set_chat_language(session, chat_id=chat_id, language=language)

        await asyncio.to_thread(work)

    async def record(self, *, chat_id: int, direction: str, sender: str, text: str) -> None:
        """Append a message to the chat's transcript (agents see it on handoff)."""

        def work() -> None:
            with self.sessions() as session:
                transcript.record_message(session, chat_id=chat_id, direction=direction, sender=sender, text=text)

        await asyncio.to_thread(work)
