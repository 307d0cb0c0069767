"""Planning reminders on the database: who gets which reminder when, under which key, and each only once."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from claims.enums import ChecklistItem, DeliveryKind, DeliveryStatus, Language, PolicyStatus, ReminderKind
from claims.models import ClaimStageEvent, Delivery
from claims.quiet_hours import QuietHours
from claims.reminders.planner import due_reminders, plan_reminders
from claims.reminders.rules import ReminderRules
from claims.services import chats
from claims.services.claims import move_claim_to_stage
from claims.stages import ClaimStage
from tests.factories import (
    make_claim, make_document, make_linked_policyholder, make_policy, make_policyholder, make_vehicle,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
RULES = ReminderRules(timezone=SHANGHAI, quiet_hours=QuietHours(time(21, 0), time(9, 0), SHANGHAI))
ONE_SECOND = timedelta(seconds=1)
FAR = date(2029, 6, 30)  # a policy end no reminder of these tests falls on

# Reported at 11:00 on 1 December, business time (03:00 UTC): reminders at 11:00 on the 3rd, 6th and 9th.
REPORTED = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
FIRST, SECOND, THIRD = (REPORTED + timedelta(days=2), REPORTED + timedelta(days=5), REPORTED + timedelta(days=8))
# What a regular claim (not fast-tracked, nobody else involved) needs.
REGULAR_CHECKLIST = ("front_left", "front_right", "rear_left", "rear_right", "damage_closeup", "vin_or_plate",
                     "driving_licence", "vehicle_licence", "id_card", "bank_card")


def shanghai(month: int, day: int, hour: int, minute: int = 0, second: int = 0, *, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def customer(session, *, holder=None, ends_on=FAR, status=PolicyStatus.active, **vehicle):
    """A linked policyholder with one policy and one vehicle."""
    holder = holder or make_linked_policyholder(session)
    policy = make_policy(session, policyholder=holder, ends_on=ends_on, status=status)
    return holder, policy, make_vehicle(session, policy=policy, **vehicle)


def open_claim(session, *, holder=None, reported_at=REPORTED, **claim):
    _, _, vehicle = customer(session, holder=holder)
    return make_claim(session, vehicle=vehicle, reported_at=reported_at, now=reported_at, **claim)


def reported_event(claim) -> ClaimStageEvent:
    (event,) = [event for event in claim.stage_events if event.to_stage is ClaimStage.reported]
    return event


def queued(session) -> list[str]:
    """Every reminder key in the outbox."""
    session.expire_all()
    return sorted(session.scalars(select(Delivery.dedupe_key).where(Delivery.kind == DeliveryKind.reminder)))


def plan(session, now: datetime, rules: ReminderRules = RULES) -> list[str]:
    """Run the planner; the keys it added to the outbox (read from the table, not from its return value)."""
    before = set(queued(session))
    plan_reminders(session, now=now, rules=rules)
    return sorted(set(queued(session)) - before)


def documents_key(claim, event, n: int) -> str:
    return f"reminder:{claim.policy.policyholder.telegram_user_id}:claim-{claim.id}:documents-{event.id}-{n}"


def add_documents(session, claim, items):
    for item in items:
        make_document(session, claim=claim, item=item)


# ------------------------------------------------------------------------------ missing documents

def test_a_documents_reminder_is_queued_two_days_after_the_claim_was_reported(session):
    claim = open_claim(session)
    event = reported_event(claim)
    assert plan(session, FIRST - ONE_SECOND) == []
    expected = f"reminder:{claim.policy.policyholder.telegram_user_id}:claim-{claim.id}:documents-{event.id}-1"
    assert plan(session, FIRST) == [expected]
    delivery = session.scalar(select(Delivery))
    assert (delivery.kind, delivery.status, delivery.chat_id, delivery.attempts, delivery.created_at) == (
        DeliveryKind.reminder, DeliveryStatus.pending, claim.policy.policyholder.telegram_user_id, 0, FIRST)
    assert delivery.payload == {"reminder": "documents", "claim_id": claim.id, "claim_number": claim.claim_number,
                                "request_event_id": event.id, "number": 1}


def test_due_reminders_lists_the_reminder_without_queuing_it(session):
    claim = open_claim(session)
    (found,) = due_reminders(session, now=FIRST, rules=RULES)
    assert (found.kind, found.chat_id, found.subject) == (
        ReminderKind.documents, claim.policy.policyholder.telegram_user_id, f"claim-{claim.id}")
    assert found.key == documents_key(claim, reported_event(claim), 1)
    assert queued(session) == []


def test_planning_again_queues_nothing_more(session):
    claim = open_claim(session)
    assert plan(session, FIRST) == [documents_key(claim, reported_event(claim), 1)]
    assert plan(session, FIRST) == []
    assert plan(session, FIRST + timedelta(hours=2)) == []
    assert queued(session) == [documents_key(claim, reported_event(claim), 1)]


def test_plan_reminders_returns_how_many_it_queued(session):
    open_claim(session)
    open_claim(session)
    assert plan_reminders(session, now=FIRST - ONE_SECOND, rules=RULES) == 0  # nothing due
    assert plan_reminders(session, now=FIRST, rules=RULES) == 2
    assert plan_reminders(session, now=FIRST, rules=RULES) == 0  # due, but queued already


def test_documents_reminders_come_every_three_days_at_most_three_times(session):
    claim = open_claim(session)
    event = reported_event(claim)
    assert plan(session, FIRST) == [documents_key(claim, event, 1)]
    assert plan(session, SECOND - ONE_SECOND) == []
    assert plan(session, SECOND) == [documents_key(claim, event, 2)]
    assert plan(session, THIRD - ONE_SECOND) == []
    assert plan(session, THIRD) == [documents_key(claim, event, 3)]
    assert plan(session, THIRD + timedelta(days=3)) == []
    assert plan(session, THIRD + timedelta(days=30)) == []
    assert queued(session) == [documents_key(claim, event, n) for n in (1, 2, 3)]


def test_a_request_made_weeks_ago_is_not_reminded_in_a_burst(session):
    claim = open_claim(session)  # reported on 1 December; the reminders start on the 20th
    event = reported_event(claim)
    late = REPORTED + timedelta(days=19)
    assert plan(session, late) == [documents_key(claim, event, 1)]
    assert plan(session, late + timedelta(minutes=5)) == []  # the next sweep: not the second one at once
    assert plan(session, late + timedelta(days=3) - ONE_SECOND) == []
    assert plan(session, late + timedelta(days=3)) == [documents_key(claim, event, 2)]


def test_a_reminder_skipped_at_sending_still_counts(session):
    claim = open_claim(session)
    plan(session, FIRST)
    session.scalar(select(Delivery)).status = DeliveryStatus.skipped
    session.commit()
    assert plan(session, FIRST + timedelta(days=1)) == []
    assert plan(session, SECOND) == [documents_key(claim, reported_event(claim), 2)]


def test_a_later_move_to_awaiting_documents_restarts_the_count_from_that_event(session):
    claim = open_claim(session)
    first_request = reported_event(claim)
    assert plan(session, FIRST) == [documents_key(claim, first_request, 1)]
    moved_at = FIRST + timedelta(hours=4)  # 15:00 in Shanghai on the 3rd
    move_claim_to_stage(session, claim=claim, to_stage=ClaimStage.survey, actor="back_office",
                        now=moved_at - timedelta(hours=1))
    request = move_claim_to_stage(session, claim=claim, to_stage=ClaimStage.awaiting_documents,
                                  actor="back_office", now=moved_at)
    assert plan(session, moved_at + timedelta(days=2) - ONE_SECOND) == []
    assert plan(session, moved_at + timedelta(days=2)) == [documents_key(claim, request, 1)]
    assert plan(session, SECOND) == []  # the first request's series is over
    assert plan(session, moved_at + timedelta(days=5) - ONE_SECOND) == []
    assert plan(session, moved_at + timedelta(days=5)) == [documents_key(claim, request, 2)]


def test_a_claim_filed_straight_to_awaiting_documents_counts_from_that_event(session):
    _, _, vehicle = customer(session)
    claim = make_claim(session, vehicle=vehicle, stage=ClaimStage.awaiting_documents,
                       reported_at=REPORTED - timedelta(days=1), now=REPORTED)
    (request,) = [e for e in claim.stage_events if e.to_stage is ClaimStage.awaiting_documents]
    assert plan(session, FIRST - ONE_SECOND) == []
    assert plan(session, FIRST) == [documents_key(claim, request, 1)]


def test_a_complete_checklist_gets_no_reminder(session):
    complete = open_claim(session)
    add_documents(session, complete, REGULAR_CHECKLIST)
    one_short = open_claim(session)  # positive control: the bank card is still missing
    add_documents(session, one_short, REGULAR_CHECKLIST[:-1])
    assert plan(session, FIRST) == [documents_key(one_short, reported_event(one_short), 1)]


def test_a_checklist_completed_after_the_first_reminder_gets_no_more(session):
    claim = open_claim(session)
    assert len(plan(session, FIRST)) == 1
    add_documents(session, claim, REGULAR_CHECKLIST)
    assert plan(session, SECOND) == [] and plan(session, THIRD) == []


def test_a_fast_track_claim_needs_fewer_documents(session):
    claim = open_claim(session, fast_track=True)
    add_documents(session, claim, ("front_left", "front_right", "rear_left", "rear_right", "damage_closeup",
                                   "vin_or_plate", "driving_licence", "bank_card"))
    assert plan(session, FIRST) == []


def test_a_third_party_claim_also_needs_the_police_report(session):
    claim = open_claim(session, third_party="other_vehicle")
    add_documents(session, claim, REGULAR_CHECKLIST)
    assert plan(session, FIRST) == [documents_key(claim, reported_event(claim), 1)]
    make_document(session, claim=claim, item=ChecklistItem.police_report)
    assert plan(session, SECOND) == []


@pytest.mark.parametrize("stage", [ClaimStage.paid, ClaimStage.closed, ClaimStage.rejected, ClaimStage.withdrawn])
def test_a_paid_or_closed_claim_gets_no_reminder(session, stage):
    open_claim(session, stage=stage)
    assert plan(session, FIRST) == []


def test_a_policyholder_without_telegram_gets_no_reminder(session):
    open_claim(session, holder=make_policyholder(session))
    assert due_reminders(session, now=FIRST, rules=RULES) == []
    assert plan(session, FIRST) == []


def test_a_chat_that_blocked_the_bot_gets_no_reminder(session):
    blocked = open_claim(session)
    chats.mark_blocked(session, chat_id=blocked.policy.policyholder.telegram_user_id, now=REPORTED)
    other = open_claim(session)
    assert plan(session, FIRST) == [documents_key(other, reported_event(other), 1)]


def test_a_customer_who_switched_documents_reminders_off_gets_none_while_another_gets_theirs(session):
    off = open_claim(session)
    choices = chats.set_reminder(session, chat_id=off.policy.policyholder.telegram_user_id,
                                 kind=ReminderKind.documents, enabled=False, now=REPORTED)
    assert choices[ReminderKind.documents] is False and choices[ReminderKind.renewal] is True
    on = open_claim(session)
    assert plan(session, FIRST) == [documents_key(on, reported_event(on), 1)]


def test_switching_documents_reminders_back_on_resumes_them(session):
    claim = open_claim(session)
    chat = claim.policy.policyholder.telegram_user_id
    chats.set_reminder(session, chat_id=chat, kind="documents", enabled=False, now=REPORTED)
    assert plan(session, FIRST) == []
    assert chats.reminder_choices(session, chat_id=chat)[ReminderKind.documents] is False
    chats.set_reminder(session, chat_id=chat, kind="documents", enabled=True, now=FIRST)
    assert plan(session, FIRST + timedelta(hours=1)) == [documents_key(claim, reported_event(claim), 1)]


def test_switching_another_kind_off_does_not_stop_documents_reminders(session):
    claim = open_claim(session)
    chats.set_reminder(session, chat_id=claim.policy.policyholder.telegram_user_id, kind=ReminderKind.birthday,
                       enabled=False, now=REPORTED)
    assert plan(session, FIRST) == [documents_key(claim, reported_event(claim), 1)]


def test_muted_claim_updates_get_no_documents_reminder(session):
    muted = open_claim(session)
    chats.set_updates_muted(session, chat_id=muted.policy.policyholder.telegram_user_id, muted=True, now=REPORTED)
    other = open_claim(session)
    assert plan(session, FIRST) == [documents_key(other, reported_event(other), 1)]


def test_the_operators_switch_without_documents_queues_none(session):
    claim = open_claim(session)
    others = ReminderRules(timezone=SHANGHAI, quiet_hours=RULES.quiet_hours,
                           enabled=frozenset({ReminderKind.renewal, ReminderKind.birthday}))
    assert plan(session, FIRST, others) == []
    assert plan(session, FIRST) == [documents_key(claim, reported_event(claim), 1)]  # with documents allowed


def test_a_documents_reminder_due_at_night_is_queued_in_the_morning(session):
    claim = open_claim(session, reported_at=shanghai(12, 1, 22))
    assert plan(session, shanghai(12, 3, 22)) == []
    assert plan(session, shanghai(12, 4, 8, 59, 59)) == []
    assert plan(session, shanghai(12, 4, 9)) == [documents_key(claim, reported_event(claim), 1)]


def test_each_open_claim_gets_its_own_reminder(session):
    holder = make_linked_policyholder(session)
    first, second = open_claim(session, holder=holder), open_claim(session, holder=holder)
    assert plan(session, FIRST) == sorted([documents_key(first, reported_event(first), 1),
                                           documents_key(second, reported_event(second), 1)])


# ---------------------------------------------------------------------------------------- renewal

def renewal_key(holder, policy, days: int) -> str:
    return f"reminder:{holder.telegram_user_id}:policy-{policy.id}:renewal-2026-12-31-{days}d"


@pytest.mark.parametrize("day, days", [((12, 1), 30), ((12, 24), 7), ((12, 30), 1)])
def test_a_renewal_reminder_on_30_7_and_1_days_before_the_policy_ends(session, day, days):
    holder, policy, _ = customer(session, ends_on=date(2026, 12, 31))
    assert plan(session, shanghai(*day, 10, 30)) == [renewal_key(holder, policy, days)]
    delivery = session.scalar(select(Delivery))
    assert delivery.payload == {"reminder": "renewal", "policy_id": policy.id, "ends_on": "2026-12-31",
                                "days": days}
    assert plan(session, shanghai(*day, 16, 0)) == []  # once that day


@pytest.mark.parametrize("day", [(12, 2), (11, 30), (12, 23), (12, 25), (12, 29), (12, 31)])
def test_no_renewal_reminder_on_the_other_days(session, day):
    customer(session, ends_on=date(2026, 12, 31))
    assert plan(session, shanghai(*day, 10, 30)) == []


def test_the_renewal_day_is_the_business_date_not_the_utc_date(session):
    holder, policy, _ = customer(session, ends_on=date(2026, 12, 31))
    # With the window open from 07:00 and no quiet hours, 07:30 on 1 December in Shanghai is still
    # 30 November in UTC (31 days before): the business date decides. (With the default 21:00-09:00 quiet
    # hours and 10:00 send time, the hours when Shanghai is a day ahead of UTC are never open.)
    early = ReminderRules(timezone=SHANGHAI, quiet_hours=QuietHours(time(0, 0), time(0, 0), SHANGHAI),
                          send_time=time(7, 0))
    now = datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc)
    assert now.date() == date(2026, 11, 30)
    assert plan(session, now, early) == [renewal_key(holder, policy, 30)]
    # ...and 16:30 UTC on 30 December is already the 31st in Shanghai: no "1 day before" then
    assert plan(session, datetime(2026, 12, 30, 16, 30, tzinfo=timezone.utc), early) == []


def test_the_renewal_day_is_the_same_for_an_instant_given_in_new_york(session):
    holder, policy, _ = customer(session, ends_on=date(2026, 12, 31))
    now = datetime(2026, 11, 30, 21, 30, tzinfo=ZoneInfo("America/New_York"))  # 10:30 on 1 December in Shanghai
    assert plan(session, now) == [renewal_key(holder, policy, 30)]


def test_no_renewal_reminder_before_ten_business_time(session):
    holder, policy, _ = customer(session, ends_on=date(2026, 12, 31))
    assert plan(session, shanghai(12, 1, 9, 59, 59)) == []
    assert plan(session, datetime(2026, 12, 1, 1, 59, 59, tzinfo=timezone.utc)) == []  # the same, in UTC
    assert plan(session, shanghai(12, 1, 10, 0)) == [renewal_key(holder, policy, 30)]


def test_no_renewal_reminder_in_the_quiet_hours(session):
    holder, policy, _ = customer(session, ends_on=date(2026, 12, 31))
    assert plan(session, shanghai(12, 1, 21, 0)) == []
    assert plan(session, shanghai(12, 1, 23, 45)) == []
    assert plan(session, shanghai(12, 1, 20, 59)) == [renewal_key(holder, policy, 30)]


@pytest.mark.parametrize("status", [PolicyStatus.cancelled, PolicyStatus.expired])
def test_a_cancelled_or_expired_policy_gets_no_renewal_reminder(session, status):
    customer(session, ends_on=date(2026, 12, 31), status=status)
    assert plan(session, shanghai(12, 1, 10, 30)) == []


def test_renewal_reminders_switched_off_by_the_customer(session):
    off, _, _ = customer(session, ends_on=date(2026, 12, 31))
    chats.set_reminder(session, chat_id=off.telegram_user_id, kind="renewal", enabled=False,
                       now=shanghai(11, 1, 12))
    holder, policy, _ = customer(session, ends_on=date(2026, 12, 31))
    assert plan(session, shanghai(12, 1, 10, 30)) == [renewal_key(holder, policy, 30)]


def test_renewal_reminders_switched_off_by_the_operator(session):
    customer(session, ends_on=date(2026, 12, 31))
    documents_only = ReminderRules(timezone=SHANGHAI, quiet_hours=RULES.quiet_hours,
                                   enabled=frozenset({ReminderKind.documents}))
    assert plan(session, shanghai(12, 1, 10, 30), documents_only) == []
    no_days = ReminderRules(timezone=SHANGHAI, quiet_hours=RULES.quiet_hours, renewal_days=())
    assert plan(session, shanghai(12, 1, 10, 30), no_days) == []


def test_no_renewal_reminder_for_an_unlinked_or_blocked_customer(session):
    customer(session, holder=make_policyholder(session), ends_on=date(2026, 12, 31))
    blocked, _, _ = customer(session, ends_on=date(2026, 12, 31))
    chats.mark_blocked(session, chat_id=blocked.telegram_user_id, now=shanghai(11, 1, 12))
    assert plan(session, shanghai(12, 1, 10, 30)) == []


# ------------------------------------------------------------------------ inspection and service

def test_inspection_and_service_reminders_from_the_vehicles_dates(session):
    holder, _, vehicle = customer(session, inspection_due_on=date(2026, 12, 31),
                                  maintenance_due_on=date(2026, 12, 8))
    chat = holder.telegram_user_id
    assert plan(session, shanghai(12, 1, 10, 30)) == [
        f"reminder:{chat}:vehicle-{vehicle.id}:inspection-2026-12-31-30d",
        f"reminder:{chat}:vehicle-{vehicle.id}:maintenance-2026-12-08-7d"]
    payloads = sorted((d.payload for d in session.scalars(select(Delivery))), key=lambda p: p["reminder"])
    assert payloads == [
        {"reminder": "inspection", "vehicle_id": vehicle.id, "due_on": "2026-12-31", "days": 30},
        {"reminder": "maintenance", "vehicle_id": vehicle.id, "due_on": "2026-12-08", "days": 7},
    ]


@pytest.mark.parametrize("today, expected", [
    ((12, 1), ["inspection-2026-12-31-30d"]), ((12, 24), ["inspection-2026-12-31-7d", "maintenance-2026-12-31-7d"]),
    ((12, 30), ["inspection-2026-12-31-1d", "maintenance-2026-12-31-1d"]), ((12, 2), []), ((12, 29), []),
    ((12, 31), []),
])
def test_inspection_on_30_7_1_days_and_service_on_7_1_days_before(session, today, expected):
    holder, _, vehicle = customer(session, inspection_due_on=date(2026, 12, 31),
                                  maintenance_due_on=date(2026, 12, 31))
    assert plan(session, shanghai(*today, 11, 0)) == [
        f"reminder:{holder.telegram_user_id}:vehicle-{vehicle.id}:{occasion}" for occasion in expected]


def test_no_vehicle_reminder_without_dates_on_an_inactive_policy_or_switched_off(session):
    customer(session)  # no dates
    customer(session, status=PolicyStatus.cancelled, inspection_due_on=date(2026, 12, 31))
    off, _, _ = customer(session, inspection_due_on=date(2026, 12, 31), maintenance_due_on=date(2026, 12, 8))
    chats.set_reminder(session, chat_id=off.telegram_user_id, kind="inspection", enabled=False)
    chats.set_reminder(session, chat_id=off.telegram_user_id, kind="maintenance", enabled=False)
    assert plan(session, shanghai(12, 1, 10, 30)) == []


def test_vehicle_reminders_wait_for_the_daily_window(session):
    holder, _, vehicle = customer(session, inspection_due_on=date(2026, 12, 31))
    assert plan(session, shanghai(12, 1, 9, 30)) == []
    assert plan(session, shanghai(12, 1, 10, 0)) == [
        f"reminder:{holder.telegram_user_id}:vehicle-{vehicle.id}:inspection-2026-12-31-30d"]


# --------------------------------------------------------------------------------------- birthday

def birthday_key(holder, year: int) -> str:
    return f"reminder:{holder.telegram_user_id}:policyholder-{holder.id}:birthday-{year}"


def test_a_birthday_greeting_on_the_day_once_a_year(session):
    holder, _, _ = customer(session, holder=make_linked_policyholder(session, date_of_birth=date(1990, 12, 1)))
    assert plan(session, shanghai(11, 30, 15, 0)) == []
    assert plan(session, shanghai(12, 1, 9, 59)) == []
    assert plan(session, shanghai(12, 1, 10, 0)) == [birthday_key(holder, 2026)]
    assert session.scalar(select(Delivery)).payload == {"reminder": "birthday", "policyholder_id": holder.id}
    assert plan(session, shanghai(12, 1, 18, 0)) == []
    assert plan(session, shanghai(12, 2, 10, 30)) == []
    assert plan(session, shanghai(12, 1, 10, 30, year=2027)) == [birthday_key(holder, 2027)]
    assert plan(session, shanghai(12, 1, 14, 30, year=2027)) == []


def test_a_29_february_birthday_is_greeted_on_28_february_in_2027(session):
    holder, _, _ = customer(session, holder=make_linked_policyholder(session, date_of_birth=date(2000, 2, 29)))
    assert plan(session, shanghai(2, 27, 12, year=2027)) == []
    assert plan(session, shanghai(2, 28, 12, year=2027)) == [birthday_key(holder, 2027)]
    assert plan(session, shanghai(3, 1, 12, year=2027)) == []
    # in a leap year, on the day itself
    assert plan(session, shanghai(2, 28, 12, year=2028)) == []
    assert plan(session, shanghai(2, 29, 12, year=2028)) == [birthday_key(holder, 2028)]


def test_no_birthday_greeting_without_an_active_policy_or_when_switched_off(session):
    born = date(1990, 12, 1)
    customer(session, holder=make_linked_policyholder(session, date_of_birth=born), status=PolicyStatus.expired)
    off, _, _ = customer(session, holder=make_linked_policyholder(session, date_of_birth=born))
    chats.set_reminder(session, chat_id=off.telegram_user_id, kind="birthday", enabled=False)
    customer(session, holder=make_policyholder(session, date_of_birth=born))  # not linked
    assert plan(session, shanghai(12, 1, 10, 30)) == []


def test_a_customer_with_two_policies_gets_one_birthday_greeting(session):
    holder = make_linked_policyholder(session, date_of_birth=date(1990, 12, 1), preferred_language=Language.zh)
    customer(session, holder=holder)
    customer(session, holder=holder)
    assert plan(session, shanghai(12, 1, 10, 30)) == [birthday_key(holder, 2026)]
