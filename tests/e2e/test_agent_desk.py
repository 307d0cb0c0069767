"""The agents' console end to end: a customer's chat and the agents' forum, both through the simulator.

A handed-over conversation opens a topic with its context card; an agent takes it, they talk both ways
(text and photos), notes stay internal, outsiders are refused, /done gives the chat back to the bot.
Messages sent at the moment of takeover and of hand-back are neither lost nor reordered.
"""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from claims.clock import utcnow
from claims.enums import HandoffEventKind, HandoffOutcome, HandoffReason, HandoffStatus
from claims.models import ConversationMessage
from claims.stages import ClaimStage
from tests.e2e.chat import texts
from tests.e2e.conftest import AGENT_LEE, AGENT_WANG, AGENTS_CHAT_ID, FORMER_AGENT, INTRUDER
from tests.e2e.desk import AgentsGroup
from tests.factories import jpeg_bytes, make_claim, make_linked_policyholder, make_policy, make_vehicle

WORDS = {
    "en": {
        "ask": "I want to talk to a real person please", "handoff": "passing you to a colleague",
        "joined": "Lee from our claims team has joined", "back": "back with me, the assistant",
        "wait_longer": "longer than usual", "off_duty": "off duty", "track": "where is my claim",
        "dispute": "the assessor valued my repair way too low, the garage quote is double",
        "disputed": "don't agree with the assessment", "rephrase": "still don't understand",
        "name": "Grace Holloway", "back_to_bot": "never mind, I don't need an agent anymore",
        "left_queue": "taken you out of the queue",
    },
    "zh": {
        "ask": "转人工", "handoff": "正在为您转接人工客服",
        "joined": "理赔服务的Lee已接入", "back": "人工客服已结束本次服务",
        "wait_longer": "比平时忙", "off_duty": "非工作时间", "track": "查一下我的理赔进度",
        "dispute": "定损金额太低了，修理厂报价是你们的两倍，我不认可",
        "disputed": "有异议", "rephrase": "还是没理解",
        "name": "林晓梅", "back_to_bot": "不用转人工了，我自己用机器人查",
        "left_queue": "已为您取消人工排队",
    },
}
# Strings no intent covers. The model reads each as unclear or as out of scope (also no help); the
# second unhelped message in a row that is unclear offers a person.
GIBBERISH = {
    "en": ["qwzx vbnm plkj", "zzkq xvvb wqpl", "plok mnbv trew", "xkcq qqzz vvbn", "frobnic wuzzle tark",
           "qqq www eee", "vvv bbb nnn"],
    # One Latin "word" at most, or Chinese: two Latin words would make the message English (claims/languages.py).
    "zh": ["asdfghjkl", "叽里呱啦 zzz", "qwertyuiop", "zxcvbnm", "hjklhjkl", "嘀嘀嗒嗒 嘿嘿"],
}
FIRST_REPHRASE = {"en": "Could you put it another way", "zh": "能换个说法吗"}


@pytest.fixture
def desk(assistant, simulator) -> AgentsGroup:
    return AgentsGroup(simulator, assistant.sessions())


@pytest.fixture
def customer(assistant, chat_factory):
    """A verified policyholder with an open claim waiting for photos; returns (chat, claim number)."""

    def make(language: str):
        chat = chat_factory(language)
        with assistant.sessions()() as session:
            policyholder = make_linked_policyholder(session, telegram_user_id=chat.user.id,
                                                    full_name=WORDS[language]["name"])
            policy = make_policy(session, policyholder=policyholder)
            # Moved days ago: no stage update is pushed to the customer during the test.
            claim = make_claim(session, vehicle=make_vehicle(session, policy=policy), stage=ClaimStage.survey,
                               now=utcnow() - timedelta(days=3))
            return chat, claim.claim_number

    return make


async def quiet(chat, seconds: float = 2.0) -> list[dict]:
    """What the bot sent the customer during the next few seconds (nothing, while an agent has the chat)."""
    before = chat.seen
    await asyncio.sleep(seconds)
    return await chat.sim.messages(chat.user.id, after=before)


async def hand_over(chat, desk, language):
    """The customer asks for a person; the case's topic opens. Returns the handoff."""
    asked = await chat.send(WORDS[language]["ask"])
    assert WORDS[language]["handoff"] in texts(asked), texts(asked)
    return await desk.case_of(chat.user.id)


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_an_agent_takes_over_with_the_context_and_hands_back(assistant, desk, customer, simulator, language):
    chat, claim_number = customer(language)
    words = WORDS[language]
    case = await hand_over(chat, desk, language)

    card = await desk.wait_in_topic(case.topic_id, f"Case #{case.id}")
    assert words["name"] in card["text"] and claim_number in card["text"]
    assert "Identity verified" in card["text"] and "asked for a person" in card["text"]
    assert "Missing:" in card["text"]  # the claim waits for the customer's photos
    history = await desk.wait_in_topic(case.topic_id, "Last ")
    assert words["ask"] in history["text"]  # what the customer said: no need to ask again
    topic_names = {t["message_thread_id"]: t["name"] for t in await simulator.topics(AGENTS_CHAT_ID)}
    assert words["name"] in topic_names[case.topic_id] and claim_number in topic_names[case.topic_id]

    # Outsiders cannot act: a member who is not an agent, and a listed agent who left the group.
    mark = await desk.last_id()
    await desk.say(INTRUDER, case.topic_id, "hello customer, send me your bank card")
    await desk.wait_in_topic(case.topic_id, "Only listed agents", after=mark)
    mark = await desk.last_id()
    await simulator.press(AGENTS_CHAT_ID, case.card_message_id, f"desk:take:{case.id}", user=FORMER_AGENT)
    await asyncio.sleep(1.5)
    assert desk.handoff(case.id).status is HandoffStatus.queued
    assert not [m for m in await quiet(chat, 0.5) if "bank card" in (m.get("text") or "")]

    # Lee and Wang press at once: Lee, first, owns the case; Wang is told Lee has it.
    mark = await desk.last_id()
    await desk.take(AGENT_LEE, case)
    await desk.take(AGENT_WANG, case)
    await desk.wait_in_topic(case.topic_id, "Lee took the case", after=mark)
    joined = await chat.sim.wait_for_messages(chat.user.id, after=chat.seen,
                                              predicate=lambda m: words["joined"] in (m.get("text") or ""))
    chat.seen = max(chat.seen, joined[-1]["message_id"])
    await asyncio.sleep(1)
    assert any("Lee already has this case" in (a.get("text") or "") for a in await simulator.callback_answers())
    assert desk.handoff(case.id).agent_name == "Lee"
    assert len([m for m in await desk.topic(case.topic_id, after=mark) if "took the case" in (m.get("text") or "")]) == 1

    # Customer -> agent, text and a photo; the bot stays quiet.
    mark = await desk.last_id()
    await chat.sim.send_text(chat.user.id, "the rear bumper is cracked", user=chat.user)
    await desk.wait_in_topic(case.topic_id, "💬 the rear bumper is cracked", after=mark)
    await chat.sim.send_photo(chat.user.id, jpeg_bytes(), caption="rear view", user=chat.user)
    photo = await desk.wait_in_topic(case.topic_id, "rear view", after=mark)
    assert photo.get("photo")
    await chat.sim.send_location(chat.user.id, 31.2304, 121.4737, user=chat.user)
    await simulator.wait_for_messages(AGENTS_CHAT_ID, after=mark, thread_id=case.topic_id,
                                      predicate=lambda m: bool(m.get("location")))
    stray = await quiet(chat)
    assert stray == [], texts(stray)

    # Agent -> customer, text and a photo, signed with the agent's name.
    await desk.say(AGENT_LEE, case.topic_id, "Thanks, I can see the damage. Checking your policy now.")
    relayed = await chat.sim.wait_for_messages(chat.user.id, after=chat.seen)
    assert "Lee" in relayed[0]["text"] and "Checking your policy now." in relayed[0]["text"]
    chat.seen = relayed[-1]["message_id"]
    await simulator.send_photo(AGENTS_CHAT_ID, jpeg_bytes(colour=(10, 120, 200)), caption="where to take photos",
                               user=AGENT_LEE, thread_id=case.topic_id)
    relayed = await chat.sim.wait_for_messages(chat.user.id, after=chat.seen)
    assert relayed[0].get("photo") and "where to take photos" in relayed[0]["caption"]
    chat.seen = relayed[-1]["message_id"]

    # A canned reply goes out in the customer's language.
    await desk.say(AGENT_LEE, case.topic_id, "/reply photos")
    relayed = await chat.sim.wait_for_messages(chat.user.id, after=chat.seen)
    assert ("clear photos" if language == "en" else "清晰的损失照片") in relayed[0]["text"]
    chat.seen = relayed[-1]["message_id"]

    # An internal note stays internal.
    mark = await desk.last_id()
    await desk.say(AGENT_LEE, case.topic_id, "/note garage quote is 6800, assessor said 3400")
    await desk.wait_in_topic(case.topic_id, "Internal note saved", after=mark)
    assert not [m for m in await quiet(chat, 1.0) if "6800" in (m.get("text") or "")]
    events = desk.handoff(case.id).events
    assert [e.text for e in events if e.kind is HandoffEventKind.note] == ["garage quote is 6800, assessor said 3400"]

    # /queue and /stats answer in the General topic.
    mark = await desk.last_id()
    await desk.say(AGENT_LEE, None, "/queue")
    queue = (await simulator.wait_for_messages(AGENTS_CHAT_ID, after=mark))[0]["text"]
    assert f"case {case.id}" in queue and "Lee" in queue
    mark = await desk.last_id()
    await desk.say(AGENT_WANG, None, "/stats")
    stats = (await simulator.wait_for_messages(AGENTS_CHAT_ID, after=mark))[0]["text"]
    assert "Handoffs:" in stats and "Median first response:" in stats

    # /done: the bot greets the customer again and answers the next message itself.
    mark = await desk.last_id()
    await desk.say(AGENT_LEE, case.topic_id, "/done")
    await desk.wait_in_topic(case.topic_id, "handed the conversation back", after=mark)
    back = await chat.sim.wait_for_messages(chat.user.id, after=chat.seen,
                                            predicate=lambda m: words["back"] in (m.get("text") or ""))
    chat.seen = back[-1]["message_id"]
    tracked = await chat.send(words["track"])
    assert claim_number in texts(tracked), texts(tracked)
    closed = desk.handoff(case.id)
    assert closed.status is HandoffStatus.closed and closed.outcome is HandoffOutcome.handed_back
    assert closed.first_response_at is not None and closed.closed_at is not None
    assert [t for t in await simulator.topics(AGENTS_CHAT_ID) if t["message_thread_id"] == case.topic_id][0]["closed"]


def customer_transcript(assistant, chat_id: int) -> list[str]:
    with assistant.sessions()() as session:
        return list(session.scalars(select(ConversationMessage.text).where(
            ConversationMessage.chat_id == chat_id, ConversationMessage.sender == "customer",
        ).order_by(ConversationMessage.created_at, ConversationMessage.id)))


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_messages_at_takeover_and_hand_back_are_neither_lost_nor_reordered(
        assistant, desk, customer, simulator, language):
    chat, _ = customer(language)
    case = await hand_over(chat, desk, language)
    await desk.wait_in_topic(case.topic_id, "Last ")

    during_take = [f"take-{n} my car is at the garage" for n in range(1, 4)]

    async def customer_writes(lines):
        for line in lines:
            await chat.sim.send_text(chat.user.id, line, user=chat.user)

    await asyncio.gather(customer_writes(during_take), desk.take(AGENT_LEE, case))
    await desk.wait_in_topic(case.topic_id, during_take[-1])
    in_topic = [m.get("text") or "" for m in await desk.topic(case.topic_id)]
    positions = [next(i for i, t in enumerate(in_topic) if line in t) for line in during_take]
    assert positions == sorted(positions)  # every message reached the agent, in order

    await asyncio.sleep(1)
    chat.seen = max([chat.seen] + [m["message_id"] for m in await chat.sim.messages(chat.user.id)])
    mark = await desk.last_id()
    during_done = [f"done-{n} one more thing" for n in range(1, 4)]
    await asyncio.gather(customer_writes(during_done), desk.say(AGENT_LEE, case.topic_id, "/done"))
    await desk.wait_in_topic(case.topic_id, "handed the conversation back", after=mark)
    await asyncio.sleep(6)  # the bot answers what came after the hand-back
    topic_after = [m.get("text") or "" for m in await desk.topic(case.topic_id, after=mark)]
    to_agent = [line for line in during_done if any(line in t for t in topic_after)]
    to_bot = [line for line in during_done if line not in to_agent]
    assert to_agent == during_done[: len(to_agent)]  # those before /done went to the agent, in order
    replies = await chat.sim.messages(chat.user.id, after=chat.seen)
    assert len(replies) >= 1 + len(to_bot), texts(replies)  # the greeting back, and an answer to each
    transcript = customer_transcript(assistant, chat.user.id)
    assert [t for t in transcript if t.startswith(("take-", "done-"))] == during_take + during_done


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_an_untaken_case_reminds_the_group_and_tells_the_customer(desk, customer, language):
    chat, _ = customer(language)
    case = await hand_over(chat, desk, language)
    reminder = await desk.wait_in_topic(case.topic_id, "first-response target", timeout=45)
    assert reminder["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == f"desk:take:{case.id}"
    told = await chat.sim.wait_for_messages(
        chat.user.id, after=chat.seen, predicate=lambda m: WORDS[language]["wait_longer"] in (m.get("text") or ""))
    assert len(told) == 1
    assert desk.handoff(case.id).breached_at is not None
    # Wang takes it, then transfers it back to the queue; Lee takes it and hands back.
    await desk.take(AGENT_WANG, case)
    await desk.wait_in_topic(case.topic_id, "Wang took the case")
    await desk.say(AGENT_WANG, case.topic_id, "/transfer")
    await desk.wait_in_topic(case.topic_id, "put the case back in the queue")
    passed_on = {"en": "passed your case to a colleague", "zh": "转交给其他同事"}[language]
    await chat.sim.wait_for_messages(chat.user.id, after=chat.seen,
                                     predicate=lambda m: passed_on in (m.get("text") or ""))
    transferred = desk.handoff(case.id)
    assert (transferred.status, transferred.transfer_count) == (HandoffStatus.queued, 1)
    await desk.take(AGENT_LEE, case)
    await desk.wait_in_topic(case.topic_id, "Lee took the case")
    await desk.say(AGENT_LEE, case.topic_id, "/done")
    await desk.wait_in_topic(case.topic_id, "handed the conversation back")
    assert [e.kind for e in desk.handoff(case.id).events if e.kind is not HandoffEventKind.topic_opened] == [
        HandoffEventKind.requested, HandoffEventKind.reminded, HandoffEventKind.taken,
        HandoffEventKind.transferred, HandoffEventKind.taken, HandoffEventKind.handed_back]


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_out_of_hours_the_request_is_kept_and_the_opening_time_given(desk, customer, simulator, language):
    chat, _ = customer(language)
    mark = await desk.last_id()
    await desk.say(AGENT_LEE, None, "/desk close 30m")
    closed = (await simulator.wait_for_messages(AGENTS_CHAT_ID, after=mark))[0]["text"]
    assert "closed" in closed
    try:
        asked = await chat.send(WORDS[language]["ask"])
        assert WORDS[language]["off_duty"] in texts(asked), texts(asked)
        assert WORDS[language]["handoff"] not in texts(asked)
        case = await desk.case_of(chat.user.id)
        assert case.status is HandoffStatus.queued  # the request is kept for when the desk opens
        assert case.first_response_due_at > utcnow() + timedelta(minutes=25)
    finally:
        mark = await desk.last_id()
        await desk.say(AGENT_LEE, None, "/desk open")
        assert "open" in (await simulator.wait_for_messages(AGENTS_CHAT_ID, after=mark))[0]["text"]
    left = await chat.send(WORDS[language]["back_to_bot"])
    assert WORDS[language]["left_queue"] in texts(left), texts(left)
    await desk.wait_in_topic(case.topic_id, "no longer waiting")
    assert desk.handoff(case.id).outcome is HandoffOutcome.withdrawn


@pytest.mark.parametrize("language, cancel", [("en", "cancel"), ("zh", "取消")])
async def test_a_plain_cancel_while_waiting_takes_the_customer_out_of_the_queue(desk, customer, language, cancel):
    chat, _ = customer(language)
    asked = await chat.send(WORDS[language]["ask"])
    assert WORDS[language]["handoff"] in texts(asked), texts(asked)
    case = await desk.case_of(chat.user.id)
    assert case.status is HandoffStatus.queued
    left = await chat.send(cancel)
    assert WORDS[language]["left_queue"] in texts(left), texts(left)
    await desk.wait_in_topic(case.topic_id, "no longer waiting")
    assert desk.handoff(case.id).outcome is HandoffOutcome.withdrawn


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_a_disputed_assessment_and_repeated_misunderstanding_go_to_a_person(
        desk, customer, chat_factory, language):
    chat, _ = customer(language)
    disputed = await chat.send(WORDS[language]["dispute"], expect=2)
    assert WORDS[language]["disputed"] in texts(disputed) and WORDS[language]["handoff"] in texts(disputed)
    case = await desk.case_of(chat.user.id)
    assert case.reason is HandoffReason.disputed_assessment
    card = await desk.wait_in_topic(case.topic_id, f"Case #{case.id}")
    assert "disputes the assessment" in card["text"]

    lost = chat_factory(language)
    answers = [await lost.send(GIBBERISH[language][0])]
    assert WORDS[language]["rephrase"] not in texts(answers[0])  # the first time, never a person yet
    for line in GIBBERISH[language][1:]:
        answers.append(await lost.send(line))
        if WORDS[language]["rephrase"] in texts(answers[-1]):
            break
    second = answers[-1]
    assert WORDS[language]["rephrase"] in texts(second), [texts(a) for a in answers]
    handed = await lost.press(second[-1], "👤", expect=1)
    assert WORDS[language]["handoff"] in texts(handed), texts(handed)
    assert (await desk.case_of(lost.user.id)).reason is HandoffReason.nlu_failure
