"""The accident report end to end: safety check, the form, summary and corrections, filing with triage,
photos and documents, cancel, the three-failures offer of a person, and injuries. English and Chinese.

Each test checks what the assistant stored, not only what it said.
"""
from __future__ import annotations

import hashlib
import itertools
import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from claims.enums import HandoffReason, ThirdParty
from claims.models import Claim, ClaimDocument, Handoff, Policy, Policyholder
from claims.stages import ClaimStage
from tests.e2e.chat import texts
from tests.factories import jpeg_bytes, make_policy, make_policyholder, make_vehicle

pytestmark = pytest.mark.e2e
SHANGHAI = ZoneInfo("Asia/Shanghai")
LANGUAGES = pytest.mark.parametrize("language", ["en", "zh"])

# Each test reports as a policyholder of its own, so that its claims do not change what other tests
# (claim tracking) see of the demo policyholders.
REPORTERS = {"en": {"name": "Olivia Bennett", "spelled": "O-L-I-V-I-A B-E-N-N-E-T-T"},
             "zh": {"name": "李娜", "spelled": "李 · 娜"}}
_phones = itertools.count(1)
SAY = {
    "en": {
        "report": "I just had an accident", "nobody_hurt": "nobody is hurt", "someone_hurt": "someone is hurt",
        "when": "When did it happen", "where": "Where did it happen", "what": "what happened",
        "yesterday_5pm": "yesterday at 5pm", "two_hours": "2 hours ago", "yesterday_830": "yesterday at 8:30pm",
        "description": "I was reversing out of my space and scraped a pillar, the rear bumper is dented",
        "address": "Yan'an Road elevated, near the Jiangsu Road exit",
        "only_me": "Only my car", "other_vehicle": "Another vehicle", "no_police": "No police report",
        "police_number": "SH2026-118822", "drives": "Yes, it drives", "not_drivable": "No, it can't",
        "small": "Under 2,000", "medium": "5,000–20,000", "check": "Please check your report",
        "file": "Yes, file it", "change": "Change something", "field_when": "When",
        "filed": "Your claim is filed", "fast_track": "fast-track", "standard": "standard way",
        "documents_question": "what documents do i need?", "documents": "For a claim you'll usually need",
        "cancel": "cancel", "cancelled": "Nothing was filed", "nonsense": "purple",
        "unclear_time": "couldn't read that as a date", "offer": "bring in a colleague",
        "take_person": "Yes, bring in a colleague", "handoff": "passing you to a colleague",
        "progress": "4 of 8 received", "complete": "That's everything", "assessment": "loss assessment",
        "fake": "isn't a real photo or PDF", "emergency": "Call 120",
    },
    "zh": {
        "report": "我刚出了个事故", "nobody_hurt": "没有人受伤", "someone_hurt": "有人受伤",
        "when": "什么时候发生", "where": "发生在哪里", "what": "说说经过",
        "yesterday_5pm": "昨天下午5点", "two_hours": "两个小时前", "yesterday_830": "昨天晚上8点半",
        "description": "在小区地库倒车的时候撞到柱子了，后保险杠凹进去一块",
        "address": "延安高架江苏路出口附近",
        "only_me": "只有我的车", "other_vehicle": "其他车辆", "no_police": "没有报警",
        "police_number": "SH2026-118822", "drives": "能开", "not_drivable": "不能开",
        "small": "2000 元以下", "medium": "5000–20000", "check": "提交前请核对",
        "file": "没问题，提交", "change": "需要修改", "field_when": "时间",
        "filed": "报案成功", "fast_track": "快速理赔", "standard": "标准流程",
        "documents_question": "等下，需要准备哪些材料？", "documents": "一般理赔需要",
        "cancel": "取消", "cancelled": "没有提交任何报案", "nonsense": "紫色",
        "unclear_time": "没看懂这个时间", "offer": "请客服同事接手",
        "take_person": "好的，转人工", "handoff": "正在为您转接人工客服",
        "progress": "已收到 4/8 项", "complete": "已经收齐", "assessment": "定损",
        "fake": "不是真正的照片或 PDF", "emergency": "120",
    },
}


@pytest.fixture
def reporter(assistant):
    """Makes a policyholder with one car on an active policy; returns their phone."""
    def make(language: str) -> str:
        phone = f"+86139{os.getpid() % 10000:04d}{next(_phones):04d}"
        today = datetime.now(SHANGHAI).date()
        with assistant.sessions()() as session:
            policyholder = make_policyholder(session, full_name=REPORTERS[language]["name"], phone=phone)
            policy = make_policy(session, policyholder=policyholder, starts_on=today - timedelta(days=300),
                                 ends_on=today + timedelta(days=65))
            make_vehicle(session, policy=policy)
        return phone
    return make


async def verified_chat(chat_factory, reporter, language):
    """A new Telegram user, a policyholder with one car, who shares their own contact."""
    chat = chat_factory(language)
    chat.phone = reporter(language)
    await chat.send_update(contact={"phone_number": chat.phone, "first_name": "Demo",
                                    "user_id": chat.user.id}, expect=2)
    return chat


async def start_report(chat, language):
    """Report an accident, say nobody is hurt; return the first question of the form."""
    words = SAY[language]
    safety = await chat.send(words["report"])
    assert safety[-1].get("reply_markup"), texts(safety)
    started = await chat.press(safety[-1], words["nobody_hurt"], expect=2)
    assert words["when"] in texts(started), texts(started)  # one car on the policy: not asked which
    return started


def yesterday_at(hour: int, minute: int = 0) -> datetime:
    day = datetime.now(SHANGHAI).date() - timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def claims_of(assistant, chat) -> list[Claim]:
    with assistant.sessions()() as session:
        return list(session.scalars(
            select(Claim).join(Policy).join(Policyholder).where(Policyholder.phone == chat.phone).order_by(Claim.id)
        ))


async def answer_fast_track_questions(chat, language):
    """Answer the form for a small single-car accident; return the summary."""
    words = SAY[language]
    where = await chat.send(words["yesterday_5pm"])
    assert words["where"] in texts(where)
    what = await chat.send_update(location={"latitude": 31.2304, "longitude": 121.4737})
    assert words["what"] in texts(what)
    third = await chat.send(words["description"])
    police = await chat.press(third[-1], words["only_me"])
    drivable = await chat.press(police[-1], words["no_police"])
    estimate = await chat.press(drivable[-1], words["drives"])
    return await chat.press(estimate[-1], words["small"])


@LANGUAGES
async def test_fast_track_claim_is_filed_then_its_photos_complete_it(assistant, chat_factory, reporter, language):
    words = SAY[language]
    chat = await verified_chat(chat_factory, reporter, language)
    before = len(claims_of(assistant, chat))
    await start_report(chat, language)
    summary = await answer_fast_track_questions(chat, language)
    assert words["check"] in texts(summary)
    # The name and plate spelled out, letter by letter, to catch misspellings before filing.
    assert REPORTERS[language]["name"] in texts(summary) and REPORTERS[language]["spelled"] in texts(summary)
    filed = await chat.press(summary[-1], words["file"])
    assert words["filed"] in texts(filed) and words["fast_track"] in texts(filed)

    claims = claims_of(assistant, chat)
    assert len(claims) == before + 1
    claim = claims[-1]
    assert claim.claim_number in texts(filed)
    assert claim.fast_track and claim.stage is ClaimStage.reported and not claim.injuries
    assert claim.third_party is ThirdParty.none and claim.drivable is True
    assert claim.incident_at == yesterday_at(17)
    assert claim.latitude == pytest.approx(31.2304) and claim.longitude == pytest.approx(121.4737)
    assert "pillar" in claim.description or "柱子" in claim.description

    # An album of four: one answer for the batch.
    album = f"album-{chat.user.id}"
    for colour in ((200, 0, 0), (0, 200, 0), (0, 0, 200)):
        await chat.sim.send_photo(chat.user.id, jpeg_bytes(colour=colour), media_group_id=album, user=chat.user)
    progress = await chat.sim.send_photo(chat.user.id, jpeg_bytes(colour=(200, 200, 0)), media_group_id=album,
                                         user=chat.user)
    replies = await chat._collect(progress["message_id"], 1, 30)
    assert len(replies) == 1 and words["progress"] in texts(replies), texts(replies)

    # A file that is not what its name says is refused, and nothing is stored for it.
    fake = await chat.sim.send_document(chat.user.id, b"MZ this is not a photo at all", "damage.jpg",
                                        "image/jpeg", user=chat.user)
    refused = await chat._collect(fake["message_id"], 1, 30)
    assert words["fake"] in texts(refused)

    for index, colour in enumerate(((0, 200, 200), (200, 0, 200), (90, 90, 90), (250, 250, 250))):
        sent = await chat.sim.send_photo(chat.user.id, jpeg_bytes(colour=colour), user=chat.user)
        last = await chat._collect(sent["message_id"], 1, 30)
    assert words["complete"] in texts(last) and words["assessment"] in texts(last), texts(last)

    with assistant.sessions()() as session:
        stored = session.get(Claim, claim.id)
        documents = session.scalars(select(ClaimDocument).where(ClaimDocument.claim_id == claim.id)).all()
        assert len(documents) == 8 and len({d.sha256 for d in documents}) == 8
        assert {d.mime_type for d in documents} == {"image/jpeg"}
        assert stored.stage is ClaimStage.loss_assessment  # fast track: no survey
        assert [e.to_stage for e in stored.stage_events] == [ClaimStage.reported, ClaimStage.loss_assessment]


@LANGUAGES
async def test_standard_claim_with_a_side_question_and_a_correction_from_the_summary(assistant, chat_factory, reporter, language):
    words = SAY[language]
    chat = await verified_chat(chat_factory, reporter, language)
    await start_report(chat, language)
    where = await chat.send(words["two_hours"])
    assert words["where"] in texts(where)
    side = await chat.send(words["documents_question"], expect=2)
    assert words["documents"] in texts(side) and words["where"] in texts(side[-1:])  # and the question again
    await chat.send(words["address"])
    third = await chat.send(words["description"])
    police = await chat.press(third[-1], words["other_vehicle"])
    assert words["no_police"] in str(police[-1].get("reply_markup"))
    drivable = await chat.send(words["police_number"])
    estimate = await chat.press(drivable[-1], words["not_drivable"])
    summary = await chat.press(estimate[-1], words["medium"])
    assert words["check"] in texts(summary) and words["police_number"] in texts(summary)

    which = await chat.press(summary[-1], words["change"])
    asked = await chat.press(which[-1], words["field_when"])
    assert words["when"] in texts(asked)
    corrected = await chat.send(words["yesterday_830"])
    assert words["check"] in texts(corrected) and "20:30" in texts(corrected)
    filed = await chat.press(corrected[-1], words["file"])
    assert words["filed"] in texts(filed) and words["standard"] in texts(filed)

    claim = claims_of(assistant, chat)[-1]
    assert claim.claim_number in texts(filed)
    assert not claim.fast_track and claim.third_party is ThirdParty.other_vehicle
    assert claim.incident_at == yesterday_at(20, 30)  # the corrected time, not the first answer
    assert claim.police_report_number == "SH2026-118822" and claim.drivable is False
    assert claim.estimate_band.value == "from_5000_to_20000"
    assert claim.location_text == words["address"] and claim.latitude is None


@LANGUAGES
async def test_cancel_midway_files_nothing(assistant, chat_factory, reporter, language):
    words = SAY[language]
    chat = await verified_chat(chat_factory, reporter, language)
    before = len(claims_of(assistant, chat))
    await start_report(chat, language)
    await chat.send(words["yesterday_5pm"])
    cancelled = await chat.send(words["cancel"])
    assert words["cancelled"] in texts(cancelled)
    assert len(claims_of(assistant, chat)) == before
    # The next message is an ordinary conversation again, not an answer to the form.
    again = await chat.send(words["report"])
    assert words["nobody_hurt"] in str(again[-1].get("reply_markup"))


@LANGUAGES
async def test_three_unusable_answers_offer_a_person_who_takes_over(assistant, chat_factory, reporter, language):
    words = SAY[language]
    chat = await verified_chat(chat_factory, reporter, language)
    await start_report(chat, language)
    for _ in range(2):
        retry = await chat.send(words["nonsense"])
        assert words["unclear_time"] in texts(retry) and words["when"] in texts(retry)
    offer = await chat.send(words["nonsense"])
    assert words["offer"] in texts(offer)
    handed = await chat.press(offer[-1], words["take_person"])
    assert words["handoff"] in texts(handed)
    with assistant.sessions()() as session:
        handoff = session.scalars(select(Handoff).where(Handoff.chat_id == chat.user.id)).one()
        assert handoff.reason is HandoffReason.form_failure


@LANGUAGES
async def test_an_injury_opens_the_claim_as_an_injury_case_and_queues_a_person(assistant, chat_factory, reporter, language):
    words = SAY[language]
    chat = await verified_chat(chat_factory, reporter, language)
    safety = await chat.send(words["report"])
    urgent = await chat.press(safety[-1], words["someone_hurt"], expect=2)
    assert words["emergency"] in texts(urgent) and words["handoff"] in texts(urgent)
    with assistant.sessions()() as session:
        handoff = session.scalars(select(Handoff).where(Handoff.chat_id == chat.user.id)).one()
        assert handoff.reason is HandoffReason.injury and handoff.claim_id is not None
        claim = session.get(Claim, handoff.claim_id)
        assert claim.injuries and not claim.fast_track and claim.stage is ClaimStage.reported
        count = session.scalar(select(func.count()).select_from(Claim).where(Claim.id == claim.id))
        assert count == 1


async def test_photos_before_the_identity_check_are_filed_after_it(assistant, chat_factory, reporter):
    chat = await verified_chat(chat_factory, reporter, "en")
    await start_report(chat, "en")
    summary = await answer_fast_track_questions(chat, "en")
    await chat.press(summary[-1], SAY["en"]["file"])
    await chat.send("/logout")  # a stranger again, with a claim waiting for photos
    photo = jpeg_bytes(colour=(10, 20, 30))
    sent = await chat.sim.send_photo(chat.user.id, photo, user=chat.user)
    asked = await chat._collect(sent["message_id"], 2, 30)
    assert "confirm it's you" in texts(asked)
    shared = await chat.send_update(contact={"phone_number": chat.phone, "first_name": "Demo",
                                             "user_id": chat.user.id}, expect=3)
    assert "Got it" in texts(shared)
    with assistant.sessions()() as session:
        assert session.scalars(select(ClaimDocument).where(
            ClaimDocument.sha256 == hashlib.sha256(photo).hexdigest())).one()
