"""Webhook mode: with WEBHOOK_URL set the bot registers a webhook and checks Telegram's secret header."""
from __future__ import annotations

import asyncio

import httpx
import pytest

from devstack.processes import Service, free_port, port_open
from devstack.stack import APP_PYTHON
from telegram_simulator.client import FakeUser, SimulatorClient
from tests.e2e.chat import texts

pytestmark = pytest.mark.e2e

WEBHOOK_TOKEN = "7000000002:E2E-WEBHOOK-TOKEN"
SECRET = "s3cret-header-value"


@pytest.fixture(scope="module")
def webhook_bot(assistant, tmp_path_factory):
    """A second bot process, in webhook mode, on the same simulator and Rasa."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    bot = Service(
        "bot-webhook",
        [APP_PYTHON, "-m", "bot"],
        {
            **assistant.stack.common_env(),
            "RASA_URL": assistant.stack.rasa_url,
            "TELEGRAM_API_URL": f"{assistant.simulator_url}/bot",
            "TELEGRAM_BOT_TOKEN": WEBHOOK_TOKEN,
            "WEBHOOK_URL": url,
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "SCHEDULER_ENABLED": "false",  # the polling bot pushes claim updates
        },
        tmp_path_factory.mktemp("webhook"),
        lambda: port_open("127.0.0.1", port),
    )
    bot.start()
    bot.wait_ready(30)
    yield url
    bot.stop()


@pytest.mark.parametrize(("language", "greeting"), [("en", "Hello!"), ("zh", "您好！")])
async def test_updates_arrive_by_webhook_and_are_answered(assistant, webhook_bot, language, greeting):
    async with SimulatorClient(assistant.simulator_url, token=WEBHOOK_TOKEN) as sim:
        for _ in range(100):  # the webhook is registered just after the server starts listening
            bots = await sim.bots()
            if any(b.get("webhook_url") == webhook_bot for b in bots):
                break
            await asyncio.sleep(0.1)
        assert any(b.get("webhook_url") == webhook_bot for b in bots), bots
        user = FakeUser(id=880_000_001 if language == "en" else 880_000_002,
                        language_code="en" if language == "en" else "zh-hans")
        sent = await sim.send_text(user.id, "/start", user=user)
        replies = await sim.wait_for_messages(user.id, after=sent["message_id"], timeout=30)
        assert greeting in texts(replies)


async def test_a_request_without_the_secret_header_is_refused(webhook_bot):
    async with httpx.AsyncClient() as client:
        forged = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"},
                                              "text": "/start"}}
        no_header = await client.post(webhook_bot, json=forged)
        wrong = await client.post(webhook_bot, json=forged, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"})
    assert no_header.status_code == 403 and wrong.status_code == 403
