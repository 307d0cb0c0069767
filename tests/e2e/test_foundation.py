"""The walking skeleton end to end: greetings, language, buttons, handoff, and bad input."""
from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from claims.models import Handoff
from tests.e2e.chat import buttons, texts

pytestmark = pytest.mark.e2e

# A real 1x1 PNG, so the bot sees an ordinary photo.
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

WORDS = {
    "en": {
        "hello": "hi there",
        "greeting": "Hello!",
        "report": "Report an accident",
        "human": "I want to talk to a real person please",
        "handoff": "passing you to a colleague",
        "already": "already in the queue",
        "no_one_hurt": "nobody is hurt",
        "next_steps": "8 short questions",
        "verify": "confirm it's you",
        "unsupported": "can't open stickers",
        "too_long": "tell me in a sentence or two",
        "unknown_command": "don't know that command",
        "safety": "Is anyone hurt?",
    },
    "zh": {
        "hello": "你好",
        "greeting": "您好！",
        "report": "我要报案",
        "human": "转人工客服",
        "handoff": "正在为您转接人工客服",
        "already": "已经在人工客服的队列",
        "no_one_hurt": "没有人受伤",
        "next_steps": "8 个小问题",
        "verify": "需要先核实身份",
        "unsupported": "听不了语音",
        "too_long": "用一两句话告诉我",
        "unknown_command": "不认识这个指令",
        "safety": "有人受伤吗",
    },
}

LANGUAGES = pytest.mark.parametrize("language", ["en", "zh"])


@LANGUAGES
async def test_greeting_is_answered_in_the_users_language_with_the_menu(chat_factory, language):
    chat = chat_factory(language)
    replies = await chat.send(WORDS[language]["hello"])
    assert WORDS[language]["greeting"] in replies[0]["text"]
    assert len(buttons(replies[0])) == 4


@LANGUAGES
async def test_asking_for_a_human_queues_one_handoff_and_says_so(assistant, chat_factory, language):
    chat = chat_factory(language)
    first = await chat.send(WORDS[language]["human"])
    assert WORDS[language]["handoff"] in texts(first)
    again = await chat.send("/agent")
    assert WORDS[language]["already"] in texts(again)
    with assistant.sessions()() as session:
        handoffs = session.scalars(select(Handoff).where(Handoff.chat_id == chat.user.id)).all()
    assert [(h.reason.value, h.status.value) for h in handoffs] == [("user_request", "queued")]


@LANGUAGES
async def test_buttons_drive_the_accident_safety_check(chat_factory, language):
    chat = chat_factory(language)
    menu = (await chat.send("/start"))[0]
    safety = await chat.press(menu, WORDS[language]["report"])
    assert WORDS[language]["safety"] in texts(safety)
    next_steps = await chat.press(safety[-1], WORDS[language]["no_one_hurt"], expect=2)
    assert WORDS[language]["next_steps"] in texts(next_steps)
    # A new user: the report starts with the identity check, offered inline.
    assert WORDS[language]["verify"] in texts(next_steps)


@LANGUAGES
async def test_bad_input_always_gets_a_polite_answer(chat_factory, language):
    chat = chat_factory(language)
    words = WORDS[language]
    sticker = await chat.send_update(sticker={"emoji": "👍"})
    assert words["unsupported"] in texts(sticker)
    voice = await chat.send_update(voice={"duration": 3})
    assert words["unsupported"] in texts(voice)
    long_message = await chat.paste("车" * 5000 if language == "zh" else "crash " * 834)
    assert words["too_long"] in texts(long_message)
    unknown = await chat.send("/teleport")
    assert words["unknown_command"] in texts(unknown)
    for replies in (sticker, voice, long_message, unknown):
        assert len(replies) == 1, replies


@LANGUAGES
async def test_an_album_from_a_stranger_is_kept_and_answered_once_with_the_identity_check(chat_factory, language):
    chat = chat_factory(language)
    photo = {"data_b64": base64.b64encode(TINY_PNG).decode(), "media_group_id": f"album-{chat.user.id}"}
    for _ in range(2):
        await chat.sim.send_update(chat.user.id, user=chat.user, photo=photo)
    replies = await chat.send_update(photo=photo, expect=2)
    # One answer for the whole album: the identity check (a text with the share keyboard, then its buttons).
    assert WORDS[language]["verify"] in texts(replies) and len(replies) == 2


async def test_language_command_switches_the_conversation_to_chinese(chat_factory):
    chat = chat_factory("en")
    switched = await chat.send("/language zh")
    assert "中文" in texts(switched)
    greeting = await chat.send("hello")
    assert WORDS["zh"]["greeting"] in greeting[0]["text"]


def words_in(replies: list[dict], phrase: str) -> bool:
    return phrase in texts(replies)
