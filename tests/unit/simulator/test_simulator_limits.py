"""Telegram's flood limits (off by default), the bulk chat registration and the call log at scale."""
from __future__ import annotations

import datetime as dtm
import time

import httpx
import pytest
import pytest_asyncio
from telegram import Bot, InputMediaPhoto
from telegram.error import BadRequest, RetryAfter

from telegram_simulator import FakeUser, SimulatorError, limits
from telegram_simulator.limits import FloodLimiter, LimitConfig

# asyncio_mode is auto (no asyncio mark: one test is synchronous). PTB 22 warns when
# RetryAfter.retry_after is read that it will become a timedelta.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")

TOKEN = "7000000001:TEST-token_for_the_simulator"  # the bot fixture's
ALICE = FakeUser(100001, "Alice", "en")  # the client fixture's default user
OTHER_TOKEN = "7000000002:OTHER-token_for_the_simulator"
DEFAULTS = {"enabled": False, "global_per_second": 30, "per_chat_per_second": 1.0, "per_chat_burst": 1}
FIRST_CHAT = 500000


class Clock:
    """Stands in for telegram_simulator.limits.monotonic: time moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(limits, "monotonic", clock)
    return clock


def customers(count: int, first: int = FIRST_CHAT) -> list[dict]:
    return [{"chat_id": first + n, "type": "private", "first_name": f"Customer {n}"} for n in range(count)]


def seconds(error: RetryAfter) -> int:
    """RetryAfter.retry_after as whole seconds, whichever type PTB's PTB_TIMEDELTA opt-in gives."""
    value = error.retry_after
    if isinstance(value, dtm.timedelta):
        assert value.total_seconds() == int(value.total_seconds())
        return int(value.total_seconds())
    return value


async def refused(bot: Bot, chat_id: int = ALICE.id, text: str = "too soon") -> int:
    """Send and expect the flood limit; the retry_after PTB reports."""
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(chat_id, text)
    return seconds(caught.value)


@pytest_asyncio.fixture
async def alice(bot, client):
    await client.register_chat(ALICE.id, chat_type="private", owner=ALICE)
    return ALICE.id


async def test_limits_are_off_by_default(bot, client, alice, clock):
    assert await client.limits() == DEFAULTS
    assert (await client.bots())[0]["limits"] == DEFAULTS
    for n in range(40):  # far past both limits, all at the same instant
        await bot.send_message(alice, f"#{n}")
    assert len(await client.messages(alice)) == 40
    assert not await client.calls(failed=True)


async def test_global_limit_is_a_sliding_second(bot, client, clock):
    await client.register_chats(customers(60))
    assert await client.set_limits(enabled=True) == {**DEFAULTS, "enabled": True}
    for n in range(20):
        await bot.send_message(FIRST_CHAT + n, "now")
    clock.advance(0.5)
    for n in range(20, 30):
        await bot.send_message(FIRST_CHAT + n, "half a second later")
    assert await refused(bot, FIRST_CHAT + 30) == 1  # the 31st within a second
    clock.advance(0.25)
    assert await refused(bot, FIRST_CHAT + 30) == 1  # 0.25 s until the first 20 leave the window
    clock.advance(0.25)  # exactly 1 s after the first 20: they no longer count
    for n in range(30, 50):
        await bot.send_message(FIRST_CHAT + n, "the window moved")
    assert await refused(bot, FIRST_CHAT + 50) == 1
    clock.advance(0.5)
    await bot.send_message(FIRST_CHAT + 50, "the second batch left the window")


async def test_global_limit_as_configured_and_retry_after_rounds_up(bot, client, clock):
    await client.register_chats(customers(10))
    await client.set_limits(global_per_second=3, per_chat_burst=10)
    for n in range(3):
        await bot.send_message(FIRST_CHAT, f"#{n}")
    assert await refused(bot, FIRST_CHAT + 1) == 1
    clock.advance(1)
    for n in range(3):
        await bot.send_message(FIRST_CHAT + 1 + n, f"#{n}")  # any chats: the limit is global


async def test_per_chat_limit_is_one_a_second(bot, client, alice, clock):
    await client.register_chats(customers(1))
    await client.set_limits()
    await bot.send_message(alice, "first")
    assert await refused(bot) == 1
    await bot.send_message(FIRST_CHAT, "another chat is not held up")
    clock.advance(0.75)
    assert await refused(bot) == 1
    clock.advance(0.25)
    await bot.send_message(alice, "a second later")
    assert await refused(bot) == 1


async def test_a_slower_per_chat_rate_gives_a_longer_retry_after(bot, client, alice, clock):
    await client.set_limits(per_chat_per_second=0.25)
    await bot.send_message(alice, "first")
    assert await refused(bot) == 4
    clock.advance(3.5)
    assert await refused(bot) == 1  # half a second left: Telegram answers whole seconds
    clock.advance(0.5)
    await bot.send_message(alice, "four seconds later")


async def test_burst_lets_a_chat_receive_several_back_to_back(bot, client, alice, clock):
    await client.set_limits(per_chat_burst=3)
    for n in range(3):
        await bot.send_message(alice, f"back to back #{n}")
    assert await refused(bot) == 1
    clock.advance(1)
    await bot.send_message(alice, "one more after a second")
    assert await refused(bot) == 1
    clock.advance(60)  # the bucket refills to the burst, no further
    for n in range(3):
        await bot.send_message(alice, f"again #{n}")
    assert await refused(bot) == 1


async def test_refused_calls_take_no_capacity_and_post_nothing(bot, client, alice, clock):
    await client.set_limits(global_per_second=5)
    first = await bot.send_message(alice, "first")
    for _ in range(10):  # more refusals than the global limit: they do not count towards it
        clock.advance(0.05)
        assert await refused(bot) == 1
    clock.advance(0.5)  # 1 s after the first send: no refusal pushed the chat's next slot back
    second = await bot.send_message(alice, "second")
    assert second.message_id == first.message_id + 1  # refusals allocated no message ids
    assert [m["text"] for m in await client.messages(alice)] == ["first", "second"]

    failed = await client.calls(failed=True)
    assert len(failed) == 10
    assert {(c["method"], c["ok"], c["error_code"], c["description"]) for c in failed} \
        == {("sendMessage", False, 429, "Too Many Requests: retry after 1")}
    assert all(c["parameters"] == {"retry_after": 1} and c["time"] for c in failed)


async def test_the_limit_is_checked_before_the_call_is_validated(bot, client, alice, clock):
    await client.set_limits()
    await bot.send_message(alice, "first")
    with pytest.raises(RetryAfter):
        await bot.send_message(alice, "<b>broken", parse_mode="HTML")  # 429, not 400
    with pytest.raises(RetryAfter):
        await bot.send_message(f"{alice}", " ")  # the chat counts however its id is written


async def test_a_send_that_fails_otherwise_gives_its_capacity_back(bot, client, alice, clock):
    await client.set_limits(global_per_second=2)
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(alice, "<b>broken", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(12345, "nobody there")
    await bot.send_message(alice, "sent")  # neither failure used the chat's or the global capacity
    assert await refused(bot) == 1


async def test_every_sending_method_counts_and_nothing_else(bot, client, alice, clock, jpeg):
    await client.set_limits(per_chat_burst=7)
    photo = await bot.send_photo(alice, jpeg)
    await bot.send_message(alice, "text")
    await bot.send_document(alice, b"%PDF-1.4 report", filename="report.pdf")
    await bot.send_location(alice, 22.3, 114.2)
    file_id = photo.photo[-1].file_id
    album = await bot.send_media_group(alice, [InputMediaPhoto(file_id), InputMediaPhoto(file_id)])
    assert len(album) == 2  # an album counts as one message
    await bot.copy_message(alice, alice, photo.message_id)
    await bot.forward_message(alice, alice, photo.message_id)
    await bot.send_chat_action(alice, "typing")
    await bot.edit_message_caption(alice, photo.message_id, caption="edited")
    await bot.get_chat(alice)
    await bot.delete_message(alice, album[0].message_id)
    with pytest.raises(RetryAfter):
        await bot.send_location(alice, 22.3, 114.2)
    with pytest.raises(RetryAfter):
        await bot.copy_message(alice, alice, photo.message_id)


async def test_the_answer_is_telegrams_429(bot, client, alice, clock, simulator):
    await client.set_limits(per_chat_per_second=0.5)
    url = f"{simulator.base_url}/bot{TOKEN}/sendMessage"
    async with httpx.AsyncClient() as http:
        assert (await http.post(url, json={"chat_id": alice, "text": "first"})).status_code == 200
        response = await http.post(url, data={"chat_id": str(alice), "text": "second"})
    assert response.status_code == 429
    assert response.json() == {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 2",
                               "parameters": {"retry_after": 2}}
    with pytest.raises(RetryAfter) as caught:  # PTB reads parameters.retry_after
        await bot.send_message(alice, "third")
    assert seconds(caught.value) == 2
    assert "Flood control exceeded" in str(caught.value)


async def test_limits_are_per_bot_token(bot, client, alice, clock, simulator):
    other = Bot(OTHER_TOKEN, base_url=f"{simulator.base_url}/bot", base_file_url=f"{simulator.base_url}/file/bot")
    async with other:
        await client.register_chats(customers(3), token=OTHER_TOKEN)
        await client.set_limits(global_per_second=2, token=OTHER_TOKEN)
        assert (await client.limits(token=OTHER_TOKEN))["global_per_second"] == 2
        assert await client.limits() == DEFAULTS  # the default bot (TOKEN) is still unlimited
        for n in range(5):
            await bot.send_message(alice, f"unlimited #{n}")
        await other.send_message(FIRST_CHAT, "one")
        assert await refused(other, FIRST_CHAT) == 1
        await other.send_message(FIRST_CHAT + 1, "two")
        assert await refused(other, FIRST_CHAT + 2) == 1  # its own global limit

        await client.set_limits(global_per_second=1)  # now the default bot: its own counting
        await bot.send_message(alice, "the default bot's first under limits")
        assert await refused(bot) == 1
        assert await refused(other, FIRST_CHAT + 2) == 1
        assert {b["token"]: b["limits"]["global_per_second"] for b in await client.bots()} \
            == {TOKEN: 1, OTHER_TOKEN: 2}


async def test_set_limits_keeps_values_not_given_and_checks_them(bot, client, simulator):
    assert await client.set_limits(global_per_second=10, per_chat_burst=3) \
        == {"enabled": True, "global_per_second": 10, "per_chat_per_second": 1.0, "per_chat_burst": 3}
    assert await client.set_limits(False) \
        == {"enabled": False, "global_per_second": 10, "per_chat_per_second": 1.0, "per_chat_burst": 3}
    assert await client.limits() == {**DEFAULTS, "global_per_second": 10, "per_chat_burst": 3}
    with pytest.raises(SimulatorError, match="global_per_second must be positive"):
        await client.set_limits(global_per_second=0)
    with pytest.raises(SimulatorError, match="per_chat_burst must be a whole number"):
        await client.set_limits(per_chat_burst=1.5)
    async with httpx.AsyncClient(base_url=simulator.base_url) as http:
        missing = await http.post("/sim/limits", json={"global_per_second": 5})
        not_a_flag = await http.post("/sim/limits", json={"enabled": "yes"})
        rate = await http.post("/sim/limits", json={"enabled": True, "per_chat_per_second": 2.5})
        read = await http.get("/sim/limits", params={"token": TOKEN})
    assert (missing.status_code, missing.json()) == (400, {"error": "give enabled (true or false)"})
    assert not_a_flag.status_code == 400 and "enabled must be true or false" in not_a_flag.json()["error"]
    assert rate.json()["per_chat_per_second"] == 2.5 and read.json() == rate.json()


async def test_a_plain_reset_keeps_the_limits_and_a_full_one_turns_them_off(bot, client, alice, clock):
    config = await client.set_limits(per_chat_burst=2, global_per_second=10)
    await bot.send_message(alice, "one")
    await bot.send_message(alice, "two")
    assert await refused(bot) == 1

    await client.reset()
    assert await client.limits() == config
    await client.register_chat(ALICE.id, chat_type="private", owner=ALICE)
    await bot.send_message(alice, "counting started afresh")
    await bot.send_message(alice, "so the burst is back")
    assert await refused(bot) == 1

    await client.reset(full=True)
    assert await client.limits() == DEFAULTS
    await client.register_chat(ALICE.id, chat_type="private", owner=ALICE)
    for n in range(5):
        await bot.send_message(alice, f"unlimited #{n}")


async def test_setting_the_limits_starts_counting_afresh(bot, client, alice, clock):
    await client.set_limits()
    await bot.send_message(alice, "one")
    assert await refused(bot) == 1
    await client.set_limits(per_chat_burst=2)
    await bot.send_message(alice, "two")
    await bot.send_message(alice, "three")
    assert await refused(bot) == 1


def test_the_limiter_can_be_given_its_own_clock():
    now = [0.0]
    limiter = FloodLimiter(LimitConfig(enabled=True, global_per_second=2), clock=lambda: now[0])
    first = limiter.take(1)
    limiter.take(2)
    with pytest.raises(limits.FloodLimited) as caught:
        limiter.take(3)
    assert caught.value.retry_after == 1 and str(caught.value) == "Too Many Requests: retry after 1"
    limiter.give_back(first)  # that message was not sent after all
    limiter.take(1)
    now[0] = 1.0
    limiter.take(3)
    assert limits.chat_key("@Nobody", {}) == "@nobody" and limits.chat_key(" 42", {}) == 42
    assert limits.chat_key(None, {}) is None


async def test_bulk_registration_of_ten_thousand_customers(bot, client, simulator):
    chats = customers(10_000)
    started = time.perf_counter()
    registered = await client.register_chats(chats)
    elapsed = time.perf_counter() - started
    assert len(registered) == 10_000
    assert registered[0] == {"id": FIRST_CHAT, "type": "private", "first_name": "Customer 0"}
    assert registered[-1]["id"] == FIRST_CHAT + 9_999
    assert elapsed < 5, f"registering 10,000 chats took {elapsed:.1f} s"
    assert (await bot.get_chat(FIRST_CHAT + 1234)).first_name == "Customer 1234"
    sent = await bot.send_message(FIRST_CHAT + 9_999, "Your claim was approved")
    assert sent.chat.first_name == "Customer 9999"
    member = await bot.get_chat_member(FIRST_CHAT + 42, FIRST_CHAT + 42)
    assert member.user.first_name == "Customer 42"


async def test_bulk_registration_takes_every_form_and_refuses_a_faulty_list_whole(bot, client):
    agent = {"id": 200001, "first_name": "Lee"}
    registered = await client.register_chats([
        {"chat_id": -1001, "type": "supergroup", "title": "Agents", "is_forum": True, "administrators": [agent]},
        {"chat_id": 7, "type": "private", "first_name": "Bob", "last_name": "Li", "username": "bob"},
    ])
    assert registered == [
        {"id": -1001, "type": "supergroup", "title": "Agents", "is_forum": True},
        {"id": 7, "type": "private", "first_name": "Bob", "last_name": "Li", "username": "bob"},
    ]
    assert (await bot.get_chat_member(-1001, 200001)).status == "administrator"
    with pytest.raises(SimulatorError, match=r"chats\[1\]: unsupported chat type 'channel'"):
        await client.register_chats([{"chat_id": 8, "type": "private"}, {"chat_id": 9, "type": "channel"}])
    with pytest.raises(SimulatorError, match=r"chats\[0\]: 'chat_id' missing"):
        await client.register_chats([{"type": "private"}])
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(8, "the list was refused whole")


async def test_the_call_log_filters_ten_thousand_calls_quickly(bot, client, simulator):
    await client.register_chats(customers(10_000))
    for n in range(10_000):
        status, _ = await simulator.call(TOKEN, "sendMessage", {"chat_id": FIRST_CHAT + n, "text": f"#{n}"}, {})
        assert status == 200
        if n % 10 == 0:
            await simulator.call(TOKEN, "sendChatAction", {"chat_id": FIRST_CHAT + n, "action": "typing"}, {})
    started = time.perf_counter()
    sends = await client.calls("sendMessage")
    elapsed = time.perf_counter() - started
    assert len(sends) == 10_000 and all(c["ok"] and c["method"] == "sendMessage" for c in sends)
    assert elapsed < 5, f"GET /sim/calls?method=sendMessage took {elapsed:.1f} s"
    times = [c["time"] for c in sends]
    assert times == sorted(times) and times[-1] - times[0] > 0  # a benchmark can compute a send rate
