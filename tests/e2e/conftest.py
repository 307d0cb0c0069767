"""End-to-end fixtures: the real assistant, started once per test session.

Processes: the Bot API simulator, the Rasa server with the trained model, the action server and
the bot, all on loopback ports, on a fresh migrated and seeded database (PostgreSQL when it is
reachable, else SQLite) and, when Redis runs, with Rasa's conversations kept in Redis.
Nothing of our own is mocked; only Telegram is simulated.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from dataclasses import dataclass

import pytest

from claims.db import make_engine, make_session_factory
from claims.testing import session_backend, temporary_database
from devstack.stack import Stack, current_model, prepare_database, redis_available, start_roadside_provider, start_simulator
from telegram_simulator.client import FakeUser, SimulatorClient
from tests.e2e.chat import Chat

BOT_TOKEN = "7000000001:E2E-TEST-TOKEN"
_chat_ids = itertools.count(900_000_001)

# The agents' forum: two listed agents, a member who is not an agent, and a listed agent who left.
AGENTS_CHAT_ID = -1009000000001
AGENT_LEE = FakeUser(id=700001, first_name="Lee", language_code="en")
AGENT_WANG = FakeUser(id=700002, first_name="Wang", language_code="zh-hans")
INTRUDER = FakeUser(id=700003, first_name="Visitor", language_code="en")
FORMER_AGENT = FakeUser(id=700004, first_name="Former", language_code="en")
# Short service levels so the tests see a reminder; the desk is staffed around the clock unless a test
# closes it with /desk close.
FIRST_RESPONSE_TARGET_SECONDS = 15
DESK_ENV = {
    "AGENTS_CHAT_ID": str(AGENTS_CHAT_ID),
    "AGENT_IDS": f"{AGENT_LEE.id},{AGENT_WANG.id},{FORMER_AGENT.id}",
    "FIRST_RESPONSE_TARGET_SECONDS": str(FIRST_RESPONSE_TARGET_SECONDS),
    "DESK_SWEEP_INTERVAL_SECONDS": "1",
    "DESK_HOURS": json.dumps({day: "00:00-24:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}),
}


# The roadside provider in seconds: a truck 4-8 km away at 40 km/h with time running 60x arrives in 6-12 s,
# moving every 0.5 s; the bot polls every 0.5 s and moves the live location at most once a second.
PROVIDER_OPTIONS = ("--speed-kmh", "40", "--time-scale", "60", "--tick-seconds", "0.5", "--booking-seconds", "1",
                    "--service-seconds", "120")
ROADSIDE_ENV = {
    "ROADSIDE_POLL_SECONDS": "0.5",
    "ROADSIDE_LIVE_EDIT_SECONDS": "1",
    "ROADSIDE_DISPATCH_RETRY_SECONDS": "1",
    "ROADSIDE_DISPATCH_RETRY_MAX_SECONDS": "2",
}


# Surveys an hour after a payment or a rescue, so that no other test sees one; tests/e2e/test_survey.py
# shortens the delay for its own module. Looked for every second; no quiet hours unless a test sets them.
SURVEY_ENV = {"SURVEY_DELAY_SECONDS": "3600", "SURVEY_INTERVAL_SECONDS": "1", "SURVEY_QUIET_HOURS": "",
              "SURVEY_BUSY_RECHECK_SECONDS": "2"}


# The scheduler's lease renewed every second and lost after 4 (a restarted bot leads again at once); reminders
# are off unless a module turns them on (tests/e2e/test_reminders.py), at any hour when on; campaigns are
# looked for every second.
SCHEDULER_ENV = {"SCHEDULER_RENEW_SECONDS": "1", "SCHEDULER_LEASE_SECONDS": "4", "REMINDER_KINDS": "none",
                 "REMINDER_INTERVAL_SECONDS": "1", "REMINDER_QUIET_HOURS": "", "REMINDER_SEND_TIME": "00:00",
                 "CAMPAIGN_POLL_SECONDS": "1", "OUTBOX_IDLE_SECONDS": "0.3"}


@dataclass
class Assistant:
    """The running assistant as tests see it."""

    simulator_url: str
    database_url: str
    stack: Stack
    provider_url: str = ""

    def sessions(self):
        """A session factory on the assistant's database, to check what it stored."""
        return make_session_factory(make_engine(self.database_url))


@pytest.fixture(scope="session")
def assistant(tmp_path_factory) -> Assistant:
    """Start everything once; stop it at the end of the session."""
    model = current_model()
    if not model.exists():
        pytest.fail(f"no trained model at {model}: run scripts/train.sh (make test does)")
    work = tmp_path_factory.mktemp("assistant")
    with temporary_database(session_backend()) as url:
        prepare_database(url)
        simulator, sim_url = start_simulator(work / "logs")
        provider, provider_url = start_roadside_provider(work / "logs", *PROVIDER_OPTIONS)
        asyncio.run(_register_agents_group(sim_url))
        stack = Stack(work, url, telegram_api_url=f"{sim_url}/bot", bot_token=BOT_TOKEN,
                      redis_prefix=f"e2e{uuid.uuid4().hex[:8]}" if redis_available() else None,
                      extra_env={"UPLOAD_DIR": str(work / "uploads"), "ROADSIDE_PROVIDER_URL": provider_url,
                                 **DESK_ENV, **ROADSIDE_ENV, **SURVEY_ENV, **SCHEDULER_ENV})
        stack.build(model)
        try:
            stack.start()
            asyncio.run(_wait_for_bot(sim_url, stack))
            yield Assistant(sim_url, url, stack, provider_url)
        finally:
            stack.stop()
            simulator.stop()
            provider.stop()


async def _register_agents_group(sim_url: str) -> None:
    async with SimulatorClient(sim_url, token=BOT_TOKEN) as sim:
        await sim.register_chat(AGENTS_CHAT_ID, title="Claims desk", is_forum=True,
                                administrators=[AGENT_LEE], members=[AGENT_WANG, INTRUDER])


async def _wait_for_bot(sim_url: str, stack: Stack) -> None:
    async with SimulatorClient(sim_url) as sim:
        try:
            await sim.wait_for_bot(timeout=30)
        except AssertionError as error:
            raise AssertionError(f"{error}\nbot log:\n{stack.services['bot'].tail()}") from None


@pytest.fixture
async def simulator(assistant):
    async with SimulatorClient(assistant.simulator_url) as client:
        yield client


LANGUAGE_CODES = {"en": "en", "zh": "zh-hans"}


@pytest.fixture
def user_factory():
    """New users with fresh private chats, so tests never share a conversation."""

    def make(language: str = "en", first_name: str = "Alex") -> FakeUser:
        return FakeUser(id=next(_chat_ids), first_name=first_name, language_code=LANGUAGE_CODES[language])

    return make


@pytest.fixture
def chat_factory(simulator, user_factory):
    """`chat("zh")`: a new user's chat in that Telegram language."""

    def make(language: str = "en") -> Chat:
        return Chat(simulator, user_factory(language))

    return make
