"""Telegram's flood limits, per bot token and off by default.

Telegram lets a bot send about 30 messages a second in all and one a second to any one chat; beyond
that it answers 429 "Too Many Requests: retry after N". Globally the simulator keeps a sliding
one-second window of accepted messages; per chat a token bucket (rate per_chat_per_second,
capacity per_chat_burst). Only the message-sending methods count, sendMediaGroup as one message.
A refused call takes no capacity, and a call the limiter let through that then fails (400 ...)
gives its capacity back, so only messages actually sent count. Time is read through monotonic()
here, which tests monkeypatch to move a clock instead of sleeping.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any, Callable

# The methods that send a message and so count against the limits (canonical names).
SENDING_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendLocation", "sendMediaGroup",
    "copyMessage", "forwardMessage",
})
WINDOW = 1.0  # seconds of the global sliding window
_EPSILON = 1e-9  # float slack: a bucket refilled to 0.9999999999 after exactly 1 s is full


def monotonic() -> float:
    """The limiter's clock in seconds (tests monkeypatch telegram_simulator.limits.monotonic)."""
    return time.monotonic()


@dataclass
class LimitConfig:
    """A bot's flood limits; Telegram's defaults, not enforced unless enabled."""

    enabled: bool = False
    global_per_second: int = 30
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 1

    def as_dict(self) -> dict[str, Any]:
        """The config as the control API answers it."""
        return asdict(self)


class FloodLimited(Exception):
    """A message refused by the flood limits; retry_after is Telegram's whole seconds (>= 1)."""

    def __init__(self, wait: float) -> None:
        self.retry_after = max(1, math.ceil(wait - _EPSILON))
        super().__init__(f"Too Many Requests: retry after {self.retry_after}")


@dataclass(frozen=True)
class Grant:
    """Capacity taken for one message: what give_back() needs to return it."""

    chat: Any
    at: float
    generation: int


class FloodLimiter:
    """One bot's limits and the record of its recent messages."""

    def __init__(self, config: LimitConfig | None = None, *,
                 clock: Callable[[], float] | None = None) -> None:
        self.config = config or LimitConfig()
        self._clock = clock  # None: this module's monotonic(), looked up at each call
        self._sent: deque[float] = deque()  # times of accepted messages in the last WINDOW
        self._buckets: dict[Any, tuple[float, float]] = {}  # chat -> (tokens, as of time)
        self._generation = 0

    def now(self) -> float:
        """The limiter's current time."""
        return (self._clock or monotonic)()

    def configure(self, *, enabled: bool, global_per_second: int | None = None,
                  per_chat_per_second: float | None = None,
                  per_chat_burst: int | None = None) -> LimitConfig:
        """Set the limits (values not given stay as they are); counting starts afresh."""
        config = LimitConfig(
            enabled=_flag(enabled),
            global_per_second=self.config.global_per_second if global_per_second is None
            else _number("global_per_second", global_per_second, int),
            per_chat_per_second=self.config.per_chat_per_second if per_chat_per_second is None
            else _number("per_chat_per_second", per_chat_per_second, float),
            per_chat_burst=self.config.per_chat_burst if per_chat_burst is None
            else _number("per_chat_burst", per_chat_burst, int),
        )
        self.config = config
        self.clear()
        return config

    def clear(self) -> None:
        """Forget the recent messages (the config stays)."""
        self._sent.clear()
        self._buckets.clear()
        self._generation += 1

    def take(self, chat: Any) -> Grant | None:
        """Take capacity for one message to chat (None: no chat known); FloodLimited if there is none.

        Answers None when the limits are off, else the Grant to give back if the send fails.
        """
        config = self.config
        if not config.enabled:
            return None
        now = self.now()
        sent = self._sent
        while sent and sent[0] <= now - WINDOW:
            sent.popleft()
        over = len(sent) - config.global_per_second  # >= 0: full until sent[over] leaves the window
        wait = sent[over] + WINDOW - now if over >= 0 else 0.0
        tokens = None
        if chat is not None:
            tokens = self._tokens(chat, now)
            if tokens < 1 - _EPSILON:
                wait = max(wait, (1 - tokens) / config.per_chat_per_second)
        if wait > 0:
            raise FloodLimited(wait)
        sent.append(now)
        if chat is not None:
            self._buckets[chat] = (max(tokens - 1, 0.0), now)
        return Grant(chat, now, self._generation)

    def give_back(self, grant: Grant | None) -> None:
        """Return the capacity of a message that was not sent after all."""
        if grant is None or grant.generation != self._generation:
            return
        try:
            self._sent.remove(grant.at)
        except ValueError:
            pass  # already out of the window
        if grant.chat is not None and grant.chat in self._buckets:
            tokens, at = self._buckets[grant.chat]
            self._buckets[grant.chat] = (min(tokens + 1, float(self.config.per_chat_burst)), at)

    def _tokens(self, chat: Any, now: float) -> float:
        """The chat's bucket refilled up to now (a chat never seen has a full bucket)."""
        burst = float(self.config.per_chat_burst)
        bucket = self._buckets.get(chat)
        if bucket is None:
            return burst
        tokens, at = bucket
        return min(burst, tokens + max(now - at, 0.0) * self.config.per_chat_per_second)


def chat_key(chat_id: Any, chats: dict[int, Any]) -> Any:
    """The chat a send is for, as the per-chat limit counts it: its id (an @username resolved)."""
    if chat_id is None or chat_id == "":
        return None
    text = str(chat_id).strip()
    if text.startswith("@"):
        name = text[1:].lower()
        for chat in chats.values():
            if chat.info.get("username", "").lower() == name:
                return chat.info["id"]
        return text.lower()
    try:
        return int(text)
    except ValueError:
        return text


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"enabled must be true or false, not {value!r}")
    return value


def _number(name: str, value: Any, kind: type) -> Any:
    """A positive limit: an integer for counts, any number for the per-chat rate."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, not {value!r}")
    if kind is int and value != int(value):
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be positive, not {value!r}")
    return kind(value)
