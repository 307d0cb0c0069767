"""Broadcast campaigns: what is refused at creation, who is in the audience, starting (one delivery per
recipient, once), pausing, resuming, cancelling, finishing, the progress an operator watches, the message in
each language, and the weather warning's wording."""
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from claims.campaigns.audience import AudienceFilter, audience_rows
from claims.campaigns.service import (
    CampaignDraft, CampaignError, campaign_message, campaign_progress, create_campaign, finish_campaigns,
    move_campaign, start_due_campaigns,
)
from claims.campaigns.templates import weather_warning
from claims.enums import CampaignKind, CampaignStatus, DeliveryKind, DeliveryStatus, Language, PolicyStatus
from claims.models import Campaign, Delivery
from claims.outbound import NotSent, OutboundMessage
from claims.services import chats
from claims.services.deliveries import claim_due_deliveries, mark_delivered
from tests.factories import (
    make_campaign, make_delivery, make_linked_policyholder, make_policy, make_policyholder, make_vehicle,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai
TODAY = date(2026, 12, 1)
GRACE = timedelta(hours=1)


def draft(**overrides) -> CampaignDraft:
    values = dict(name="Typhoon Haikui", text_en="A typhoon is coming.", text_zh="台风即将来临。",
                  audience=AudienceFilter(), send_at=NOW)
    return CampaignDraft(**{**values, **overrides})


def customer(session, *, city="Shanghai", status=PolicyStatus.active, year=2022, language=Language.en, **holder):
    """A linked policyholder with one policy and one vehicle."""
    holder = make_linked_policyholder(session, city=city, preferred_language=language, **holder)
    make_vehicle(session, policy=make_policy(session, policyholder=holder, status=status), year=year)
    return holder


def chats_of(rows) -> list[int]:
    return [chat for _, chat, _ in rows]


def broadcasts(session, campaign) -> list[Delivery]:
    session.expire_all()
    return list(session.scalars(select(Delivery).where(Delivery.campaign_id == campaign.id).order_by(Delivery.id)))


def started(session, **campaign) -> Campaign:
    """A campaign to everyone, started at NOW."""
    created = create_campaign(session, draft(**campaign), now=NOW)
    assert start_due_campaigns(session, now=NOW, grace=GRACE) == [created.id]
    return created


# ------------------------------------------------------------------------------------ creation

@pytest.mark.parametrize("overrides, says", [
    (dict(text_en=""), "the English text is empty"),
    (dict(text_zh="   "), "the Chinese text is empty"),
    (dict(text_en="x" * 4097), "the English text is 4097 characters"),
    (dict(text_zh="字" * 4097), "the Chinese text is 4097 characters"),
    (dict(name="  "), "needs a name"),
    (dict(button_en="Report it", button_url="https://example.cn/typhoon"), "title in English and Chinese"),
    (dict(button_zh="报案", button_intent="report_accident"), "title in English and Chinese"),
    (dict(button_en="Report it", button_zh="报案"), "a link (--button-url) or something to start"),
    (dict(button_en="Open", button_zh="打开", button_url="ftp://example.cn/typhoon"), "must start with https://"),
    (dict(button_en="Open", button_zh="打开", button_url="javascript:alert(1)"), "must start with https://"),
    (dict(button_en="Open", button_zh="打开", button_url="example.cn/typhoon"), "must start with https://"),
    (dict(button_en="Buy", button_zh="购买", button_intent="buy_insurance"), "a button can start"),
    (dict(button_en="Report it", button_zh="报案", button_url="https://example.cn", button_intent="report_accident"),
     "not both"),
    (dict(button_en="Report it", button_zh="报" * 22, button_intent="report_accident"), "too long"),
])
def test_create_campaign_refuses_what_telegram_or_a_customer_could_not_use(session, overrides, says):
    with pytest.raises(CampaignError, match=re.escape(says)):
        create_campaign(session, draft(**overrides), now=NOW)
    assert session.scalar(select(func.count()).select_from(Campaign)) == 0


def test_create_campaign_refuses_a_naive_send_time(session):
    with pytest.raises(ValueError):
        create_campaign(session, draft(send_at=datetime(2026, 12, 1, 10, 0)), now=NOW)


@pytest.mark.parametrize("overrides", [
    dict(text_en="x" * 4096, text_zh="字" * 4096),
    dict(button_en="Read more", button_zh="了解详情", button_url="https://example.cn/typhoon"),
    dict(button_en="Read more", button_zh="了解详情", button_url="http://example.cn/typhoon"),
    dict(button_en="Report an accident", button_zh="报案", button_intent="report_accident"),
    dict(button_en="Roadside help", button_zh="道路救援", button_intent="request_roadside_assistance"),
])
def test_create_campaign_accepts_texts_up_to_the_limit_and_a_proper_button(session, overrides):
    campaign = create_campaign(session, draft(**overrides), now=NOW)
    assert campaign.status is CampaignStatus.scheduled


def test_a_created_campaign_is_stored_scheduled_with_its_audience(session):
    audience = AudienceFilter(city="Shanghai", min_vehicle_age=3, language=Language.zh)
    campaign = create_campaign(session, draft(name="  Typhoon Haikui ", audience=audience, created_by="ops-li",
                                              send_at=NOW + timedelta(hours=2)), now=NOW)
    session.expire_all()
    stored = session.get(Campaign, campaign.id)
    assert (stored.name, stored.kind, stored.status, stored.send_at, stored.created_at, stored.created_by) == (
        "Typhoon Haikui", CampaignKind.message, CampaignStatus.scheduled, NOW + timedelta(hours=2), NOW, "ops-li")
    assert stored.audience == {"city": "Shanghai", "policy_status": "active", "min_vehicle_age": 3,
                               "max_vehicle_age": None, "language": "zh"}
    assert AudienceFilter.from_json(stored.audience) == audience


# ------------------------------------------------------------------------------------ audience

def test_the_city_filter_ignores_case(session):
    one = customer(session, city="Shanghai")
    two = customer(session, city="SHANGHAI")
    customer(session, city="Beijing")
    customer(session, city=None)
    assert chats_of(audience_rows(session, AudienceFilter(city="shanghai"), today=TODAY)) == [
        one.telegram_user_id, two.telegram_user_id]
    assert chats_of(audience_rows(session, AudienceFilter(city=" ShangHai "), today=TODAY)) == [
        one.telegram_user_id, two.telegram_user_id]
    assert len(audience_rows(session, AudienceFilter(), today=TODAY)) == 4  # every city


def test_the_policy_status_filter(session):
    active = customer(session, status=PolicyStatus.active)
    expired = customer(session, status=PolicyStatus.expired)
    cancelled = customer(session, status=PolicyStatus.cancelled)
    assert chats_of(audience_rows(session, AudienceFilter(), today=TODAY)) == [active.telegram_user_id]
    assert chats_of(audience_rows(session, AudienceFilter(policy_status=PolicyStatus.expired), today=TODAY)) == [
        expired.telegram_user_id]
    assert chats_of(audience_rows(session, AudienceFilter(policy_status=None), today=TODAY)) == [
        active.telegram_user_id, expired.telegram_user_id, cancelled.telegram_user_id]


def test_the_vehicle_age_filter_counts_years_since_the_model_year(session):
    new = customer(session, year=2024)  # 2 years old in 2026
    middle = customer(session, year=2020)  # 6
    old = customer(session, year=2016)  # 10

    def chats_for(**ages):
        return chats_of(audience_rows(session, AudienceFilter(**ages), today=TODAY))

    assert chats_for(min_vehicle_age=5) == [middle.telegram_user_id, old.telegram_user_id]
    assert chats_for(max_vehicle_age=5) == [new.telegram_user_id]
    assert chats_for(min_vehicle_age=6, max_vehicle_age=6) == [middle.telegram_user_id]  # both inclusive
    assert chats_for(min_vehicle_age=2, max_vehicle_age=9) == [new.telegram_user_id, middle.telegram_user_id]
    assert chats_for(min_vehicle_age=11) == []


def test_vehicle_ages_must_make_sense():
    with pytest.raises(ValueError):
        AudienceFilter(min_vehicle_age=-1)
    with pytest.raises(ValueError):
        AudienceFilter(min_vehicle_age=8, max_vehicle_age=3)


def test_the_language_is_the_chats_else_the_policyholders(session):
    chinese_holder = customer(session, language=Language.zh)
    chose_english = customer(session, language=Language.zh)
    chats.set_chat_language(session, chat_id=chose_english.telegram_user_id, language="en", now=NOW)
    chose_chinese = customer(session, language=Language.en)
    chats.set_chat_language(session, chat_id=chose_chinese.telegram_user_id, language="zh", now=NOW)
    english_holder = customer(session, language=Language.en)
    assert [(chat, language) for _, chat, language in audience_rows(session, AudienceFilter(), today=TODAY)] == [
        (chinese_holder.telegram_user_id, Language.zh), (chose_english.telegram_user_id, Language.en),
        (chose_chinese.telegram_user_id, Language.zh), (english_holder.telegram_user_id, Language.en)]
    assert chats_of(audience_rows(session, AudienceFilter(language=Language.zh), today=TODAY)) == [
        chinese_holder.telegram_user_id, chose_chinese.telegram_user_id]
    assert chats_of(audience_rows(session, AudienceFilter(language=Language.en), today=TODAY)) == [
        chose_english.telegram_user_id, english_holder.telegram_user_id]


def test_blocked_chats_unlinked_customers_and_broadcasts_switched_off_are_left_out(session):
    blocked = customer(session)
    chats.mark_blocked(session, chat_id=blocked.telegram_user_id, now=NOW)
    no_broadcasts = customer(session)
    chats.set_reminder(session, chat_id=no_broadcasts.telegram_user_id, kind="broadcasts", enabled=False, now=NOW)
    no_birthdays = customer(session)  # another kind switched off: still in
    chats.set_reminder(session, chat_id=no_birthdays.telegram_user_id, kind="birthday", enabled=False, now=NOW)
    unlinked = make_policyholder(session, city="Shanghai")
    make_vehicle(session, policy=make_policy(session, policyholder=unlinked))
    assert chats_of(audience_rows(session, AudienceFilter(), today=TODAY)) == [no_birthdays.telegram_user_id]


def test_one_row_per_chat_even_with_two_policies(session):
    holder = customer(session, year=2016)
    make_vehicle(session, policy=make_policy(session, policyholder=holder), year=2015)
    rows = audience_rows(session, AudienceFilter(min_vehicle_age=5), today=TODAY)
    assert rows == [(holder.id, holder.telegram_user_id, Language.en)]


def test_the_audience_describes_itself():
    assert AudienceFilter().describe() == "every city, active policies"
    assert AudienceFilter(city="Shanghai", policy_status=None, min_vehicle_age=3, max_vehicle_age=8,
                          language=Language.zh).describe() == (
        "city Shanghai, any policy, vehicles 3-8 years old, language zh")


# ------------------------------------------------------------------------------------- starting

def test_starting_queues_one_delivery_per_recipient(session):
    one, two = customer(session), customer(session, language=Language.zh)
    customer(session, city="Beijing", status=PolicyStatus.expired)  # not in the audience
    campaign = create_campaign(session, draft(), now=NOW - timedelta(minutes=5))
    assert start_due_campaigns(session, now=NOW, grace=GRACE) == [campaign.id]
    deliveries = broadcasts(session, campaign)
    assert sorted(d.dedupe_key for d in deliveries) == sorted([
        f"broadcast:{one.telegram_user_id}:campaign-{campaign.id}:send",
        f"broadcast:{two.telegram_user_id}:campaign-{campaign.id}:send"])
    by_chat = {d.chat_id: d for d in deliveries}
    assert by_chat[one.telegram_user_id].payload == {"campaign_id": campaign.id, "policyholder_id": one.id}
    assert {(d.kind, d.status, d.attempts, d.created_at) for d in deliveries} == {
        (DeliveryKind.broadcast, DeliveryStatus.pending, 0, NOW)}
    stored = session.get(Campaign, campaign.id)
    assert (stored.status, stored.started_at, stored.audience_size) == (CampaignStatus.running, NOW, 2)


def test_starting_again_queues_nothing_more(session):
    customer(session)
    customer(session)
    campaign = started(session)
    assert start_due_campaigns(session, now=NOW + timedelta(minutes=1), grace=GRACE) == []
    customer(session)  # joined after the start: not added to a running campaign
    assert start_due_campaigns(session, now=NOW + timedelta(minutes=2), grace=GRACE) == []
    assert len(broadcasts(session, campaign)) == 2


def test_a_campaign_scheduled_in_the_future_is_not_started_yet(session):
    customer(session)
    campaign = create_campaign(session, draft(send_at=NOW + timedelta(hours=3)), now=NOW)
    assert start_due_campaigns(session, now=NOW, grace=GRACE) == []
    assert start_due_campaigns(session, now=NOW + timedelta(hours=3) - timedelta(seconds=1), grace=GRACE) == []
    session.expire_all()
    assert session.get(Campaign, campaign.id).status is CampaignStatus.scheduled
    assert broadcasts(session, campaign) == []
    assert start_due_campaigns(session, now=NOW + timedelta(hours=3), grace=GRACE) == [campaign.id]
    assert len(broadcasts(session, campaign)) == 1


def test_a_campaign_past_the_grace_window_expires_unsent(session):
    customer(session)
    late = create_campaign(session, draft(send_at=NOW - GRACE - timedelta(seconds=1)), now=NOW - 2 * GRACE)
    just_in_time = create_campaign(session, draft(send_at=NOW - GRACE), now=NOW - 2 * GRACE)
    assert start_due_campaigns(session, now=NOW, grace=GRACE) == [just_in_time.id]
    session.expire_all()
    expired = session.get(Campaign, late.id)
    assert (expired.status, expired.started_at, expired.audience_size) == (CampaignStatus.expired, None, None)
    assert expired.note == "not started by 2026-12-01 01:59 UTC"
    assert broadcasts(session, late) == []
    assert start_due_campaigns(session, now=NOW + timedelta(minutes=1), grace=GRACE) == []  # expired for good


def test_the_expiry_note_is_in_utc_whatever_zone_the_send_time_was_given_in(session):
    late = create_campaign(session, draft(send_at=(NOW - 2 * GRACE).astimezone(SHANGHAI)), now=NOW - 3 * GRACE)
    assert start_due_campaigns(session, now=NOW, grace=GRACE) == []
    assert session.get(Campaign, late.id).status is CampaignStatus.expired
    assert session.get(Campaign, late.id).note == "not started by 2026-12-01 01:00 UTC"


def test_a_campaign_with_nobody_in_its_audience_starts_with_none(session):
    campaign = create_campaign(session, draft(audience=AudienceFilter(city="Lhasa")), now=NOW)
    assert start_due_campaigns(session, now=NOW, grace=GRACE) == [campaign.id]
    assert session.get(Campaign, campaign.id).audience_size == 0
    assert finish_campaigns(session, now=NOW) == [campaign.id]


# ------------------------------------------------------------------- pausing, resuming, cancelling

def test_a_paused_campaigns_broadcasts_are_held_back_until_it_resumes(session):
    customer(session)
    customer(session)
    campaign = started(session)
    other = make_delivery(session, kind=DeliveryKind.stage_update, created_at=NOW)  # not part of any campaign
    assert move_campaign(session, campaign.id, "pause", now=NOW).status is CampaignStatus.paused
    handed_out = claim_due_deliveries(session, now=NOW + timedelta(seconds=1))
    assert [d.id for d in handed_out] == [other.id]
    assert claim_due_deliveries(session, now=NOW + timedelta(seconds=2), kinds=(DeliveryKind.broadcast,)) == []
    assert move_campaign(session, campaign.id, "resume", now=NOW).status is CampaignStatus.running
    handed_out = claim_due_deliveries(session, now=NOW + timedelta(seconds=3), kinds=(DeliveryKind.broadcast,))
    assert sorted(d.id for d in handed_out) == sorted(d.id for d in broadcasts(session, campaign))
    assert {d.status for d in broadcasts(session, campaign)} == {DeliveryStatus.sending}


def test_cancelling_skips_what_was_not_sent_and_lets_in_flight_finish(session):
    for _ in range(3):
        customer(session)
    campaign = started(session)
    (in_flight,) = claim_due_deliveries(session, now=NOW, limit=1, kinds=(DeliveryKind.broadcast,))
    cancelled = move_campaign(session, campaign.id, "cancel", now=NOW + timedelta(minutes=1))
    assert (cancelled.status, cancelled.finished_at) == (CampaignStatus.cancelled, NOW + timedelta(minutes=1))
    statuses = {d.id: (d.status, d.last_error) for d in broadcasts(session, campaign)}
    assert statuses.pop(in_flight.id) == (DeliveryStatus.sending, None)
    assert set(statuses.values()) == {(DeliveryStatus.skipped, "campaign cancelled")} and len(statuses) == 2
    assert claim_due_deliveries(session, now=NOW + timedelta(hours=1), kinds=(DeliveryKind.broadcast,)) == []


def test_a_scheduled_campaign_can_be_cancelled_and_is_then_never_started(session):
    customer(session)
    campaign = create_campaign(session, draft(send_at=NOW + timedelta(hours=1)), now=NOW)
    assert move_campaign(session, campaign.id, "cancel", now=NOW).status is CampaignStatus.cancelled
    assert start_due_campaigns(session, now=NOW + timedelta(hours=1), grace=GRACE) == []
    assert broadcasts(session, campaign) == []


@pytest.mark.parametrize("status, action", [
    (CampaignStatus.running, "resume"), (CampaignStatus.done, "pause"), (CampaignStatus.scheduled, "pause"),
    (CampaignStatus.scheduled, "resume"), (CampaignStatus.paused, "pause"), (CampaignStatus.done, "cancel"),
    (CampaignStatus.cancelled, "cancel"), (CampaignStatus.cancelled, "resume"), (CampaignStatus.expired, "resume"),
])
def test_illegal_moves_are_refused_and_change_nothing(session, status, action):
    campaign = make_campaign(session, status=status, send_at=NOW, created_at=NOW)
    with pytest.raises(CampaignError, match=f"is {status.value}: it cannot be {action}d"):
        move_campaign(session, campaign.id, action, now=NOW)
    session.expire_all()
    assert session.get(Campaign, campaign.id).status is status


def test_an_unknown_move_or_campaign_is_refused(session):
    campaign = make_campaign(session, status=CampaignStatus.running, created_at=NOW)
    with pytest.raises(CampaignError):
        move_campaign(session, campaign.id, "restart", now=NOW)
    with pytest.raises(CampaignError, match="no campaign"):
        move_campaign(session, campaign.id + 1000, "pause", now=NOW)


# -------------------------------------------------------------------------------------- finishing

def test_a_campaign_is_done_only_when_nothing_is_pending_or_sending(session):
    customer(session)
    customer(session)
    campaign = started(session)
    first, second = claim_due_deliveries(session, now=NOW, limit=2, kinds=(DeliveryKind.broadcast,))
    assert finish_campaigns(session, now=NOW) == []  # both sending
    mark_delivered(session, first.id, telegram_message_id=101, now=NOW + timedelta(seconds=1))
    assert finish_campaigns(session, now=NOW + timedelta(seconds=1)) == []  # one still sending
    mark_delivered(session, second.id, telegram_message_id=102, now=NOW + timedelta(seconds=2))
    assert finish_campaigns(session, now=NOW + timedelta(seconds=3)) == [campaign.id]
    session.expire_all()
    done = session.get(Campaign, campaign.id)
    assert (done.status, done.finished_at) == (CampaignStatus.done, NOW + timedelta(seconds=3))
    assert finish_campaigns(session, now=NOW + timedelta(seconds=4)) == []


def test_a_pending_delivery_keeps_a_campaign_running(session):
    customer(session)
    campaign = started(session)
    assert finish_campaigns(session, now=NOW + timedelta(hours=1)) == []
    assert session.get(Campaign, campaign.id, populate_existing=True).status is CampaignStatus.running


def test_a_paused_campaign_is_not_finished(session):
    campaign = make_campaign(session, status=CampaignStatus.paused, started_at=NOW, created_at=NOW)
    assert finish_campaigns(session, now=NOW) == []
    assert session.get(Campaign, campaign.id, populate_existing=True).status is CampaignStatus.paused


# --------------------------------------------------------------------------------------- progress

def add_deliveries(session, campaign, status, count, *, sent_at=None):
    for _ in range(count):
        make_delivery(session, campaign_id=campaign.id, status=status, sent_at=sent_at, created_at=NOW)


def test_progress_counts_and_the_rate_over_the_last_thirty_seconds(session):
    now = NOW + timedelta(minutes=2)
    campaign = make_campaign(session, status=CampaignStatus.running, started_at=NOW, created_at=NOW)
    add_deliveries(session, campaign, DeliveryStatus.sent, 6, sent_at=now - timedelta(seconds=10))
    add_deliveries(session, campaign, DeliveryStatus.sent, 1, sent_at=now - timedelta(seconds=30))  # just outside
    add_deliveries(session, campaign, DeliveryStatus.sent, 3, sent_at=now - timedelta(seconds=90))
    add_deliveries(session, campaign, DeliveryStatus.failed, 1)
    add_deliveries(session, campaign, DeliveryStatus.skipped, 2)
    add_deliveries(session, campaign, DeliveryStatus.pending, 3)
    add_deliveries(session, campaign, DeliveryStatus.sending, 1)
    make_delivery(session, status=DeliveryStatus.pending)  # another campaign's or none: not counted
    progress = campaign_progress(session, campaign.id, now=now)
    assert (progress.sent, progress.failed, progress.skipped, progress.remaining, progress.total) == (10, 1, 2, 4, 17)
    assert progress.rate_per_second == pytest.approx(6 / 30)
    assert progress.eta == timedelta(seconds=20)  # 4 left at 0.2 a second
    assert progress.campaign.id == campaign.id


def test_progress_just_after_the_start_measures_the_rate_since_the_start(session):
    now = NOW + timedelta(seconds=10)
    campaign = make_campaign(session, status=CampaignStatus.running, started_at=NOW, created_at=NOW)
    add_deliveries(session, campaign, DeliveryStatus.sent, 5, sent_at=NOW + timedelta(seconds=5))
    add_deliveries(session, campaign, DeliveryStatus.pending, 20)
    progress = campaign_progress(session, campaign.id, now=now)
    assert progress.rate_per_second == pytest.approx(0.5)
    assert progress.eta == timedelta(seconds=40)


def test_progress_without_recent_sends_has_no_eta_and_when_done_an_eta_of_zero(session):
    now = NOW + timedelta(minutes=10)
    stalled = make_campaign(session, status=CampaignStatus.running, started_at=NOW, created_at=NOW)
    add_deliveries(session, stalled, DeliveryStatus.sent, 2, sent_at=NOW + timedelta(seconds=1))
    add_deliveries(session, stalled, DeliveryStatus.pending, 2)
    progress = campaign_progress(session, stalled.id, now=now)
    assert (progress.rate_per_second, progress.eta, progress.remaining) == (0.0, None, 2)
    finished = make_campaign(session, status=CampaignStatus.done, started_at=NOW, created_at=NOW)
    add_deliveries(session, finished, DeliveryStatus.sent, 2, sent_at=NOW + timedelta(seconds=1))
    assert campaign_progress(session, finished.id, now=now).eta == timedelta(0)
    not_started = make_campaign(session, send_at=now + timedelta(hours=1), created_at=NOW)
    progress = campaign_progress(session, not_started.id, now=now)
    assert (progress.total, progress.rate_per_second, progress.eta) == (0, 0.0, timedelta(0))


def test_progress_of_an_unknown_campaign_is_refused(session):
    with pytest.raises(CampaignError, match="no campaign 424242"):
        campaign_progress(session, 424242, now=NOW)


# ---------------------------------------------------------------------------------- the message

def message_for(session, campaign, holder):
    session.expire_all()
    delivery = session.scalar(select(Delivery).where(Delivery.campaign_id == campaign.id,
                                                     Delivery.chat_id == holder.telegram_user_id))
    return campaign_message(session, delivery)


def test_the_broadcast_in_each_customers_language_with_its_button(session):
    english = customer(session)
    chinese = customer(session, language=Language.zh)
    chose_chinese = customer(session)
    chats.set_chat_language(session, chat_id=chose_chinese.telegram_user_id, language="zh", now=NOW)
    campaign = started(session, button_en="Report an accident", button_zh="报案", button_intent="report_accident")
    message = message_for(session, campaign, english)
    assert isinstance(message, OutboundMessage) and message.text == "A typhoon is coming."
    (button,) = message.buttons
    assert (button.title, button.intent, button.url) == ("Report an accident", "report_accident", None)
    for holder in (chinese, chose_chinese):
        message = message_for(session, campaign, holder)
        assert message.text == "台风即将来临。"
        (button,) = message.buttons
        assert (button.title, button.intent) == ("报案", "report_accident")


def test_a_broadcast_with_a_link_and_one_without_a_button(session):
    holder = customer(session, language=Language.zh)
    linked = started(session, button_en="Read more", button_zh="了解详情", button_url="https://example.cn/typhoon")
    (button,) = message_for(session, linked, holder).buttons
    assert (button.title, button.url, button.intent) == ("了解详情", "https://example.cn/typhoon", None)
    plain = started(session, name="Plain notice")
    assert message_for(session, plain, holder) == OutboundMessage("台风即将来临。")


def test_no_broadcast_to_a_chat_that_blocked_the_bot_or_switched_broadcasts_off_since(session):
    blocked, switched_off, still_in = customer(session), customer(session), customer(session)
    campaign = started(session)
    chats.mark_blocked(session, chat_id=blocked.telegram_user_id, now=NOW)
    chats.set_reminder(session, chat_id=switched_off.telegram_user_id, kind="broadcasts", enabled=False, now=NOW)
    assert message_for(session, campaign, blocked) == NotSent("blocked")
    assert message_for(session, campaign, switched_off) == NotSent("switched off")
    assert isinstance(message_for(session, campaign, still_in), OutboundMessage)


def test_no_broadcast_of_a_campaign_that_is_not_running(session):
    holder = customer(session)
    campaign = started(session)
    move_campaign(session, campaign.id, "pause", now=NOW)
    assert message_for(session, campaign, holder) == NotSent("campaign not running")


# ------------------------------------------------------------------------------ weather warnings

def test_a_typhoon_warning_for_shanghai_in_both_languages():
    texts = weather_warning("typhoon", "Shanghai", starts_at=None, tz=SHANGHAI)
    assert texts[Language.en].startswith("⚠️ Typhoon warning for Shanghai\n")
    assert "Park away from trees, billboards and low ground" in texts[Language.en]
    assert "report it here" in texts[Language.en]
    assert texts[Language.zh].startswith("⚠️ 上海台风预警\n")
    assert "远离树木、广告牌和低洼处" in texts[Language.zh]


def test_a_weather_warning_says_when_it_starts_in_business_time():
    starts_at = datetime(2026, 12, 5, 0, 0, tzinfo=timezone.utc)  # 08:00 in Shanghai
    texts = weather_warning("typhoon", "shanghai", starts_at=starts_at, tz=SHANGHAI)
    assert texts[Language.en].startswith("⚠️ Typhoon warning for Shanghai from 08:00 on 5 Dec 2026\n")
    assert texts[Language.zh].startswith("⚠️ 上海台风预警（2026年12月5日 08:00起）\n")


def test_a_city_without_a_chinese_name_keeps_its_own_and_other_hazards():
    texts = weather_warning("rainstorm", "Kunming", starts_at=None, tz=SHANGHAI)
    assert texts[Language.en].startswith("⚠️ Rainstorm warning for Kunming\n")
    assert texts[Language.zh].startswith("⚠️ Kunming暴雨预警\n")
    assert weather_warning("hail", "Beijing", starts_at=None, tz=SHANGHAI)[Language.zh].startswith("⚠️ 北京冰雹预警")


def test_an_unknown_hazard_is_refused():
    with pytest.raises(ValueError, match="tornado"):
        weather_warning("tornado", "Shanghai", starts_at=None, tz=SHANGHAI)
