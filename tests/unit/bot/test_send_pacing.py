"""The outbox's pace, on a fake clock: evenly spaced sends, one a second per chat, a 429 holds only its chat
unless several chats are refused at once."""
import pytest

from bot.pacing import SendPacer


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def pacer(clock: FakeClock, rate: float = 25.0) -> SendPacer:
    return SendPacer(rate, clock=clock, sleep=clock.sleep)


async def send_times(p: SendPacer, clock: FakeClock, chats: list[int]) -> list[float]:
    times = []
    for chat in chats:
        await p.take_slot(chat)
        times.append(round(clock.now - 1000.0, 6))
    return times


async def test_sends_are_spaced_at_the_rate_without_a_burst(clock):
    p = pacer(clock, rate=25.0)
    times = await send_times(p, clock, list(range(1, 51)))
    assert times[0] == 0.0
    assert all(round(b - a, 6) == 0.04 for a, b in zip(times, times[1:]))
    assert times[-1] == pytest.approx(49 * 0.04)  # 50 messages: 25 a second, never more in any second


async def test_an_idle_pacer_does_not_save_up_a_burst(clock):
    p = pacer(clock, rate=10.0)
    await p.take_slot(1)
    clock.now += 60.0  # a quiet minute
    times = await send_times(p, clock, [2, 3, 4])
    assert [round(b - a, 6) for a, b in zip(times, times[1:])] == [0.1, 0.1]


async def test_a_late_send_is_made_up_for_without_a_burst(clock):
    p = pacer(clock, rate=10.0)
    await p.take_slot(1)
    clock.now += 0.13  # the loop was busy: 30 ms late
    await p.take_slot(2)
    times = await send_times(p, clock, [3, 4])
    assert times == [pytest.approx(0.2), pytest.approx(0.3)]  # back on the 10-a-second grid


async def test_a_very_late_send_keeps_half_an_interval_to_the_next(clock):
    p = pacer(clock, rate=10.0)
    await p.take_slot(1)
    clock.now += 0.19  # 90 ms late
    await p.take_slot(2)
    times = await send_times(p, clock, [3])
    assert times == [pytest.approx(0.24)]


async def test_one_message_a_second_to_the_same_chat(clock):
    p = pacer(clock, rate=100.0)
    times = await send_times(p, clock, [7, 7, 7])
    assert times == [0.0, 1.0, 2.0]
    assert not p.chat_ready(7)
    assert p.chat_ready(8)


async def test_a_refusal_holds_only_that_chat(clock):
    p = pacer(clock, rate=10.0)
    await p.take_slot(1)
    assert p.refused(1, retry_after=5) is False
    assert p.chat_free_at(1) == pytest.approx(clock.now + 5)
    times = await send_times(p, clock, [2])
    assert times == [0.1]  # another chat goes on at the normal pace


async def test_refusals_for_two_chats_within_a_second_pause_everything(clock):
    p = pacer(clock, rate=10.0)
    await p.take_slot(1)
    await p.take_slot(2)
    assert p.refused(1, retry_after=3) is False
    assert p.refused(2, retry_after=3) is True
    start = clock.now
    await p.take_slot(3)  # a third chat waits for the pause too
    assert clock.now == pytest.approx(start + 3)


async def test_refusals_a_second_apart_are_each_the_chats_own(clock):
    p = pacer(clock, rate=10.0)
    assert p.refused(1, retry_after=2) is False
    clock.now += 1.5
    assert p.refused(2, retry_after=2) is False


def test_the_rate_must_be_positive():
    with pytest.raises(ValueError):
        SendPacer(0)
