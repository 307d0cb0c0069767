"""Per-chat preferences: language (guessed from Telegram until the user chooses), muted updates, surveys,
reminders by kind, and whether the customer blocked the bot."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from claims.clock import utcnow
from claims.enums import Language, ReminderKind
from claims.models import ChatPreference, Policyholder, ReminderPreference


def language_from_telegram(language_code: str | None) -> Language:
    """Telegram's `language_code` (zh, zh-hans, zh-CN...) -> zh; anything else -> en."""
    return Language.zh if (language_code or "").lower().startswith("zh") else Language.en


def get_or_create_chat_preference(
    session: Session, *, chat_id: int, telegram_user_id: int | None, telegram_language_code: str | None,
    written: Language | None = None, now: datetime | None = None,
) -> ChatPreference:
    """The chat's preferences, created on first contact.

    Until the customer chooses a language (/language), the one they write in (`written`, see
    `claims.languages`) is theirs; until they have written in one, their Telegram app's language is.
    """
    now = now or utcnow()
    preference = session.get(ChatPreference, chat_id)
    if preference is None:
        preference = ChatPreference(
            chat_id=chat_id, telegram_user_id=telegram_user_id,
            language=written or language_from_telegram(telegram_language_code), language_chosen=False,
            language_written_at=now if written else None, updates_muted=False, created_at=now, updated_at=now,
        )
        session.add(preference)
        session.commit()
        return preference
    changed = False
    if written is not None and not preference.language_chosen:
        if preference.language != written or preference.language_written_at is None:
            preference.language, preference.language_written_at, changed = written, now, True
        telegram_language_code = None  # what they write outranks the phone's setting
    if telegram_user_id is not None and preference.telegram_user_id != telegram_user_id:
        preference.telegram_user_id, changed = telegram_user_id, True
    if preference.blocked_at is not None:  # they write again, so they unblocked the bot
        preference.blocked_at, changed = None, True
    if not preference.language_chosen and preference.language_written_at is None and telegram_language_code:
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


def reminder_choices(session: Session, *, chat_id: int) -> dict[ReminderKind, bool]:
    """Each kind of reminder and whether the chat gets it (on unless switched off)."""
    stored = {row.kind: row.enabled for row in session.scalars(
        select(ReminderPreference).where(ReminderPreference.chat_id == chat_id))}
    session.commit()  # ends the read transaction
    return {kind: stored.get(kind, True) for kind in ReminderKind}


def set_reminder(session: Session, *, chat_id: int, kind: ReminderKind | str, enabled: bool,
                 now: datetime | None = None) -> dict[ReminderKind, bool]:
    """Switch one kind of reminder on or off for the chat (`/reminders`); returns every kind's choice."""
    kind = ReminderKind(kind)
    row = session.get(ReminderPreference, (chat_id, kind))
    if row is None:
        session.add(ReminderPreference(chat_id=chat_id, kind=kind, enabled=enabled, updated_at=now or utcnow()))
    else:
        row.enabled, row.updated_at = enabled, now or utcnow()
    session.commit()
    return reminder_choices(session, chat_id=chat_id)


def mark_blocked(session: Session, *, chat_id: int, now: datetime) -> None:
    """Telegram answered 403 for the chat: nothing proactive goes there until the customer writes again."""
    preference = _preference_for_update(session, chat_id, now)
    if preference.blocked_at is None:
        preference.blocked_at = now
    session.commit()


def chat_language(session: Session, chat_id: int, holder: Policyholder | None) -> Language:
    """The chat's language; a customer who has not written since linking gets the policyholder's."""
    preference = session.get(ChatPreference, chat_id)
    if preference is not None:
        return preference.language
    return holder.preferred_language if holder is not None else Language.en


def reachable(kind: ReminderKind):
    """A condition on Policyholder: linked to a chat that has not blocked the bot nor switched `kind` off (who the
    reminder planner and a campaign's audience may pick)."""
    chat = Policyholder.telegram_user_id
    return and_(
        chat.is_not(None),
        ~exists().where(ChatPreference.chat_id == chat, ChatPreference.blocked_at.is_not(None)),
        ~exists().where(ReminderPreference.chat_id == chat, ReminderPreference.kind == kind,
                        ReminderPreference.enabled.is_(False)),
    )


def unreachable_reason(session: Session, chat_id: int, kind: ReminderKind) -> str | None:
    """At sending time: "blocked" or "switched off" when the chat may no longer get `kind`, else None."""
    preference = session.get(ChatPreference, chat_id)
    if preference is not None and preference.blocked_at is not None:
        return "blocked"
    choice = session.get(ReminderPreference, (chat_id, kind))
    if choice is not None and not choice.enabled:
        return "switched off"
    return None
