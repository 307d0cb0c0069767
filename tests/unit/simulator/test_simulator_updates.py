"""Update delivery: long polling, offsets, webhooks, and real PTB Applications end to end."""
from __future__ import annotations

import asyncio
import socket

import httpx
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Conflict
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from telegram_simulator import FakeUser

pytestmark = pytest.mark.asyncio

ALICE = FakeUser(100001, "Alice", "en")  # the client fixture's default user
YES_NO = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes"),
                                InlineKeyboardButton("No", callback_data="no")]])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_long_polling_returns_as_soon_as_an_update_arrives(bot, client):
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.3)
    assert not poll.done()
    started = asyncio.get_running_loop().time()
    await client.send_text(ALICE.id, "accident!")
    updates = await asyncio.wait_for(poll, 3)
    assert asyncio.get_running_loop().time() - started < 1
    assert [u.message.text for u in updates] == ["accident!"]


async def test_long_polling_times_out_empty(bot):
    started = asyncio.get_running_loop().time()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 < asyncio.get_running_loop().time() - started < 3


async def test_offset_confirms_and_negative_offset_keeps_the_last(bot, client):
    for text in ("one", "two", "three"):
        await client.send_text(ALICE.id, text)
    updates = await bot.get_updates()
    assert [u.message.text for u in updates] == ["one", "two", "three"]
    assert len(await bot.get_updates()) == 3  # not confirmed yet
    assert await bot.get_updates(offset=updates[-1].update_id + 1) == ()
    for text in ("four", "five"):
        await client.send_text(ALICE.id, text)
    assert [u.message.text for u in await bot.get_updates(offset=-1)] == ["five"]
    assert [u.message.text for u in await bot.get_updates(limit=5)] == ["five"]


async def test_allowed_updates_filters_new_updates(bot, client):
    await client.send_text(ALICE.id, "hi")
    await bot.get_updates(allowed_updates=["callback_query"])
    sent = await bot.send_message(ALICE.id, "Pick", reply_markup=YES_NO)
    dropped = await client.send_text(ALICE.id, "ignored")
    assert dropped["update_id"] is None
    await client.press(ALICE.id, sent.message_id, "yes")
    updates = await bot.get_updates()
    assert [u.callback_query.data for u in updates if u.callback_query] == ["yes"]


async def test_a_second_get_updates_ends_the_first_with_conflict(bot, simulator):
    url = f"{simulator.base_url}/bot{bot.token}/getUpdates"
    async with httpx.AsyncClient(timeout=10) as http:
        first = asyncio.create_task(http.post(url, json={"timeout": 5}))
        await asyncio.sleep(0.2)
        second = await http.post(url, json={"timeout": 0})
        answer = (await first).json()
    assert second.json() == {"ok": True, "result": []}
    assert answer["error_code"] == 409 and answer["description"].startswith("Conflict: terminated by other")


async def test_updates_sent_before_the_bot_connects_wait_for_it(simulator, client):
    await client.send_text(ALICE.id, "anyone there?")
    async with Bot("123:late-bot", base_url=f"{simulator.base_url}/bot") as late:
        assert [u.message.text for u in await late.get_updates()] == ["anyone there?"]


async def test_webhook_delivery_with_secret_header_and_retry(bot, client):
    received: list[tuple[str | None, dict]] = []
    statuses = [500]  # the first delivery fails, Telegram retries

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.Response(status=statuses.pop(0) if statuses else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret-token")
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        sent = await client.send_text(ALICE.id, "hello hook")
        for _ in range(100):
            if len(received) >= 2:
                break
            await asyncio.sleep(0.05)
        assert [secret for secret, _ in received] == ["s3cret-token", "s3cret-token"]
        assert received[0][1] == received[1][1]
        assert received[1][1]["message"]["message_id"] == sent["message_id"]
        info = await bot.get_webhook_info()
        assert info.url.endswith("/hook") and info.pending_update_count == 0
        assert "500" in info.last_error_message

        assert await bot.delete_webhook()
        await client.send_text(ALICE.id, "back to polling")
        assert [u.message.text for u in await bot.get_updates()] == ["back to polling"]
    finally:
        await runner.cleanup()


async def test_reset_forgets_chats_but_keeps_update_ids_increasing(bot, client):
    await client.send_text(ALICE.id, "before")
    before = (await bot.get_updates())[-1].update_id
    await client.reset()
    assert await client.messages(ALICE.id) == []
    assert await bot.get_updates() == ()
    after = await client.send_text(ALICE.id, "after")
    assert after["update_id"] > before and after["message_id"] == 1


def build_application(simulator):
    """A small PTB application: /start with buttons, a button handler, an echo."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text("Welcome! Were you hurt?", reply_markup=YES_NO)

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(f"You chose {update.callback_query.data}")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(f"echo: {update.message.text}")

    application = (
        ApplicationBuilder().token("7000000001:application-test")
        .base_url(f"{simulator.base_url}/bot").base_file_url(f"{simulator.base_url}/file/bot").build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(button))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return application


async def converse(client) -> None:
    """The conversation both the polling and the webhook application must hold."""
    await client.wait_for_bot()
    started = await client.send_text(ALICE.id, "/start")
    [welcome] = await client.wait_for_messages(ALICE.id, after=started["message_id"])
    assert welcome["text"] == "Welcome! Were you hurt?"
    await client.press(ALICE.id, welcome["message_id"], "no")
    await client.wait_for_messages(ALICE.id, after=0, predicate=lambda m: m["text"] == "You chose no")
    said = await client.send_text(ALICE.id, "我的车被撞了")
    [echo] = await client.wait_for_messages(ALICE.id, after=said["message_id"])
    assert echo["text"] == "echo: 我的车被撞了"
    assert [a["data"] for a in await client.callback_answers()] == ["no"]


async def test_ptb_application_with_polling(simulator, client):
    application = build_application(simulator)
    await application.initialize()
    await application.start()
    await application.updater.start_polling(poll_interval=0, timeout=2)
    try:
        await converse(client)
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
    assert not [c for c in await client.calls(failed=True) if c["method"] != "getUpdates"]


async def test_ptb_application_with_webhook(simulator, client):
    application = build_application(simulator)
    port = free_port()
    await application.initialize()
    await application.start()
    await application.updater.start_webhook(
        listen="127.0.0.1", port=port, url_path="telegram",
        webhook_url=f"http://127.0.0.1:{port}/telegram", secret_token="webhook-secret",
    )
    try:
        await converse(client)
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
    [set_webhook] = await client.calls("setWebhook")
    assert set_webhook["params"]["secret_token"] == "webhook-secret"
