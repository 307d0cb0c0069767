"""Verifying that a Telegram user is a policyholder, before any claim data is shown to them.

Two ways: sharing their own Telegram contact (the phone Telegram verified) or typing a policy number with
the holder's date of birth. Every attempt is recorded per chat; `verification_max_failures` failures within
`verification_lock_minutes` lock the chat until the last failure + `verification_lock_minutes`. Failures
before the last success do not count, and a failure stops counting once it is older than the lock window.
No attempt is recorded while the chat is locked.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from claims.clock import require_aware
from claims.enums import VerificationMethod
from claims.models import Policy, Policyholder, VerificationAttempt
from claims.services.policyholders import find_policyholder_by_phone, policyholder_for_telegram_user
from claims.settings import ClaimsSettings


class VerificationOutcome(str, Enum):
    verified = "verified"
    no_match = "no_match"
    locked = "locked"
    not_own_contact = "not_own_contact"


@dataclass
class VerificationResult:
    """What happened; after a failure, how many attempts are left and, if it locked the chat, until when."""

    outcome: VerificationOutcome
    policyholder: Policyholder | None
    attempts_left: int
    locked_until: datetime | None


# ---------------------------------------------------------------------------------------------- the lock


def _lock_window(settings: ClaimsSettings) -> timedelta:
    return timedelta(minutes=settings.verification_lock_minutes)


def _failures_since_last_success(
    session: Session, *, chat_id: int, since: datetime, now: datetime
) -> list[datetime]:
    """The chat's failed attempts in (since, now] that came after its last success, oldest first."""
    last_success = session.execute(
        select(VerificationAttempt.attempted_at, VerificationAttempt.id)
        .where(VerificationAttempt.chat_id == chat_id, VerificationAttempt.succeeded.is_(True),
               VerificationAttempt.attempted_at <= now)
        .order_by(VerificationAttempt.attempted_at.desc(), VerificationAttempt.id.desc()).limit(1)
    ).first()
    query = select(VerificationAttempt.attempted_at).where(
        VerificationAttempt.chat_id == chat_id, VerificationAttempt.succeeded.is_(False),
        VerificationAttempt.attempted_at > since, VerificationAttempt.attempted_at <= now,
    )
    if last_success is not None:
        success_at, success_id = last_success
        query = query.where(or_(
            VerificationAttempt.attempted_at > success_at,
            and_(VerificationAttempt.attempted_at == success_at, VerificationAttempt.id > success_id),
        ))
    return list(session.scalars(query.order_by(VerificationAttempt.attempted_at, VerificationAttempt.id)))


def verification_lock(session: Session, *, chat_id: int, now: datetime, settings: ClaimsSettings) -> datetime | None:
    """Until when the chat is locked out of verifying; None when it is not locked at `now`.

    Locked when the latest failure and the failures before it within one lock window reach the maximum:
    then until that failure + the window. (No attempt is recorded during a lock, so once it expires, the
    failures that caused it are older than one window and a fresh count starts.)
    """
    require_aware(now)
    window = _lock_window(settings)
    failures = _failures_since_last_success(session, chat_id=chat_id, since=now - 2 * window, now=now)
    if not failures:
        return None
    latest = failures[-1]
    locked_until = latest + window
    if locked_until <= now:
        return None
    in_window = [failure for failure in failures if latest - failure < window]
    return locked_until if len(in_window) >= settings.verification_max_failures else None


def attempts_left(session: Session, *, chat_id: int, now: datetime, settings: ClaimsSettings) -> int:
    """How many more failures the chat may make before it is locked (0 while locked)."""
    if verification_lock(session, chat_id=chat_id, now=now, settings=settings) is not None:
        return 0
    window = _lock_window(settings)
    recent = _failures_since_last_success(session, chat_id=chat_id, since=now - window, now=now)
    return max(settings.verification_max_failures - len(recent), 0)


def _record(session: Session, *, chat_id: int, method: VerificationMethod, succeeded: bool, now: datetime) -> None:
    session.add(VerificationAttempt(chat_id=chat_id, method=method, succeeded=succeeded, attempted_at=now))


def _fail(
    session: Session, *, chat_id: int, method: VerificationMethod, outcome: VerificationOutcome, now: datetime,
    settings: ClaimsSettings,
) -> VerificationResult:
    _record(session, chat_id=chat_id, method=method, succeeded=False, now=now)
    session.commit()
    locked_until = verification_lock(session, chat_id=chat_id, now=now, settings=settings)
    return VerificationResult(
        # the failure that uses up the last attempt is told as the lock it causes
        outcome=VerificationOutcome.locked if locked_until else outcome, policyholder=None,
        attempts_left=attempts_left(session, chat_id=chat_id, now=now, settings=settings),
        locked_until=locked_until,
    )


def _succeed(
    session: Session, *, chat_id: int, method: VerificationMethod, policyholder: Policyholder,
    telegram_user_id: int, now: datetime, settings: ClaimsSettings,
) -> VerificationResult:
    # One Telegram account belongs to one policyholder: take it off any other first (the column is unique).
    session.execute(
        update(Policyholder)
        .where(Policyholder.telegram_user_id == telegram_user_id, Policyholder.id != policyholder.id)
        .values(telegram_user_id=None)
        .execution_options(synchronize_session="fetch")
    )
    policyholder.telegram_user_id = telegram_user_id
    _record(session, chat_id=chat_id, method=method, succeeded=True, now=now)
    session.commit()
    return VerificationResult(
        outcome=VerificationOutcome.verified, policyholder=policyholder,
        attempts_left=settings.verification_max_failures, locked_until=None,
    )


def _locked_result(
    session: Session, *, chat_id: int, now: datetime, settings: ClaimsSettings
) -> VerificationResult | None:
    locked_until = verification_lock(session, chat_id=chat_id, now=now, settings=settings)
    if locked_until is None:
        return None
    return VerificationResult(outcome=VerificationOutcome.locked, policyholder=None, attempts_left=0,
                              locked_until=locked_until)


# ------------------------------------------------------------------------------------------ verifying


def verify_by_contact(
    session: Session, *, chat_id: int, telegram_user_id: int, contact_user_id: int | None, phone: str | None,
    now: datetime, settings: ClaimsSettings,
) -> VerificationResult:
    """Verify with a shared Telegram contact; only the user's own contact counts (sharing someone else's
    contact, or a contact without a Telegram account, is a failed attempt)."""
    require_aware(now)
    locked = _locked_result(session, chat_id=chat_id, now=now, settings=settings)
    if locked is not None:
        return locked
    method = VerificationMethod.contact
    if contact_user_id is None or contact_user_id != telegram_user_id:
        return _fail(session, chat_id=chat_id, method=method, outcome=VerificationOutcome.not_own_contact,
                     now=now, settings=settings)
    policyholder = find_policyholder_by_phone(session, phone or "")  # any format; None if not a phone
    if policyholder is None:
        return _fail(session, chat_id=chat_id, method=method, outcome=VerificationOutcome.no_match, now=now,
                     settings=settings)
    return _succeed(session, chat_id=chat_id, method=method, policyholder=policyholder,
                    telegram_user_id=telegram_user_id, now=now, settings=settings)


def verify_by_policy(
    session: Session, *, chat_id: int, telegram_user_id: int, policy_number: str | None, date_of_birth: date,
    now: datetime, settings: ClaimsSettings,
) -> VerificationResult:
    """Verify with a policy number (any case, spaces or hyphens) and the policyholder's date of birth."""
    require_aware(now)
    if isinstance(date_of_birth, datetime) or not isinstance(date_of_birth, date):
        raise TypeError("date_of_birth must be a date (see parse_date_of_birth)")
    locked = _locked_result(session, chat_id=chat_id, now=now, settings=settings)
    if locked is not None:
        return locked
    method = VerificationMethod.policy
    normalised = parse_policy_number(policy_number)
    policy = (session.scalar(select(Policy).where(Policy.policy_number == normalised))
              if normalised is not None else None)
    if policy is None or policy.policyholder.date_of_birth != date_of_birth:
        # The same answer whether the policy is unknown or the date is wrong: nothing to probe with.
        return _fail(session, chat_id=chat_id, method=method, outcome=VerificationOutcome.no_match, now=now,
                     settings=settings)
    return _succeed(session, chat_id=chat_id, method=method, policyholder=policy.policyholder,
                    telegram_user_id=telegram_user_id, now=now, settings=settings)


def verified_policyholder(session: Session, telegram_user_id: int | None) -> Policyholder | None:
    """The policyholder this Telegram account was verified as; None when it has not been (or logged out)."""
    if telegram_user_id is None:
        return None
    return policyholder_for_telegram_user(session, telegram_user_id)


def logout(session: Session, *, telegram_user_id: int) -> bool:
    """Unlink the Telegram account from its policyholder; False when it was not linked."""
    unlinked = session.execute(
        update(Policyholder).where(Policyholder.telegram_user_id == telegram_user_id)
        .values(telegram_user_id=None).execution_options(synchronize_session="fetch")
    ).rowcount
    session.commit()
    return bool(unlinked)


# ------------------------------------------------------------------------------------ what users type

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
    "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_MONTH = r"(?P<month_name>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ORDINAL = r"(?:st|nd|rd|th)?"
# No digit right before or after (nor one more separated number: 1988-4-12-5 is not a date).
_D, _ND = r"(?<!\d)(?<!\d[-/.])", r"(?![-/.]?\d)"
_DATE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(re.compile(p, re.IGNORECASE) for p in (
    # 1988年4月12日, 1988 年 4 月 12 号
    _D + r"(?P<year>\d{4})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*(?:日|号)?",
    # 1988-04-12, 1988/4/12, 1988.4.12, 1988 04 12 (year first: then month, day)
    _D + r"(?P<year>\d{4})\s*(?P<sep>[-/.]|\s)\s*(?P<month>\d{1,2})\s*(?P=sep)\s*(?P<day>\d{1,2})" + _ND,
    # 12/04/1988, 12.04.1988, 12-04-1988 (day first, as in China and Europe)
    _D + r"(?P<day>\d{1,2})\s*(?P<sep>[-/.])\s*(?P<month>\d{1,2})\s*(?P=sep)\s*(?P<year>\d{4})" + _ND,
    # 19880412
    _D + r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})" + _ND,
    # April 12, 1988 / Apr 12th 1988
    r"\b" + _MONTH + r"\s*(?P<day>\d{1,2})" + _ORDINAL + r"\s*,?\s*(?P<year>\d{4})" + _ND,
    # 12 Apr 1988 / 12th of April, 1988 / 12-Apr-1988
    _D + r"(?P<day>\d{1,2})" + _ORDINAL + r"(?:\s+of)?[\s\-/.]*" + _MONTH + r"[\s\-/.,]*(?P<year>\d{4})" + _ND,
))
EARLIEST_BIRTH_YEAR = 1900


def parse_date_of_birth(text: str | None, *, today: date | None = None) -> date | None:
    """A date of birth as people type it, in a sentence or alone; None for nonsense, impossible dates,
    dates after `today` (default: the system's today) or before 1900. Numeric dates are day first
    (12/04/1988 is 12 April) unless they start with the year (1988/4/12)."""
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text)  # full-width digits and punctuation
    today = today or date.today()
    for pattern in _DATE_PATTERNS:
        match = pattern.search(text)
        if match is None:
            continue
        parts = match.groupdict()
        month = _MONTHS[parts["month_name"].lower()] if parts.get("month_name") else int(parts["month"])
        try:
            found = date(int(parts["year"]), month, int(parts["day"]))
        except ValueError:  # 30 February, month 13...
            return None
        if found.year < EARLIEST_BIRTH_YEAR or found > today:
            return None
        return found
    return None


POLICY_NUMBER_PATTERN = re.compile(r"(?<![A-Za-z0-9])PMV[\s\-_/]*(20\d\d)[\s\-_/]*(\d{1,7})(?!\d)", re.IGNORECASE)


def parse_policy_number(text: str | None) -> str | None:
    """The first policy number in `text` as stored (`PMV-2026-0000123`), from `pmv 2026 0000123`,
    `PMV20260000123`, `pmv-2026-123`...; None when there is none."""
    if not text:
        return None
    match = POLICY_NUMBER_PATTERN.search(unicodedata.normalize("NFKC", text))
    if match is None or int(match.group(2)) == 0:
        return None
    return f"PMV-{match.group(1)}-{int(match.group(2)):07d}"
