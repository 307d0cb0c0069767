"""Reminders as the customer reads them, in English or Chinese, worded when they are sent.

A reminder queued earlier is checked again first: the checklist completed, the policy renewed, the kind
switched off or the day passed means it is skipped; quiet hours mean it waits.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from claims import wording
from claims.checklist import missing_checklist_items
from claims.enums import Language, PolicyStatus, ReminderKind
from claims.models import ChatPreference, Claim, Delivery, Policy, Policyholder, Vehicle
from claims.outbound import Button, NotSent, OutboundMessage
from claims.reminders import rules as due
from claims.reminders.rules import ReminderRules
from claims.services.chats import chat_language, unreachable_reason
from claims.stages import ClaimStage, is_open

SEND_DOCUMENTS_INTENT = "upload_photos"  # the customer's own "I want to send photos"
TALK_TO_US_INTENT = "request_human"

_BUTTONS = {
    "send_documents": {Language.en: "📷 Send them now", Language.zh: "📷 现在发送"},
    "talk_to_us": {Language.en: "💬 Talk to us", Language.zh: "💬 联系客服"},
}


def _when(days: int, lang: Language) -> str:
    if lang is Language.zh:
        return "今天" if days == 0 else "明天" if days == 1 else f"还有 {days} 天"
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def documents_text(claim_number: str, missing: list, lang: Language) -> str:
    items = "\n".join(f"• {wording.checklist_label(item, lang)}" for item in missing)
    if lang is Language.zh:
        return (f"您的案件 {claim_number} 还差以下 {len(missing)} 项材料，补齐后我们才能继续处理：\n{items}\n"
                "准备好后直接在本对话中发送即可。")
    things = "item" if len(missing) == 1 else "items"
    return (f"Your claim {claim_number}: we still need {len(missing)} {things} from you before we can go on:\n"
            f"{items}\nSend them here in this chat whenever you're ready.")


def renewal_text(policy_number: str, ends_on: date, days: int, lang: Language, tz) -> str:
    on = wording.format_date(ends_on, lang, tz)
    if lang is Language.zh:
        return (f"您的保单 {policy_number} 将于 {on} 到期（{_when(days, lang)}）。请在到期前续保，以免脱保；"
                "如需帮助，可直接回复或联系客服。")
    return (f"Your policy {policy_number} ends on {on} ({_when(days, lang)}). Renew it before then to stay "
            "covered; reply here or talk to us if you need help.")


def vehicle_text(kind: ReminderKind, vehicle: Vehicle, on: date, days: int, lang: Language, tz) -> str:
    when, car = wording.format_date(on, lang, tz), wording.vehicle_label(vehicle)
    if kind is ReminderKind.inspection:
        if lang is Language.zh:
            return f"您的爱车 {car} 年检将于 {when}到期（{_when(days, lang)}），请及时预约年检，逾期未检可能影响理赔。"
        return (f"The annual inspection of your {car} is due on {when} ({_when(days, lang)}). Book it in time: "
                "an out-of-date inspection can affect a claim.")
    if lang is Language.zh:
        return f"您的爱车 {car} 将于 {when}到保养时间（{_when(days, lang)}），定期保养，出行更安心。"
    return f"Your {car} is due for its service on {when} ({_when(days, lang)}). A regular service keeps it safe on the road."


def birthday_text(name: str, lang: Language) -> str:
    if lang is Language.zh:
        return f"{name}，生日快乐！🎂 祝您新的一岁平安顺遂，出行一路平安。"
    return f"Happy birthday, {name}! 🎂 All of us wish you a wonderful year and safe journeys."


def reminder_message(session: Session, delivery: Delivery, *, now: datetime, rules: ReminderRules
                     ) -> OutboundMessage | NotSent:
    """The reminder to send now for a queued delivery, or why not."""
    payload = delivery.payload
    try:
        kind = ReminderKind(payload.get("reminder"))
    except ValueError:
        return NotSent("unknown reminder")
    if kind not in rules.enabled:
        return NotSent("switched off")
    if why := unreachable_reason(session, delivery.chat_id, kind):
        return NotSent(why)
    preference = session.get(ChatPreference, delivery.chat_id)
    if kind is ReminderKind.documents and not due.may_send(now, rules):
        return NotSent("quiet hours", until=rules.quiet_hours.next_allowed(now))
    if kind is not ReminderKind.documents and not due.daily_window_open(now, rules):
        # a dated reminder or a greeting waits for the day's send time (still the same day, checked again then)
        return NotSent("before the send time or in the quiet hours", until=due.next_daily_window(now, rules))
    tz = rules.timezone or "UTC"
    if kind is ReminderKind.documents:
        claim = session.get(Claim, payload.get("claim_id"))
        if claim is None or not is_open(claim.stage) or claim.stage is ClaimStage.paid:
            return NotSent("claim closed")
        if preference is not None and preference.updates_muted:
            return NotSent("updates muted")
        missing = missing_checklist_items(claim)
        if not missing:
            return NotSent("checklist complete")
        lang = chat_language(session, delivery.chat_id, claim.policy.policyholder)
        return OutboundMessage(documents_text(claim.claim_number, missing, lang),
                               (Button(_BUTTONS["send_documents"][lang], intent=SEND_DOCUMENTS_INTENT),))
    if kind is ReminderKind.renewal:
        policy = session.get(Policy, payload.get("policy_id"))
        if policy is None or policy.status is not PolicyStatus.active or policy.ends_on.isoformat() != payload.get("ends_on"):
            return NotSent("policy renewed or ended")
        days = (policy.ends_on - due.local_date(now, rules)).days
        if days < 0:
            return NotSent("policy ended")
        lang = chat_language(session, delivery.chat_id, policy.policyholder)
        return OutboundMessage(renewal_text(policy.policy_number, policy.ends_on, days, lang, tz),
                               (Button(_BUTTONS["talk_to_us"][lang], intent=TALK_TO_US_INTENT),))
    if kind in (ReminderKind.inspection, ReminderKind.maintenance):
        vehicle = session.get(Vehicle, payload.get("vehicle_id"))
        on = None if vehicle is None else (
            vehicle.inspection_due_on if kind is ReminderKind.inspection else vehicle.maintenance_due_on)
        if on is None or on.isoformat() != payload.get("due_on"):
            return NotSent("date changed")
        days = (on - due.local_date(now, rules)).days
        if days < 0:
            return NotSent("date passed")
        lang = chat_language(session, delivery.chat_id, vehicle.policy.policyholder)
        return OutboundMessage(vehicle_text(kind, vehicle, on, days, lang, tz))
    holder = session.get(Policyholder, payload.get("policyholder_id"))
    if holder is None or not due.is_birthday(holder.date_of_birth, due.local_date(now, rules)):
        return NotSent("not the birthday any more")
    lang = chat_language(session, delivery.chat_id, holder)
    return OutboundMessage(birthday_text(holder.full_name, lang))
