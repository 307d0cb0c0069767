"""Keeps the `language` slot in step with the language the Telegram front end reports."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

from actions.base import DomainDict, message_metadata

SUPPORTED_LANGUAGES = {"en", "zh"}


class ValidateSlotMappings(ValidationAction):
    """Runs after every user message (action_validate_slot_mappings)."""

    async def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, str]:
        """Take the language from the message metadata when it differs from the slot."""
        language = message_metadata(tracker).get("language")
        if language in SUPPORTED_LANGUAGES and language != tracker.get_slot("language"):
            return {"language": language}
        return {}
