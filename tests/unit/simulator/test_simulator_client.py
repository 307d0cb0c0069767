"""The control client's waiting and reporting, and the terminal chat's choices."""
from __future__ import annotations

import pytest
from telegram import KeyboardButton, ReplyKeyboardMarkup

from telegram_simulator import FakeUser, SimulatorError
from telegram_simulator.chat import TerminalChat, View
from telegram_simulator.client import SimulatorTimeout

pytestmark = pytest.mark.asyncio

ALICE = FakeUser(100001, "Alice", "en")  # the client fixture's default user
AGENTS = -1009876543210


async def test_wait_for_messages_returns_new_bot_messages(bot, client):
    said = await client.send_text(ALICE.id, "hi")
    await bot.send_message(ALICE.id, "one")
    await bot.send_message(ALICE.id, "two")
    assert [m["text"] for m in await client.wait_for_messages(ALICE.id, after=said["message_id"], count=2)] \
        == ["one", "two"]
    [match] = await client.wait_for_messages(ALICE.id, after=0, predicate=lambda m: m["text"] == "two")
    assert match["message_id"] == 3


async def test_wait_for_messages_timeout_lists_what_arrived_and_failed_calls(bot, client):
    said = await client.send_text(ALICE.id, "hi")
    await bot.send_message(ALICE.id, "only one")
    with pytest.raises(Exception):
        await bot.send_message(ALICE.id, "<b>broken", parse_mode="HTML")
    with pytest.raises(SimulatorTimeout) as timeout:
        await client.wait_for_messages(ALICE.id, after=said["message_id"], count=2, timeout=0.3)
    report = str(timeout.value)
    assert "waiting for 2 bot message(s) in chat 100001 after message 1; 1 arrived" in report
    assert "#2 'only one'" in report
    assert "sendMessage: Bad Request: can't parse entities" in report


async def test_control_errors_are_explained(client):
    with pytest.raises(SimulatorError, match="exactly one of"):
        await client.send_update(ALICE.id)
    with pytest.raises(SimulatorError, match="user id must equal chat_id"):
        await client.send_text(5, "hi")
    with pytest.raises(SimulatorError, match="unknown chat"):
        await client.press(42, 1, "x")


async def test_terminal_chat_numbers_buttons_and_shares_contact(bot, client, capsys):
    agent = FakeUser(200001, "李", "zh")
    await client.register_chat(AGENTS, title="Agents", is_forum=True, administrators=[agent])
    chat = TerminalChat(client, View("customer", ALICE.id, ALICE), View("agents", AGENTS, agent),
                        phone="+85261234567", location=(22.3, 114.2))
    await chat.handle("你好")
    first = (await bot.get_updates())[-1]
    assert first.message.text == "你好"

    question = await bot.send_message(ALICE.id, "受伤了吗？", reply_markup={"inline_keyboard": [
        [{"text": "是", "callback_data": "yes"}, {"text": "否", "callback_data": "no"}]]})
    await chat.refresh()
    assert "受伤了吗？" in capsys.readouterr().out
    await chat.handle("2")
    pressed = (await bot.get_updates(offset=first.update_id + 1))[-1]
    assert (pressed.callback_query.data, pressed.callback_query.message.message_id) == ("no", question.message_id)

    await bot.send_message(ALICE.id, "Phone?", reply_markup=ReplyKeyboardMarkup(
        [[KeyboardButton("Share", request_contact=True)]], one_time_keyboard=True))
    await chat.refresh()
    assert "[3] Share (shares your phone)" in capsys.readouterr().out
    await chat.handle("3")
    shared = (await bot.get_updates(offset=pressed.update_id + 1))[-1]
    assert (shared.message.contact.phone_number, shared.message.contact.user_id) == ("+85261234567", ALICE.id)

    topic = await bot.create_forum_topic(AGENTS, "C-1")
    await bot.send_message(AGENTS, "New claim C-1", message_thread_id=topic.message_thread_id)
    await chat.refresh()
    assert "[agents · C-1] New claim C-1" in capsys.readouterr().out
    await chat.handle("/view")
    await chat.handle("我来处理")
    reply = (await bot.get_updates(offset=shared.update_id + 1))[-1].message
    assert (reply.chat.id, reply.from_user.id, reply.message_thread_id) == (AGENTS, agent.id, topic.message_thread_id)
    assert await chat.handle("/quit") is False


async def test_a_registered_customer_can_be_messaged_first(bot, client):
    with pytest.raises(Exception, match="Chat not found"):
        await bot.send_message(ALICE.id, "Your claim was approved")
    await client.register_chat(ALICE.id, chat_type="private", owner=ALICE)
    await bot.send_message(ALICE.id, "Your claim was approved")
    assert (await bot.get_chat(ALICE.id)).first_name == "Alice"
    assert [m["text"] for m in await client.wait_for_messages(ALICE.id, after=0)] == ["Your claim was approved"]


async def test_terminal_chat_answers_a_keyboard_of_numbers_by_the_number(bot, client, capsys):
    chat = TerminalChat(client, View("customer", ALICE.id, ALICE), None, phone="+85261234567", location=(22.3, 114.2))
    await chat.handle("hi")
    first = (await bot.get_updates())[-1]
    scale = [[{"text": str(n), "callback_data": str(n)} for n in range(6)],
             [{"text": str(n), "callback_data": str(n)} for n in range(6, 11)]]
    await bot.send_message(ALICE.id, "0 to 10?", reply_markup={"inline_keyboard": scale})
    await chat.refresh()
    await chat.handle("9")  # the button "9", not the ninth button ("8")
    pressed = (await bot.get_updates(offset=first.update_id + 1))[-1]
    assert pressed.callback_query.data == "9"
    await bot.send_message(ALICE.id, "Which one?", reply_markup={"inline_keyboard": [
        [{"text": "Tow", "callback_data": "tow"}, {"text": "Fuel", "callback_data": "fuel"}]]})
    await chat.refresh()
    await chat.handle("2")  # other keyboards: still by place
    assert (await bot.get_updates(offset=pressed.update_id + 1))[-1].callback_query.data == "fuel"


@pytest.mark.parametrize("line", [
    "we're fine", "no we're fine, just shaken", 'he said "sorry" and left', "it's the car's left door, isn't it?",
    "/reply don't worry", "/start it's me", "'", '"',
])
async def test_terminal_chat_sends_any_text_quotes_and_apostrophes_included(bot, client, line):
    chat = TerminalChat(client, View("customer", ALICE.id, ALICE), None, phone="+85261234567", location=(22.3, 114.2))
    await chat.handle(line)
    assert (await bot.get_updates())[-1].message.text == line


async def test_a_photo_caption_may_hold_an_apostrophe(bot, client, tmp_path):
    photo = tmp_path / "car.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    chat = TerminalChat(client, View("customer", ALICE.id, ALICE), None, phone="+85261234567", location=(22.3, 114.2))
    await chat.handle(f"/photo {photo} it's the rear bumper")
    message = (await bot.get_updates())[-1].message
    assert message.photo and message.caption == "it's the rear bumper"
