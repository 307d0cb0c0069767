"""A user's private chat with the bot, as an end-to-end test drives it."""
from __future__ import annotations

import asyncio

from telegram_simulator.client import FakeUser, SimulatorClient


class Chat:
    """One user's private chat with the bot, as a test drives it."""

    SETTLE_SECONDS = 0.8  # after the expected replies, wait this long for any extra ones

    def __init__(self, simulator: SimulatorClient, user: FakeUser) -> None:
        self.sim = simulator
        self.user = user
        self.seen = 0

    async def _collect(self, after: int, expect: int, timeout: float) -> list[dict]:
        await self.sim.wait_for_messages(self.user.id, after=after, count=expect, timeout=timeout)
        await asyncio.sleep(self.SETTLE_SECONDS)
        replies = await self.sim.messages(self.user.id, after=after)
        self.seen = max([self.seen, after, *(m["message_id"] for m in replies)])
        return replies

    async def send(self, text: str, *, expect: int = 1, timeout: float = 30) -> list[dict]:
        """Send text; return every bot reply (at least `expect`)."""
        sent = await self.sim.send_text(self.user.id, text, user=self.user)
        return await self._collect(sent["message_id"], expect, timeout)

    async def paste(self, text: str, *, timeout: float = 30) -> list[dict]:
        """Send a long text the way Telegram apps do: in 4096-character parts, back to back."""
        parts = [text[i : i + 4096] for i in range(0, len(text), 4096)]
        first = await self.sim.send_text(self.user.id, parts[0], user=self.user)
        for part in parts[1:]:
            await self.sim.send_text(self.user.id, part, user=self.user)
        return await self._collect(first["message_id"], 1, timeout)

    async def send_update(self, *, expect: int = 1, timeout: float = 30, **content) -> list[dict]:
        """Send any kind of message (photo, sticker, location...) and return the replies."""
        sent = await self.sim.send_update(self.user.id, user=self.user, **content)
        return await self._collect(sent["message_id"], expect, timeout)

    async def press(self, message: dict, title_part: str, *, expect: int = 1, timeout: float = 30) -> list[dict]:
        """Press the inline button whose title contains `title_part`."""
        buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
        button = next((b for b in buttons if title_part.lower() in b["text"].lower()), None)
        assert button, f"no button with {title_part!r} in {[b['text'] for b in buttons]}"
        after = self.seen
        await self.sim.press(self.user.id, message["message_id"], button["callback_data"], user=self.user)
        return await self._collect(after, expect, timeout)


def texts(messages: list[dict]) -> str:
    """All the text of some bot messages, for assertions."""
    return "\n".join(m.get("text") or m.get("caption") or "" for m in messages)


def buttons(message: dict) -> list[str]:
    """Titles of a message's inline buttons."""
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]
