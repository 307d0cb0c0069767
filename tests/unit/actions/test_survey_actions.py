"""The survey form's actions through Tracker.from_dict: the score read and stored, the follow-up chosen by the
score, a reason given with the score, skipping, a forged or closed survey, the detractor's call-back case."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.handoff import HANDOFF_REQUESTED
from actions.survey import SKIPPED, ActionStopNpsSurvey, ActionSubmitNpsSurvey, ValidateNpsSurveyForm
from claims.clock import utcnow
from claims.enums import HandoffReason, NpsReason, SurveyStatus
from claims.models import Handoff, NpsSurvey
from claims.stages import ClaimStage
from claims.survey import invitations
from claims.survey.rules import SurveyRules
from tests.factories import make_claim, make_linked_policyholder, make_policy, make_vehicle


@pytest.fixture
def sent_survey(use_test_database):
    """A survey sent to a linked policyholder about a paid claim; returns (chat id, survey id)."""
    session = use_test_database
    holder = make_linked_policyholder(session)
    paid_at = utcnow() - timedelta(days=1, minutes=1)
    claim = make_claim(session, vehicle=make_vehicle(session, policy=make_policy(session, policyholder=holder)),
                       stage=ClaimStage.paid, now=paid_at, paid_at=paid_at)
    rules = SurveyRules(quiet_start=utcnow().time(), quiet_end=utcnow().time())  # no quiet hours
    invitations.schedule_surveys(session, now=utcnow(), rules=rules)
    survey = session.scalar(select(NpsSurvey).where(NpsSurvey.claim_id == claim.id))
    assert invitations.release_survey(session, survey.id, now=utcnow(), rules=rules) is invitations.Release.queued
    return holder.telegram_user_id, survey.id


def tracker(chat: int, *, text: str, intent: str = "nlu_fallback", slots: dict | None = None) -> Tracker:
    latest = {"intent": {"name": intent}, "text": text, "entities": [],
              "metadata": {"chat_id": chat, "telegram_user_id": chat, "language": "en"}}
    return Tracker.from_dict({
        "sender_id": str(chat), "slots": {"language": "en", **(slots or {})}, "latest_message": latest,
        "events": [{"event": "user", "text": text, "parse_data": latest}], "paused": False,
        "followup_action": None, "active_loop": {"name": "nps_survey_form"}, "latest_action_name": "action_listen",
    })


def validate(slot, value, tracker_):
    return asyncio.run(getattr(ValidateNpsSurveyForm(), f"validate_{slot}")(value, CollectingDispatcher(), tracker_, {}))


def run(action, tracker_):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, {}))
    return dispatcher, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def stored(session, survey_id):
    session.expire_all()
    return session.get(NpsSurvey, survey_id)


def test_a_score_is_stored_at_once_and_picks_the_follow_up(sent_survey, use_test_database):
    chat, survey_id = sent_survey
    slots = validate("nps_score", "7", tracker(chat, text="7", slots={"nps_survey_id": survey_id}))
    assert slots == {"nps_score": "7", "nps_score_error": None, "nps_follow_up": "improve"}
    survey = stored(use_test_database, survey_id)
    assert (survey.status, survey.response.score) == (SurveyStatus.scored, 7)


def test_a_score_with_its_reason_fills_both(sent_survey):
    chat, survey_id = sent_survey
    slots = validate("nps_score", "2, nobody called me back for weeks",
                     tracker(chat, text="2, nobody called me back for weeks", slots={"nps_survey_id": survey_id}))
    assert slots["nps_follow_up"] == "why_not" and slots["nps_reason"] == "nobody called me back for weeks"


def test_an_unclear_score_is_asked_again_with_why_and_three_end_the_survey(sent_survey, use_test_database):
    chat, survey_id = sent_survey
    slots = validate("nps_score", "eleven out of ten", tracker(chat, text="eleven out of ten",
                                                               slots={"nps_survey_id": survey_id}))
    assert slots == {"nps_score": None, "nps_score_error": "none_found", "nps_failures": 1}
    slots = validate("nps_score", "7 or 8", tracker(chat, text="7 or 8", slots={"nps_survey_id": survey_id,
                                                                               "nps_failures": 1}))
    assert slots["nps_score_error"] == "ambiguous"
    slots = validate("nps_score", "12", tracker(chat, text="12", slots={"nps_survey_id": survey_id, "nps_failures": 2}))
    assert slots["nps_outcome"] == "unscored" and slots["requested_slot"] is None
    assert stored(use_test_database, survey_id).response is None


def test_another_chats_or_a_forged_survey_records_nothing(sent_survey, use_test_database):
    chat, survey_id = sent_survey
    for other_chat, other_id in ((chat + 1, survey_id), (chat, survey_id + 1000)):
        slots = validate("nps_score", "0", tracker(other_chat, text="0", slots={"nps_survey_id": other_id}))
        assert slots["nps_outcome"] == "closed" and slots["nps_score"] is None
    assert stored(use_test_database, survey_id).response is None


@pytest.mark.parametrize("text", ["/deny", "skip", "no comment", "跳过", "没有", "  "])
def test_the_follow_up_can_be_skipped(text):
    assert validate("nps_reason", text, tracker(1, text=text)) == {"nps_reason": SKIPPED}


def test_a_promoters_reason_is_recorded_and_classified(sent_survey, use_test_database):
    chat, survey_id = sent_survey
    validate("nps_score", "10", tracker(chat, text="10", slots={"nps_survey_id": survey_id}))
    dispatcher, slots = run(ActionSubmitNpsSurvey(), tracker(chat, text="quick payout", slots={
        "nps_survey_id": survey_id, "nps_reason": "quick payout"}))
    assert slots["nps_outcome"] == "promoter" and slots["nps_survey_id"] is None
    assert dispatcher.messages == []  # no call back for a promoter
    survey = stored(use_test_database, survey_id)
    assert (survey.status, survey.response.reason, survey.response.comment) == (
        SurveyStatus.answered, NpsReason.fast, "quick payout")


def test_a_detractor_opens_a_call_back_case_for_the_desk(sent_survey, use_test_database):
    chat, survey_id = sent_survey
    validate("nps_score", "2", tracker(chat, text="2", slots={"nps_survey_id": survey_id}))
    reason = "nobody explained how the payout was calculated"
    dispatcher, slots = run(ActionSubmitNpsSurvey(), tracker(chat, text=reason, slots={
        "nps_survey_id": survey_id, "nps_reason": reason}))
    assert slots["nps_outcome"] == "detractor"
    handoff = use_test_database.scalar(select(Handoff).where(Handoff.chat_id == chat))
    assert handoff.reason is HandoffReason.nps_detractor
    assert handoff.summary == f"NPS 2/10 · payout calculation not explained · {reason}"
    assert handoff.claim_id == stored(use_test_database, survey_id).claim_id
    assert dispatcher.messages[0]["custom"] == {"notice": HANDOFF_REQUESTED, "handoff_id": handoff.id}


def test_submitting_twice_records_once(sent_survey, use_test_database):
    chat, survey_id = sent_survey
    validate("nps_score", "9", tracker(chat, text="9", slots={"nps_survey_id": survey_id}))
    run(ActionSubmitNpsSurvey(), tracker(chat, text="fast", slots={"nps_survey_id": survey_id, "nps_reason": "fast"}))
    _, slots = run(ActionSubmitNpsSurvey(), tracker(chat, text="again", slots={"nps_survey_id": survey_id,
                                                                             "nps_reason": "again"}))
    assert slots["nps_outcome"] == "closed"
    assert stored(use_test_database, survey_id).response.comment == "fast"


def test_stopping_keeps_the_score(sent_survey, use_test_database):
    chat, survey_id = sent_survey
    validate("nps_score", "6", tracker(chat, text="6", slots={"nps_survey_id": survey_id}))
    _, slots = run(ActionStopNpsSurvey(), tracker(chat, text="stop", intent="cancel", slots={"nps_survey_id": survey_id}))
    assert slots["requested_slot"] is None
    survey = stored(use_test_database, survey_id)
    assert (survey.status, survey.response.score, survey.response.comment) == (SurveyStatus.answered, 6, None)


def test_the_message_before_the_survey_is_not_read_as_its_answer(sent_survey, use_test_database):
    chat, survey_id = sent_survey
    before = tracker(chat, text="hi", slots={"nps_survey_id": survey_id})
    before.events.append({"event": "slot", "name": "nps_survey_id", "value": float(survey_id)})  # started after "hi"
    assert validate("nps_score", "hi", before) == {"nps_score": None}
    assert validate("nps_reason", "hi", before) == {"nps_reason": None}
    assert stored(use_test_database, survey_id).response is None
