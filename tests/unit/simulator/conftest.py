"""Fixtures: a simulator on a free port, a real PTB Bot pointed at it, and a control client."""
from __future__ import annotations

import io

import pytest
import pytest_asyncio
from telegram import Bot

from telegram_simulator import BotApiSimulator, FakeUser, SimulatorClient

TOKEN = "7000000001:TEST-token_for_the_simulator"
ALICE = FakeUser(100001, "Alice", "en")  # the client's default user


@pytest_asyncio.fixture
async def simulator():
    sim = BotApiSimulator(webhook_retry_delay=0.1)
    await sim.start()
    yield sim
    await sim.stop()


@pytest_asyncio.fixture
async def bot(simulator):
    bot = Bot(TOKEN, base_url=f"{simulator.base_url}/bot", base_file_url=f"{simulator.base_url}/file/bot")
    async with bot:  # initialize() calls getMe, which also makes TOKEN the simulator's default bot
        yield bot


@pytest_asyncio.fixture
async def client(simulator):
    async with SimulatorClient(simulator.base_url, user=ALICE) as client:
        yield client


@pytest.fixture
def jpeg() -> bytes:
    """A real 1600x1200 JPEG."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()
