"""Shared behaviour of the actions that read or write the claims store."""
from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions import store

logger = logging.getLogger(__name__)

DomainDict = dict[str, Any]
T = TypeVar("T")
# The custom payload the front end turns into its own apology.
ACTION_FAILED = "action_failed"


def message_metadata(tracker: Tracker) -> dict[str, Any]:
    """The metadata the Telegram front end attached to the latest user message."""
    return (tracker.latest_message or {}).get("metadata") or {}


def intent_of(parse_data: dict[str, Any] | None) -> str | None:
    """The intent name in a parse result (a user event's parse_data, or latest_message); None when absent."""
    return ((parse_data or {}).get("intent") or {}).get("name")


def latest_intent(tracker: Tracker) -> str | None:
    """The intent of the latest user message."""
    return intent_of(tracker.latest_message)


def chat_id(tracker: Tracker) -> int:
    """The Telegram chat id; conversations are keyed by it (sender_id)."""
    return int(message_metadata(tracker).get("chat_id") or tracker.sender_id)


def telegram_user_id(tracker: Tracker) -> int | None:
    """The Telegram user id of the person writing, if the front end sent it."""
    value = message_metadata(tracker).get("telegram_user_id")
    return int(value) if value is not None else None


def previous_action(tracker: Tracker, *, skip: set[str]) -> str | None:
    """Name of the latest action before this one, ignoring listen and the given names."""
    for event in reversed(tracker.events):
        if event.get("event") == "action":
            name = event.get("name")
            if name not in skip and name != "action_listen":
                return name
    return None


async def in_session(work: Callable[[Session], T]) -> T:
    """Run `work` with a database session of its own, in a worker thread (off the event loop)."""

    def run() -> T:
        with store.session_factory()() as session:
            return work(session)

    return await asyncio.to_thread(run)


class ClaimsAction(Action, ABC):
    """An action that runs its work with a database session, off the event loop.

    A failure is logged and reported to the front end as a notice, which apologises to the
    user in their language instead of leaving them in silence.
    """

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        try:
            return await in_session(lambda session: self.act(dispatcher, tracker, domain, session=session))
        except Exception:
            logger.exception("action %s failed", self.name())
            dispatcher.messages.clear()
            dispatcher.utter_message(json_message={"notice": ACTION_FAILED})
            return []

    @abstractmethod
    def act(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        *,
        session: Session,
    ) -> list[dict[str, Any]]:
        """Do the action's work; the session is closed afterwards."""


# A complaint, a dispute or a request for a person read with less confidence than this does not interrupt a
# form: the text is taken as the answer to the question asked ("浦东世纪大道88号" is a place, whatever the classifier
# half-thought). Cancelling and side questions always interrupt.
INTERRUPTION_CONFIDENCE = 0.6
HANDOFF_INTENTS = frozenset({"complain", "dispute_assessment", "request_human"})


def hesitant_interruption(tracker: Tracker, slot: str) -> str | None:
    """The typed text, when it answers `slot` (the question asked) but was read, without confidence, as an
    intent that would interrupt the form."""
    latest = tracker.latest_message or {}
    intent = latest.get("intent") or {}
    text = latest.get("text") or ""
    if tracker.get_slot("requested_slot") != slot or tracker.get_slot(slot) is not None or not text \
            or text.startswith("/") or intent.get("name") not in HANDOFF_INTENTS:
        return None
    return text if float(intent.get("confidence") or 0) < INTERRUPTION_CONFIDENCE else None
