"""A user who blocked the bot: sends to them answer 403 as on Telegram, until they unblock it or write again."""
import pytest
from telegram.error import Forbidden

from tests.unit.simulator.conftest import ALICE


async def test_a_blocked_chat_refuses_sends_until_the_user_writes_again(bot, client):
    await client.send_text(ALICE.id, "hello")
    assert (await bot.send_message(ALICE.id, "before")).text == "before"  # positive control
    assert await client.block(ALICE.id) == {"chat_id": ALICE.id, "blocked": True}
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ALICE.id, "while blocked")
    assert [m["text"] for m in await client.messages(ALICE.id)] == ["before"]
    refused = await client.calls("sendMessage", failed=True)
    assert [(c["error_code"], c["params"]["text"]) for c in refused] == [(403, "while blocked")]
    await client.send_text(ALICE.id, "I'm back")
    assert (await bot.send_message(ALICE.id, "after")).text == "after"


async def test_unblocking_without_writing(bot, client):
    await client.send_text(ALICE.id, "hello")
    await client.block(ALICE.id)
    await client.block(ALICE.id, blocked=False)
    assert (await bot.send_message(ALICE.id, "again")).text == "again"
