"""Chat preferences and the transcript."""
from datetime import timedelta

from claims.enums import Language, MessageDirection, MessageSender
from claims.services.chats import (
    get_or_create_chat_preference, language_from_telegram, set_chat_language, set_updates_muted,
)
from claims.services.transcript import record_message, recent_messages


def test_language_from_telegram_code():
    assert language_from_telegram("zh-hans") is Language.zh
    assert language_from_telegram("zh-CN") is Language.zh
    assert language_from_telegram("en-GB") is Language.en
    assert language_from_telegram("ru") is Language.en
    assert language_from_telegram(None) is Language.en


def test_preference_follows_telegram_until_the_user_chooses(session, now):
    preference = get_or_create_chat_preference(session, chat_id=10, telegram_user_id=20,
                                               telegram_language_code="zh-hans", now=now)
    assert (preference.language, preference.language_chosen, preference.updates_muted) == (Language.zh, False, False)
    later = now + timedelta(minutes=5)
    preference = get_or_create_chat_preference(session, chat_id=10, telegram_user_id=20,
                                               telegram_language_code="en", now=later)
    assert preference.language is Language.en and preference.updated_at == later

    set_chat_language(session, chat_id=10, language="zh")
    preference = get_or_create_chat_preference(session, chat_id=10, telegram_user_id=20,
                                               telegram_language_code="en")
    assert preference.language is Language.zh and preference.language_chosen


def test_missing_language_code_keeps_the_current_language(session, now):
    get_or_create_chat_preference(session, chat_id=11, telegram_user_id=21, telegram_language_code="zh", now=now)
    preference = get_or_create_chat_preference(session, chat_id=11, telegram_user_id=21,
                                               telegram_language_code=None, now=now + timedelta(hours=1))
    assert preference.language is Language.zh and preference.updated_at == now


def test_muting_updates_creates_the_preference_if_needed(session):
    preference = set_updates_muted(session, chat_id=12, muted=True)
    session.expire_all()
    assert preference.updates_muted is True
    assert set_updates_muted(session, chat_id=12, muted=False).updates_muted is False


def test_recent_messages_are_the_last_ones_oldest_first_and_per_chat(session, now):
    for minute in range(25):
        record_message(session, chat_id=30, direction=MessageDirection.inbound, sender=MessageSender.customer,
                       text=f"m{minute}", now=now + timedelta(minutes=minute))
    record_message(session, chat_id=31, direction="out", sender="bot", text="other chat", now=now)
    messages = recent_messages(session, chat_id=30)
    assert [m.text for m in messages] == [f"m{minute}" for minute in range(5, 25)]
    assert [m.text for m in recent_messages(session, chat_id=30, limit=2)] == ["m23", "m24"]
    assert recent_messages(session, chat_id=31)[0].sender is MessageSender.bot
    assert recent_messages(session, chat_id=99) == []


def test_the_language_written_outranks_the_phone_until_one_is_chosen(session, now):
    preference = get_or_create_chat_preference(session, chat_id=13, telegram_user_id=23, telegram_language_code="en",
                                               written=Language.zh, now=now)
    assert preference.language is Language.zh and preference.language_written_at == now
    # "ok" tells nothing: the phone's English does not take over again
    preference = get_or_create_chat_preference(session, chat_id=13, telegram_user_id=23, telegram_language_code="en",
                                               now=now + timedelta(minutes=1))
    assert preference.language is Language.zh
    preference = get_or_create_chat_preference(session, chat_id=13, telegram_user_id=23, telegram_language_code="en",
                                               written=Language.en, now=now + timedelta(minutes=2))
    assert preference.language is Language.en
    set_chat_language(session, chat_id=13, language="zh")
    preference = get_or_create_chat_preference(session, chat_id=13, telegram_user_id=23, telegram_language_code="en",
                                               written=Language.en, now=now + timedelta(minutes=3))
    assert preference.language is Language.zh and preference.language_chosen


def test_a_first_message_in_chinese_from_an_english_phone_starts_in_chinese(session, now):
    preference = get_or_create_chat_preference(session, chat_id=14, telegram_user_id=24, telegram_language_code="en",
                                               written=Language.zh, now=now)
    assert preference.language is Language.zh
    untouched = get_or_create_chat_preference(session, chat_id=15, telegram_user_id=25, telegram_language_code="zh",
                                              now=now)
    assert untouched.language is Language.zh and untouched.language_written_at is None
