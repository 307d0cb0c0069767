"""The NPS survey's form: the score, then the follow-up its group gets; the answer recorded and, from a
detractor, a call-back case on the agents' desk.

The bot starts the form on the conversation (bot/surveys.py) with the survey's id in `nps_survey_id`; every
answer is checked against the survey sent to this chat, so an id that is not this chat's open survey records
nothing. Scores and reasons are read by claims.survey, not by classifier intents.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from sqlalchemy.orm import Session

from actions.base import ClaimsAction, DomainDict, chat_id, in_session, message_metadata, telegram_user_id
from actions.handoff import HANDOFF_REQUESTED
from claims.enums import HandoffReason
from claims.nps import nps_category
from claims.services import agent_desk, handoffs
from claims.settings import get_settings
from claims.survey import invitations
from claims.survey.reasons import REASON_LABELS
from claims.survey.scores import ScoreProblem, ScoreReading, read_score

MAX_SCORE_FAILURES = 3
SKIPPED = "skipped"
# Answers that decline the follow-up: the Skip button sends /deny.
_SKIP = re.compile(r"^\s*(?:/deny|skip|pass|no comment|nothing|none|nope|no|n/a|na|not really|nothing to add|"
                   r"跳过|略过|不想说|没什么|没有|没|无|不用了|算了|pass掉)\s*[.!。！]*\s*$", re.IGNORECASE)


def _survey_id(tracker: Tracker) -> int | None:
    value = tracker.get_slot("nps_survey_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _open_survey(session: Session, tracker: Tracker):
    survey_id = _survey_id(tracker)
    return invitations.survey_for_chat(session, survey_id, chat_id(tracker)) if survey_id is not None else None


def _answered_since_asked(tracker: Tracker) -> bool:
    """Whether the latest user message came after the survey started (the bot sets `nps_survey_id` to start
    it). At the start Rasa reads the message before it ("hi", from long ago) as if it answered the first
    question; it did not."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "slot" and event.get("name") == "nps_survey_id" and event.get("value") is not None:
            return False
    return True


def _typed(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def _cleared() -> list[dict[str, Any]]:
    """The survey's answer slots emptied, so that a later survey starts from nothing."""
    return [SlotSet("nps_score", None), SlotSet("nps_reason", None), SlotSet("nps_score_error", None),
            SlotSet("nps_failures", 0), SlotSet("nps_survey_id", None)]


class ValidateNpsSurveyForm(FormValidationAction):
    """Reads the score (stored at once) and the follow-up; a score given with a reason skips the question."""

    def name(self) -> str:
        return "validate_nps_survey_form"

    async def extract_nps_score(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        """A message with a score is an answer even when it reads as a complaint ("2, nobody called")."""
        if tracker.get_slot("requested_slot") != "nps_score" or tracker.get_slot("nps_score"):
            return {}
        if not _answered_since_asked(tracker):
            return {}
        return {"nps_score": _typed(tracker)} if isinstance(read_score(_typed(tracker)), ScoreReading) else {}

    async def validate_nps_score(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict):
        if not _answered_since_asked(tracker):
            return {"nps_score": None}
        reading = read_score(str(value or ""))

        def record(session: Session) -> dict[str, Any]:
            survey = _open_survey(session, tracker)
            if survey is None:  # answered, expired, or not this chat's: nothing is recorded
                return {"nps_score": None, "nps_outcome": "closed", "requested_slot": None}
            if isinstance(reading, ScoreProblem):
                failures = int(tracker.get_slot("nps_failures") or 0) + 1
                if failures >= MAX_SCORE_FAILURES:
                    return {"nps_score": None, "nps_failures": failures, "nps_outcome": "unscored",
                            "requested_slot": None}
                return {"nps_score": None, "nps_score_error": reading.value, "nps_failures": failures}
            response = invitations.record_score(session, survey, reading.score, now=datetime.now(timezone.utc))
            slots: dict[str, Any] = {"nps_score": str(reading.score), "nps_score_error": None,
                                     "nps_follow_up": response.follow_up.value}
            if reading.rest:  # "7, the payout took too long": the reason was given with the score
                slots["nps_reason"] = reading.rest
            return slots

        return await in_session(record)

    async def validate_nps_reason(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict):
        if not _answered_since_asked(tracker):
            return {"nps_reason": None}
        text = str(value or "").strip()
        return {"nps_reason": SKIPPED if not text or _SKIP.match(text) else text}


class ActionSubmitNpsSurvey(ClaimsAction):
    """Record the follow-up; a detractor's answer opens a call-back case on the agents' desk at once."""

    def name(self) -> str:
        return "action_submit_nps_survey"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, *, session: Session):
        reset = _cleared()
        if tracker.get_slot("nps_outcome") in ("closed", "unscored"):
            return reset
        survey = _open_survey(session, tracker)
        if survey is None or survey.response is None:
            return [SlotSet("nps_outcome", "closed"), *reset]
        reason = tracker.get_slot("nps_reason")
        comment = None if reason in (None, SKIPPED) else str(reason)
        now = datetime.now(timezone.utc)
        recorded = invitations.record_follow_up(session, survey, comment, now=now)
        if recorded.call_back:
            settings = get_settings()
            score = survey.response.score
            summary = f"NPS {score}/10 · " + (REASON_LABELS[recorded.reason]["en"] if recorded.reason else "no reason given")
            if comment:
                summary += f" · {comment}"  # the card quotes the summary as the customer's words
            existing = handoffs.open_handoff_for_chat(session, chat_id(tracker))
            handoff = existing or handoffs.request_handoff(
                session, chat_id=chat_id(tracker), telegram_user_id=telegram_user_id(tracker),
                reason=HandoffReason.nps_detractor, claim_id=survey.claim_id, summary=summary[:1000],
                customer_name=message_metadata(tracker).get("first_name"), now=now,
                schedule=agent_desk.desk_schedule(session, settings=settings, now=now),
                target=agent_desk.first_response_target(settings),
            )
            if existing is None:
                dispatcher.utter_message(json_message={"notice": HANDOFF_REQUESTED, "handoff_id": handoff.id})
        return [SlotSet("nps_outcome", nps_category(survey.response.score).value), *reset]


class ActionStopNpsSurvey(ClaimsAction):
    """The customer stopped the survey (cancel): the score, if given, stays; nothing more is asked."""

    def name(self) -> str:
        return "action_stop_nps_survey"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, *, session: Session):
        survey = _open_survey(session, tracker)
        if survey is not None and survey.response is not None:
            invitations.record_follow_up(session, survey, None, now=datetime.now(timezone.utc))
        return [*_cleared(), SlotSet("requested_slot", None)]
