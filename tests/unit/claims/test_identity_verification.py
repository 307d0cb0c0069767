"""Verification: own contact or policy number + date of birth, with a lock after repeated failures."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from claims.enums import VerificationMethod
from claims.models import Policyholder, VerificationAttempt
from claims.services.identity import (
    VerificationOutcome as O, attempts_left, logout, verification_lock, verified_policyholder, verify_by_contact,
    verify_by_policy,
)
from tests.factories import make_linked_policyholder, make_policy, make_policyholder

CHAT = 424242
USER = 424242
PHONE = "+8613816204578"
DOB = date(1988, 4, 12)


@pytest.fixture
def holder(session):
    return make_policyholder(session, phone=PHONE, date_of_birth=DOB, full_name="Daniel Carter")


def contact(session, now, settings, *, phone=PHONE, contact_user_id=USER, chat_id=CHAT, user=USER):
    return verify_by_contact(session, chat_id=chat_id, telegram_user_id=user, contact_user_id=contact_user_id,
                             phone=phone, now=now, settings=settings)


def by_policy(session, now, settings, policy_number, dob=DOB, *, chat_id=CHAT, user=USER):
    return verify_by_policy(session, chat_id=chat_id, telegram_user_id=user, policy_number=policy_number,
                            date_of_birth=dob, now=now, settings=settings)


def attempts(session, chat_id=CHAT):
    return session.scalars(select(VerificationAttempt).where(VerificationAttempt.chat_id == chat_id)
                           .order_by(VerificationAttempt.id)).all()


@pytest.mark.parametrize("typed", ["+8613816204578", "138 1620 4578", "8613816204578", "+86 138-1620-4578"])
def test_own_contact_in_any_format_verifies_and_links(session, now, settings, holder, typed):
    result = contact(session, now, settings, phone=typed)
    assert result.outcome is O.verified and result.policyholder.id == holder.id
    assert (result.attempts_left, result.locked_until) == (3, None)
    session.expire_all()
    assert session.get(Policyholder, holder.id).telegram_user_id == USER
    assert verified_policyholder(session, USER).id == holder.id
    [attempt] = attempts(session)
    assert (attempt.method, attempt.succeeded, attempt.attempted_at) == (VerificationMethod.contact, True, now)


@pytest.mark.parametrize("contact_user_id", [999, None])
def test_someone_elses_contact_is_a_failed_attempt_and_links_nothing(session, now, settings, holder,
                                                                      contact_user_id):
    result = contact(session, now, settings, contact_user_id=contact_user_id)
    assert result.outcome is O.not_own_contact and result.policyholder is None
    assert result.attempts_left == 2
    assert [a.succeeded for a in attempts(session)] == [False]
    session.expire_all()
    assert session.get(Policyholder, holder.id).telegram_user_id is None


@pytest.mark.parametrize("phone", ["+8613900000000", "not a phone", "", None])
def test_unknown_phone_is_no_match(session, now, settings, holder, phone):
    result = contact(session, now, settings, phone=phone)
    assert (result.outcome, result.policyholder, result.attempts_left) == (O.no_match, None, 2)
    assert verified_policyholder(session, USER) is None


def test_three_failures_lock_the_chat_for_15_minutes_after_the_last(session, now, settings, holder):
    contact(session, now, settings, phone="+8613900000000")
    contact(session, now + timedelta(minutes=1), settings, contact_user_id=1)
    third = contact(session, now + timedelta(minutes=2), settings, phone="+8613900000001")
    locked_until = now + timedelta(minutes=17)
    # the failure that uses up the last attempt is reported as the lock it causes
    assert (third.outcome, third.attempts_left, third.locked_until) == (O.locked, 0, locked_until)

    # Even the right answer is refused while locked, and not recorded.
    during = contact(session, now + timedelta(minutes=16, seconds=59), settings)
    assert (during.outcome, during.policyholder, during.locked_until) == (O.locked, None, locked_until)
    by_policy_during = by_policy(session, now + timedelta(minutes=3), settings, "PMV-2026-0000001")
    assert by_policy_during.outcome is O.locked
    assert len(attempts(session)) == 3
    assert verified_policyholder(session, USER) is None

    # At the end of the lock, a fresh count starts.
    assert verification_lock(session, chat_id=CHAT, now=locked_until, settings=settings) is None
    assert attempts_left(session, chat_id=CHAT, now=locked_until, settings=settings) == 3
    assert contact(session, locked_until, settings).outcome is O.verified


def test_failures_further_apart_than_the_window_do_not_lock(session, now, settings, holder):
    for minutes in (0, 10, 20):
        result = contact(session, now + timedelta(minutes=minutes), settings, phone="+8613900000000")
        assert result.locked_until is None
    # The failure at 0 no longer counts at 20: those at 10 and 20 do.
    assert result.attempts_left == 1
    assert attempts_left(session, chat_id=CHAT, now=now + timedelta(minutes=25), settings=settings) == 2
    assert attempts_left(session, chat_id=CHAT, now=now + timedelta(minutes=36), settings=settings) == 3


def test_a_lock_expires_but_the_next_failure_starts_a_new_count(session, now, settings, holder):
    for minutes in (0, 1, 2):
        contact(session, now + timedelta(minutes=minutes), settings, phone="+8613900000000")
    after = contact(session, now + timedelta(minutes=17), settings, phone="+8613900000000")
    assert (after.outcome, after.attempts_left, after.locked_until) == (O.no_match, 2, None)


def test_a_success_resets_the_count(session, now, settings, holder):
    contact(session, now, settings, phone="+8613900000000")
    contact(session, now + timedelta(minutes=1), settings, phone="+8613900000000")
    assert contact(session, now + timedelta(minutes=2), settings).outcome is O.verified
    failed = contact(session, now + timedelta(minutes=3), settings, phone="+8613900000000")
    assert (failed.attempts_left, failed.locked_until) == (2, None)


def test_the_lock_is_per_chat(session, now, settings, holder):
    for minutes in (0, 1, 2):
        contact(session, now + timedelta(minutes=minutes), settings, phone="+8613900000000")
    assert verification_lock(session, chat_id=CHAT, now=now + timedelta(minutes=3), settings=settings)
    assert verification_lock(session, chat_id=CHAT + 1, now=now + timedelta(minutes=3), settings=settings) is None
    other = contact(session, now + timedelta(minutes=3), settings, chat_id=CHAT + 1, user=CHAT + 1,
                    contact_user_id=CHAT + 1)
    assert other.outcome is O.verified


def test_the_limits_come_from_the_settings(session, now, settings, holder):
    strict = settings.model_copy(update={"verification_max_failures": 1, "verification_lock_minutes": 60})
    result = contact(session, now, strict, phone="+8613900000000")
    assert (result.attempts_left, result.locked_until) == (0, now + timedelta(minutes=60))


def test_verifying_links_the_account_to_one_policyholder_only(session, now, settings, holder):
    previous = make_linked_policyholder(session, telegram_user_id=USER)
    assert contact(session, now, settings).outcome is O.verified
    session.expire_all()
    assert session.get(Policyholder, previous.id).telegram_user_id is None
    assert session.get(Policyholder, holder.id).telegram_user_id == USER
    assert session.scalar(select(func.count()).where(Policyholder.telegram_user_id == USER)) == 1


@pytest.mark.parametrize("typed", ["PMV-2026-0000123", "pmv-2026-0000123", "PMV 2026 0000123", "pmv20260000123",
                                   "my policy is PMV-2026-123"])
def test_policy_number_and_date_of_birth_verify(session, now, settings, holder, typed):
    make_policy(session, policyholder=holder, policy_number="PMV-2026-0000123")
    result = by_policy(session, now, settings, typed)
    assert result.outcome is O.verified and result.policyholder.id == holder.id
    assert attempts(session)[0].method is VerificationMethod.policy
    assert verified_policyholder(session, USER).id == holder.id


def test_wrong_date_unknown_policy_or_someone_elses_date_is_no_match(session, now, settings, holder):
    make_policy(session, policyholder=holder, policy_number="PMV-2026-0000123")
    other = make_policyholder(session, date_of_birth=date(1990, 1, 1))
    make_policy(session, policyholder=other, policy_number="PMV-2026-0000200")
    outcomes = [
        by_policy(session, now, settings, "PMV-2026-0000123", date(1988, 4, 13)),
        by_policy(session, now, settings, "PMV-2026-0000999"),
    ]
    assert [r.outcome for r in outcomes] == [O.no_match, O.no_match]
    assert [r.attempts_left for r in outcomes] == [2, 1]
    locked = by_policy(session, now, settings, "PMV-2026-0000200", DOB)  # the other holder's policy, my date
    assert (locked.outcome, locked.locked_until) == (O.locked, now + timedelta(minutes=15))
    assert verified_policyholder(session, USER) is None


@pytest.mark.parametrize("typed", ["", None, "no idea", "PMV-2026-0000000"])
def test_unreadable_policy_number_is_a_failed_attempt(session, now, settings, holder, typed):
    assert by_policy(session, now, settings, typed).outcome is O.no_match
    assert len(attempts(session)) == 1


def test_date_of_birth_must_be_a_date(session, now, settings, holder):
    with pytest.raises(TypeError):
        by_policy(session, now, settings, "PMV-2026-0000123", datetime(1988, 4, 12))
    with pytest.raises(TypeError):
        by_policy(session, now, settings, "PMV-2026-0000123", "1988-04-12")
    assert attempts(session) == []


def test_naive_now_is_refused(session, settings, holder):
    with pytest.raises(ValueError, match="naive"):
        contact(session, datetime(2026, 11, 20, 10, 0), settings)


def test_logout_unlinks(session, now, settings, holder):
    contact(session, now, settings)
    assert logout(session, telegram_user_id=USER) is True
    assert verified_policyholder(session, USER) is None
    assert logout(session, telegram_user_id=USER) is False
    assert verified_policyholder(session, None) is None
