"""The NPS survey end to end: a claim paid by the back office is surveyed after the delay; each group gets its
own follow-up; typed scores and skipping work; a detractor opens a call-back case on the agents' desk; quiet
hours and an accident report in progress defer the survey; a restart does not send it twice; /nps reports.
"""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from claims.enums import DeliveryKind, HandoffReason, Language, NpsReason, SurveyStatus
from claims.models import Claim, Delivery, Handoff, NpsResponse, NpsSurvey
from claims.stages import ClaimStage
from tests.e2e.chat import buttons, texts
from tests.e2e.conftest import AGENT_LEE, AGENTS_CHAT_ID
from tests.e2e.desk import AgentsGroup
from tests.e2e.operations import backoffice, restart_bot
from tests.e2e.waiting import until
from tests.factories import make_claim, make_linked_policyholder, make_policy, make_vehicle

pytestmark = pytest.mark.e2e
LANGUAGES = pytest.mark.parametrize("language", ["en", "zh"])
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Expected wording, written here rather than taken from the domain file.
WORDS = {
    "en": {"question": "How likely are you to recommend us", "why_not": "main reason you would not recommend",
           "improve": "What could we do better", "why": "main reason you would recommend",
           "thanks_promoter": "means a lot", "thanks_passive": "We'll use it to do better",
           "thanks_detractor": "A colleague will call you back", "again": "a number from 0 to 10",
           "skip": "Skip", "injured": "Is anyone hurt", "report": "I just had an accident, someone hit my car",
           "no_injury": "no, nobody is hurt", "promoter_reason": "paid within two days, very quick",
           "detractor_reason": "nobody explained how the payout was calculated", "typed": "8/10",
           "one_message": "2, the assessment took three weeks",
           "unclear": "not sure really", "paid": "was paid on"},
    "zh": {"question": "推荐给朋友或同事", "why_not": "不愿推荐我们的主要原因", "improve": "做得更好",
           "why": "愿意推荐我们的主要原因", "thanks_promoter": "意义很大", "thanks_passive": "我们会据此改进",
           "thanks_detractor": "同事会就此回访您", "again": "0 到 10 的分数", "skip": "跳过",
           "injured": "有人受伤吗", "report": "我刚出了车祸，被人撞了", "no_injury": "没有人受伤",
           "promoter_reason": "两天就赔到账了，很快", "detractor_reason": "赔款怎么算的没人解释",
           "one_message": "2分，定损拖了三个礼拜",
           "typed": "打8分", "unclear": "说不好", "paid": "已于"},
}


@pytest.fixture(scope="module")
def surveying(assistant):
    """The survey two seconds after a payment, for this module only (the other tests never see one)."""
    restart_bot(assistant, SURVEY_DELAY_SECONDS="2")
    yield assistant
    restart_bot(assistant, SURVEY_DELAY_SECONDS="3600", SURVEY_QUIET_HOURS="")


@pytest.fixture
def desk(assistant, simulator) -> AgentsGroup:
    return AgentsGroup(simulator, assistant.sessions())


async def customer_with_approved_claim(assistant, chat, language: str, *, branch: str = "Suzhou") -> str:
    """A linked policyholder of the chat (who has written to the bot before) with an approved, assessed claim;
    returns its number."""
    await chat.send("hi" if language == "en" else "你好")
    with assistant.sessions()() as session:
        holder = make_linked_policyholder(session, telegram_user_id=chat.user.id, preferred_language=Language(language))
        policy = make_policy(session, policyholder=holder, branch=branch)
        claim = make_claim(session, vehicle=make_vehicle(session, policy=policy), stage=ClaimStage.approval,
                           now=datetime.now(timezone.utc) - timedelta(days=2), payout_amount=Decimal("3200.00"))
        return claim.claim_number


async def survey_question(chat, language: str, *, after: int = 0, timeout: float = 30) -> dict:
    found = await chat.sim.wait_for_messages(
        chat.user.id, after=after, timeout=timeout, predicate=lambda m: WORDS[language]["question"] in (m.get("text") or ""))
    chat.seen = max(chat.seen, found[0]["message_id"])
    return found[0]


def survey_of(assistant, claim_number: str) -> NpsSurvey | None:
    with assistant.sessions()() as session:
        claim = session.scalar(select(Claim).where(Claim.claim_number == claim_number))
        survey = session.scalar(select(NpsSurvey).where(NpsSurvey.claim_id == claim.id))
        if survey is not None:
            _ = survey.response
            session.expunge_all()
        return survey


@LANGUAGES
async def test_a_paid_claim_is_surveyed_and_a_promoter_says_why(surveying, chat_factory, language):
    chat = chat_factory(language)
    number = await customer_with_approved_claim(surveying, chat, language)
    backoffice(surveying, "pay", number, "--card-last4", "4321")
    question = await survey_question(chat, language)
    assert number in question["text"] and WORDS[language]["paid"] in question["text"]
    assert buttons(question) == [str(score) for score in range(11)]
    assert [len(row) for row in question["reply_markup"]["inline_keyboard"]] == [6, 5]
    follow_up = await chat.press(question, "9")
    assert WORDS[language]["why"] in texts(follow_up)
    thanks = await chat.send(WORDS[language]["promoter_reason"])
    assert WORDS[language]["thanks_promoter"] in texts(thanks)
    survey = survey_of(surveying, number)
    assert survey.status is SurveyStatus.answered
    response = survey.response
    assert (response.score, response.reason, response.branch, response.channel) == (9, NpsReason.fast, "Suzhou",
                                                                                     "telegram")
    assert response.comment == WORDS[language]["promoter_reason"]


@LANGUAGES
async def test_a_typed_score_after_an_unclear_answer_and_a_skipped_follow_up(surveying, chat_factory, language):
    chat = chat_factory(language)
    number = await customer_with_approved_claim(surveying, chat, language)
    backoffice(surveying, "pay", number, "--card-last4", "4321")
    await survey_question(chat, language)
    again = await chat.send(WORDS[language]["unclear"])
    assert WORDS[language]["again"] in texts(again) and buttons(again[-1])[0] == "0"
    assert survey_of(surveying, number).response is None  # nothing recorded from an unclear answer
    follow_up = await chat.send(WORDS[language]["typed"])
    assert WORDS[language]["improve"] in texts(follow_up)
    thanks = await chat.press(follow_up[-1], WORDS[language]["skip"])
    assert WORDS[language]["thanks_passive"] in texts(thanks)
    survey = survey_of(surveying, number)
    assert survey.status is SurveyStatus.answered
    assert (survey.response.score, survey.response.comment, survey.response.reason) == (8, None, None)


@LANGUAGES
async def test_a_detractor_opens_a_call_back_case_with_the_score_and_reason(surveying, chat_factory, desk, language):
    chat = chat_factory(language)
    number = await customer_with_approved_claim(surveying, chat, language)
    backoffice(surveying, "pay", number, "--card-last4", "4321")
    question = await survey_question(chat, language)
    follow_up = await chat.press(question, "3")
    assert WORDS[language]["why_not"] in texts(follow_up)
    thanks = await chat.send(WORDS[language]["detractor_reason"])
    assert WORDS[language]["thanks_detractor"] in texts(thanks)
    case = await desk.case_of(chat.user.id)
    assert case.reason is HandoffReason.nps_detractor
    card = await desk.wait_in_topic(case.topic_id, f"Case #{case.id}")
    assert "NPS 3/10" in card["text"] and "payout calculation not explained" in card["text"]
    assert number in card["text"]
    response = survey_of(surveying, number).response
    assert (response.score, response.reason) == (3, NpsReason.payout_not_explained)


@LANGUAGES
async def test_a_customer_reporting_an_accident_is_not_interrupted(surveying, chat_factory, language):
    chat = chat_factory(language)
    number = await customer_with_approved_claim(surveying, chat, language)
    assert WORDS[language]["injured"] in texts(await chat.send(WORDS[language]["report"]))
    in_form = await chat.send(WORDS[language]["no_injury"])  # the report form now asks its questions
    backoffice(surveying, "pay", number, "--card-last4", "4321")
    deferred = await until(lambda: (s := survey_of(surveying, number)) and s.note and "deferred: in" in s.note and s,
                           message="the survey deferred")
    assert deferred.status is SurveyStatus.scheduled
    assert WORDS[language]["question"] not in texts(await chat.sim.messages(chat.user.id, after=in_form[-1]["message_id"]))
    # positive control: once the report is stopped, the survey comes
    await chat.send("/cancel")
    await survey_question(chat, language, after=in_form[-1]["message_id"], timeout=40)
    # the score and its reason in one message: the follow-up is not asked for what was said
    thanks = await chat.send(WORDS[language]["one_message"])
    assert WORDS[language]["thanks_detractor"] in texts(thanks) and WORDS[language]["why_not"] not in texts(thanks)
    response = survey_of(surveying, number).response
    assert (response.score, response.reason) == (2, NpsReason.slow)


@LANGUAGES
async def test_a_restart_does_not_send_the_survey_again(surveying, chat_factory, language):
    chat = chat_factory(language)
    number = await customer_with_approved_claim(surveying, chat, language)
    backoffice(surveying, "pay", number, "--card-last4", "4321")
    question = await survey_question(chat, language)
    restart_bot(surveying)
    # the bot is back and the conversation carries on where it was (positive control)...
    follow_up = await chat.press(question, "10")
    assert WORDS[language]["why"] in texts(follow_up)
    await asyncio.sleep(3)  # ...and a few survey rounds later the question was still sent once
    messages = await chat.sim.messages(chat.user.id)
    assert sum(WORDS[language]["question"] in (m.get("text") or "") for m in messages) == 1
    with surveying.sessions()() as session:
        sent = session.scalars(select(Delivery).where(Delivery.chat_id == chat.user.id,
                                                      Delivery.kind == DeliveryKind.survey)).all()
        assert [(d.status.value, d.telegram_message_id) for d in sent] == [("sent", question["message_id"])]


@LANGUAGES
async def test_quiet_hours_defer_the_survey_to_their_end(surveying, chat_factory, language):
    chat = chat_factory(language)
    number = await customer_with_approved_claim(surveying, chat, language)
    local = datetime.now(SHANGHAI)
    start, end = (local - timedelta(hours=1)), (local + timedelta(hours=1))
    restart_bot(surveying, SURVEY_QUIET_HOURS=f"{start:%H:%M}-{end:%H:%M}")
    try:
        backoffice(surveying, "pay", number, "--card-last4", "4321")
        survey = await until(lambda: survey_of(surveying, number), message="the survey scheduled")
        assert survey.status is SurveyStatus.scheduled
        assert survey.due_at.astimezone(SHANGHAI).strftime("%H:%M") == f"{end:%H:%M}"
        await asyncio.sleep(3)
        messages = await chat.sim.messages(chat.user.id)
        assert not any(WORDS[language]["question"] in (m.get("text") or "") for m in messages)
    finally:
        restart_bot(surveying, SURVEY_QUIET_HOURS="")
    # positive control: outside quiet hours, "survey now" from the back office sends it
    backoffice(surveying, "survey", number)
    await survey_question(chat, language, timeout=40)


async def test_nps_in_the_agents_group_sends_the_report_and_its_chart(surveying, desk, simulator):
    before = await desk.last_id()
    await desk.say(AGENT_LEE, None, "/nps all")
    photo = (await simulator.wait_for_messages(AGENTS_CHAT_ID, after=before, timeout=30,
                                               predicate=lambda m: m.get("photo")))[0]
    report = (await simulator.messages(AGENTS_CHAT_ID, after=before))
    text = texts([m for m in report if m.get("text")])
    assert "NPS:" in text and "Promoters (9-10)" in text and "Detractors waiting for a call back" in text
    assert photo["photo"] and photo.get("caption") == "NPS by month and the reasons by group"
    with surveying.sessions()() as session:
        answered = session.scalar(select(NpsResponse.id).limit(1))
        callbacks = session.scalars(select(Handoff).where(Handoff.reason == HandoffReason.nps_detractor)).all()
    assert answered is not None and f"call back: {sum(1 for h in callbacks if h.status.value != 'closed')}" in text


@LANGUAGES
async def test_surveys_off_withholds_it_and_on_lets_it_come(surveying, chat_factory, language):
    chat = chat_factory(language)
    number = await customer_with_approved_claim(surveying, chat, language)
    off = await chat.send("/surveys off")
    assert ("no more satisfaction surveys" if language == "en" else "不再发送满意度问卷") in texts(off)
    backoffice(surveying, "pay", number, "--card-last4", "4321")
    withheld = await until(lambda: (s := survey_of(surveying, number)) and s.status is SurveyStatus.withheld and s,
                           message="the survey withheld")
    assert withheld.note == "the customer turned surveys off"
    assert WORDS[language]["question"] not in texts(await chat.sim.messages(chat.user.id))
    await chat.send("/surveys on")
    backoffice(surveying, "survey", number)  # positive control: allowed again, the same survey comes
    await survey_question(chat, language, timeout=40)


@LANGUAGES
async def test_asking_for_a_person_mid_survey_hands_over(surveying, chat_factory, desk, language):
    chat = chat_factory(language)
    number = await customer_with_approved_claim(surveying, chat, language)
    backoffice(surveying, "pay", number, "--card-last4", "4321")
    await survey_question(chat, language)
    asked = await chat.send("I want to talk to a real person please" if language == "en" else "转人工")
    assert ("passing you to a colleague" if language == "en" else "正在为您转接人工客服") in texts(asked)
    case = await desk.case_of(chat.user.id)
    assert case.reason is HandoffReason.user_request
    assert survey_of(surveying, number).response is None  # nothing was read as a score
