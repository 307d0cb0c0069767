"""The outbox of every proactive message (stage updates, reminders, broadcasts, surveys), delivered once each.

Every delivery has one key, `<kind>:<recipient>:<object>:<occasion>` (`delivery_key`), unique in the table: a
message for an occasion is queued once however often or by however many processes its rule is evaluated.

How a stage change reaches the policyholder:

1. `enqueue_stage_updates` (run by the bot every few seconds, so that updates go out within a minute)
   turns each new ClaimStageEvent into one pending Delivery, keyed
   `stage_update:<chat>:claim-<claim id>:event-<event id>`. The unique
   `dedupe_key` makes enqueuing idempotent: two processes enqueuing the same event insert it once.
2. `claim_due_deliveries` moves due deliveries to `sending` under a lease (`locked_until`) in one atomic
   statement (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite runs one writing statement at a time), so a
   delivery is handed to one process only. A `sending` delivery whose lease expired belongs to a process
   that died mid-delivery: it is taken over and sent again.
3. The process sends it, then calls `mark_delivered` at once (status `sent`, the Telegram message id:
   the record of what was pushed), or `mark_failed` (back to `pending` with a back-off, `failed` after
   `max_attempts`). A `sent` delivery is never handed out again.

The one ambiguous window: the process dies (or loses the database) after Telegram accepted the message and
before `mark_delivered` committed. Telegram's sendMessage has no idempotency key, so nothing can tell
whether that message arrived. The sender records `dispatched_at` (`mark_dispatched`) just before the request
goes out, so only the messages in flight at that moment are in doubt, not the rest of a leased batch, which
another process sends safely. What happens to those in doubt depends on the kind:
- a stage update, reminder or survey is sent again once the lease expires (at least once, rather than risking
  a lost update): the customer may then see it twice, never not at all; the takeover is recorded in
  `last_error` ("lease expired...") with `attempts` > 1;
- a broadcast goes out at most once (`AT_MOST_ONCE`): one in doubt is marked `failed` with UNKNOWN_NOTE and
  counted in the campaign's progress, since tens of thousands of customers must never get a campaign twice.
The window is kept short (mark right after the send, in its own small transaction). Outside it every delivery
goes out exactly once.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, and_, case, cast, exists, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claims.clock import require_aware
from claims.enums import CampaignStatus, DeliveryKind, DeliveryStatus
from claims.models import Campaign, ChatPreference, Claim, ClaimStageEvent, Delivery, Policy, Policyholder, VerificationAttempt
from claims.privacy import mask_personal_data
from claims.settings import ClaimsSettings, get_settings

LEASE_EXPIRED_NOTE = "lease expired: the previous attempt may have been delivered"
UNKNOWN_NOTE = "unknown: the sender stopped while Telegram had it; not sent again (at most once)"
# Kinds never sent twice, even at the price of one in doubt not being sent again.
AT_MOST_ONCE = (DeliveryKind.broadcast,)
_MAX_ERROR_LENGTH = 500
_FIRST_RETRY_SECONDS = 10
_LONGEST_RETRY = timedelta(minutes=10)


def delivery_key(kind: DeliveryKind | str, chat_id: int, subject: str, occasion: str) -> str:
    """The outbox key: the kind, the recipient, the object it is about (`claim-12`, `policy-3`, `campaign-7`)
    and the occasion (`event-55`, `renewal-2027-01-15-7d`, `send`)."""
    for part in (subject, occasion):
        if not part or ":" in part:
            raise ValueError(f"a key part cannot be empty or contain ':' ({part!r})")
    return f"{DeliveryKind(kind).value}:{int(chat_id)}:{subject}:{occasion}"


def stage_update_key(chat_id: int, claim_id: int, event_id: int) -> str:
    """The dedupe key of the stage update for one ClaimStageEvent, to one chat."""
    return delivery_key(DeliveryKind.stage_update, chat_id, f"claim-{claim_id}", f"event-{event_id}")


_INSERT_CHUNK = 500  # rows per statement (SQLite allows some 32,000 parameters in one)


def insert_new_deliveries(session: Session, rows: list[dict]) -> int:
    """Queue deliveries, leaving out those whose key is queued already (INSERT ... ON CONFLICT (dedupe_key) DO
    NOTHING, on PostgreSQL and SQLite alike); the number inserted. The caller commits."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    inserted = 0
    for start in range(0, len(rows), _INSERT_CHUNK):
        statement = (insert(Delivery).values(rows[start:start + _INSERT_CHUNK])
                     .on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(Delivery.id))
        inserted += len(session.execute(statement).all())
    return inserted


def enqueue_stage_updates(session: Session, *, now: datetime, settings: ClaimsSettings | None = None) -> int:
    """Queue one stage update per new stage change; returns how many were queued.

    Pushed: every stage event but a claim's first (the `reported` one, which has no `from_stage`), of a
    policyholder with a linked Telegram account whose chat has not muted updates, at most
    `stage_update_max_age_hours` old (no flood of stale news after downtime). An event skipped because the
    account was not linked or the chat muted is queued if that changes while it is still recent enough.
    """
    require_aware(now)
    settings = settings or get_settings()
    since = now - timedelta(hours=settings.stage_update_max_age_hours)
    # stage_update_key in SQL, to look for the event's delivery in the same statement
    key = (literal(f"{DeliveryKind.stage_update.value}:", String) + cast(Policyholder.telegram_user_id, String)
           + literal(":claim-", String) + cast(ClaimStageEvent.claim_id, String)
           + literal(":event-", String) + cast(ClaimStageEvent.id, String))
    linked_at = (
        select(func.max(VerificationAttempt.attempted_at))
        .where(VerificationAttempt.chat_id == Policyholder.telegram_user_id, VerificationAttempt.succeeded.is_(True))
        .correlate(Policyholder)
        .scalar_subquery()
    )
    rows = session.execute(
        select(ClaimStageEvent, Claim.claim_number, Policyholder.telegram_user_id)
        .join(Claim, ClaimStageEvent.claim_id == Claim.id)
        .join(Policy, Claim.policy_id == Policy.id)
        .join(Policyholder, Policy.policyholder_id == Policyholder.id)
        .outerjoin(ChatPreference, ChatPreference.chat_id == Policyholder.telegram_user_id)
        .where(
            ClaimStageEvent.from_stage.is_not(None),
            ClaimStageEvent.occurred_at >= since,
            Policyholder.telegram_user_id.is_not(None),
            # only news since the account was linked: linking is not a reason to replay the past
            ClaimStageEvent.occurred_at > linked_at,
            or_(ChatPreference.chat_id.is_(None), ChatPreference.updates_muted.is_(False)),
            ~exists().where(Delivery.dedupe_key == key),
        )
        .order_by(ClaimStageEvent.occurred_at, ClaimStageEvent.id)
    ).all()
    if not rows:
        session.commit()  # ends the read transaction; nothing to write
        return 0

    def delivery(event: ClaimStageEvent, claim_number: str, chat_id: int) -> Delivery:
        return Delivery(
            kind=DeliveryKind.stage_update, dedupe_key=stage_update_key(chat_id, event.claim_id, event.id),
            chat_id=chat_id,
            payload={
                "claim_number": claim_number, "claim_id": event.claim_id, "event_id": event.id,
                "from_stage": event.from_stage.value if event.from_stage else None,
                "to_stage": event.to_stage.value, "occurred_at": event.occurred_at.isoformat(),
            },
            status=DeliveryStatus.pending, attempts=0, created_at=now,
        )

    wanted = [(event.id, claim_number, chat_id, event) for event, claim_number, chat_id in rows]
    session.add_all(delivery(event, number, chat_id) for _, number, chat_id, event in wanted)
    try:
        session.commit()
        return len(wanted)
    except IntegrityError:
        # Another process queued some of them since we looked: insert one by one, skipping those.
        session.rollback()
    queued = 0
    for event_id, claim_number, chat_id, _ in wanted:
        event = session.get(ClaimStageEvent, event_id)
        if event is None:
            continue
        session.add(delivery(event, claim_number, chat_id))
        try:
            session.commit()
            queued += 1
        except IntegrityError:
            session.rollback()
    return queued


def claim_due_deliveries(
    session: Session, *, now: datetime, limit: int = 20, lease_seconds: int = 60, max_attempts: int = 5,
    kinds: tuple[DeliveryKind, ...] | None = None,
) -> list[Delivery]:
    """Take up to `limit` due deliveries for this process, oldest first: pending ones (past any back-off)
    and `sending` ones whose lease expired. They become `sending` until now + `lease_seconds`, with
    attempts + 1. A `sending` one whose lease expired on its last allowed attempt is failed instead.
    Safe when several processes call it at once: each delivery goes to one of them. `kinds` limits it to the
    kinds one sender knows how to send (stage updates as text; surveys through the conversation)."""
    require_aware(now)
    if limit <= 0:
        return []
    if lease_seconds <= 0:
        raise ValueError("lease_seconds must be positive")
    of_kinds = (Delivery.kind.in_(kinds),) if kinds else ()
    # A broadcast goes out only while its campaign runs (paused, cancelled: held back).
    running = or_(Delivery.campaign_id.is_(None),
                  Delivery.campaign_id.in_(select(Campaign.id).where(Campaign.status == CampaignStatus.running)))
    # In flight when its sender died, of a kind sent at most once: not sent again.
    session.execute(
        update(Delivery)
        .where(Delivery.status == DeliveryStatus.sending, Delivery.locked_until <= now,
               Delivery.dispatched_at.is_not(None), Delivery.kind.in_(AT_MOST_ONCE), *of_kinds)
        .values(status=DeliveryStatus.failed, locked_until=None, last_error=UNKNOWN_NOTE)
        .execution_options(synchronize_session=False)
    )
    # Died on its last attempt (a message that crashes the sender must not loop forever).
    session.execute(
        update(Delivery)
        .where(Delivery.status == DeliveryStatus.sending, Delivery.locked_until <= now,
               Delivery.attempts >= max_attempts, *of_kinds)
        .values(status=DeliveryStatus.failed, locked_until=None, last_error=LEASE_EXPIRED_NOTE)
        .execution_options(synchronize_session=False)
    )
    due = and_(
        Delivery.status.in_((DeliveryStatus.pending, DeliveryStatus.sending)),
        or_(Delivery.locked_until.is_(None), Delivery.locked_until <= now),
        running,
        *of_kinds,
    )
    # Two statements rather than UPDATE ... WHERE id IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED):
    # PostgreSQL may re-run such a subquery and then update more than `limit` rows.
    picked = list(session.scalars(
        select(Delivery.id).where(due).order_by(Delivery.created_at, Delivery.id).limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL: locked until commit; SQLite renders no FOR UPDATE
    ))
    # Still due? (On SQLite another process may have taken some between the two statements.)
    claimed_ids = list(session.scalars(
        update(Delivery)
        .where(Delivery.id.in_(picked), due)
        .values(
            status=DeliveryStatus.sending,
            locked_until=now + timedelta(seconds=lease_seconds),
            attempts=Delivery.attempts + 1,
            dispatched_at=None,
            # taken over from a process that died: possibly delivered only if its request had gone out
            last_error=case((and_(Delivery.status == DeliveryStatus.sending, Delivery.dispatched_at.is_not(None)),
                             LEASE_EXPIRED_NOTE), else_=Delivery.last_error),
        )
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )) if picked else []
    session.commit()
    if not claimed_ids:
        return []
    return list(session.scalars(
        select(Delivery).where(Delivery.id.in_(claimed_ids)).order_by(Delivery.created_at, Delivery.id)
        .execution_options(populate_existing=True)
    ))


def _reload(session: Session, delivery_id: int) -> Delivery:
    delivery = session.get(Delivery, delivery_id, populate_existing=True)
    if delivery is None:
        raise LookupError(f"no delivery {delivery_id}")
    return delivery


def mark_dispatched(session: Session, delivery_id: int, *, now: datetime) -> None:
    """The request to Telegram is about to go out: from now on the delivery may have reached the customer."""
    require_aware(now)
    session.execute(update(Delivery).where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.sending)
                    .values(dispatched_at=now).execution_options(synchronize_session=False))
    session.commit()


def mark_delivered(
    session: Session, delivery_id: int, *, telegram_message_id: int | None, now: datetime, reload: bool = True
) -> Delivery | None:
    """Record that Telegram accepted the message: `sent`, for good. Marking a sent delivery again keeps
    the first record. `reload=False` (the campaign sender, tens a second) skips reading the row back."""
    require_aware(now)
    session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status != DeliveryStatus.sent)
        .values(status=DeliveryStatus.sent, sent_at=now, telegram_message_id=telegram_message_id,
                locked_until=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return _reload(session, delivery_id) if reload else None


def retry_delay(attempts: int) -> timedelta:
    """The back-off after the `attempts`-th failed attempt: 10 s, 20 s, 40 s... at most 10 minutes."""
    return min(timedelta(seconds=_FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0)), _LONGEST_RETRY)


def mark_failed(
    session: Session, delivery_id: int, *, error: str, now: datetime, max_attempts: int = 5,
    retry_after: timedelta | None = None, permanent: bool = False,
) -> Delivery:
    """Record a failed attempt: back to `pending` (retried after `retry_after`, e.g. Telegram's RetryAfter,
    else a growing back-off) until `max_attempts` attempts were made or the failure is `permanent` (the
    user blocked the bot), then `failed`. Only a delivery being sent changes: a sent one stays sent."""
    require_aware(now)
    delivery = _reload(session, delivery_id)
    if delivery.status is not DeliveryStatus.sending:
        session.commit()  # nothing to change; ends the read transaction
        return delivery
    attempts = delivery.attempts
    give_up = permanent or attempts >= max_attempts
    values: dict[str, object] = {
        "status": DeliveryStatus.failed if give_up else DeliveryStatus.pending,
        "locked_until": None if give_up else now + (retry_after if retry_after is not None else retry_delay(attempts)),
        "last_error": mask_personal_data(str(error))[:_MAX_ERROR_LENGTH],
        "dispatched_at": None,  # Telegram answered: this attempt did not deliver it
    }
    # Guarded on what we read: a concurrent mark_delivered (or a takeover) wins.
    session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.sending, Delivery.attempts == attempts)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return _reload(session, delivery_id)


def postpone(session: Session, delivery_id: int, *, until: datetime, note: str) -> None:
    """Give a leased delivery back without counting the attempt: it could not be sent yet for a reason of the
    customer's (a survey waits while they are in the middle of something), not because sending failed."""
    require_aware(until)
    session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.sending)
        .values(status=DeliveryStatus.pending, locked_until=until, attempts=Delivery.attempts - 1,
                last_error=note[:_MAX_ERROR_LENGTH], dispatched_at=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def mark_skipped(session: Session, delivery_id: int, *, reason: str, now: datetime) -> None:
    """A leased delivery that is not to be sent after all (no longer due, opted out, blocked): `skipped`, for
    good, without a message."""
    require_aware(now)
    session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.sending)
        .values(status=DeliveryStatus.skipped, locked_until=None, sent_at=None, last_error=reason[:_MAX_ERROR_LENGTH])
        .execution_options(synchronize_session=False)
    )
    session.commit()
