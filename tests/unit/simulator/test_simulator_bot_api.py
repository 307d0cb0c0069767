"""Bot API methods through a real python-telegram-bot Bot, checked via the control API."""
from __future__ import annotations

import hashlib

import httpx
import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import ChatAction, ChatMemberStatus, ParseMode
from telegram.error import BadRequest

from telegram_simulator import FakeUser

pytestmark = pytest.mark.asyncio

YES_NO = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes"),
                                InlineKeyboardButton("No", callback_data="no")]])
ALICE = FakeUser(100001, "Alice", "en")  # the client fixture's default user
AGENTS = -1001234567890
AGENT = FakeUser(200001, "Lee", "zh")


async def next_update(bot, after=None):
    updates = await bot.get_updates(offset=after, timeout=5)
    assert updates, "no update arrived"
    return updates[-1]


async def test_get_me_is_the_motor_claims_bot(bot):
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (7000000001, "motor_claims_bot", "Motor Claims", True)


async def test_inline_keyboard_press_arrives_as_callback_query(bot, client):
    await client.send_text(ALICE.id, "/start")
    first = await next_update(bot)
    assert first.message.text == "/start" and first.message.entities[0].type == "bot_command"
    assert first.message.from_user.language_code == "en"

    sent = await bot.send_message(ALICE.id, "Was anyone hurt?", reply_markup=YES_NO)
    assert sent.reply_markup == YES_NO
    await client.press(ALICE.id, sent.message_id, "no")
    update = await next_update(bot, first.update_id + 1)
    query = update.callback_query
    assert (query.data, query.message.message_id, query.from_user.id) == ("no", sent.message_id, ALICE.id)

    assert await query.answer("Noted") is True
    answers = await client.callback_answers()
    assert answers[0]["text"] == "Noted" and answers[0]["data"] == "no"
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer()  # a query is answered once


async def test_press_needs_an_existing_button(bot, client):
    await client.send_text(ALICE.id, "hi")
    sent = await bot.send_message(ALICE.id, "Pick", reply_markup=YES_NO)
    with pytest.raises(Exception, match="no button with data 'maybe'"):
        await client.press(ALICE.id, sent.message_id, "maybe")


async def test_user_photo_downloads_with_the_same_bytes(bot, client, jpeg):
    await client.send_photo(ALICE.id, jpeg, caption="rear bumper")
    message = (await next_update(bot)).message
    assert message.caption == "rear bumper"
    assert len(message.photo) >= 3
    assert (message.photo[-1].width, message.photo[-1].height) == (1600, 1200)
    assert message.photo[0].width < message.photo[-1].width
    file = await message.photo[-1].get_file()
    assert bytes(await file.download_as_bytearray()) == jpeg


async def test_user_document_location_contact_sticker_voice(bot, client):
    await client.send_document(ALICE.id, b"%PDF-1.4 police report", "report.pdf", "application/pdf")
    await client.send_location(ALICE.id, 22.28, 114.16)
    await client.send_contact(ALICE.id, "+85291234567")
    await client.send_sticker(ALICE.id, "😀")
    await client.send_voice(ALICE.id, 4)
    messages = [u.message for u in await bot.get_updates(timeout=1)]
    document, location, contact, sticker, voice = messages
    assert (document.document.file_name, document.document.mime_type) == ("report.pdf", "application/pdf")
    assert bytes(await (await document.document.get_file()).download_as_bytearray()) == b"%PDF-1.4 police report"
    assert (location.location.latitude, location.location.longitude) == (22.28, 114.16)
    assert (contact.contact.phone_number, contact.contact.user_id) == ("+85291234567", ALICE.id)
    assert sticker.sticker.emoji == "😀"
    assert voice.voice.to_dict()["duration"] == 4
    assert [m.message_id for m in messages] == [1, 2, 3, 4, 5]


async def test_too_long_message_is_refused(bot, client):
    await client.send_text(ALICE.id, "hi")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(ALICE.id, "x" * 4097)
    assert (await bot.send_message(ALICE.id, "字" * 4096)).text == "字" * 4096
    failed = await client.calls("sendMessage", failed=True)
    assert failed[0]["description"] == "Bad Request: message is too long"


async def test_unknown_chat_and_method_answer_like_telegram(bot, simulator):
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "hello?")
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{simulator.base_url}/bot{bot.token}/sendTelepathy", json={})
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_get_query_json_and_form_requests(bot, client, simulator):
    await client.send_text(ALICE.id, "hi")
    url = f"{simulator.base_url}/bot{bot.token}"
    async with httpx.AsyncClient() as http:
        by_get = (await http.get(f"{url}/sendmessage", params={"chat_id": ALICE.id, "text": "GET"})).json()
        by_json = (await http.post(f"{url}/sendMessage", json={"chat_id": ALICE.id, "text": "JSON"})).json()
        by_form = (await http.post(f"{url}/sendMessage", data={"chat_id": str(ALICE.id), "text": "表单"})).json()
    assert [r["result"]["text"] for r in (by_get, by_json, by_form)] == ["GET", "JSON", "表单"]
    assert [m["text"] for m in await client.messages(ALICE.id)] == ["GET", "JSON", "表单"]


async def test_edit_text_keeps_history_and_drops_keyboard_unless_resent(bot, client):
    await client.send_text(ALICE.id, "hi")
    sent = await bot.send_message(ALICE.id, "Choose", reply_markup=YES_NO)
    edited = await bot.edit_message_text("Thanks, <b>noted</b>", ALICE.id, sent.message_id,
                                         parse_mode=ParseMode.HTML)
    assert edited.text == "Thanks, noted" and edited.reply_markup is None and edited.edit_date
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Thanks, noted", ALICE.id, sent.message_id,
                                    entities=edited.entities)
    await bot.edit_message_reply_markup(ALICE.id, sent.message_id, reply_markup=YES_NO)
    [view] = await client.messages(ALICE.id, after=1)
    assert view["text"] == "Thanks, noted"
    assert view["reply_markup"] == YES_NO.to_dict()
    assert [h["text"] for h in view["history"]] == ["Choose", "Thanks, noted"]
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("not mine", ALICE.id, 1)


async def test_delete_message(bot, client):
    await client.send_text(ALICE.id, "hi")
    sent = await bot.send_message(ALICE.id, "oops")
    assert await bot.delete_message(ALICE.id, sent.message_id) is True
    assert (await client.messages(ALICE.id))[0]["deleted"] is True
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(ALICE.id, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("again", ALICE.id, sent.message_id)


async def test_parse_mode_errors_reach_the_bot(bot, client):
    await client.send_text(ALICE.id, "hi")
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(ALICE.id, "Total < 5 <br> days", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="character '-' is reserved"):
        await bot.send_message(ALICE.id, "Claim C-1 opened.", parse_mode=ParseMode.MARKDOWN_V2)
    sent = await bot.send_message(ALICE.id, r"*Claim* C\-1 opened\.", parse_mode=ParseMode.MARKDOWN_V2)
    assert sent.text == "Claim C-1 opened." and sent.entities[0].type == "bold"


async def test_bot_uploads_photo_document_media_group_and_location(bot, client, jpeg):
    await client.send_text(ALICE.id, "hi")
    photo = await bot.send_photo(ALICE.id, jpeg, caption="Your estimate")
    assert photo.photo[-1].width == 1600 and photo.caption == "Your estimate"
    again = await bot.send_photo(ALICE.id, photo.photo[-1].file_id)  # by file_id
    assert again.photo[-1].file_unique_id == photo.photo[-1].file_unique_id
    document = await bot.send_document(ALICE.id, b"claim,amount\nC-1,100.00\n", filename="claim.csv")
    assert document.document.file_name == "claim.csv" and document.document.mime_type == "text/csv"
    album = await bot.send_media_group(ALICE.id, [InputMediaPhoto(jpeg, caption="front"), InputMediaPhoto(jpeg)])
    assert len({m.media_group_id for m in album}) == 1 and album[0].caption == "front"
    location = await bot.send_location(ALICE.id, 22.3, 114.2)
    assert location.location.latitude == 22.3
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(ALICE.id, b"not an image")

    kinds = [next(k for k in ("photo", "document", "location") if k in m) for m in await client.messages(ALICE.id)]
    assert kinds == ["photo", "photo", "document", "photo", "photo", "location"]
    [upload] = await client.calls("sendDocument")
    assert upload["files"]["document"]["sha256"] == hashlib.sha256(b"claim,amount\nC-1,100.00\n").hexdigest()


async def test_chat_action_and_commands(bot, client):
    await client.send_text(ALICE.id, "hi")
    assert await bot.send_chat_action(ALICE.id, ChatAction.TYPING) is True
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(ALICE.id, "dancing")
    assert await bot.set_my_commands([("start", "Start"), ("claim", "报案")], language_code="zh")
    assert [c.command for c in await bot.get_my_commands(language_code="zh")] == ["start", "claim"]
    assert await bot.get_my_commands() == ()
    await bot.delete_my_commands(language_code="zh")
    assert await bot.get_my_commands(language_code="zh") == ()


async def test_reply_keyboard_with_contact_button_then_removal(bot, client):
    await client.send_text(ALICE.id, "hi")
    keyboard = ReplyKeyboardMarkup([[KeyboardButton("Share phone", request_contact=True)]], one_time_keyboard=True)
    sent = await bot.send_message(ALICE.id, "Your phone?", reply_markup=keyboard)
    assert sent.reply_markup is None  # a Message only carries inline keyboards
    await bot.send_message(ALICE.id, "Thanks", reply_markup=ReplyKeyboardRemove())
    first, second = await client.messages(ALICE.id)
    assert first["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    assert second["reply_markup"] == {"remove_keyboard": True}


async def test_reply_parameters_and_replies(bot, client):
    sent_by_user = await client.send_text(ALICE.id, "my plate is AB1234")
    reply = await bot.send_message(ALICE.id, "Got it", reply_to_message_id=sent_by_user["message_id"])
    assert reply.reply_to_message.text == "my plate is AB1234"
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(ALICE.id, "?", reply_to_message_id=999)


async def test_chat_and_member_lookups(bot, client):
    await client.register_chat(AGENTS, title="Agents", is_forum=True, administrators=[AGENT])
    await client.send_text(ALICE.id, "hi")
    chat = await bot.get_chat(ALICE.id)
    assert (chat.type, chat.first_name) == ("private", "Alice")
    group = await bot.get_chat(AGENTS)
    assert (group.type, group.title, group.is_forum) == ("supergroup", "Agents", True)
    assert (await bot.get_chat_member(AGENTS, AGENT.id)).status == ChatMemberStatus.ADMINISTRATOR
    assert (await bot.get_chat_member(AGENTS, 7000000001)).status == ChatMemberStatus.ADMINISTRATOR
    assert (await bot.get_chat_member(ALICE.id, ALICE.id)).status == ChatMemberStatus.MEMBER
    assert (await bot.get_chat_member(AGENTS, ALICE.id)).status == ChatMemberStatus.LEFT
    with pytest.raises(BadRequest, match="User not found"):
        await bot.get_chat_member(AGENTS, 424242)


async def test_copy_and_forward_a_customer_photo_to_the_agents(bot, client, jpeg):
    await client.register_chat(AGENTS, title="Agents", is_forum=True)
    photo = await client.send_photo(ALICE.id, jpeg, caption="dent")
    copied = await bot.copy_message(AGENTS, ALICE.id, photo["message_id"], caption="Claim C-1: dent")
    forwarded = await bot.forward_message(AGENTS, ALICE.id, photo["message_id"])
    assert forwarded.forward_origin.sender_user.id == ALICE.id
    copy_view, forward_view = await client.messages(AGENTS)
    assert copy_view["message_id"] == copied.message_id and copy_view["caption"] == "Claim C-1: dent"
    assert copy_view["photo"][-1]["file_id"] == forward_view["photo"][-1]["file_id"]


async def test_forum_topics(bot, client):
    await client.register_chat(AGENTS, title="Agents", is_forum=True, administrators=[AGENT])
    topic = await bot.create_forum_topic(AGENTS, "C-2026-0001 Alice")
    assert topic.name == "C-2026-0001 Alice" and topic.message_thread_id > 0
    posted = await bot.send_message(AGENTS, "New claim", message_thread_id=topic.message_thread_id)
    assert posted.message_thread_id == topic.message_thread_id and posted.is_topic_message
    assert posted.reply_to_message.forum_topic_created.name == "C-2026-0001 Alice"

    answer = await client.send_text(AGENTS, "I'll take it", user=AGENT, thread_id=topic.message_thread_id)
    update = (await bot.get_updates(timeout=1))[-1]
    assert update.message.message_thread_id == topic.message_thread_id
    assert update.message.message_id == answer["message_id"]

    assert await bot.edit_forum_topic(AGENTS, topic.message_thread_id, name="C-2026-0001 Alice (Lee)")
    assert await bot.close_forum_topic(AGENTS, topic.message_thread_id)
    with pytest.raises(BadRequest, match="Topic_not_modified"):
        await bot.close_forum_topic(AGENTS, topic.message_thread_id)
    assert await bot.reopen_forum_topic(AGENTS, topic.message_thread_id)
    [listed] = await client.topics(AGENTS)
    assert (listed["name"], listed["closed"]) == ("C-2026-0001 Alice (Lee)", False)
    in_topic = await client.messages(AGENTS, thread_id=topic.message_thread_id)
    assert [m["text"] for m in in_topic] == ["New claim"]  # service messages only with include_all
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(AGENTS, "lost", message_thread_id=9999)
    await client.send_text(ALICE.id, "hi")
    with pytest.raises(BadRequest, match="The chat is not a forum"):
        await bot.create_forum_topic(ALICE.id, "x")


async def test_captions_url_uploads_and_document_albums(bot, client, simulator, jpeg):
    await client.send_text(ALICE.id, "hi")
    first = await bot.send_photo(ALICE.id, jpeg)
    url = (await bot.get_file(first.photo[-1].file_id)).file_path  # an HTTP URL the simulator serves
    by_url = await bot.send_photo(ALICE.id, url, caption="*Quote*", parse_mode=ParseMode.MARKDOWN)
    assert by_url.caption == "Quote" and by_url.photo[-1].width == 1600
    edited = await bot.edit_message_caption(ALICE.id, by_url.message_id, caption="Final quote")
    assert edited.caption == "Final quote" and edited.caption_entities == ()
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(ALICE.id, first.photo[-1].file_id, caption="x" * 1025)
    album = await bot.send_media_group(ALICE.id, [InputMediaDocument(b"a", filename="a.txt"),
                                                  InputMediaDocument(b"b", filename="b.txt")])
    assert [m.document.file_name for m in album] == ["a.txt", "b.txt"]
    with pytest.raises(BadRequest, match="Failed to get http url content"):
        await bot.send_photo(ALICE.id, f"{simulator.base_url}/file/bot{bot.token}/missing.jpg")
