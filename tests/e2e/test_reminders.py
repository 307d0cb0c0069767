"""Reminders and broadcasts end to end, on the running assistant: a missing-documents reminder lists what is
missing and its button starts the sending; /reminders switches a kind off (another customer still gets theirs);
a weather warning reaches each customer in their language, a reply to it is answered by the conversation and
its button starts an accident report.
"""
from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from claims.enums import ChecklistItem, DeliveryKind, DeliveryStatus, Language, ReminderKind
from claims.models import Delivery, ReminderPreference, Vehicle
from claims.stages import ClaimStage
from tests.e2e.chat import buttons
from tests.factories import make_claim, make_document, make_linked_policyholder, make_policy, make_vehicle
from tests.e2e.operations import campaigns, restart_bot
from tests.e2e.waiting import until

pytestmark = pytest.mark.e2e
LANGUAGES = pytest.mark.parametrize("language", ["en", "zh"])
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Expected wording, written here rather than taken from the domain.
WORDS = {
    "en": {"still_need": "we still need 2 items from you", "closeup": "Close-up photo of the damage",
           "bank": "Bank card for the payout", "send_button": "Send them now", "checklist": "Please send:",
           "intro": "Your reminders", "birthday_button": "Birthday greeting", "happy": "Happy birthday",
           "kinds": ["Missing claim documents", "Policy renewal", "Annual inspection", "Car service",
                     "Birthday greeting", "Weather warnings and news"],
           "warning": "Typhoon warning for", "reply": "is my area affected by the typhoon?",
           "report_button": "Report an accident", "injured": "Is anyone hurt"},
    "zh": {"still_need": "还差以下 2 项材料", "closeup": "受损部位近景照片", "bank": "收款银行卡",
           "send_button": "现在发送", "checklist": "请发：", "intro": "您的提醒设置", "birthday_button": "生日祝福",
           "happy": "生日快乐", "kinds": ["理赔材料补交", "保单续保", "车辆年检", "车辆保养", "生日祝福", "天气预警与通知"],
           "warning": "台风预警", "reply": "我这边会受台风影响吗", "report_button": "报案", "injured": "有人受伤吗"},
}


@pytest.fixture(scope="module")
def reminding(assistant):
    """Reminders on for this module (the rest of the suite never sees one)."""
    restart_bot(assistant, REMINDER_KINDS="all")
    yield assistant
    restart_bot(assistant, REMINDER_KINDS="none")


def customer(assistant, chat, language: str, **holder):
    """A linked policyholder of the chat with a policy far from renewal and a car without due dates."""
    with assistant.sessions()() as session:
        person = make_linked_policyholder(session, telegram_user_id=chat.user.id,
                                          preferred_language=Language(language), **holder)
        today = datetime.now(SHANGHAI).date()
        policy = make_policy(session, policyholder=person, starts_on=today - timedelta(days=100),
                             ends_on=today + timedelta(days=200))
        vehicle = make_vehicle(session, policy=policy)
        return person.id, vehicle.id


def reminders_sent(assistant, chat_id: int) -> list[Delivery]:
    with assistant.sessions()() as session:
        return list(session.scalars(select(Delivery).where(
            Delivery.chat_id == chat_id, Delivery.kind == DeliveryKind.reminder, Delivery.status == DeliveryStatus.sent)))


@LANGUAGES
async def test_missing_documents_reminder_lists_them_and_its_button_starts_the_sending(reminding, chat_factory, language):
    chat = chat_factory(language)
    await chat.send("hi" if language == "en" else "你好")
    _, vehicle_id = customer(reminding, chat, language)
    with reminding.sessions()() as session:
        vehicle = session.get(Vehicle, vehicle_id)
        reported = datetime.now(timezone.utc) - timedelta(days=2, minutes=5)  # asked for 2 days ago
        claim = make_claim(session, vehicle=vehicle, stage=ClaimStage.awaiting_documents, fast_track=True,
                           reported_at=reported, now=reported)
        for item in (ChecklistItem.front_left, ChecklistItem.front_right, ChecklistItem.rear_left,
                     ChecklistItem.rear_right, ChecklistItem.vin_or_plate, ChecklistItem.driving_licence):
            make_document(session, claim=claim, item=item)
        number = claim.claim_number
    words = WORDS[language]
    found = await chat.sim.wait_for_messages(chat.user.id, after=chat.seen, timeout=20,
                                             predicate=lambda m: number in (m.get("text") or ""))
    reminder = found[0]
    chat.seen = max(chat.seen, reminder["message_id"])
    assert words["still_need"] in reminder["text"]
    assert words["closeup"] in reminder["text"] and words["bank"] in reminder["text"]
    assert "front" not in reminder["text"].lower() and "左前" not in reminder["text"]  # only what is missing
    assert any(words["send_button"] in title for title in buttons(reminder))
    replies = await chat.press(reminder, words["send_button"])
    assert any(number in (m.get("text") or "") and words["checklist"] in m["text"] for m in replies)
    await asyncio.sleep(2)  # a few planning rounds later: still the one reminder for this request
    sent = reminders_sent(reminding, chat.user.id)
    assert [d.payload["claim_number"] for d in sent] == [number]
    request = max(event.id for event in claim.stage_events)  # the move to "waiting for your documents"
    assert sent[0].dedupe_key == f"reminder:{chat.user.id}:claim-{claim.id}:documents-{request}-1"


@LANGUAGES
async def test_reminders_command_switches_a_kind_off_for_this_customer_only(reminding, chat_factory, language):
    words = WORDS[language]
    chat, other = chat_factory(language), chat_factory(language)
    for each in (chat, other):
        await each.send("hi" if language == "en" else "你好")
    menu = (await chat.send("/reminders"))[-1]
    assert words["intro"] in menu["text"]
    assert [title.split(" ", 1)[1] for title in buttons(menu)] == words["kinds"]
    assert all(title.startswith("✅") for title in buttons(menu))
    await chat.press(menu, words["birthday_button"], expect=0)

    async def birthday_button() -> str | None:
        edited = await chat.sim.message(chat.user.id, menu["message_id"])
        title = next(title for title in buttons(edited) if words["birthday_button"] in title)
        return title if title.startswith("🔕") else None

    await until(birthday_button, message="the birthday button shown off")
    with reminding.sessions()() as session:
        choice = session.get(ReminderPreference, (chat.user.id, ReminderKind.birthday))
        assert choice is not None and choice.enabled is False
    # Both have their birthday today: only the other one is greeted.
    today = datetime.now(SHANGHAI).date()
    customer(reminding, chat, language, date_of_birth=today.replace(year=1990))
    customer(reminding, other, language, date_of_birth=today.replace(year=1991))
    greeting = await other.sim.wait_for_messages(other.user.id, after=other.seen, timeout=20,
                                                 predicate=lambda m: words["happy"] in (m.get("text") or ""))
    assert greeting
    await asyncio.sleep(2)
    assert not [m for m in await chat.sim.messages(chat.user.id, after=menu["message_id"])
                if words["happy"] in (m.get("text") or "")]
    assert reminders_sent(reminding, chat.user.id) == []


@LANGUAGES
async def test_a_weather_warning_reaches_each_in_their_language_and_replies_go_to_the_conversation(
        reminding, chat_factory, language):
    words, city = WORDS[language], f"Testville{uuid.uuid4().hex[:6]}"
    chat, neighbour = chat_factory(language), chat_factory("zh" if language == "en" else "en")
    for each in (chat, neighbour):
        await each.send("hi" if each.user.language_code == "en" else "你好")
    customer(reminding, chat, language, city=city)
    customer(reminding, neighbour, "zh" if language == "en" else "en", city=city)
    dry = campaigns(reminding.database_url, "create", "--name", "typhoon", "--weather", "typhoon", "--city", city, "--dry-run")
    assert "to 2 customers" in dry and "en 1, zh 1" in dry and "nothing was created" in dry
    created = campaigns(reminding.database_url, "create", "--name", "typhoon", "--weather", "typhoon", "--city", city,
                            "--button-en", "Report an accident", "--button-zh", "报案",
                            "--button-intent", "report_accident")
    campaign_id = int(created.split()[1])
    mine = (await chat.sim.wait_for_messages(chat.user.id, after=chat.seen, timeout=20,
                                             predicate=lambda m: "⚠️" in (m.get("text") or "")))[0]
    theirs = (await neighbour.sim.wait_for_messages(neighbour.user.id, after=neighbour.seen, timeout=20,
                                                    predicate=lambda m: "⚠️" in (m.get("text") or "")))[0]
    chat.seen = mine["message_id"]
    assert words["warning"] in mine["text"]
    other_words = WORDS["zh" if language == "en" else "en"]
    assert other_words["warning"] in theirs["text"] and words["warning"] not in theirs["text"]
    assert await until(lambda: "done; sent 2" in campaigns(reminding.database_url, "status", str(campaign_id)), timeout=20)
    answer = await chat.send(words["reply"])
    assert answer and all("⚠️" not in (m.get("text") or "") for m in answer)  # the conversation answered
    started = await chat.press(mine, words["report_button"])
    assert any(words["injured"] in (m.get("text") or "") for m in started)
