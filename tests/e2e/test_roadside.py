"""Roadside help end to end: the three steps, dispatch through the provider simulator, the truck's live location,
completion, cancelling, refusals, no duplicate requests, a failing provider and a bot restarted mid-rescue.
English and Chinese; each test checks what the assistant stored and what the provider was sent.
"""
from __future__ import annotations

import itertools
import re
import os
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from claims.enums import HandoffReason, PolicyStatus, RoadsideStatus, ServiceType
from claims.models import Handoff, Policyholder, RoadsideRequest
from tests.e2e.chat import texts
from tests.e2e.provider import ProviderControl
from tests.factories import make_policy, make_policyholder, make_roadside_request, make_vehicle

pytestmark = pytest.mark.e2e
SHANGHAI = ZoneInfo("Asia/Shanghai")
LANGUAGES = pytest.mark.parametrize("language", ["en", "zh"])
PEOPLE_SQUARE = (31.2304, 121.4737)
_phones = itertools.count(1)

SAY = {
    "en": {
        "tow": "my car just died on the motorway and won't move, i need a tow truck",
        "flat": "i've got a flat tyre", "battery": "my battery is dead", "jump": "need a jump start please",
        "safety": "stay safe", "verify": "Before I send a truck I need to confirm it's you", "verified": "that's you",
        "where": "Step 2 of 3", "vague": "couldn't find you", "here": "here",
        "address": "88 Century Avenue, Pudong, outside the Jin Mao Tower",
        "summary": "Please check before I send help", "send": "Send help", "submitted": "is in",
        "assigned": "a truck is on its way", "arrived": "has arrived", "completed": "is completed",
        "already": "already have a rescue under way", "cancel_button": "Cancel the truck",
        "confirm_cancel": "Yes, cancel it", "cancelled": "is cancelled", "delayed": "isn't answering",
        "inactive": "isn't active today", "used_up": "used the 2 free roadside calls", "person": "Talk to a person",
        "tow_label": "tow truck", "tyre_label": "tyre change",
        "where_truck": "where is the truck now?", "km": "km away, arriving", "no_truck": "no truck could be booked",
    },
    "zh": {
        "tow": "车在高速上突然熄火了 动不了 要拖车",
        "flat": "爆胎了", "battery": "电瓶没电了", "jump": "打不着火 要搭电",
        "safety": "先保证安全", "verify": "派车前需要先核实身份", "verified": "核实",
        "where": "第 2 步", "vague": "可能找不到", "here": "这里",
        "address": "浦东世纪大道88号金茂大厦门口",
        "summary": "发车前请核对", "send": "派车", "submitted": "已提交",
        "assigned": "救援车已出发", "arrived": "已到达", "completed": "已完成",
        "already": "已经有一个进行中的救援", "cancel_button": "取消救援",
        "confirm_cancel": "是的，取消", "cancelled": "已取消救援", "delayed": "暂时没有响应",
        "inactive": "不在有效期内", "used_up": "2 次免费救援已经用完", "person": "转人工",
        "tow_label": "拖车", "tyre_label": "换胎",
        "where_truck": "拖车到哪了", "km": "距您约", "no_truck": "暂时没能自动派到救援车",
    },
}


@pytest.fixture
async def provider(assistant):
    """The provider simulator's controls; its behaviour is back to normal after each test."""
    control = ProviderControl(assistant.provider_url)
    await control.reset()
    yield control
    await control.reset()
    await control.aclose()


@pytest.fixture
def motorist(assistant):
    """A policyholder of their own with one car: an active policy with roadside cover unless told otherwise."""
    def make(language: str, *, expired: bool = False, calls_used: int = 0) -> str:
        phone = f"+86137{os.getpid() % 10000:04d}{next(_phones):04d}"
        today = datetime.now(SHANGHAI).date()
        with assistant.sessions()() as session:
            holder = make_policyholder(session, full_name="Wei Lin" if language == "en" else "林薇", phone=phone)
            if expired:
                policy = make_policy(session, policyholder=holder, status=PolicyStatus.expired,
                                     starts_on=today - timedelta(days=500), ends_on=today - timedelta(days=135))
            else:
                policy = make_policy(session, policyholder=holder, starts_on=today - timedelta(days=100),
                                     ends_on=today + timedelta(days=265))
            vehicle = make_vehicle(session, policy=policy)
            for days_ago in range(calls_used):
                make_roadside_request(session, vehicle=vehicle, status=RoadsideStatus.completed, chat_id=None,
                                      created_at=datetime.now(timezone.utc) - timedelta(days=10 + days_ago))
        return phone
    return make


async def share_contact(chat, phone, *, expect=2):
    return await chat.send_update(contact={"phone_number": phone, "first_name": "Demo", "user_id": chat.user.id},
                                  expect=expect)


async def verified_chat(chat_factory, motorist, language, **policy):
    chat = chat_factory(language)
    chat.phone = motorist(language, **policy)
    await share_contact(chat, chat.phone)
    return chat


async def wait_for_text(chat, fragment: str, *, after: int, timeout: float = 40) -> dict:
    """The first bot message after `after` that contains `fragment`."""
    found = await chat.sim.wait_for_messages(chat.user.id, after=after, timeout=timeout,
                                             predicate=lambda m: fragment in (m.get("text") or ""))
    return found[0]


async def wait_for_live_location(chat, *, after: int, timeout: float = 30) -> dict:
    found = await chat.sim.wait_for_messages(chat.user.id, after=after, timeout=timeout,
                                             predicate=lambda m: m.get("live_location") is not None)
    return found[0]


def requests_of(assistant, phone: str) -> list[RoadsideRequest]:
    with assistant.sessions()() as session:
        holder = session.scalar(select(Policyholder).where(Policyholder.phone == phone))
        rows = session.scalars(select(RoadsideRequest).where(RoadsideRequest.policyholder_id == holder.id)
                               .order_by(RoadsideRequest.id)).all()
        for row in rows:
            _ = [e.to_status for e in row.events]  # loaded before the session closes
        session.expunge_all()
        return list(rows)


def submitted_reference(message: dict) -> str:
    """The RSA reference a message names."""
    return re.search(r"RSA-\d{4}-\d{6}", message["text"])[0]


async def request_with_location(chat, words, message: str) -> list[dict]:
    """Ask for help in words that name the service, share the location, return the summary."""
    asked = await chat.send(message)
    assert words["where"] in texts(asked), texts(asked)
    return await chat.send_update(location={"latitude": PEOPLE_SQUARE[0], "longitude": PEOPLE_SQUARE[1]})


async def confirm(chat, words, summary: list[dict]) -> dict:
    assert words["summary"] in texts(summary), texts(summary)
    with_buttons = next(m for m in summary if m.get("reply_markup", {}).get("inline_keyboard"))
    pressed = await chat.press(with_buttons, words["send"])
    # The bot's answer, not whatever came after it within the wait (news of a fast provider can).
    submitted = next((m for m in pressed if words["submitted"] in (m.get("text") or "")), None)
    assert submitted is not None, texts(pressed)
    return submitted


@LANGUAGES
async def test_a_tow_asked_for_in_free_text_is_dispatched_and_the_truck_followed_to_completion(
        assistant, chat_factory, motorist, provider, language):
    words = SAY[language]
    chat = chat_factory(language)
    chat.phone = motorist(language)
    first = await chat.send(words["tow"], expect=2)
    # On a motorway: the safety advice before any question, then the identity check.
    assert words["safety"] in texts(first[:1]), texts(first)
    assert words["verify"] in texts(first), texts(first)
    after_check = await share_contact(chat, chat.phone)
    # The service was in the first message: step 1 is not asked again.
    assert words["where"] in texts(after_check), texts(after_check)
    assert any((m.get("reply_markup") or {}).get("keyboard") for m in after_check), "no location button"
    summary = await chat.send_update(location={"latitude": PEOPLE_SQUARE[0], "longitude": PEOPLE_SQUARE[1]})
    assert words["tow_label"] in texts(summary)
    submitted = await confirm(chat, words, summary)
    [stored] = requests_of(assistant, chat.phone)
    job = await provider.wait_for_job(stored.reference)
    assert job["service"] == "tow" and job["location"]["latitude"] == pytest.approx(PEOPLE_SQUARE[0])

    assigned = await wait_for_text(chat, words["assigned"], after=submitted["message_id"])
    job = await provider.wait_for_job(stored.reference)  # the assignment as the provider reports it
    assert job["driver"]["name"] in assigned["text"] and job["truck"]["plate"] in assigned["text"]
    live = await wait_for_live_location(chat, after=submitted["message_id"])
    await wait_for_text(chat, words["arrived"], after=assigned["message_id"], timeout=60)
    await wait_for_text(chat, words["completed"], after=assigned["message_id"], timeout=60)
    state = await chat.sim.live_location(chat.user.id, live["message_id"])
    assert len(state["positions"]) >= 4, state  # sent, then moved at least three times
    assert state["stopped"]
    last = state["positions"][-1]
    assert last == pytest.approx(PEOPLE_SQUARE, abs=1e-4)  # the truck ended where the customer is
    distances = [abs(lat - PEOPLE_SQUARE[0]) + abs(lon - PEOPLE_SQUARE[1]) for lat, lon in state["positions"]]
    assert distances == sorted(distances, reverse=True)  # always closer

    [request] = requests_of(assistant, chat.phone)
    assert request.status is RoadsideStatus.completed and request.closed_at is not None
    assert request.service_type is ServiceType.tow and request.hazard
    assert request.provider_job_id == job["job_id"] and request.live_message_id == live["message_id"]
    statuses = [e.to_status for e in request.events]
    assert statuses[0] is RoadsideStatus.requested and statuses[-1] is RoadsideStatus.completed
    assert RoadsideStatus.booked in statuses or RoadsideStatus.en_route in statuses
    messages = await chat.sim.messages(chat.user.id)
    assert sum(words["assigned"] in (m.get("text") or "") for m in messages) == 1
    assert sum(words["completed"] in (m.get("text") or "") for m in messages) == 1


@LANGUAGES
async def test_a_tyre_change_with_a_typed_address_and_no_second_truck_while_it_is_open(
        assistant, chat_factory, motorist, provider, language):
    words = SAY[language]
    chat = await verified_chat(chat_factory, motorist, language)
    asked = await chat.send(words["flat"])
    assert words["where"] in texts(asked) and words["safety"] not in texts(asked), texts(asked)
    vague = await chat.send(words["here"])
    assert words["vague"] in texts(vague), texts(vague)
    summary = await chat.send(words["address"])
    assert words["address"] in texts(summary) and words["tyre_label"] in texts(summary), texts(summary)
    submitted = await confirm(chat, words, summary)
    assigned = await wait_for_text(chat, words["assigned"], after=submitted["message_id"])
    asked = await chat.sim.send_text(chat.user.id, words["where_truck"], user=chat.user)
    status = await wait_for_text(chat, words["km"], after=asked["message_id"])
    job = await provider.wait_for_job(submitted_reference(status))
    assert job["truck"]["plate"] in status["text"]  # the truck the provider assigned, with its distance

    again = await chat.send(words["battery"], expect=2)
    assert words["already"] in texts(again), texts(again)
    [request] = requests_of(assistant, chat.phone)
    assert request.reference in texts(again)
    assert request.service_type is ServiceType.tyre_change and request.address == words["address"]
    job = await provider.wait_for_job(request.reference)
    assert job["location"]["address"] == words["address"]
    # The provider placed the typed address on its map; the store keeps its point for the card and the distance.
    assert (request.latitude, request.longitude) == pytest.approx((job["location"]["latitude"], job["location"]["longitude"]))
    assert assigned["message_id"] < again[0]["message_id"]
    assert len(await provider.jobs()) >= 1 and sum(j["reference"] == request.reference for j in await provider.jobs()) == 1


@LANGUAGES
async def test_a_rescue_cancelled_before_the_truck_arrives(assistant, chat_factory, motorist, provider, language):
    words = SAY[language]
    chat = await verified_chat(chat_factory, motorist, language)
    summary = await request_with_location(chat, words, words["jump"])
    submitted = await confirm(chat, words, summary)
    assigned = await wait_for_text(chat, words["assigned"], after=submitted["message_id"])
    [request] = requests_of(assistant, chat.phone)
    job = await provider.wait_for_job(request.reference)
    await provider.hold(True, job["job_id"])  # the truck waits, so the cancellation comes before it is near
    asked = await chat.press(assigned, words["cancel_button"])
    confirmed = await chat.press(asked[-1], words["confirm_cancel"])
    assert words["cancelled"] in texts(confirmed), texts(confirmed)
    await provider.wait_for_job(request.reference, status="cancelled")
    [request] = requests_of(assistant, chat.phone)
    assert request.status is RoadsideStatus.cancelled and request.cancel_reason == "customer_cancelled"
    assert not request.provider_cancel_pending
    assert [e.actor for e in request.events if e.to_status is RoadsideStatus.cancelled] == ["customer"]


@LANGUAGES
async def test_refusals_for_an_expired_policy_and_a_used_up_allowance(
        assistant, chat_factory, motorist, provider, language):
    words = SAY[language]
    expired = await verified_chat(chat_factory, motorist, language, expired=True)
    refused = await request_with_location(expired, words, words["jump"])
    assert words["inactive"] in texts(refused), texts(refused)
    assert requests_of(assistant, expired.phone) == []
    with_buttons = next(m for m in refused if m.get("reply_markup", {}).get("inline_keyboard"))
    await expired.press(with_buttons, words["person"], expect=1)
    with assistant.sessions()() as session:
        handoff = session.scalar(select(Handoff).where(Handoff.chat_id == expired.user.id))
        assert handoff is not None and handoff.reason is HandoffReason.roadside

    used_up = await verified_chat(chat_factory, motorist, language, calls_used=2)
    refused = await request_with_location(used_up, words, words["jump"])
    assert words["used_up"] in texts(refused), texts(refused)
    assert [r.status for r in requests_of(assistant, used_up.phone)] == [RoadsideStatus.completed] * 2


@LANGUAGES
async def test_a_failing_provider_is_retried_and_the_customer_told_it_keeps_trying(
        assistant, chat_factory, motorist, provider, language):
    words = SAY[language]
    once = await verified_chat(chat_factory, motorist, language)
    await provider.behave("fail", times=1)
    submitted = await confirm(once, words, await request_with_location(once, words, words["jump"]))
    assigned = await wait_for_text(once, words["assigned"], after=submitted["message_id"])
    [request] = requests_of(assistant, once.phone)
    assert request.dispatch_attempts == 1 and request.provider_job_id is not None
    # Failing once and retried a second later is no news to the customer; the assignment is (positive control).
    between = await once.sim.messages(once.user.id, after=submitted["message_id"])
    assert not any(words["delayed"] in (m.get("text") or "") for m in between if m["message_id"] < assigned["message_id"])

    twice = await verified_chat(chat_factory, motorist, language)
    await provider.behave("fail", times=2)
    submitted = await confirm(twice, words, await request_with_location(twice, words, words["jump"]))
    delayed = await wait_for_text(twice, words["delayed"], after=submitted["message_id"])
    await wait_for_text(twice, words["assigned"], after=delayed["message_id"])
    [request] = requests_of(assistant, twice.phone)
    assert request.dispatch_attempts == 2 and request.told_dispatch_delay
    assert sum(j["reference"] == request.reference for j in await provider.jobs()) == 1


@LANGUAGES
async def test_a_provider_refusal_hands_the_rescue_to_the_dispatch_desk(
        assistant, chat_factory, motorist, provider, language):
    words = SAY[language]
    chat = await verified_chat(chat_factory, motorist, language)
    await provider.behave("refuse", times=1)
    submitted = await confirm(chat, words, await request_with_location(chat, words, words["jump"]))
    await wait_for_text(chat, words["no_truck"], after=submitted["message_id"])
    [request] = requests_of(assistant, chat.phone)
    assert request.status is RoadsideStatus.declined and request.provider_job_id is None
    assert "declined" in (request.last_error or "")
    with assistant.sessions()() as session:
        handoff = session.scalar(select(Handoff).where(Handoff.chat_id == chat.user.id))
        assert handoff is not None and handoff.reason is HandoffReason.roadside
        assert request.reference in (handoff.summary or "")
    assert await provider.job_for(request.reference) is None  # nothing was booked


@LANGUAGES
async def test_a_restarted_bot_carries_on_with_the_rescue(assistant, chat_factory, motorist, provider, language):
    words = SAY[language]
    chat = await verified_chat(chat_factory, motorist, language)
    summary = await request_with_location(chat, words, words["tow"].replace("motorway", "street").replace("高速", "路"))
    submitted = await confirm(chat, words, summary)
    assigned = await wait_for_text(chat, words["assigned"], after=submitted["message_id"])
    live = await wait_for_live_location(chat, after=submitted["message_id"])
    [request] = requests_of(assistant, chat.phone)
    job = await provider.wait_for_job(request.reference)
    await provider.hold(True, job["job_id"])
    bot = assistant.stack.services["bot"]
    bot.stop()
    before = len((await chat.sim.live_location(chat.user.id, live["message_id"]))["positions"])
    bot.start()
    await provider.hold(False, job["job_id"])
    await wait_for_text(chat, words["completed"], after=assigned["message_id"], timeout=60)
    state = await chat.sim.live_location(chat.user.id, live["message_id"])
    assert len(state["positions"]) > before and state["stopped"]  # the same message moved on after the restart
    messages = await chat.sim.messages(chat.user.id)
    assert sum(words["assigned"] in (m.get("text") or "") for m in messages) == 1
    assert sum(m.get("live_location") is not None for m in messages) == 1
    [request] = requests_of(assistant, chat.phone)
    assert request.status is RoadsideStatus.completed and request.live_message_id == live["message_id"]
