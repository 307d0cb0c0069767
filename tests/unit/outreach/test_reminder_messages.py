"""Reminders as the customer reads them (English and Chinese), and why a queued one is dropped or held back at
the moment of sending."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from claims.enums import DeliveryKind, Language, PolicyStatus, ReminderKind
from claims.models import Delivery
from claims.outbound import NotSent, OutboundMessage
from claims.quiet_hours import QuietHours
from claims.reminders.messages import reminder_message
from claims.reminders.planner import plan_reminders
from claims.reminders.rules import ReminderRules
from claims.services import chats
from claims.services.claims import move_claim_to_stage
from claims.stages import ClaimStage
from tests.factories import make_claim, make_delivery, make_document, make_linked_policyholder, make_policy, make_vehicle

SHANGHAI = ZoneInfo("Asia/Shanghai")
RULES = ReminderRules(timezone=SHANGHAI, quiet_hours=QuietHours(time(21, 0), time(9, 0), SHANGHAI))
REPORTED = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)  # 11:00 in Shanghai
FIRST = REPORTED + timedelta(days=2)
SEND = FIRST + timedelta(minutes=1)
FAR = date(2029, 6, 30)
# Everything a regular claim needs but the ID card and the bank card.
RECEIVED = ("front_left", "front_right", "rear_left", "rear_right", "damage_closeup", "vin_or_plate",
            "driving_licence", "vehicle_licence")


def shanghai(month: int, day: int, hour: int, minute: int = 0, *, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def customer(session, *, holder=None, ends_on=FAR, **vehicle):
    holder = holder or make_linked_policyholder(session)
    policy = make_policy(session, policyholder=holder, ends_on=ends_on)
    return holder, policy, make_vehicle(session, policy=policy, **vehicle)


def queue_one(session, now: datetime, rules: ReminderRules = RULES) -> Delivery:
    """Plan at `now` and return the one reminder queued."""
    plan_reminders(session, now=now, rules=rules)
    (delivery,) = session.scalars(select(Delivery).where(Delivery.kind == DeliveryKind.reminder)).all()
    return delivery


def claim_missing_two(session, *, holder=None):
    _, _, vehicle = customer(session, holder=holder)
    claim = make_claim(session, vehicle=vehicle, reported_at=REPORTED, now=REPORTED)
    for item in RECEIVED:
        make_document(session, claim=claim, item=item)
    return claim


def send(session, delivery, now: datetime = SEND, rules: ReminderRules = RULES):
    session.expire_all()
    return reminder_message(session, session.get(Delivery, delivery.id), now=now, rules=rules)


# ------------------------------------------------------------------------------ missing documents

def test_the_documents_reminder_in_english_lists_what_is_missing_with_a_send_button(session):
    claim = claim_missing_two(session)
    message = send(session, queue_one(session, FIRST))
    assert isinstance(message, OutboundMessage)
    assert claim.claim_number in message.text
    assert "we still need 2 items from you" in message.text
    assert "• ID card" in message.text and "• Bank card for the payout" in message.text
    assert "Photo of the front-left corner" not in message.text  # received already
    assert message.text.index("ID card") < message.text.index("Bank card for the payout")
    (button,) = message.buttons
    assert (button.title, button.intent, button.url) == ("📷 Send them now", "upload_photos", None)


def test_the_documents_reminder_in_chinese_after_the_customer_chose_chinese(session):
    claim = claim_missing_two(session)
    chats.set_chat_language(session, chat_id=claim.policy.policyholder.telegram_user_id, language="zh", now=REPORTED)
    message = send(session, queue_one(session, FIRST))
    assert f"您的案件 {claim.claim_number} 还差以下 2 项材料" in message.text
    assert "• 身份证" in message.text and "• 收款银行卡" in message.text
    assert "车辆左前45度照片" not in message.text and "ID card" not in message.text
    (button,) = message.buttons
    assert (button.title, button.intent) == ("📷 现在发送", "upload_photos")


def test_the_policyholders_language_when_the_chat_has_none(session):
    holder = make_linked_policyholder(session, preferred_language=Language.zh)
    claim = claim_missing_two(session, holder=holder)
    message = send(session, queue_one(session, FIRST))
    assert f"您的案件 {claim.claim_number}" in message.text and "• 身份证" in message.text


def test_the_chats_language_wins_over_the_policyholders(session):
    holder = make_linked_policyholder(session, preferred_language=Language.zh)
    claim = claim_missing_two(session, holder=holder)
    chats.set_chat_language(session, chat_id=holder.telegram_user_id, language=Language.en, now=REPORTED)
    message = send(session, queue_one(session, FIRST))
    assert f"Your claim {claim.claim_number}" in message.text and "• ID card" in message.text


def test_one_missing_item_is_said_in_the_singular(session):
    claim = claim_missing_two(session)
    make_document(session, claim=claim, item="id_card")
    message = send(session, queue_one(session, FIRST))
    assert "we still need 1 item from you" in message.text
    assert "• Bank card for the payout" in message.text and "ID card" not in message.text


def test_every_missing_item_of_a_new_claim_is_listed(session):
    _, _, vehicle = customer(session)
    make_claim(session, vehicle=vehicle, reported_at=REPORTED, now=REPORTED)
    message = send(session, queue_one(session, FIRST))
    assert "we still need 10 items" in message.text
    for label in ("Photo of the front-left corner", "Photo of the front-right corner",
                  "Photo of the rear-left corner", "Photo of the rear-right corner", "Close-up photo of the damage",
                  "Photo of the VIN or the number plate", "Driving licence", "Vehicle registration certificate",
                  "ID card", "Bank card for the payout"):
        assert f"• {label}" in message.text


def test_no_documents_reminder_once_the_checklist_became_complete(session):
    claim = claim_missing_two(session)
    delivery = queue_one(session, FIRST)
    make_document(session, claim=claim, item="id_card")
    make_document(session, claim=claim, item="bank_card")
    assert send(session, delivery) == NotSent("checklist complete")


def test_no_documents_reminder_for_a_claim_closed_since(session):
    claim = claim_missing_two(session)
    delivery = queue_one(session, FIRST)
    move_claim_to_stage(session, claim=claim, to_stage=ClaimStage.withdrawn, actor="policyholder", now=FIRST)
    assert send(session, delivery) == NotSent("claim closed")


def test_no_documents_reminder_after_the_customer_muted_updates(session):
    claim = claim_missing_two(session)
    delivery = queue_one(session, FIRST)
    chats.set_updates_muted(session, chat_id=claim.policy.policyholder.telegram_user_id, muted=True, now=FIRST)
    assert send(session, delivery) == NotSent("updates muted")


# ---------------------------------------------------------------------------------------- renewal

def test_the_renewal_reminder_in_english_and_chinese(session):
    holder, policy, _ = customer(session, ends_on=date(2026, 12, 31))
    delivery = queue_one(session, shanghai(12, 1, 10, 30))
    message = send(session, delivery, shanghai(12, 1, 10, 31))
    assert f"Your policy {policy.policy_number} ends on 31 Dec 2026 (in 30 days)." in message.text
    (button,) = message.buttons
    assert (button.title, button.intent, button.url) == ("💬 Talk to us", "request_human", None)
    chats.set_chat_language(session, chat_id=holder.telegram_user_id, language="zh")
    message = send(session, delivery, shanghai(12, 1, 10, 31))
    assert f"您的保单 {policy.policy_number} 将于 2026年12月31日 到期（还有 30 天）" in message.text
    (button,) = message.buttons
    assert (button.title, button.intent) == ("💬 联系客服", "request_human")


def test_the_last_renewal_reminder_says_tomorrow_or_today_when_late(session):
    holder, policy, _ = customer(session, ends_on=date(2026, 12, 31))
    delivery = queue_one(session, shanghai(12, 30, 10, 30))
    assert "(tomorrow)" in send(session, delivery, shanghai(12, 30, 10, 31)).text
    assert "(today)" in send(session, delivery, shanghai(12, 31, 10, 0)).text
    chats.set_chat_language(session, chat_id=holder.telegram_user_id, language="zh")
    assert "（明天）" in send(session, delivery, shanghai(12, 30, 10, 31)).text
    assert send(session, delivery, shanghai(1, 1, 10, 0, year=2027)) == NotSent("policy ended")


def test_no_renewal_reminder_once_the_policy_was_renewed_or_cancelled(session):
    _, policy, _ = customer(session, ends_on=date(2026, 12, 31))
    delivery = queue_one(session, shanghai(12, 1, 10, 30))
    policy.ends_on = date(2027, 12, 31)  # renewed: a new end date
    session.commit()
    assert send(session, delivery, shanghai(12, 1, 11, 0)) == NotSent("policy renewed or ended")
    policy.ends_on, policy.status = date(2026, 12, 31), PolicyStatus.cancelled
    session.commit()
    assert send(session, delivery, shanghai(12, 1, 11, 0)) == NotSent("policy renewed or ended")


# ------------------------------------------------------------------------ inspection and service

def test_the_inspection_reminder_in_english_and_chinese(session):
    holder, _, _ = customer(session, plate_number="沪A6K215", make="Tesla", model="Model 3",
                            inspection_due_on=date(2026, 12, 31))
    delivery = queue_one(session, shanghai(12, 1, 10, 30))
    message = send(session, delivery, shanghai(12, 1, 10, 31))
    assert ("The annual inspection of your 沪A6K215 · Tesla Model 3 is due on 31 Dec 2026 (in 30 days)."
            in message.text)
    assert message.buttons == ()
    chats.set_chat_language(session, chat_id=holder.telegram_user_id, language="zh")
    message = send(session, delivery, shanghai(12, 1, 10, 31))
    assert "您的爱车 沪A6K215 · Tesla Model 3 年检将于 2026年12月31日到期（还有 30 天）" in message.text


def test_the_service_reminder_in_english_and_chinese(session):
    holder, _, _ = customer(session, plate_number="沪B7Q301", make="BYD", model="Han",
                            maintenance_due_on=date(2026, 12, 8))
    delivery = queue_one(session, shanghai(12, 1, 10, 30))
    message = send(session, delivery, shanghai(12, 1, 10, 31))
    assert "Your 沪B7Q301 · BYD Han is due for its service on 8 Dec 2026 (in 7 days)." in message.text
    chats.set_chat_language(session, chat_id=holder.telegram_user_id, language="zh")
    message = send(session, delivery, shanghai(12, 1, 10, 31))
    assert "您的爱车 沪B7Q301 · BYD Han 将于 2026年12月8日到保养时间（还有 7 天）" in message.text


def test_no_vehicle_reminder_once_its_date_changed(session):
    _, _, vehicle = customer(session, inspection_due_on=date(2026, 12, 31))
    delivery = queue_one(session, shanghai(12, 1, 10, 30))
    vehicle.inspection_due_on = date(2027, 12, 31)
    session.commit()
    assert send(session, delivery, shanghai(12, 1, 11, 0)) == NotSent("date changed")


# --------------------------------------------------------------------------------------- birthday

def test_the_birthday_greeting_in_english_and_chinese(session):
    english = make_linked_policyholder(session, full_name="Li Wei", date_of_birth=date(1990, 12, 1))
    customer(session, holder=english)
    message = send(session, queue_one(session, shanghai(12, 1, 10, 30)), shanghai(12, 1, 10, 31))
    assert message.text.startswith("Happy birthday, Li Wei!")
    assert message.buttons == ()
    session.query(Delivery).delete()
    session.commit()
    chinese = make_linked_policyholder(session, full_name="王芳", date_of_birth=date(1988, 12, 2),
                                       preferred_language=Language.zh)
    customer(session, holder=chinese)
    message = send(session, queue_one(session, shanghai(12, 2, 10, 30)), shanghai(12, 2, 10, 31))
    assert message.text.startswith("王芳，生日快乐！")


def test_no_birthday_greeting_once_the_day_passed(session):
    customer(session, holder=make_linked_policyholder(session, date_of_birth=date(1990, 12, 1)))
    delivery = queue_one(session, shanghai(12, 1, 10, 30))
    assert isinstance(send(session, delivery, shanghai(12, 1, 20, 59)), OutboundMessage)
    assert send(session, delivery, shanghai(12, 2, 10, 0)) == NotSent("not the birthday any more")


# ------------------------------------------------------------------------- any kind: why not now

def test_a_reminder_switched_off_by_the_customer_after_it_was_queued_is_dropped(session):
    claim = claim_missing_two(session)
    delivery = queue_one(session, FIRST)
    chats.set_reminder(session, chat_id=claim.policy.policyholder.telegram_user_id, kind="documents",
                       enabled=False, now=FIRST)
    assert send(session, delivery) == NotSent("switched off")


def test_a_reminder_of_a_kind_the_operator_switched_off_is_dropped(session):
    customer(session, holder=make_linked_policyholder(session, date_of_birth=date(1990, 12, 1)))
    delivery = queue_one(session, shanghai(12, 1, 10, 30))
    no_birthdays = ReminderRules(timezone=SHANGHAI, quiet_hours=RULES.quiet_hours,
                                 enabled=frozenset({ReminderKind.documents, ReminderKind.renewal}))
    assert send(session, delivery, shanghai(12, 1, 10, 31), no_birthdays) == NotSent("switched off")


def test_a_reminder_to_a_chat_that_blocked_the_bot_is_dropped(session):
    claim = claim_missing_two(session)
    delivery = queue_one(session, FIRST)
    chats.mark_blocked(session, chat_id=claim.policy.policyholder.telegram_user_id, now=FIRST)
    assert send(session, delivery) == NotSent("blocked")


def test_an_unknown_reminder_is_dropped(session):
    delivery = make_delivery(session, kind=DeliveryKind.reminder, payload={"reminder": "holiday"})
    assert send(session, delivery) == NotSent("unknown reminder")


@pytest.mark.parametrize("now, until", [
    (shanghai(12, 3, 22, 30), shanghai(12, 4, 9, 0)),  # in the evening: the next morning
    (shanghai(12, 4, 2, 0), shanghai(12, 4, 9, 0)),  # after midnight: the same morning
    (datetime(2026, 12, 3, 14, 30, tzinfo=timezone.utc), shanghai(12, 4, 9, 0)),  # 22:30 in Shanghai, in UTC
])
def test_a_reminder_in_the_quiet_hours_waits_until_nine_business_time(session, now, until):
    claim_missing_two(session)
    delivery = queue_one(session, FIRST)
    held = send(session, delivery, now)
    assert isinstance(held, NotSent) and held.reason == "quiet hours"
    assert held.until == until
    assert held.until == datetime(2026, 12, 4, 1, 0, tzinfo=timezone.utc)


def test_a_renewal_reminder_held_at_night_waits_for_the_morning(session):
    customer(session, ends_on=date(2026, 12, 31))
    delivery = queue_one(session, shanghai(12, 1, 20, 30))
    # not at 09:00 when the quiet hours end: at the dated reminders' 10:00
    assert send(session, delivery, shanghai(12, 1, 21, 15)) == NotSent("before the send time or in the quiet hours",
                                                                       until=shanghai(12, 2, 10, 0))
