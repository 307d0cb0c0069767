"""Fixtures of the bot's tests: the Bot API simulator in this process, for a real PTB Bot to talk to."""
from __future__ import annotations

import pytest_asyncio

from telegram_simulator import BotApiSimulator


@pytest_asyncio.fixture
async def simulator():
    sim = BotApiSimulator()
    await sim.start()
    yield sim
    await sim.stop()
