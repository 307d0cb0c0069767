"""Finding policyholders by what the customer can tell us: a phone number or a linked Telegram account."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.models import Policyholder
from claims.phones import normalise_phone


def find_policyholder_by_phone(session: Session, phone: str) -> Policyholder | None:
    """The policyholder with this phone, whichever way it is written (13812345678, +86 138 1234 5678...)."""
    normalised = normalise_phone(phone)
    if normalised is None:
        return None
    return session.scalar(select(Policyholder).where(Policyholder.phone == normalised))


def policyholder_for_telegram_user(session: Session, telegram_user_id: int) -> Policyholder | None:
    """The policyholder whose verified Telegram account this is, if any."""
    return session.scalar(select(Policyholder).where(Policyholder.telegram_user_id == telegram_user_id))
