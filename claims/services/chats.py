"""Per-chat preferences: language (guessed from Telegram until the user chooses) and muted updates."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from claims.clock import utcnow
from claims.enums import Language
from claims.models import ChatPreference


def language_from_telegram(language_code: str | None) -> Language:
    """Telegram's `language_code` (zh, zh-hans, zh-CN...) -> zh; anything else -> en."""
    return Language.zh if (language_code or "").lower().startswith("zh") else Language.en


def get_or_create_chat_preference(
    session: Session, *, chat_id: int, telegram_user_id: int | None, telegram_language_code: str | None,
    now: datetime | None = None,
) -> ChatPreference:
    """The chat's preferences, created on first contact; follows Telegram's language until one is chosen."""
    now = now or utcnow()
    preference = session.get(ChatPreference, chat_id)
    if preference is None:
        preference = ChatPreference(
            chat_id=chat_id, telegram_user_id=telegram_user_id,
            language=language_from_telegram(telegram_language_code), language_chosen=False,
            updates_muted=False, created_at=now, updated_at=now,
        )
        session.add(preference)
        session.commit()
        return preference
    changed = False
    if telegram_user_id is not None and preference.telegram_user_id != telegram_user_id:
        preference.telegram_user_id, changed = telegram_user_id, True
    if not preference.language_chosen and telegram_language_code:
        guessed = language_from_telegram(telegram_language_code)
        if preference.language != guessed:
            preference.language, changed = guessed, True
    if changed:  # most updates change nothing: no write then
        preference.updated_at = now
        session.commit()
    return preference


def _preference_for_update(session: Session, chat_id: int, now: datetime) -> ChatPreference:
    preference = session.get(ChatPreference, chat_id)
    if preference is None:
        preference = ChatPreference(chat_id=chat_id, language=Language.en, language_chosen=False,
                                    updates_muted=False, created_at=now)
        session.add(preference)
    preference.updated_at = now
    return preference


def set_chat_language(
    session: Session, *, chat_id: int, language: Language | str, now: datetime | None = None
) -> ChatPreference:
    """The user chose a language (/language): it sticks, whatever Telegram says afterwards."""
    preference = _preference_for_update(session, chat_id, now or utcnow())
    preference.language = Language(language)
    preference.language_chosen = True
    session.commit()
    return preference


def surveys_off(session: Session, *, chat_id: int) -> bool:
    """Whether the chat turned satisfaction surveys off."""
    preference = session.get(ChatPreference, chat_id)
    return bool(preference and preference.surveys_off)


def set_surveys_off(session: Session, *, chat_id: int, off: bool, now: datetime | None = None) -> ChatPreference:
    """`/surveys off`: no satisfaction survey is sent to the chat any more (`/surveys on` undoes it)."""
    preference = _preference_for_update(session, chat_id, now or utcnow())
    preference.surveys_off = off
    session.commit()
    return preference


def set_updates_muted(
    session: Session, *, chat_id: int, muted: bool, now: datetime | None = None
) -> ChatPreference:
    """Turn proactive claim updates and reminders off (True) or back on (False) for the chat."""
    preference = _preference_for_update(session, chat_id, now or utcnow())
    preference.updates_muted = muted
    session.commit()
    return preference
