"""Campaigns from creation to done: create (checked), start when due (its recipients queued in the delivery
outbox in one transaction), pause, resume, cancel, finish, and the progress an operator watches.

Stages: scheduled -> running <-> paused -> done; scheduled, running or paused -> cancelled; a scheduled one
whose start passed longer ago than the grace window (downtime) -> expired, never sent late without a person
deciding. A broadcast delivery goes out only while its campaign is running (claim_due_deliveries).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from claims.campaigns import BUTTON_INTENTS
from claims.campaigns.audience import AudienceFilter, audience_rows
from claims.clock import business_date, require_aware
from claims.enums import CampaignKind, CampaignStatus, DeliveryKind, DeliveryStatus, Language, ReminderKind
from claims.models import Campaign, Delivery, Policyholder
from claims.outbound import Button, NotSent, OutboundMessage
from claims.services.chats import chat_language, unreachable_reason
from claims.services.deliveries import delivery_key, insert_new_deliveries

TELEGRAM_TEXT_LIMIT = 4096
TELEGRAM_BUTTON_LIMIT = 64
_S = CampaignStatus
_MOVES = {
    "pause": ({_S.running}, _S.paused),
    "resume": ({_S.paused}, _S.running),
    "cancel": ({_S.scheduled, _S.running, _S.paused}, _S.cancelled),
}


class CampaignError(ValueError):
    """A campaign that cannot be created or moved like that; the message says why, for the operator."""


@dataclass(frozen=True)
class CampaignDraft:
    name: str
    text_en: str
    text_zh: str
    audience: AudienceFilter
    send_at: datetime
    kind: CampaignKind = CampaignKind.message
    button_en: str | None = None
    button_zh: str | None = None
    button_url: str | None = None
    button_intent: str | None = None
    created_by: str | None = None


def check_draft(draft: CampaignDraft) -> None:
    """Refuse what Telegram would refuse or a customer could not use, before anything is queued."""
    require_aware(draft.send_at)
    if not draft.name.strip():
        raise CampaignError("a campaign needs a name")
    for lang, text in (("English", draft.text_en), ("Chinese", draft.text_zh)):
        if not text or not text.strip():
            raise CampaignError(f"the {lang} text is empty: every customer gets the message in their language")
        if len(text) > TELEGRAM_TEXT_LIMIT:
            raise CampaignError(f"the {lang} text is {len(text)} characters; Telegram takes {TELEGRAM_TEXT_LIMIT}")
    has_button = draft.button_url or draft.button_intent
    if has_button and not (draft.button_en and draft.button_zh):
        raise CampaignError("a button needs its title in English and Chinese")
    if (draft.button_en or draft.button_zh) and not has_button:
        raise CampaignError("a button needs a link (--button-url) or something to start (--button-intent)")
    if draft.button_url and draft.button_intent:
        raise CampaignError("a button opens a link or starts something, not both")
    for title in (draft.button_en, draft.button_zh):
        if title and len(title.encode()) > TELEGRAM_BUTTON_LIMIT:
            raise CampaignError(f"the button title {title!r} is too long")
    if draft.button_url and not draft.button_url.startswith(("https://", "http://")):
        raise CampaignError("the button link must start with https://")
    if draft.button_intent and draft.button_intent not in BUTTON_INTENTS:
        raise CampaignError(f"a button can start {', '.join(BUTTON_INTENTS)}")


def create_campaign(session: Session, draft: CampaignDraft, *, now: datetime) -> Campaign:
    """Store a checked campaign, scheduled for its send time."""
    require_aware(now)
    check_draft(draft)
    campaign = Campaign(
        name=draft.name.strip(), kind=draft.kind, audience=draft.audience.as_json(), text_en=draft.text_en,
        text_zh=draft.text_zh, button_en=draft.button_en, button_zh=draft.button_zh, button_url=draft.button_url,
        button_intent=draft.button_intent, status=_S.scheduled, send_at=draft.send_at, created_at=now,
        created_by=draft.created_by)
    session.add(campaign)
    session.commit()
    return campaign


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id, populate_existing=True)
    if campaign is None:
        raise CampaignError(f"no campaign {campaign_id}")
    return campaign


def broadcast_key(chat_id: int, campaign_id: int) -> str:
    return delivery_key(DeliveryKind.broadcast, chat_id, f"campaign-{campaign_id}", "send")


def _queue_recipients(session: Session, campaign: Campaign, now: datetime, today: date) -> int:
    rows = audience_rows(session, AudienceFilter.from_json(campaign.audience), today=today)
    insert_new_deliveries(session, [
        {"kind": DeliveryKind.broadcast, "dedupe_key": broadcast_key(chat_id, campaign.id), "chat_id": chat_id,
         "campaign_id": campaign.id, "status": DeliveryStatus.pending, "attempts": 0, "created_at": now,
         "payload": {"campaign_id": campaign.id, "policyholder_id": holder}} for holder, chat_id, _ in rows])
    return len(rows)


def start_due_campaigns(session: Session, *, now: datetime, grace: timedelta, tz: tzinfo = timezone.utc) -> list[int]:
    """Start every scheduled campaign whose time has come: its recipients queued and the campaign running, in
    one transaction (a crash leaves it scheduled, and the next run starts it). Too late: expired."""
    require_aware(now)
    started = []
    for campaign in session.scalars(select(Campaign).where(Campaign.status == _S.scheduled, Campaign.send_at <= now)
                                    .order_by(Campaign.send_at, Campaign.id).with_for_update(skip_locked=True)).all():
        if now - campaign.send_at > grace:
            latest = (campaign.send_at + grace).astimezone(timezone.utc)
            campaign.status, campaign.note = _S.expired, f"not started by {latest:%Y-%m-%d %H:%M} UTC"
            continue
        campaign.audience_size = _queue_recipients(session, campaign, now, business_date(now, tz))
        campaign.status, campaign.started_at = _S.running, now
        started.append(campaign.id)
    session.commit()
    return started


def finish_campaigns(session: Session, *, now: datetime) -> list[int]:
    """Mark running campaigns with nothing left to send as done."""
    require_aware(now)
    open_deliveries = (select(Delivery.id).where(Delivery.campaign_id == Campaign.id,
                                                 Delivery.status.in_((DeliveryStatus.pending, DeliveryStatus.sending)))
                       .correlate(Campaign).exists())
    done = list(session.scalars(
        update(Campaign).where(Campaign.status == _S.running, ~open_deliveries)
        .values(status=_S.done, finished_at=now).returning(Campaign.id).execution_options(synchronize_session=False)))
    session.commit()
    return done


def move_campaign(session: Session, campaign_id: int, action: str, *, now: datetime) -> Campaign:
    """pause, resume or cancel; cancelling drops what was not sent yet (in flight finishes)."""
    require_aware(now)
    if action not in _MOVES:
        raise CampaignError(f"a campaign can be {', '.join(_MOVES)}d")
    allowed, target = _MOVES[action]
    campaign = get_campaign(session, campaign_id)
    if campaign.status not in allowed:
        session.rollback()
        raise CampaignError(f"campaign {campaign_id} is {campaign.status.value}: it cannot be {action}d")
    campaign.status = target
    if target is _S.cancelled:
        campaign.finished_at = now
        session.execute(update(Delivery).where(Delivery.campaign_id == campaign_id,
                                               Delivery.status == DeliveryStatus.pending)
                        .values(status=DeliveryStatus.skipped, last_error="campaign cancelled")
                        .execution_options(synchronize_session=False))
    session.commit()
    return campaign


@dataclass(frozen=True)
class CampaignProgress:
    campaign: Campaign
    sent: int
    failed: int
    skipped: int
    remaining: int
    rate_per_second: float  # over the last `window`
    eta: timedelta | None

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.skipped + self.remaining


def campaign_progress(session: Session, campaign_id: int, *, now: datetime,
                      window: timedelta = timedelta(seconds=30)) -> CampaignProgress:
    """Sent, failed, skipped and remaining; the recent rate and when it will be done at that rate."""
    require_aware(now)
    campaign = get_campaign(session, campaign_id)
    counts = dict(session.execute(select(Delivery.status, func.count()).where(Delivery.campaign_id == campaign_id)
                                  .group_by(Delivery.status)).all())
    since = max(now - window, campaign.started_at or now - window)
    recent = session.scalar(select(func.count()).where(Delivery.campaign_id == campaign_id,
                                                       Delivery.status == DeliveryStatus.sent, Delivery.sent_at > since))
    session.commit()
    seconds = (now - since).total_seconds()
    rate = recent / seconds if seconds > 0 else 0.0
    remaining = counts.get(DeliveryStatus.pending, 0) + counts.get(DeliveryStatus.sending, 0)
    eta = timedelta(seconds=remaining / rate) if rate > 0 and remaining else (timedelta(0) if not remaining else None)
    return CampaignProgress(campaign, counts.get(DeliveryStatus.sent, 0), counts.get(DeliveryStatus.failed, 0),
                            counts.get(DeliveryStatus.skipped, 0), remaining, rate, eta)


def campaign_message(session: Session, delivery: Delivery) -> OutboundMessage | NotSent:
    """The broadcast for one recipient in their language, or why not any more (blocked, switched off)."""
    campaign = session.get(Campaign, delivery.campaign_id)
    if campaign is None or campaign.status is not _S.running:
        return NotSent("campaign not running")
    if why := unreachable_reason(session, delivery.chat_id, ReminderKind.broadcasts):
        return NotSent(why)
    holder = session.get(Policyholder, delivery.payload.get("policyholder_id"))
    lang = chat_language(session, delivery.chat_id, holder)
    text = campaign.text_zh if lang is Language.zh else campaign.text_en
    buttons: tuple[Button, ...] = ()
    if campaign.button_url or campaign.button_intent:
        title = campaign.button_zh if lang is Language.zh else campaign.button_en
        buttons = (Button(title, intent=campaign.button_intent, url=campaign.button_url),)
    return OutboundMessage(text, buttons)
