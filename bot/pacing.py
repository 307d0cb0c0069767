"""The pace of proactive messages: just under Telegram's limits, for the whole deployment.

Telegram takes about 30 messages a second from a bot and about one a second to one chat, and answers more with
HTTP 429 and `retry_after`. PTB's AIORateLimiter counts per process, leaves private chats unlimited and, on a
429, holds every request of the process while it retries; so the outbox sender, which runs in one process at a
time (the scheduler's lease holder), paces itself: evenly spaced sends at `rate` a second, none to a chat within
`per_chat_interval` of the last, and on a 429 only that chat waits, unless 429s come for several chats at
once: then it is the bot's overall limit and every send waits.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

_FORGET_AFTER = 60.0  # seconds: per-chat times older than this are dropped


class SendPacer:
    def __init__(self, rate_per_second: float, *, per_chat_interval: float = 1.0,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        if rate_per_second <= 0:
            raise ValueError("the send rate must be positive")
        self.interval = 1.0 / rate_per_second
        self.per_chat_interval = per_chat_interval
        self._clock, self._sleep = clock, sleep
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._chat_free_at: dict[int, float] = {}
        self._last_forget = 0.0
        self._refusals: list[tuple[float, int]] = []

    def chat_free_at(self, chat_id: int) -> float:
        """When the next message to this chat may go (clock time)."""
        return self._chat_free_at.get(chat_id, 0.0)

    def chat_ready(self, chat_id: int) -> bool:
        return self.chat_free_at(chat_id) <= self._clock()

    async def take_slot(self, chat_id: int) -> None:
        """Wait for this send's turn (the global spacing, a pause, the chat's own spacing) and book it."""
        while True:
            now = self._clock()
            start = max(self._next_slot, self._paused_until, self.chat_free_at(chat_id))
            if start <= now:
                break
            await self._sleep(start - now)
        if self._next_slot <= now < self._next_slot + self.interval:
            # a little late on a steady run (the event loop was busy): keep to the grid, so that the average holds
            # at `rate`, but never two sends closer than half an interval
            self._next_slot = max(self._next_slot + self.interval, now + self.interval / 2)
        else:  # the first, or after a pause: a fresh start, no saved-up burst
            self._next_slot = now + self.interval
        self._chat_free_at[chat_id] = now + self.per_chat_interval
        self._forget_old(now)

    def refused(self, chat_id: int, retry_after: float) -> bool:
        """Telegram answered 429 for this chat: the chat waits `retry_after`; if another chat was refused within
        the last second too, everything waits. True when everything waits."""
        now = self._clock()
        self.hold_chat(chat_id, retry_after)
        self._refusals = [(at, chat) for at, chat in self._refusals if now - at < 1.0] + [(now, chat_id)]
        if len({chat for _, chat in self._refusals}) >= 2:
            self.pause(retry_after)
            return True
        return False

    def pause(self, seconds: float) -> None:
        """Telegram asked the whole bot to wait: no send starts for `seconds`."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def hold_chat(self, chat_id: int, seconds: float) -> None:
        """Telegram asked to wait before writing to this chat again; the others go on."""
        self._chat_free_at[chat_id] = max(self.chat_free_at(chat_id), self._clock() + seconds)

    def _forget_old(self, now: float) -> None:
        if now - self._last_forget < _FORGET_AFTER:
            return
        self._last_forget = now
        for chat_id, free_at in list(self._chat_free_at.items()):
            if free_at < now - _FORGET_AFTER:
                del self._chat_free_at[chat_id]
