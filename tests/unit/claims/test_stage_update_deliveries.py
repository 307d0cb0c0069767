"""The outbox: stage changes become one delivery each, handed to one sender at a time, sent once."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, select, text

from claims.db import make_session_factory
from claims.enums import DeliveryKind, DeliveryStatus as D
from claims.models import Delivery
from claims.services.chats import set_updates_muted
from claims.services.claims import move_claim_to_stage
from claims.services.deliveries import (
    LEASE_EXPIRED_NOTE, UNKNOWN_NOTE, claim_due_deliveries, enqueue_stage_updates, mark_delivered, mark_dispatched,
    mark_failed, retry_delay,
    stage_update_key,
)
from claims.stages import ClaimStage as S
from tests.factories import (
    make_claim, make_delivery, make_linked_policyholder, make_policy, make_policyholder, make_vehicle,
)

USER = 777001


def claim_for(session, holder, **overrides):
    vehicle = make_vehicle(session, policy=make_policy(session, policyholder=holder))
    return make_claim(session, vehicle=vehicle, **overrides)


def deliveries(session):
    session.expire_all()
    return session.scalars(select(Delivery).order_by(Delivery.id)).all()


@pytest.fixture
def holder(session):
    return make_linked_policyholder(session, telegram_user_id=USER)


def test_each_stage_change_is_queued_once_for_the_linked_account(session, now, settings, holder):
    claim = claim_for(session, holder, now=now - timedelta(hours=2), reported_at=now - timedelta(hours=3))
    survey = move_claim_to_stage(session, claim=claim, to_stage=S.survey, actor="back_office",
                                 now=now - timedelta(minutes=2))
    assessment = move_claim_to_stage(session, claim=claim, to_stage=S.loss_assessment, actor="back_office",
                                     now=now - timedelta(minutes=1))
    assert enqueue_stage_updates(session, now=now, settings=settings) == 2
    first, second = deliveries(session)
    assert (first.kind, first.status, first.chat_id, first.attempts) == (DeliveryKind.stage_update, D.pending, USER, 0)
    assert first.dedupe_key == stage_update_key(USER, claim.id, survey.id) == f"stage_update:{USER}:claim-{claim.id}:event-{survey.id}"
    assert first.payload["claim_number"] == claim.claim_number
    assert (first.payload["to_stage"], first.payload["event_id"]) == ("survey", survey.id)
    assert (second.payload["from_stage"], second.payload["to_stage"]) == ("survey", "loss_assessment")
    assert second.dedupe_key == f"stage_update:{USER}:claim-{claim.id}:event-{assessment.id}"
    # Idempotent: nothing new the second time, the initial "reported" event never.
    assert enqueue_stage_updates(session, now=now, settings=settings) == 0
    assert len(deliveries(session)) == 2


def test_not_for_unlinked_policyholders_or_muted_chats(session, now, settings, holder):
    unlinked = make_policyholder(session)
    claim_for(session, unlinked, stage=S.survey, now=now)
    muted_claim = claim_for(session, holder, stage=S.survey, now=now)
    set_updates_muted(session, chat_id=USER, muted=True, now=now)
    assert enqueue_stage_updates(session, now=now, settings=settings) == 0
    # Unmuted while the change is still recent: it goes out after all.
    set_updates_muted(session, chat_id=USER, muted=False, now=now)
    assert enqueue_stage_updates(session, now=now, settings=settings) == 1
    assert deliveries(session)[0].payload["claim_number"] == muted_claim.claim_number


def test_old_changes_are_not_pushed_after_downtime(session, now, settings, holder):
    claim_for(session, holder, stage=S.survey, now=now - timedelta(hours=24, seconds=1))
    claim_for(session, holder, stage=S.survey, now=now - timedelta(hours=24))
    assert enqueue_stage_updates(session, now=now, settings=settings) == 1
    longer = settings.model_copy(update={"stage_update_max_age_hours": 48})
    assert enqueue_stage_updates(session, now=now, settings=longer) == 1


def test_a_concurrent_enqueuer_does_not_cause_duplicates_or_errors(session, engine, now, settings, holder):
    first = claim_for(session, holder, stage=S.survey, now=now)
    claim_for(session, holder, stage=S.survey, now=now)
    racing_key = stage_update_key(USER, first.id, first.stage_events[-1].id)

    raced = []

    def other_process_wins(flush_session, *_):
        if raced or not any(isinstance(row, Delivery) for row in flush_session.new):
            return
        raced.append(True)
        with engine.begin() as connection:  # commits before our insert reaches the database
            connection.execute(Delivery.__table__.insert().values(
                kind="stage_update", dedupe_key=racing_key, chat_id=USER, payload={}, status="pending",
                attempts=0, created_at=now))

    event.listen(session, "before_flush", other_process_wins)
    try:
        assert enqueue_stage_updates(session, now=now, settings=settings) == 1  # only the one it inserted
    finally:
        event.remove(session, "before_flush", other_process_wins)
    assert raced
    keys = [d.dedupe_key for d in deliveries(session)]
    assert len(keys) == len(set(keys)) == 2 and racing_key in keys


def test_claiming_leases_the_oldest_due_deliveries(session, now):
    old = make_delivery(session, created_at=now - timedelta(minutes=3))
    new = make_delivery(session, created_at=now - timedelta(minutes=1))
    make_delivery(session, created_at=now - timedelta(minutes=5), status=D.sent)
    make_delivery(session, created_at=now - timedelta(minutes=5), status=D.failed)
    make_delivery(session, created_at=now - timedelta(minutes=5), locked_until=now + timedelta(seconds=5))  # back-off
    claimed = claim_due_deliveries(session, now=now, limit=1, lease_seconds=60)
    assert [d.id for d in claimed] == [old.id]
    assert (claimed[0].status, claimed[0].attempts, claimed[0].locked_until) == (D.sending, 1,
                                                                                 now + timedelta(seconds=60))
    assert [d.id for d in claim_due_deliveries(session, now=now, limit=10)] == [new.id]
    assert claim_due_deliveries(session, now=now) == []  # all leased, sent, failed or waiting


def test_a_delivery_whose_sender_died_is_taken_over_after_the_lease(session, now):
    delivery = make_delivery(session, created_at=now, kind=DeliveryKind.stage_update)
    assert len(claim_due_deliveries(session, now=now, lease_seconds=60)) == 1
    mark_dispatched(session, delivery.id, now=now)
    # The bot dies mid-delivery: the request had gone out, nothing else is marked.
    assert claim_due_deliveries(session, now=now + timedelta(seconds=59)) == []
    [again] = claim_due_deliveries(session, now=now + timedelta(seconds=60))
    assert (again.id, again.attempts, again.last_error) == (delivery.id, 2, LEASE_EXPIRED_NOTE)
    assert again.dispatched_at is None  # the new attempt has not gone out yet
    mark_delivered(session, again.id, telegram_message_id=55, now=now + timedelta(seconds=61))
    assert claim_due_deliveries(session, now=now + timedelta(days=1)) == []


def test_a_leased_delivery_never_dispatched_is_taken_over_as_safe(session, now):
    delivery = make_delivery(session, created_at=now)  # a broadcast
    assert len(claim_due_deliveries(session, now=now, lease_seconds=60)) == 1
    [again] = claim_due_deliveries(session, now=now + timedelta(seconds=60))  # it died before sending it
    assert (again.id, again.attempts, again.last_error) == (delivery.id, 2, None)


def test_a_broadcast_in_flight_when_its_sender_died_is_not_sent_again(session, now):
    broadcast = make_delivery(session, created_at=now)
    update_ = make_delivery(session, created_at=now, kind=DeliveryKind.stage_update)
    for delivery in claim_due_deliveries(session, now=now, lease_seconds=60):
        mark_dispatched(session, delivery.id, now=now)
    [again] = claim_due_deliveries(session, now=now + timedelta(seconds=60))
    assert again.id == update_.id  # at least once for the update...
    session.expire_all()
    failed = session.get(Delivery, broadcast.id)
    assert (failed.status, failed.last_error) == (D.failed, UNKNOWN_NOTE)  # ...at most once for the broadcast


def test_an_answered_attempt_clears_the_dispatch_mark(session, now):
    delivery = make_delivery(session, created_at=now)
    claim_due_deliveries(session, now=now)
    mark_dispatched(session, delivery.id, now=now)
    failed = mark_failed(session, delivery.id, error="Timed out? no: 502 Bad Gateway", now=now)
    assert (failed.status, failed.dispatched_at) == (D.pending, None)


def test_sent_is_final_and_marking_twice_keeps_the_first(session, now):
    delivery = make_delivery(session, created_at=now)
    claim_due_deliveries(session, now=now)
    sent = mark_delivered(session, delivery.id, telegram_message_id=101, now=now + timedelta(seconds=1))
    assert (sent.status, sent.telegram_message_id, sent.sent_at, sent.locked_until) == (
        D.sent, 101, now + timedelta(seconds=1), None)
    again = mark_delivered(session, delivery.id, telegram_message_id=202, now=now + timedelta(seconds=2))
    assert (again.telegram_message_id, again.sent_at) == (101, now + timedelta(seconds=1))
    # A late failure report from a process that took it over does not undo it.
    assert mark_failed(session, delivery.id, error="timeout", now=now + timedelta(seconds=3)).status is D.sent
    assert claim_due_deliveries(session, now=now + timedelta(hours=1)) == []


def test_failures_back_off_then_give_up(session, now):
    delivery = make_delivery(session, created_at=now)
    at = now
    for attempt in range(1, 4):
        [claimed] = claim_due_deliveries(session, now=at)
        assert claimed.attempts == attempt
        failed = mark_failed(session, delivery.id, error="Timed out", now=at, max_attempts=3)
        if attempt < 3:
            assert (failed.status, failed.locked_until) == (D.pending, at + retry_delay(attempt))
            assert claim_due_deliveries(session, now=at + retry_delay(attempt) - timedelta(seconds=1)) == []
            at += retry_delay(attempt)
    assert (failed.status, failed.locked_until, failed.last_error) == (D.failed, None, "Timed out")
    assert claim_due_deliveries(session, now=at + timedelta(days=1)) == []


def test_retry_after_permanent_failures_and_masked_errors(session, now):
    flood = make_delivery(session, created_at=now)
    blocked = make_delivery(session, created_at=now + timedelta(seconds=1))
    claim_due_deliveries(session, now=now)
    waited = mark_failed(session, flood.id, error="Flood control exceeded", now=now,
                         retry_after=timedelta(seconds=37))
    assert (waited.status, waited.locked_until) == (D.pending, now + timedelta(seconds=37))
    gone = mark_failed(session, blocked.id, error="Forbidden: bot was blocked by +8613812345678", now=now,
                       permanent=True)
    assert gone.status is D.failed and "13812345678" not in gone.last_error and "5678" in gone.last_error
    claim_due_deliveries(session, now=now + timedelta(seconds=37))
    assert len(mark_failed(session, flood.id, error="x" * 5000, now=now).last_error) == 500  # truncated


def test_mark_failed_on_a_pending_delivery_changes_nothing(session, now):
    delivery = make_delivery(session, created_at=now)
    assert mark_failed(session, delivery.id, error="late report", now=now).attempts == 0
    assert deliveries(session)[0].status is D.pending and deliveries(session)[0].last_error is None
    with pytest.raises(LookupError):
        mark_failed(session, 999_999, error="x", now=now)
    with pytest.raises(LookupError):
        mark_delivered(session, 999_999, telegram_message_id=1, now=now)


def test_a_sender_that_keeps_dying_is_failed_after_the_last_attempt(session, now):
    delivery = make_delivery(session, created_at=now)
    at = now
    for _ in range(2):
        assert len(claim_due_deliveries(session, now=at, lease_seconds=10, max_attempts=2)) == 1
        at += timedelta(seconds=10)
    assert claim_due_deliveries(session, now=at, lease_seconds=10, max_attempts=2) == []
    stored = deliveries(session)[0]
    assert (stored.id, stored.status, stored.attempts) == (delivery.id, D.failed, 2)


def test_bad_arguments(session, now):
    make_delivery(session, created_at=now)
    assert claim_due_deliveries(session, now=now, limit=0) == []
    with pytest.raises(ValueError):
        claim_due_deliveries(session, now=now, lease_seconds=0)
    with pytest.raises(ValueError, match="naive"):
        claim_due_deliveries(session, now=now.replace(tzinfo=None))


def test_two_senders_at_once_never_get_the_same_delivery(session, engine, now):
    for n in range(60):
        make_delivery(session, created_at=now + timedelta(milliseconds=n))
    session.commit()
    factory = make_session_factory(engine)
    taken: dict[int, list[int]] = {0: [], 1: []}
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def sender(number: int) -> None:
        try:
            with factory() as own:
                start.wait()
                while batch := claim_due_deliveries(own, now=now + timedelta(seconds=1), limit=3):
                    taken[number].extend(d.id for d in batch)
        except BaseException as error:  # reported below, not swallowed by the thread
            errors.append(error)

    threads = [threading.Thread(target=sender, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert not set(taken[0]) & set(taken[1])
    assert len(taken[0]) + len(taken[1]) == 60
    assert all(d.attempts == 1 and d.status is D.sending for d in deliveries(session))


def test_rows_locked_by_another_sender_are_skipped_not_waited_for(session, engine, now, database_backend):
    if database_backend != "postgresql":
        pytest.skip("row locks (FOR UPDATE SKIP LOCKED) exist on PostgreSQL only")
    busy = make_delivery(session, created_at=now - timedelta(minutes=1))
    free = make_delivery(session, created_at=now)
    session.commit()
    with engine.connect() as other:
        with other.begin():
            other.execute(text("SELECT id FROM deliveries WHERE id = :id FOR UPDATE"), {"id": busy.id})
            other.execute(text("SET LOCAL statement_timeout = '5s'"))
            session.execute(text("SET LOCAL statement_timeout = '5s'"))  # fail rather than hang if it waited
            assert [d.id for d in claim_due_deliveries(session, now=now)] == [free.id]
    assert [d.id for d in claim_due_deliveries(session, now=now)] == [busy.id]


def test_only_changes_after_the_account_was_linked_are_pushed(session, now, settings):
    holder = make_linked_policyholder(session, telegram_user_id=USER + 1, linked_at=now - timedelta(minutes=30))
    claim = claim_for(session, holder, now=now - timedelta(hours=2), reported_at=now - timedelta(hours=3))
    move_claim_to_stage(session, claim=claim, to_stage=S.survey, actor="back_office", now=now - timedelta(hours=1))
    after = move_claim_to_stage(session, claim=claim, to_stage=S.loss_assessment, actor="back_office",
                                now=now - timedelta(minutes=5))
    assert enqueue_stage_updates(session, now=now, settings=settings) == 1
    assert [d.payload["event_id"] for d in deliveries(session)] == [after.id]
