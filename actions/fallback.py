"""When the classifier is unsure, or the message is outside what the bot does: the fallback ladder.

A message that could be either of two requests gets both as buttons ("Did you mean: track a claim / report an
accident?"); one that is simply unclear gets a request to rephrase; one out of scope is told what the bot can do
instead; the second unhelped message in a row offers a person, the third shows what the bot can do, and so on, so
the customer never reads the same "I didn't get that" twice in a row. The wording is in utter_please_rephrase
(config/domain/core.yml), one variant per step.
"""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import DomainDict, intent_of, latest_intent
from actions.tracking import language
from claims import wording

FALLBACK_ACTION = "action_handle_nlu_fallback"
# The user's previous message got no help either: not understood, or understood as outside what we do.
UNHELPED_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
# Two readings are offered as buttons when both are requests the bot can start and the classifier's second choice
# is nearly as likely as its first.
MIN_SECOND_CONFIDENCE = 0.2
MAX_CONFIDENCE_GAP = 0.3


class FallbackStep:
    did_you_mean = "did_you_mean"
    out_of_scope = "out_of_scope"  # what the bot can do instead
    rephrase = "rephrase"
    offer_human = "offer_human"
    menu = "menu"


def unhelped_streak(tracker: Tracker) -> int:
    """How many user messages in a row before the latest one got no help."""
    streak = 0
    for event in reversed([e for e in tracker.events if e.get("event") == "user"][:-1]):
        if intent_of(event.get("parse_data")) not in UNHELPED_INTENTS:
            break
        streak += 1
    return streak


def two_readings(tracker: Tracker) -> tuple[str, str] | None:
    """The two requests the latest message could be, when it could be either."""
    ranking = [r for r in (tracker.latest_message or {}).get("intent_ranking") or []
               if r.get("name") not in UNHELPED_INTENTS]
    if len(ranking) < 2:
        return None
    first, second = ranking[0], ranking[1]
    if first["name"] in wording.OFFERABLE_REQUESTS and second["name"] in wording.OFFERABLE_REQUESTS \
            and second["confidence"] >= MIN_SECOND_CONFIDENCE \
            and first["confidence"] - second["confidence"] <= MAX_CONFIDENCE_GAP:
        return first["name"], second["name"]
    return None


class ActionHandleNluFallback(Action):
    """An unclear message: which step of the ladder answers it."""

    def name(self) -> str:
        return FALLBACK_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        streak = unhelped_streak(tracker)
        understood_as = latest_intent(tracker)
        readings = two_readings(tracker) if streak == 0 and understood_as != "out_of_scope" else None
        if readings:
            step = FallbackStep.did_you_mean
        elif streak == 0 and understood_as == "out_of_scope":
            step = FallbackStep.out_of_scope
        elif streak == 0:
            step = FallbackStep.rephrase
        else:  # alternate, so that no answer comes twice in a row
            step = FallbackStep.offer_human if streak % 2 == 1 else FallbackStep.menu
        lang = language(tracker)
        choices = readings or (None, None)
        return [
            SlotSet("fallback_step", step),
            SlotSet("fallback_offer_human", step in (FallbackStep.offer_human, FallbackStep.menu)),
            *[event for position, intent in enumerate(choices, start=1) for event in (
                SlotSet(f"fallback_choice_{position}", intent),
                SlotSet(f"fallback_choice_{position}_label", wording.request_label(intent, lang) if intent else None),
            )],
        ]
