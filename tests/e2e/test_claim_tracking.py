"""Claim tracking end to end: identity check, list, status, payout, privacy, pushed updates."""
from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from claims import wording
from claims.models import Claim, Delivery
from claims.seed import (
    DEMO_CLAIM_ASSESSMENT_EN,
    DEMO_CLAIM_ASSESSMENT_ZH,
    DEMO_CLAIM_PAID_EN,
    DEMO_CLAIM_PAID_ZH,
    DEMO_DOB_ZH,
    DEMO_DOB_EN,
    DEMO_PHONE_EN,
    DEMO_PHONE_ZH,
    DEMO_POLICY_EN,
    DEMO_POLICY_ZH,
)
from claims.stages import ClaimStage
from tests.e2e.chat import buttons, texts
from tests.e2e.operations import backoffice

pytestmark = pytest.mark.e2e

DEMO = {
    "en": {"phone": DEMO_PHONE_EN, "paid": DEMO_CLAIM_PAID_EN, "open": DEMO_CLAIM_ASSESSMENT_EN,
           "policy": DEMO_POLICY_EN, "dob": DEMO_DOB_EN, "other_paid": DEMO_CLAIM_PAID_ZH},
    "zh": {"phone": DEMO_PHONE_ZH, "paid": DEMO_CLAIM_PAID_ZH, "open": DEMO_CLAIM_ASSESSMENT_ZH,
           "policy": DEMO_POLICY_ZH, "dob": DEMO_DOB_ZH, "other_paid": DEMO_CLAIM_PAID_EN},
}
WORDS = {
    "en": {"track": "where is my claim?", "ask": "confirm it's you", "verified": "that's you",
           "failed": "couldn't confirm", "locked": "paused", "not_found": "couldn't find claim",
           "use_policy": "policy number", "payout": "How your payout is worked out",
           "status": "status of {number} please"},
    "zh": {"track": "我的理赔到哪一步了", "ask": "需要先核实身份", "verified": "核实成功", "failed": "没能核实",
           "locked": "暂时锁定", "not_found": "没有找到案件", "use_policy": "保单号",
           "payout": "赔款计算明细", "status": "查一下{number}的进度"},
}
LANGUAGES = pytest.mark.parametrize("language", ["en", "zh"])


async def verified_chat(chat_factory, language):
    """A new user who has shared the demo policyholder's phone number as their own contact."""
    chat = chat_factory(language)
    await chat.send_update(contact={"phone_number": DEMO[language]["phone"], "first_name": "Demo", "user_id": chat.user.id},
                           expect=2)
    return chat


@LANGUAGES
async def test_verify_by_contact_then_choose_a_claim_from_the_list(chat_factory, language):
    chat = chat_factory(language)
    asked = await chat.send(WORDS[language]["track"])
    assert WORDS[language]["ask"] in texts(asked)
    assert asked[-1]["reply_markup"].get("keyboard") or any(m.get("reply_markup", {}).get("keyboard") for m in asked)
    shared = await chat.send_update(
        contact={"phone_number": DEMO[language]["phone"].replace("+86", ""), "first_name": "Demo", "user_id": chat.user.id},
        expect=2,
    )
    assert WORDS[language]["verified"] in texts(shared)
    choice = shared[-1]
    assert any(DEMO[language]["paid"] in title for title in buttons(choice))
    assert any(DEMO[language]["open"] in title for title in buttons(choice))
    status = await chat.press(choice, DEMO[language]["open"])
    assert DEMO[language]["open"] in texts(status)
    assert wording.stage_label(ClaimStage.loss_assessment, language) in texts(status)


@LANGUAGES
async def test_track_by_number_explains_the_payout_line_by_line(assistant, chat_factory, language):
    chat = await verified_chat(chat_factory, language)
    number = DEMO[language]["paid"]
    replies = await chat.send(WORDS[language]["status"].format(number=number), expect=2)
    with assistant.sessions()() as session:
        claim = session.scalar(select(Claim).where(Claim.claim_number == number))
    body = texts(replies)
    assert wording.stage_label(ClaimStage.paid, language) in body
    assert WORDS[language]["payout"] in body
    assert wording.format_money(claim.payout_amount, language, "CNY") in body
    assert claim.payout_card_last4 in body
    for figure in (claim.assessed_parts, claim.assessed_labour):
        assert wording.format_money(figure, language, "CNY") in body


@LANGUAGES
async def test_someone_elses_claim_number_gets_the_unknown_number_answer(chat_factory, language):
    chat = await verified_chat(chat_factory, language)
    other = DEMO[language]["other_paid"]
    theirs = texts(await chat.send(WORDS[language]["status"].format(number=other)))
    unknown = texts(await chat.send(WORDS[language]["status"].format(number="CLM-2026-999999")))
    assert WORDS[language]["not_found"] in theirs
    assert theirs.replace(other, "#") == unknown.replace("CLM-2026-999999", "#")
    assert "4508.98" not in theirs and "4,508.98" not in theirs and "4715" not in theirs


@LANGUAGES
async def test_three_failed_checks_lock_verification(chat_factory, language):
    chat = chat_factory(language)
    await chat.send(WORDS[language]["track"])
    outcomes = []
    for _ in range(3):
        replies = await chat.send_update(contact={"phone_number": "+8613900000000", "first_name": "X",
                                                  "user_id": chat.user.id})
        outcomes.append(texts(replies))
    assert WORDS[language]["failed"] in outcomes[0] and WORDS[language]["failed"] in outcomes[1]
    assert WORDS[language]["locked"] in outcomes[2]
    right_phone_too_late = await chat.send_update(
        contact={"phone_number": DEMO[language]["phone"], "first_name": "Demo", "user_id": chat.user.id})
    assert WORDS[language]["locked"] in texts(right_phone_too_late)
    assert WORDS[language]["locked"] in texts(await chat.send(WORDS[language]["track"]))


@LANGUAGES
async def test_policy_number_and_date_of_birth_verify_too(chat_factory, language):
    chat = chat_factory(language)
    asked = await chat.send(WORDS[language]["track"])
    details_question = await chat.press(next(m for m in asked if buttons(m)), WORDS[language]["use_policy"])
    assert "PMV-" in texts(details_question)
    policy = DEMO[language]["policy"]
    date_question = await chat.send(policy.lower())  # typed in lower case: still understood
    assert policy in texts(date_question)
    wrong = await chat.send("1970-01-01")
    assert WORDS[language]["failed"] in texts(wrong)
    sentence = (f"policy {policy}, born {DEMO[language]['dob']:%d %B %Y}" if language == "en"
                else f"保单号{policy} 生日{DEMO[language]['dob'].year}年{DEMO[language]['dob'].month}月{DEMO[language]['dob'].day}日")
    done = await chat.send(sentence, expect=2)
    assert WORDS[language]["verified"] in texts(done)
    assert any(DEMO[language]["paid"] in title for title in buttons(done[-1]))


async def pushed(chat, stage_text: str, *, wait: float) -> list[dict]:
    await asyncio.sleep(wait)
    return [m for m in await chat.sim.messages(chat.user.id) if stage_text in (m.get("text") or "")]


@LANGUAGES
async def test_a_stage_change_is_pushed_once_even_across_a_bot_restart(assistant, chat_factory, language):
    chat = await verified_chat(chat_factory, language)
    number = DEMO[language]["open"]
    backoffice(assistant, "advance", number)  # loss assessment -> loss review
    expected = wording.stage_update_text(ClaimStage.loss_review, language, claim_number=number)
    first = await chat.sim.wait_for_messages(chat.user.id, after=chat.seen, timeout=60,
                                             predicate=lambda m: m.get("text") == expected)
    assert len(first) == 1
    assistant.stack.services["bot"].restart()
    assert len(await pushed(chat, expected, wait=25)) == 1
    with assistant.sessions()() as session:
        records = session.scalars(select(Delivery).where(Delivery.chat_id == chat.user.id)).all()
    assert [(d.status.value, d.telegram_message_id) for d in records] == [("sent", first[0]["message_id"])]
    # pushed while the bot is down: delivered once it is back
    assistant.stack.services["bot"].stop()
    backoffice(assistant, "advance", number)  # loss review -> adjustment
    assistant.stack.services["bot"].start()
    expected = wording.stage_update_text(ClaimStage.adjustment, language, claim_number=number)
    await chat.sim.wait_for_messages(chat.user.id, after=first[0]["message_id"], timeout=60,
                                     predicate=lambda m: m.get("text") == expected)
    assert len(await pushed(chat, expected, wait=20)) == 1


@LANGUAGES
async def test_muted_chats_get_no_updates(assistant, chat_factory, language):
    chat = await verified_chat(chat_factory, language)
    await chat.send("/mute")
    backoffice(assistant, "move", DEMO[language]["open"], "awaiting_documents")
    expected = wording.stage_update_text(ClaimStage.awaiting_documents, language, claim_number=DEMO[language]["open"])
    assert await pushed(chat, expected, wait=25) == []
    unmuted = await chat.send("/unmute")
    assert ("updates are on" if language == "en" else "已开启理赔进度推送") in texts(unmuted)


@LANGUAGES
async def test_the_link_lasts_until_logout(chat_factory, language):
    chat = await verified_chat(chat_factory, language)
    still_linked = await chat.send(WORDS[language]["track"])
    assert WORDS[language]["ask"] not in texts(still_linked)
    assert any(DEMO[language]["paid"] in title for m in still_linked for title in buttons(m))
    await chat.send("/logout")
    assert WORDS[language]["ask"] in texts(await chat.send(WORDS[language]["track"]))
