"""Queues the reminders that are due now in the delivery outbox, each once (its key names the occasion).

Run by the scheduler every few minutes (bot/scheduler.py); safe to run more often or twice at once: an
occasion's key is unique, so a second run queues nothing. Who gets nothing: chats not linked to a
policyholder, chats that blocked the bot, kinds the customer switched off with /reminders or the operator
switched off, and (for documents) chats that muted claim updates.
"""
from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import and_, exists, extract, func, or_, select
from sqlalchemy.orm import Session, selectinload

from claims.checklist import missing_checklist_items
from claims.clock import require_aware
from claims.enums import DeliveryKind, DeliveryStatus, PolicyStatus, ReminderKind
from claims.models import ChatPreference, Claim, Delivery, Policy, Policyholder, Vehicle
from claims.reminders import rules as due
from claims.reminders.rules import ReminderRules
from claims.services.chats import reachable
from claims.services.deliveries import delivery_key, insert_new_deliveries
from claims.stages import ClaimStage, is_open

# The stage events that ask the customer for documents: filing the claim, and the back office sending it to
# "waiting for your documents".
REQUEST_STAGES = (ClaimStage.reported, ClaimStage.awaiting_documents)


@dataclass(frozen=True)
class DueReminder:
    kind: ReminderKind
    chat_id: int
    subject: str  # claim-12, policy-3, vehicle-8, policyholder-5
    occasion: str  # documents-<request event>-<n>, renewal-<date>-<days>d, birthday-<year>
    payload: dict

    @property
    def key(self) -> str:
        return delivery_key(DeliveryKind.reminder, self.chat_id, self.subject, self.occasion)


def _document_reminders(session: Session, now: datetime, rules: ReminderRules) -> list[DueReminder]:
    open_stages = [stage for stage in ClaimStage if is_open(stage) and stage is not ClaimStage.paid]
    claims = session.scalars(
        select(Claim).join(Policy, Claim.policy_id == Policy.id).join(Policyholder)
        .where(Claim.stage.in_(open_stages), reachable(ReminderKind.documents),
               ~exists().where(ChatPreference.chat_id == Policyholder.telegram_user_id,
                               ChatPreference.updates_muted.is_(True)))
        .options(selectinload(Claim.documents), selectinload(Claim.stage_events),
                 selectinload(Claim.policy).selectinload(Policy.policyholder))
    ).all()
    if not claims:
        return []
    # How many reminders each request already had (every key of the form ...:claim-<id>:documents-<event>-<n>).
    sent: Counter = Counter()
    last_sent: dict[tuple[str, str], datetime] = {}
    for key, at in session.execute(select(Delivery.dedupe_key, func.coalesce(Delivery.sent_at, Delivery.created_at))
                                   .where(Delivery.kind == DeliveryKind.reminder,
                                          Delivery.dedupe_key.like("%:claim-%:documents-%"))):
        _, _, subject, occasion = key.split(":")
        request = (subject, occasion.rsplit("-", 1)[0])
        sent[request] += 1
        at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)  # SQLite gives coalesce() back naive
        last_sent[request] = max(last_sent.get(request, at), at)
    found = []
    for claim in claims:
        requests = [event for event in claim.stage_events if event.to_stage in REQUEST_STAGES]
        if not requests:
            continue
        request = max(requests, key=lambda event: (event.occurred_at, event.id))
        missing = missing_checklist_items(claim)
        subject, request_tag = f"claim-{claim.id}", f"documents-{request.id}"
        already = sent[(subject, request_tag)]
        if due.document_reminder_due(request.occurred_at, already, missing=len(missing), claim_open=True,
                                     now=now, rules=rules, last_sent_at=last_sent.get((subject, request_tag))):
            found.append(DueReminder(
                ReminderKind.documents, claim.policy.policyholder.telegram_user_id, subject,
                f"{request_tag}-{already + 1}",
                {"reminder": ReminderKind.documents.value, "claim_id": claim.id, "claim_number": claim.claim_number,
                 "request_event_id": request.id, "number": already + 1}))
    return found


def _dated_reminders(session: Session, now: datetime, rules: ReminderRules) -> list[DueReminder]:
    if not due.daily_window_open(now, rules):
        return []
    today = due.local_date(now, rules)
    found: list[DueReminder] = []
    if ReminderKind.renewal in rules.enabled and rules.renewal_days:
        rows = session.execute(
            select(Policy, Policyholder.telegram_user_id).join(Policyholder)
            .where(Policy.status == PolicyStatus.active, Policy.ends_on.in_(_dates_ahead(today, rules.renewal_days)),
                   reachable(ReminderKind.renewal))
        ).all()
        for policy, chat_id in rows:
            left = due.days_ahead(policy.ends_on, today, rules.renewal_days)
            if left is not None:
                found.append(DueReminder(
                    ReminderKind.renewal, chat_id, f"policy-{policy.id}", f"renewal-{policy.ends_on}-{left}d",
                    {"reminder": "renewal", "policy_id": policy.id, "ends_on": policy.ends_on.isoformat(),
                     "days": left}))
    for kind, column, days in ((ReminderKind.inspection, Vehicle.inspection_due_on, rules.inspection_days),
                               (ReminderKind.maintenance, Vehicle.maintenance_due_on, rules.maintenance_days)):
        if kind not in rules.enabled or not days:
            continue
        rows = session.execute(
            select(Vehicle, column, Policyholder.telegram_user_id).join(Policy, Vehicle.policy_id == Policy.id)
            .join(Policyholder).where(column.in_(_dates_ahead(today, days)), Policy.status == PolicyStatus.active,
                                      reachable(kind))
        ).all()
        for vehicle, on, chat_id in rows:
            left = due.days_ahead(on, today, days)
            if left is not None:
                found.append(DueReminder(
                    kind, chat_id, f"vehicle-{vehicle.id}", f"{kind.value}-{on}-{left}d",
                    {"reminder": kind.value, "vehicle_id": vehicle.id, "due_on": on.isoformat(), "days": left}))
    if ReminderKind.birthday in rules.enabled:
        rows = session.execute(
            select(Policyholder).where(reachable(ReminderKind.birthday), _born_on_the_day_of(today),
                                       # a customer of ours: at least one active policy
                                       exists().where(Policy.policyholder_id == Policyholder.id,
                                                      Policy.status == PolicyStatus.active))
        ).scalars().all()
        for holder in rows:
            if due.is_birthday(holder.date_of_birth, today):
                found.append(DueReminder(ReminderKind.birthday, holder.telegram_user_id,
                                         f"policyholder-{holder.id}", f"birthday-{today.year}",
                                         {"reminder": "birthday", "policyholder_id": holder.id}))
    return found


def _dates_ahead(today: date, days: tuple[int, ...]) -> list[date]:
    """The dates whose reminder is due today (so that the database, not Python, picks the few rows)."""
    return [today + timedelta(days=day) for day in days]


def _born_on_the_day_of(today: date):
    """Born on today's month and day; on 28 February of a year without 29 February, those born on the 29th too
    (the rule itself is rules.is_birthday, checked again on the rows)."""
    month, day = extract("month", Policyholder.date_of_birth), extract("day", Policyholder.date_of_birth)
    same_day = and_(month == today.month, day == today.day)
    if (today.month, today.day) == (2, 28) and not calendar.isleap(today.year):
        return or_(same_day, and_(month == 2, day == 29))
    return same_day


def due_reminders(session: Session, *, now: datetime, rules: ReminderRules) -> list[DueReminder]:
    """Every reminder due now, queued or not."""
    require_aware(now)
    return _document_reminders(session, now, rules) + _dated_reminders(session, now, rules)


def plan_reminders(session: Session, *, now: datetime, rules: ReminderRules) -> int:
    """Queue every due reminder not queued before; returns how many were queued."""
    found = due_reminders(session, now=now, rules=rules)
    if not found:
        session.commit()
        return 0
    queued = insert_new_deliveries(session, [
        {"kind": DeliveryKind.reminder, "dedupe_key": item.key, "chat_id": item.chat_id, "payload": item.payload,
         "status": DeliveryStatus.pending, "attempts": 0, "created_at": now} for item in found])
    session.commit()
    return queued



