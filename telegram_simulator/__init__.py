"""Local Telegram Bot API simulator: the bot talks to it instead of api.telegram.org."""

from telegram_simulator.client import FakeUser, SimulatorClient, SimulatorError
from telegram_simulator.server import BotApiSimulator

__all__ = ["BotApiSimulator", "FakeUser", "SimulatorClient", "SimulatorError"]
