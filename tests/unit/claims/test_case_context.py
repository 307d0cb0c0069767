"""The context card's content: who the customer is, why the bot handed over, the claim and the last messages."""
from __future__ import annotations

from datetime import timedelta

from claims.enums import ChecklistItem, HandoffReason, HandoffStatus, Language, MessageSender, PolicyStatus
from claims.models import ChatPreference
from claims.services import transcript
from claims.services.case_context import TRANSCRIPT_LENGTH, case_context
from claims.services.handoffs import Agent, release_handoff, request_handoff, take_handoff
from claims.stages import ClaimStage
from tests.factories import make_claim, make_document, make_policy, make_policyholder, make_vehicle

PHONE = "+8613912345678"


def verified_customer(session, now, *, telegram_user_id=4401):
    holder = make_policyholder(session, full_name="Zhang Wei", phone=PHONE, telegram_user_id=telegram_user_id)
    policy = make_policy(session, policyholder=holder, policy_number="PMV-2026-0000123")
    vehicle = make_vehicle(session, policy=policy, plate_number="沪A6K215", make="Tesla", model="Model 3", year=2022)
    return holder, policy, vehicle


def test_a_verified_customers_card_shows_who_they_are(session, now, settings):
    holder, policy, vehicle = verified_customer(session, now)
    handoff = request_handoff(session, chat_id=4401, telegram_user_id=4401, reason="disputed_assessment",
                              summary="the parts price is too low", customer_name="zw", now=now)
    context = case_context(session, handoff.id, now=now, settings=settings)
    assert context.verified is True and context.customer_name == "Zhang Wei"
    assert context.reason is HandoffReason.disputed_assessment and context.request_text == "the parts price is too low"
    assert context.phone.endswith("5678") and context.phone != PHONE
    assert "13912345678" not in repr(context) and "1391234" not in repr(context)
    assert [(p.number, p.status) for p in context.policies] == [("PMV-2026-0000123", PolicyStatus.active)]
    assert context.policies[0].vehicles == ["沪A6K215 Tesla Model 3 (2022)"]


def test_the_claim_on_the_card_shows_its_stage_and_whats_missing(session, now, settings):
    _, _, vehicle = verified_customer(session, now)
    claim = make_claim(session, vehicle=vehicle, stage=ClaimStage.survey, now=now)
    make_document(session, claim=claim, item=ChecklistItem.damage_closeup)
    handoff = request_handoff(session, chat_id=4401, telegram_user_id=4401, reason="user_request", now=now)
    context = case_context(session, handoff.id, now=now, settings=settings)
    assert context.claim is not None
    assert (context.claim.claim_number, context.claim.stage, context.claim.plate) == (
        claim.claim_number, ClaimStage.survey, "沪A6K215")
    assert context.claim.missing_items and ChecklistItem.damage_closeup not in context.claim.missing_items
    assert ChecklistItem.front_left in context.claim.missing_items
    assert context.other_open_claims == []


def test_other_open_claims_are_listed_besides_the_handed_over_one(session, now, settings):
    _, _, vehicle = verified_customer(session, now)
    older = make_claim(session, vehicle=vehicle, now=now, reported_at=now - timedelta(days=10))
    newer = make_claim(session, vehicle=vehicle, now=now, reported_at=now - timedelta(days=2))
    make_claim(session, vehicle=vehicle, stage=ClaimStage.closed, now=now, reported_at=now - timedelta(days=30))
    about_older = request_handoff(session, chat_id=4401, telegram_user_id=4401, reason="complaint",
                                  claim_id=older.id, now=now)
    context = case_context(session, about_older.id, now=now, settings=settings)
    assert context.claim.claim_number == older.claim_number
    assert context.other_open_claims == [newer.claim_number]


def test_without_a_named_claim_the_newest_open_one_is_shown(session, now, settings):
    _, _, vehicle = verified_customer(session, now)
    older = make_claim(session, vehicle=vehicle, now=now, reported_at=now - timedelta(days=10))
    newer = make_claim(session, vehicle=vehicle, now=now, reported_at=now - timedelta(days=2))
    handoff = request_handoff(session, chat_id=4401, telegram_user_id=4401, reason="user_request", now=now)
    context = case_context(session, handoff.id, now=now, settings=settings)
    assert context.claim.claim_number == newer.claim_number
    assert context.other_open_claims == [older.claim_number]


def test_a_verified_customer_without_claims_has_none_on_the_card(session, now, settings):
    verified_customer(session, now)
    handoff = request_handoff(session, chat_id=4401, telegram_user_id=4401, reason="user_request", now=now)
    context = case_context(session, handoff.id, now=now, settings=settings)
    assert context.verified and context.claim is None and context.other_open_claims == []


def test_an_unverified_customer_is_known_only_by_their_telegram_name(session, now, settings):
    make_policyholder(session, telegram_user_id=9999)  # someone else's account
    handoff = request_handoff(session, chat_id=4402, telegram_user_id=4402, reason="complaint", customer_name="Wei",
                              now=now)
    context = case_context(session, handoff.id, now=now, settings=settings)
    assert (context.customer_name, context.verified, context.phone) == ("Wei", False, None)
    assert context.policies == [] and context.claim is None and context.other_open_claims == []


def test_an_unverified_customer_without_a_name_is_a_question_mark(session, now, settings):
    handoff = request_handoff(session, chat_id=4403, telegram_user_id=None, reason="user_request", now=now)
    assert case_context(session, handoff.id, now=now, settings=settings).customer_name == "?"


def test_the_transcript_is_the_last_twenty_messages_oldest_first(session, now, settings):
    handoff = request_handoff(session, chat_id=4404, telegram_user_id=4404, reason="user_request", now=now)
    for n in range(25):
        transcript.record_message(session, chat_id=4404, direction="in" if n % 2 == 0 else "out",
                                  sender="customer" if n % 2 == 0 else "bot", text=f"message {n}",
                                  now=now - timedelta(minutes=30 - n))
    transcript.record_message(session, chat_id=4405, direction="in", sender="customer", text="another chat", now=now)
    context = case_context(session, handoff.id, now=now, settings=settings)
    assert TRANSCRIPT_LENGTH == 20
    assert [line.text for line in context.transcript] == [f"message {n}" for n in range(5, 25)]
    assert context.transcript[0].sender is MessageSender.bot and context.transcript[-1].sender is MessageSender.customer
    assert context.transcript[0].at == now - timedelta(minutes=25)


def test_the_state_of_the_case_is_on_the_card(session, now, settings):
    first = request_handoff(session, chat_id=4406, telegram_user_id=4406, reason="user_request", now=now)
    second = request_handoff(session, chat_id=4407, telegram_user_id=4407, reason="user_request",
                             now=now + timedelta(minutes=1))
    assert case_context(session, second.id, now=now, settings=settings).queue_position == 2
    agent = Agent(901, "Li Na")
    take_handoff(session, first.id, agent=agent, now=now)
    release_handoff(session, first.id, agent=agent, now=now)
    take_handoff(session, first.id, agent=agent, now=now)
    context = case_context(session, first.id, now=now, settings=settings)
    assert (context.status, context.agent_name, context.queue_position, context.transfer_count, context.breached) == (
        HandoffStatus.assigned, "Li Na", None, 1, False)


def test_the_customers_language_comes_from_the_chat(session, now, settings):
    session.add(ChatPreference(chat_id=4408, telegram_user_id=4408, language=Language.zh, language_chosen=True))
    session.commit()
    zh = request_handoff(session, chat_id=4408, telegram_user_id=4408, reason="user_request", now=now)
    en = request_handoff(session, chat_id=4409, telegram_user_id=4409, reason="user_request", now=now)
    assert case_context(session, zh.id, now=now, settings=settings).language is Language.zh
    assert case_context(session, en.id, now=now, settings=settings).language is Language.en


def test_an_unknown_case_has_no_context(session, now, settings):
    assert case_context(session, 987_654, now=now, settings=settings) is None
