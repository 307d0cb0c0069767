"""The fallback ladder: did you mean, rephrase, a person, the menu; never the same answer twice in a row."""
from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionHandleNluFallback

TRACK_OR_REPORT = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "track_claim", "confidence": 0.41},
                   {"name": "report_accident", "confidence": 0.36}, {"name": "greet", "confidence": 0.05}]
UNSURE = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "track_claim", "confidence": 0.30},
          {"name": "greet", "confidence": 0.08}]


def tracker(*, earlier_intents: tuple[str, ...] = (), ranking: list | None = None, lang: str = "en",
            intent: str = "nlu_fallback") -> Tracker:
    events = [{"event": "user", "text": "...", "parse_data": {"intent": {"name": name}}} for name in earlier_intents]
    latest = {"intent": {"name": intent}, "text": "hmm", "intent_ranking": ranking or UNSURE,
              "metadata": {"chat_id": 560, "language": lang}}
    events.append({"event": "user", "text": "hmm", "parse_data": latest})
    return Tracker.from_dict({"sender_id": "560", "slots": {"language": lang}, "latest_message": latest,
                              "events": events, "paused": False, "followup_action": None, "active_loop": {},
                              "latest_action_name": "action_listen"})


def ladder(tracker_: Tracker) -> dict:
    events = asyncio.run(ActionHandleNluFallback().run(CollectingDispatcher(), tracker_, {}))
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_a_first_unclear_message_asks_to_rephrase():
    slots = ladder(tracker())
    assert slots["fallback_step"] == "rephrase" and slots["fallback_offer_human"] is False
    assert slots["fallback_choice_1"] is None and slots["fallback_choice_2"] is None


@pytest.mark.parametrize("lang, labels", [("en", ("🔎 Track a claim", "🚗 Report an accident")),
                                          ("zh", ("🔎 查理赔进度", "🚗 报案"))])
def test_a_message_between_two_requests_offers_both(lang, labels):
    slots = ladder(tracker(ranking=TRACK_OR_REPORT, lang=lang))
    assert slots["fallback_step"] == "did_you_mean"
    assert (slots["fallback_choice_1"], slots["fallback_choice_2"]) == ("track_claim", "report_accident")
    assert (slots["fallback_choice_1_label"], slots["fallback_choice_2_label"]) == labels


def test_two_readings_that_are_not_requests_are_not_offered():
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "greet", "confidence": 0.40},
               {"name": "thank", "confidence": 0.38}]
    assert ladder(tracker(ranking=ranking))["fallback_step"] == "rephrase"


def test_a_far_second_reading_is_not_offered():
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "track_claim", "confidence": 0.44},
               {"name": "report_accident", "confidence": 0.05}]
    assert ladder(tracker(ranking=ranking))["fallback_step"] == "rephrase"


@pytest.mark.parametrize("earlier, step, person", [
    (("nlu_fallback",), "offer_human", True), (("out_of_scope",), "offer_human", True),
    (("nlu_fallback", "nlu_fallback"), "menu", True), (("nlu_fallback",) * 3, "offer_human", True),
    (("nlu_fallback", "track_claim"), "rephrase", False),
])
def test_each_further_miss_in_a_row_gets_another_answer(earlier, step, person):
    slots = ladder(tracker(earlier_intents=earlier))
    assert (slots["fallback_step"], slots["fallback_offer_human"]) == (step, person)


def test_no_step_answers_twice_in_a_row():
    steps = [ladder(tracker(earlier_intents=("nlu_fallback",) * n))["fallback_step"] for n in range(6)]
    assert all(a != b for a, b in zip(steps, steps[1:])), steps


def test_did_you_mean_is_only_for_a_first_miss():
    assert ladder(tracker(earlier_intents=("nlu_fallback",), ranking=TRACK_OR_REPORT))["fallback_step"] == "offer_human"


def test_a_first_out_of_scope_message_is_told_what_the_bot_can_do_and_a_second_offers_a_person():
    first = ladder(tracker(intent="out_of_scope", ranking=TRACK_OR_REPORT))
    assert (first["fallback_step"], first["fallback_offer_human"]) == ("out_of_scope", False)
    second = ladder(tracker(intent="out_of_scope", earlier_intents=("out_of_scope",)))
    assert (second["fallback_step"], second["fallback_offer_human"]) == ("offer_human", True)
