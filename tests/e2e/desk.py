"""The agents' forum as an end-to-end test drives it: find a case's topic, take it, write in it."""
from __future__ import annotations

import asyncio
import time

from sqlalchemy import select

from claims.models import Handoff
from telegram_simulator.client import FakeUser, SimulatorClient
from tests.e2e.conftest import AGENTS_CHAT_ID


class AgentsGroup:
    """The agents' forum supergroup, with the store behind it to find each case's topic."""

    def __init__(self, simulator: SimulatorClient, sessions) -> None:
        self.sim = simulator
        self.sessions = sessions

    async def case_of(self, chat_id: int, timeout: float = 20) -> Handoff:
        """The chat's latest handoff once its topic and card are posted."""
        deadline = time.monotonic() + timeout
        while True:
            with self.sessions() as session:
                handoff = session.scalars(select(Handoff).where(Handoff.chat_id == chat_id)
                                          .order_by(Handoff.id.desc())).first()
                if handoff is not None and handoff.topic_id is not None:
                    session.expunge(handoff)
                    return handoff
            assert time.monotonic() < deadline, f"no topic opened for chat {chat_id}"
            await asyncio.sleep(0.2)

    def handoff(self, handoff_id: int) -> Handoff:
        """The handoff as stored now, with its events."""
        with self.sessions() as session:
            handoff = session.get(Handoff, handoff_id)
            _ = handoff.events
            session.expunge_all()
            return handoff

    async def topic(self, topic_id: int, after: int = 0) -> list[dict]:
        """The bot's messages in a topic after a message id."""
        return await self.sim.messages(AGENTS_CHAT_ID, after=after, thread_id=topic_id)

    async def wait_in_topic(self, topic_id: int, words: str, *, after: int = 0, timeout: float = 20) -> dict:
        """The first bot message in the topic, after `after`, whose text or caption contains `words`."""
        found = await self.sim.wait_for_messages(
            AGENTS_CHAT_ID, after=after, thread_id=topic_id, timeout=timeout,
            predicate=lambda m: words in (m.get("text") or m.get("caption") or ""))
        return found[0]

    async def say(self, agent: FakeUser, topic_id: int | None, text: str) -> dict:
        """An agent writes in a topic (None: the General topic)."""
        return await self.sim.send_text(AGENTS_CHAT_ID, text, user=agent, thread_id=topic_id)

    async def take(self, agent: FakeUser, handoff: Handoff) -> None:
        """The agent presses the take button on the case's card."""
        await self.sim.press(AGENTS_CHAT_ID, handoff.card_message_id, f"desk:take:{handoff.id}", user=agent)

    async def last_id(self) -> int:
        """The newest message id in the group, to wait for what comes after it."""
        messages = await self.sim.messages(AGENTS_CHAT_ID, include_all=True)
        return max((m["message_id"] for m in messages), default=0)
