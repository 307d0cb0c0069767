"""A proactive message as the domain words it, before the bot turns it into Telegram's."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Button:
    """An inline button: starts something the customer could also have asked for (`intent`, e.g.
    upload_photos), or opens a link (`url`)."""

    title: str
    intent: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class OutboundMessage:
    text: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class NotSent:
    """Why a queued message is dropped at the moment of sending (skipped, for good) or held back (`until`)."""

    reason: str
    until: object = None  # an aware datetime: try again then (quiet hours)
