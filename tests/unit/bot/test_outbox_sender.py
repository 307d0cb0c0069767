"""The outbox sender against the Bot API simulator (a real PTB Bot over HTTP) and the test database: each
recipient gets their message once, in their language; a 403 marks the chat blocked; a 429 holds that chat only,
without counting an attempt; a reminder no longer due is skipped; a clean stop leaves nothing half-sent."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
import pytest_asyncio
from sqlalchemy import select
from telegram import Bot

from bot.outbox import OutboxSender
from bot.pacing import SendPacer
from bot.settings import BotSettings
from claims.campaigns.service import start_due_campaigns
from claims.db import make_session_factory
from claims.enums import ChecklistItem, DeliveryKind, DeliveryStatus, Language, MessageDirection
from claims.models import ChatPreference, ConversationMessage, Delivery
from claims.services.chats import set_chat_language
from claims.services.deliveries import delivery_key
from claims.stages import ClaimStage
from claims.testing import add_linked_customers
from telegram_simulator import SimulatorClient
from tests.factories import make_campaign, make_claim, make_document, make_linked_policyholder, make_policy, make_vehicle

TOKEN = "7000000001:OUTBOX-TEST"
FIRST_CHAT = 880_000_001


@pytest_asyncio.fixture
async def sim(simulator):
    async with SimulatorClient(simulator.base_url, token=TOKEN) as client:
        yield client


@pytest_asyncio.fixture
async def bot(simulator):
    async with Bot(TOKEN, base_url=f"{simulator.base_url}/bot") as bot:
        yield bot


@pytest.fixture
def settings(database_url) -> BotSettings:
    return BotSettings(_env_file=None, database_url=database_url, telegram_bot_token=TOKEN,
                       campaign_rate_per_second=200, stage_update_interval_seconds=0, reminder_quiet_hours="",
                       reminder_send_time="00:00")


@pytest.fixture
def sender(bot, engine, settings) -> OutboxSender:
    return OutboxSender(bot, make_session_factory(engine), settings, SendPacer(200))


async def customers(session, sim, count: int, first: int = FIRST_CHAT) -> list[tuple[int, str]]:
    people = add_linked_customers(session, count=count, city="Unit", first_chat_id=first)
    await sim.register_chats([{"chat_id": chat, "type": "private", "first_name": "C"} for chat, _ in people])
    return people


def outbox(session) -> list[Delivery]:
    session.expire_all()
    return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def started_campaign(session, **fields) -> int:
    campaign = make_campaign(session, audience={"city": "Unit"}, send_at=datetime.now(timezone.utc), **fields)
    assert start_due_campaigns(session, now=datetime.now(timezone.utc), grace=timedelta(hours=1)) == [campaign.id]
    return campaign.id


async def test_a_campaign_reaches_each_once_in_their_language_with_the_message_id_recorded(session, sim, sender):
    people = await customers(session, sim, 3)
    campaign_id = started_campaign(session, text_en="Storm tonight: park indoors.", text_zh="今晚有暴雨，请把车停进车库。",
                                   button_en="Report an accident", button_zh="报案", button_intent="report_accident")
    assert await sender.send_round() == 3
    await sender.drain()
    assert await sender.send_round() == 0  # nothing twice
    for (chat_id, language), delivery in zip(people, outbox(session)):
        [message] = await sim.messages(chat_id)
        assert message["text"] == ("今晚有暴雨，请把车停进车库。" if language == "zh" else "Storm tonight: park indoors.")
        [[button]] = message["reply_markup"]["inline_keyboard"]
        assert (button["text"], button["callback_data"]) == (
            "报案" if language == "zh" else "Report an accident", "/report_accident")
        assert (delivery.chat_id, delivery.status, delivery.telegram_message_id, delivery.campaign_id) == (
            chat_id, DeliveryStatus.sent, message["message_id"], campaign_id)
    transcript = session.scalars(select(ConversationMessage).where(ConversationMessage.chat_id == people[0][0])).all()
    assert [(m.direction, m.text) for m in transcript] == [(MessageDirection.outbound, "Storm tonight: park indoors.")]


async def test_a_customer_who_blocked_the_bot_is_marked_and_not_retried(session, sim, sender):
    people = await customers(session, sim, 2)
    await sim.block(people[0][0])
    started_campaign(session)
    await sender.send_round()
    await sender.drain()
    blocked, reached = outbox(session)
    assert (blocked.status, blocked.attempts) == (DeliveryStatus.failed, 1)
    assert blocked.last_error.startswith("forbidden")
    assert reached.status is DeliveryStatus.sent  # the other one still went out
    session.expire_all()
    assert session.get(ChatPreference, people[0][0]).blocked_at is not None
    assert await sender.send_round() == 0


async def test_a_429_for_one_chat_holds_that_chat_only_and_counts_no_attempt(session, sim, bot, sender):
    people = await customers(session, sim, 2)
    busy = people[0][0]
    await sim.set_limits(True, per_chat_per_second=0.2, per_chat_burst=1)
    await bot.send_message(busy, "a reply in the conversation")  # the chat's capacity is used up
    started_campaign(session)
    await sender.send_round()
    await sender.drain()
    held, reached = outbox(session)
    assert reached.status is DeliveryStatus.sent
    assert (held.status, held.attempts, held.dispatched_at) == (DeliveryStatus.pending, 0, None)
    assert held.locked_until > datetime.now(timezone.utc) + timedelta(seconds=2)  # Telegram's retry_after
    assert not sender.pacer.chat_ready(busy)
    assert sender.pacer.chat_ready(people[1][0] + 1)


async def test_a_reminder_no_longer_due_is_skipped_without_a_message(session, sim, sender):
    [(chat_id, _)] = await customers(session, sim, 1)
    holder = make_linked_policyholder(session, telegram_user_id=chat_id + 10)
    await sim.register_chats([{"chat_id": chat_id + 10, "type": "private", "first_name": "D"}])
    claim = make_claim(session, vehicle=make_vehicle(session, policy=make_policy(session, policyholder=holder)),
                       stage=ClaimStage.awaiting_documents, fast_track=True)
    for item in (ChecklistItem.front_left, ChecklistItem.front_right, ChecklistItem.rear_left, ChecklistItem.rear_right,
                 ChecklistItem.damage_closeup, ChecklistItem.vin_or_plate, ChecklistItem.driving_licence,
                 ChecklistItem.bank_card):
        make_document(session, claim=claim, item=item)  # the checklist was completed after it was queued
    session.add(Delivery(kind=DeliveryKind.reminder, chat_id=chat_id + 10,
                         dedupe_key=delivery_key(DeliveryKind.reminder, chat_id + 10, f"claim-{claim.id}", "documents-1-1"),
                         payload={"reminder": "documents", "claim_id": claim.id, "claim_number": claim.claim_number},
                         status=DeliveryStatus.pending, attempts=0, created_at=datetime.now(timezone.utc)))
    session.commit()
    assert await sender.send_round() == 0
    [delivery] = outbox(session)
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.skipped, "checklist complete")
    assert await sim.messages(chat_id + 10) == []


async def test_a_stage_update_in_the_chats_language(session, sim, sender):
    [(chat_id, _)] = await customers(session, sim, 1)
    set_chat_language(session, chat_id=chat_id, language=Language.zh)
    session.add(Delivery(kind=DeliveryKind.stage_update, chat_id=chat_id, dedupe_key=f"stage_update:{chat_id}:claim-1:event-1",
                         payload={"claim_number": "CLM-2026-000777", "to_stage": "survey"},
                         status=DeliveryStatus.pending, attempts=0, created_at=datetime.now(timezone.utc)))
    session.commit()
    await sender.send_round()
    await sender.drain()
    [message] = await sim.messages(chat_id)
    assert message["text"].startswith("您的案件 CLM-2026-000777 有新进展：查勘。")


async def test_a_clean_stop_leaves_nothing_half_sent(session, sim, bot, engine, settings):
    await customers(session, sim, 40)
    started_campaign(session)
    slow = OutboxSender(bot, make_session_factory(engine), settings, SendPacer(10))  # 4 s for the lot
    stop = asyncio.Event()
    running = asyncio.create_task(slow.run(stop))
    while sum(d.status is DeliveryStatus.sent for d in outbox(session)) < 5:
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(running, timeout=10)
    rows = outbox(session)
    statuses = {d.status for d in rows}
    assert DeliveryStatus.sending not in statuses
    sent = [d for d in rows if d.status is DeliveryStatus.sent]
    waiting = [d for d in rows if d.status is DeliveryStatus.pending]
    assert 5 <= len(sent) < 40 and len(sent) + len(waiting) == 40
    assert all(d.attempts == 0 for d in waiting)  # given back, not counted as tried
    received = [len(await sim.messages(d.chat_id)) for d in rows]
    assert received == [1 if d.status is DeliveryStatus.sent else 0 for d in rows]
