"""The language slot follows the metadata the front end sends with each message."""
from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.language import ValidateSlotMappings


def tracker(slot: str | None, metadata: dict) -> Tracker:
    return Tracker.from_dict({
        "sender_id": "1", "slots": {"language": slot}, "events": [], "paused": False,
        "latest_message": {"text": "hi", "intent": {"name": "greet"}, "metadata": metadata},
        "active_loop": {}, "latest_action_name": "action_listen",
    })


def extract(slot, metadata):
    return asyncio.run(ValidateSlotMappings().extract_language(CollectingDispatcher(), tracker(slot, metadata), {}))


def test_takes_a_new_language():
    assert extract("en", {"language": "zh"}) == {"language": "zh"}


def test_leaves_an_unchanged_language_alone():
    assert extract("zh", {"language": "zh"}) == {}


def test_ignores_unsupported_or_missing_languages():
    assert extract("en", {"language": "fr"}) == {}
    assert extract("en", {}) == {}
