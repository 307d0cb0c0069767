"""What the agents' console shows: the context card, topic names, the transcript, /queue, /stats, /desk,
canned replies, and the durations agents type."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import replies
from bot.agent_desk import cards
from bot.agent_desk.canned import CannedReplies
from bot.agent_desk.console import parse_duration
from claims.desk_hours import DEFAULT_DESK_HOURS, DeskOverride, DeskSchedule, parse_week
from claims.enums import (
    ChecklistItem, HandoffReason, HandoffStatus, Language, MessageSender, PolicyStatus, RoadsideStatus, ServiceType,
)
from claims.services.agent_desk import DeskStats, QueueEntry
from claims.services.case_context import CaseContext, PolicyLine, TranscriptLine, case_context
from claims.services.handoffs import Agent, request_handoff, take_handoff
from claims.settings import DEFAULT_STAGE_TARGETS_DAYS, ClaimsSettings
from claims.wording import checklist_label
from tests.factories import make_claim, make_policy, make_policyholder, make_roadside_request, make_vehicle

SHANGHAI = ZoneInfo("Asia/Shanghai")
REPO = Path(__file__).resolve().parents[3]
MONDAY_2PM = datetime(2026, 11, 23, 14, 0, tzinfo=SHANGHAI)


@pytest.fixture
def settings() -> ClaimsSettings:
    return ClaimsSettings(_env_file=None, database_url="sqlite://", business_timezone="Asia/Shanghai", currency="CNY",
                          stage_targets_days=dict(DEFAULT_STAGE_TARGETS_DAYS))


@pytest.fixture
def verified_case(session, now, settings):
    """A verified policyholder disputing the assessment of an open claim with nothing sent yet."""
    holder = make_policyholder(session, full_name="Zhang Wei", phone="+8613912345678", telegram_user_id=4501)
    vehicle = make_vehicle(session, policy=make_policy(session, policyholder=holder), plate_number="沪A6K215")
    claim = make_claim(session, vehicle=vehicle, now=now)
    handoff = request_handoff(session, chat_id=4501, telegram_user_id=4501, reason="disputed_assessment",
                              summary="the parts price is too low", now=now)
    return handoff, claim


def context_of(session, handoff_id, now, settings) -> CaseContext:
    return case_context(session, handoff_id, now=now, settings=settings)


def bare_context(**overrides) -> CaseContext:
    values = dict(
        handoff_id=7, reason=HandoffReason.user_request, status=HandoffStatus.queued, outcome=None,
        requested_at=MONDAY_2PM, queue_position=1, agent_name=None, customer_name="Wei", verified=False, phone=None,
        language=Language.en, policies=[], claim=None, other_open_claims=[], request_text=None, transcript=[],
        transfer_count=0, breached=False,
    )
    return CaseContext(**{**values, **overrides})


# --- the context card --------------------------------------------------------------------------------

def test_english_card_says_why_which_claim_and_what_is_missing(session, now, settings, verified_case):
    handoff, claim = verified_case
    card = cards.context_card(context_of(session, handoff.id, now, settings), "en", SHANGHAI, "CNY")
    assert "Case #" in card and "Zhang Wei" in card
    assert "Why: disputes the assessment" in card
    assert "the parts price is too low" in card
    assert claim.claim_number in card and "沪A6K215" in card
    assert "Missing: " in card and checklist_label(ChecklistItem.front_left, "en") in card
    assert "Identity verified" in card and "13912345678" not in card
    assert "Waiting since" in card and "#1 in the queue" in card


def test_chinese_card_says_the_same_in_chinese(session, now, settings, verified_case):
    handoff, claim = verified_case
    card = cards.context_card(context_of(session, handoff.id, now, settings), "zh", SHANGHAI, "CNY")
    assert "原因：对定损/赔款有异议" in card
    assert claim.claim_number in card
    assert "待补材料：" in card and checklist_label(ChecklistItem.front_left, "zh") in card
    assert "已核实身份" in card and "Missing" not in card


def test_card_of_an_unverified_customer_says_so(session, now, settings):
    handoff = request_handoff(session, chat_id=4502, telegram_user_id=4502, reason="complaint", customer_name="Wei",
                              now=now)
    context = context_of(session, handoff.id, now, settings)
    english, chinese = (cards.context_card(context, lang, SHANGHAI, "CNY") for lang in ("en", "zh"))
    assert "Not verified" in english and "Why: complaint" in english and "Case #" in english and "Wei" in english
    assert "未核实" in chinese and "原因：投诉" in chinese
    assert "No open claim" not in english  # nothing can be known about an unverified customer's claims


def test_card_after_the_take_names_the_agent(session, now, settings, verified_case):
    handoff, _ = verified_case
    take_handoff(session, handoff.id, agent=Agent(901, "Li Na"), now=now)
    context = context_of(session, handoff.id, now, settings)
    assert "🙋 Taken by Li Na" in cards.context_card(context, "en", SHANGHAI, "CNY")
    assert "🙋 Li Na 已接手" in cards.context_card(context, "zh", SHANGHAI, "CNY")
    assert "Waiting since" not in cards.context_card(context, "en", SHANGHAI, "CNY")


def test_card_shows_transfers_and_a_missed_target(now):
    card = cards.context_card(bare_context(transfer_count=2, breached=True), "en", SHANGHAI, "CNY")
    assert "Transferred 2×" in card and "Missed the first-response target" in card


def test_a_slash_command_is_not_quoted_as_what_they_said(now):
    card = cards.context_card(bare_context(request_text="/request_human"), "en", SHANGHAI, "CNY")
    assert "They said" not in card and "/request_human" not in card.split("/note")[0]


def test_card_never_exceeds_a_telegram_message():
    policies = [PolicyLine(f"PMV-2026-{n:07d}", "comprehensive", PolicyStatus.active,
                           [f"沪A{n:05d} Volkswagen Lavida (2022)"] * 5) for n in range(100)]
    card = cards.context_card(bare_context(verified=True, phone="+86******5678", policies=policies,
                                           request_text="x" * 5000), "en", SHANGHAI, "CNY")
    assert len(card) == cards.MESSAGE_LIMIT and card.endswith("…")
    short = cards.context_card(bare_context(), "en", SHANGHAI, "CNY")
    assert len(short) < cards.MESSAGE_LIMIT and not short.endswith("…")


# --- the transcript ----------------------------------------------------------------------------------

def lines(count: int, text: str) -> list[TranscriptLine]:
    return [TranscriptLine(MONDAY_2PM + timedelta(minutes=n), MessageSender.customer if n % 2 else MessageSender.bot,
                           f"{n:03d} {text}") for n in range(count)]


def test_transcript_fits_in_one_message_when_short():
    messages = cards.transcript_messages(lines(3, "hello"), "en", SHANGHAI)
    assert len(messages) == 1
    assert messages[0].splitlines() == ["Last 3 messages:", "14:00 🤖 000 hello", "14:01 💬 001 hello",
                                        "14:02 🤖 002 hello"]


def test_long_transcripts_are_split_into_telegram_sized_messages_in_order():
    transcript = lines(40, "y" * 280)
    messages = cards.transcript_messages(transcript, "en", SHANGHAI)
    assert len(messages) > 1 and all(len(message) <= cards.MESSAGE_LIMIT for message in messages)
    rendered = [line for message in messages for line in message.splitlines()]
    assert rendered[0] == "Last 40 messages:"
    assert [line.split(" ")[2] for line in rendered[1:]] == [f"{n:03d}" for n in range(40)]


def test_a_long_message_is_clipped_on_the_card():
    messages = cards.transcript_messages(lines(1, "z" * 5000 + "\n\nend"), "zh", SHANGHAI)
    assert len(messages) == 1 and messages[0].startswith("最近 1 条消息：")
    line = messages[0].splitlines()[1]
    assert line.endswith("…") and len(line) < cards.LINE_LIMIT + 20 and "end" not in line


def test_no_transcript_says_so():
    assert cards.transcript_messages([], "en", SHANGHAI) == ["No messages yet."]
    assert cards.transcript_messages([], "zh", SHANGHAI) == ["暂无消息。"]


# --- the topic name ----------------------------------------------------------------------------------

def test_topic_name_has_the_customer_and_the_claim(session, now, settings, verified_case):
    handoff, claim = verified_case
    assert cards.topic_name(context_of(session, handoff.id, now, settings)) == f"⚖️ Zhang Wei · {claim.claim_number}"


def test_topic_name_marks_injuries_and_unverified_customers():
    assert cards.topic_name(bare_context(reason=HandoffReason.injury)) == "🚑 Wei · ?"
    assert cards.topic_name(bare_context()) == "Wei · ?"


def test_topic_name_fits_telegrams_limit():
    name = cards.topic_name(bare_context(reason=HandoffReason.injury, customer_name="W" * 300))
    assert len(name) == cards.TOPIC_NAME_LIMIT == 128 and name.startswith("🚑 W")


# --- /queue ------------------------------------------------------------------------------------------

def entry(handoff_id, *, status=HandoffStatus.queued, minutes_ago=5, **overrides) -> QueueEntry:
    values = dict(handoff_id=handoff_id, customer_name=f"Customer {handoff_id}", verified=True,
                  reason=HandoffReason.complaint, status=status,
                  requested_at=MONDAY_2PM - timedelta(minutes=minutes_ago), assigned_at=None, agent_name=None,
                  breached=False)
    return QueueEntry(**{**values, **overrides})


def test_queue_lists_positions_waits_and_owners():
    entries = [entry(11, minutes_ago=12, breached=True), entry(12, minutes_ago=3, verified=False),
               entry(13, status=HandoffStatus.assigned, assigned_at=MONDAY_2PM - timedelta(minutes=20),
                     agent_name="Li Na")]
    text = cards.queue_text(entries, "en", SHANGHAI, MONDAY_2PM).splitlines()
    assert text[0] == "Queue (2 waiting, 1 with agents):"
    assert text[1] == "#1 · case 11 · Customer 11 · complaint · waiting 12 min ⏰"
    assert text[2] == "#2 · case 12 · Customer 12 (?) · complaint · waiting 3 min"
    assert text[3] == "🙋 case 13 · Customer 13 · Li Na · since 13:40"


def test_queue_in_chinese_and_when_empty():
    text = cards.queue_text([entry(11), entry(12)], "zh", SHANGHAI, MONDAY_2PM)
    assert "第 1 位 · 案件 11" in text and "第 2 位 · 案件 12" in text
    assert cards.queue_text([], "en", SHANGHAI, MONDAY_2PM) == "Nobody is waiting. 🎉"


# --- /stats ------------------------------------------------------------------------------------------

def test_stats_without_data_show_a_dash():
    stats = DeskStats(0, 0, 0, 0, None, None, 0, 0)
    text = cards.stats_text(stats, "en", "23 Nov 2026")
    assert "Median first response: —" in text and "Median time to hand back: —" in text
    assert "finished by the bot alone: 0 (—)" in text and text.startswith("Today (23 Nov 2026):")


def test_stats_show_durations_and_a_percentage():
    stats = DeskStats(handoffs=4, taken=3, waiting=1, breached=1, median_first_response=timedelta(seconds=90),
                      median_resolution=timedelta(minutes=65), conversations=20, contained=15)
    text = cards.stats_text(stats, "en", "23 Nov 2026")
    assert "Handoffs: 4 (taken 3, waiting 1, missed target 1)" in text
    assert "Median first response: 1 min 30 s" in text and "Median time to hand back: 1 h 05 min" in text
    assert "Conversations: 20, finished by the bot alone: 15 (75%)" in text
    assert "（75%）" in cards.stats_text(stats, "zh", "2026年11月23日")


@pytest.mark.parametrize(("seconds", "expected"), [
    (45, "45 s"), (0, "0 s"), (120, "2 min"), (200, "3 min 20 s"), (3900, "1 h 05 min"), (7200, "2 h 00 min"),
])
def test_duration_text(seconds, expected):
    assert cards.duration_text(timedelta(seconds=seconds)) == expected


def test_no_duration_is_none():
    assert cards.duration_text(None) is None


# --- /desk -------------------------------------------------------------------------------------------

@pytest.fixture
def schedule() -> DeskSchedule:
    return DeskSchedule(parse_week(DEFAULT_DESK_HOURS), SHANGHAI)


def test_desk_text_while_open_says_until_when(schedule):
    text = cards.desk_text(schedule, MONDAY_2PM, "en")
    assert text.splitlines()[0] == "🟢 The desk is open until today 20:00."
    assert "mon 08:30-20:00" in text and "sun 09:00-17:00" in text and "/desk close" in text


def test_desk_text_while_closed_says_when_it_opens(schedule):
    evening = MONDAY_2PM + timedelta(hours=7)
    assert cards.desk_text(schedule, evening, "en").splitlines()[0] == "🔴 The desk is closed until tomorrow 08:30."
    assert cards.desk_text(schedule, evening, "zh").splitlines()[0] == "🔴 服务台已关闭，至 明天 08:30。"


def test_desk_text_follows_an_agents_closure(schedule):
    closed = replace(schedule, overrides=(DeskOverride(MONDAY_2PM, MONDAY_2PM + timedelta(hours=1), False),))
    assert cards.desk_text(closed, MONDAY_2PM, "en").splitlines()[0] == "🔴 The desk is closed until today 15:00."


# --- canned replies ----------------------------------------------------------------------------------

def write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "canned.yml"
    path.write_text(content, encoding="utf-8")
    return path


def test_canned_reply_in_the_customers_language_signed_by_the_agent(tmp_path):
    canned = CannedReplies.load(write(tmp_path, (
        "Hello:\n  en: \"Hi, this is {agent}.\"\n  zh: \"您好，我是{agent}。\"\n"
        "photos:\n  en: \"Please send photos.\"\n")))
    assert sorted(canned.keys()) == ["hello", "photos"] and "hello" in canned
    assert canned.text("hello", "zh", agent="李娜") == "您好，我是李娜。"
    assert canned.text("hello", "en", agent="Li Na") == "Hi, this is Li Na."
    assert canned.text("photos", "zh", agent="Li Na") == "Please send photos."  # no Chinese: English


def test_canned_reply_without_english_is_refused(tmp_path):
    with pytest.raises(ValueError, match="'photos'"):
        CannedReplies.load(write(tmp_path, "photos:\n  zh: \"请发照片\"\n"))


def test_no_canned_replies_file_means_none(tmp_path):
    canned = CannedReplies.load(tmp_path / "missing.yml")
    assert list(canned.keys()) == [] and "hello" not in canned


def test_canned_preview_shortens_long_replies(tmp_path):
    canned = CannedReplies.load(write(tmp_path, f"long:\n  en: \"{'a' * 100}\"\nshort:\n  en: \"ok\"\n"))
    assert canned.preview("en").splitlines() == [f"• long: {'a' * 60}…", "• short: ok"]


def test_the_shipped_canned_replies_have_english_and_chinese():
    canned = CannedReplies.load(REPO / "config" / "canned_replies.yml")
    keys = list(canned.keys())
    assert keys and "hello" in keys
    for key in keys:
        assert canned.replies[key].get("en") and canned.replies[key].get("zh"), key
        assert "{agent}" not in canned.text(key, "zh", agent="Li Na")


# --- durations agents type, and notices the front end takes out --------------------------------------

@pytest.mark.parametrize(("word", "minutes"), [("30m", 30), ("2h", 120), ("90", 90), (" 45M ", 45)])
def test_parse_duration(word, minutes):
    assert parse_duration(word) == timedelta(minutes=minutes)


@pytest.mark.parametrize("word", ["0", "0h", "abc", "", "h", "-5", "1.5h"])
def test_unreadable_durations_are_none(word):
    assert parse_duration(word) is None


def test_take_notices_splits_notices_from_answers():
    answers = [
        {"text": "You are in the queue."},
        {"custom": {"notice": "handoff_requested", "handoff_id": 3}},
        {"custom": {"notice": "action_failed"}},
        {"custom": {"share": "contact"}},
    ]
    kept, notices = replies.take_notices(answers, {"handoff_requested", "handoff_withdrawn"})
    assert notices == [{"notice": "handoff_requested", "handoff_id": 3}]
    assert kept == [answers[0], answers[2], answers[3]]
    assert replies.take_notices([{"text": "hi", "custom": None}], {"handoff_requested"}) == (
        [{"text": "hi", "custom": None}], [])


# --- an open rescue on the card -------------------------------------------------------------------------

def test_an_open_rescue_is_on_the_card_in_both_languages(session, now, settings, verified_case):
    handoff, claim = verified_case
    make_roadside_request(session, vehicle=claim.vehicle, status=RoadsideStatus.en_route, service_type=ServiceType.tow,
                          address="G15 towards Ningbo km 1032", driver_name="王师傅", truck_plate="沪AD1234",
                          eta_minutes=9, distance_km=Decimal("4.2"), reference="RSA-2026-000777",
                          last_error="POST /v1/jobs: 503")
    context = context_of(session, handoff.id, now, settings)
    assert context.rescue is not None and context.rescue.status is RoadsideStatus.en_route
    english = cards.context_card(context, "en", SHANGHAI, "CNY")
    assert "🛠 Rescue RSA-2026-000777 · tow truck · truck on its way · at: G15 towards Ningbo km 1032" in english
    assert "truck 沪AD1234, driver 王师傅 · ETA 9 min · 4.2 km away" in english
    assert "dispatch problem: POST /v1/jobs: 503" in english
    chinese = cards.context_card(context, "zh", SHANGHAI, "CNY")
    assert "🛠 救援 RSA-2026-000777 · 拖车 · 救援车在路上 · 位置：G15 towards Ningbo km 1032" in chinese
    assert "预计 9 分钟" in chinese


def test_a_closed_rescue_is_not_on_the_card(session, now, settings, verified_case):
    handoff, claim = verified_case
    make_roadside_request(session, vehicle=claim.vehicle, status=RoadsideStatus.completed)
    context = context_of(session, handoff.id, now, settings)
    assert context.rescue is None
    assert "Rescue" not in cards.context_card(context, "en", SHANGHAI, "CNY")
