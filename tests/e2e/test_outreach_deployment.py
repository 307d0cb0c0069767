"""The scheduler and the campaign sender as a deployment runs them: processes started, killed and restarted on a
database of their own, sending through the Bot API simulator with Telegram's flood limits enforced.

- 2,000 customers get a campaign exactly once each, in their language, with the simulator refusing at most a
  handful of sends, although the sender is stopped in the middle and started again;
- a customer who blocked the bot is marked (403) and left out of later campaigns until they write again;
- two bot processes on one database send each reminder once, and the second takes over when the first dies.
"""
from __future__ import annotations

import signal
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from claims.db import upgrade_database
from claims.enums import CampaignStatus, DeliveryStatus
from claims.models import Campaign, ChatPreference, Delivery, scheduler_jobs
from claims.testing import add_linked_customers, session_backend, temporary_database
from telegram_simulator.client import SimulatorClient
from devstack.deployment import Deployment, refusals, sent_texts
from tests.e2e.operations import campaigns
from tests.e2e.waiting import until

pytestmark = pytest.mark.e2e
SHANGHAI = ZoneInfo("Asia/Shanghai")
CAMPAIGN_TOKEN = "7000000001:E2E-CAMPAIGNS"
LEADER_TOKENS = ("7000000001:E2E-LEADER-A", "7000000001:E2E-LEADER-B")
# At most this many sends refused with 429 in a campaign paced under the limit (timing jitter on 2 cores).
A_HANDFUL = 10


@pytest.fixture(scope="module")
def deployment(assistant, tmp_path_factory):
    with temporary_database(session_backend()) as url:
        upgrade_database(url)
        running = Deployment(url, assistant.simulator_url, assistant.stack.rasa_url,
                             tmp_path_factory.mktemp("outreach") / "logs")
        try:
            yield running
        finally:
            running.stop_all()


@pytest.fixture
async def sim(assistant):
    async with SimulatorClient(assistant.simulator_url, token=CAMPAIGN_TOKEN) as client:
        yield client


def create_campaign(deployment, city: str, marker: str) -> int:
    out = campaigns(deployment.database_url, "create", "--name", f"test {marker}", "--city", city,
                        "--text-en", f"Storm warning {marker}: park away from trees.",
                        "--text-zh", f"暴雨预警 {marker}：请将车辆停放在远离树木的地方。")
    return int(out.split()[1])


def campaign(deployment, campaign_id: int) -> Campaign:
    with deployment.sessions()() as session:
        return session.get(Campaign, campaign_id)


def delivery_counts(deployment, campaign_id: int) -> dict[DeliveryStatus, int]:
    with deployment.sessions()() as session:
        return dict(session.execute(select(Delivery.status, func.count()).where(Delivery.campaign_id == campaign_id)
                                    .group_by(Delivery.status)).all())


async def register(sim, people, token: str) -> None:
    await sim.register_chats([{"chat_id": chat_id, "type": "private", "first_name": "Customer"}
                              for chat_id, _ in people], token=token)


async def test_a_campaign_to_2000_customers_within_the_limits_survives_a_restart_without_duplicates(deployment, sim):
    with deployment.sessions()() as session:
        people = add_linked_customers(session, count=2000, city="Campaignville", first_chat_id=960_000_001)
    await register(sim, people, CAMPAIGN_TOKEN)
    await sim.set_limits(True, global_per_second=30, per_chat_per_second=1, per_chat_burst=1, token=CAMPAIGN_TOKEN)
    first = deployment.start_bot("sender-1", CAMPAIGN_TOKEN)
    try:
        await until(lambda: deployment.leader_pid() == first.process.pid, timeout=30, message="the first sender leads")
        marker = uuid.uuid4().hex[:8]
        campaign_id = create_campaign(deployment, "Campaignville", marker)

        async def sent_so_far() -> int:
            return len(sent_texts(await sim.calls("sendMessage"), CAMPAIGN_TOKEN))

        await until(lambda: _at_least(sent_so_far, 600), timeout=90, interval=1, message="600 sent")
        deployment.kill("sender-1")  # SIGTERM in the middle of the campaign
        stopped_at = delivery_counts(deployment, campaign_id)
        assert stopped_at.get(DeliveryStatus.pending, 0) > 0, "the campaign finished before the sender was stopped"
        assert stopped_at.get(DeliveryStatus.sending, 0) == 0  # what was in flight was recorded before it stopped
        deployment.start_bot("sender-2", CAMPAIGN_TOKEN)
        await until(lambda: campaign(deployment, campaign_id).status is CampaignStatus.done, timeout=150, interval=1,
                    message="the campaign done after the restart")
        calls = await sim.calls("sendMessage")
        received = sent_texts(calls, CAMPAIGN_TOKEN)
        assert set(received) == {chat_id for chat_id, _ in people}
        assert [chat_id for chat_id, texts in received.items() if len(texts) != 1] == []  # no duplicate
        for chat_id, language in people:
            expected = f"暴雨预警 {marker}" if language == "zh" else f"Storm warning {marker}"
            assert received[chat_id][0].startswith(expected), (chat_id, language, received[chat_id][0])
        assert refusals(calls, CAMPAIGN_TOKEN).get(429, 0) <= A_HANDFUL
        assert delivery_counts(deployment, campaign_id) == {DeliveryStatus.sent: 2000}
        status = campaigns(deployment.database_url, "status", str(campaign_id))
        assert "done; sent 2000, failed 0, skipped 0, remaining 0" in status
    finally:
        await sim.set_limits(False, token=CAMPAIGN_TOKEN)
        deployment.stop_all()


async def _at_least(count, wanted: int) -> bool:
    return await count() >= wanted


async def test_a_customer_who_blocked_the_bot_is_left_out_until_they_write_again(deployment, sim):
    with deployment.sessions()() as session:
        people = add_linked_customers(session, count=3, city="Blockville", first_chat_id=961_000_001)
    await register(sim, people, CAMPAIGN_TOKEN)
    blocked = people[1][0]
    await sim.block(blocked, token=CAMPAIGN_TOKEN)
    bot = deployment.start_bot("blocking", CAMPAIGN_TOKEN)
    try:
        await until(lambda: deployment.leader_pid() == bot.process.pid, timeout=30, message="the sender leads")
        first = create_campaign(deployment, "Blockville", "one")
        await until(lambda: campaign(deployment, first).status is CampaignStatus.done, timeout=30)
        assert delivery_counts(deployment, first) == {DeliveryStatus.sent: 2, DeliveryStatus.failed: 1}
        with deployment.sessions()() as session:
            assert session.get(ChatPreference, blocked).blocked_at is not None
        second = create_campaign(deployment, "Blockville", "two")
        await until(lambda: campaign(deployment, second).status is CampaignStatus.done, timeout=30)
        assert campaign(deployment, second).audience_size == 2
        received = sent_texts(await sim.calls("sendMessage"), CAMPAIGN_TOKEN)
        assert [len(received.get(chat_id, [])) for chat_id, _ in people] == [2, 0, 2]
        # They write to the bot again: unblocked, and the next campaign reaches them.
        await sim.send_text(blocked, "hello again")

        def unblocked() -> bool:
            with deployment.sessions()() as session:
                preference = session.get(ChatPreference, blocked)
                return preference.blocked_at is None

        await until(unblocked, timeout=30, message="the chat unblocked")
        third = create_campaign(deployment, "Blockville", "three")
        await until(lambda: campaign(deployment, third).status is CampaignStatus.done, timeout=30)
        assert campaign(deployment, third).audience_size == 3
        received = sent_texts(await sim.calls("sendMessage"), CAMPAIGN_TOKEN)
        assert [m for m in received[blocked] if "three" in m]
    finally:
        deployment.stop_all()


async def test_two_processes_send_each_reminder_once_and_the_second_takes_over(deployment, assistant):
    today = datetime.now(SHANGHAI).date()
    with deployment.sessions()() as session:
        before = add_linked_customers(session, count=4, city="Leaderville", first_chat_id=962_000_001,
                                      date_of_birth=today.replace(year=1988))
    clients = [SimulatorClient(assistant.simulator_url, token=token) for token in LEADER_TOKENS]
    for client in clients:
        await client.__aenter__()
    try:
        for client, token in zip(clients, LEADER_TOKENS):
            await register(client, before, token)
        bots = [deployment.start_bot(f"leader-{n}", token, REMINDER_KINDS="birthday")
                for n, token in enumerate(LEADER_TOKENS)]

        async def greetings() -> dict[int, list[str]]:
            found: dict[int, list[str]] = {}
            for client, token in zip(clients, LEADER_TOKENS):  # a client sees its own token's calls
                for chat_id, texts in sent_texts(await client.calls("sendMessage"), token).items():
                    found.setdefault(chat_id, []).extend(t for t in texts if "birthday" in t or "生日快乐" in t)
            return found

        async def greeted(people) -> bool:
            found = await greetings()
            return all(found.get(chat_id) for chat_id, _ in people)

        try:
            await until(lambda: greeted(before), timeout=30, message="the first greetings")
        except AssertionError as error:
            raise AssertionError(f"{error}\n{deployment.report()}") from None
        leader = deployment.leader_pid()
        assert leader in {bot.process.pid for bot in bots}
        with deployment.sessions()() as session:  # the jobs are in the database, not in the process
            assert set(session.scalars(select(scheduler_jobs.c.id))) >= {"reminders", "campaigns"}
        name = next(name for name, bot in deployment.bots.items() if bot.process.pid == leader)
        deployment.kill(name, signal.SIGKILL)  # the leader crashes
        after = [(962_100_001 + n, ("en", "zh")[n % 2]) for n in range(4)]
        for client, token in zip(clients, LEADER_TOKENS):  # their chats exist before they are customers
            await register(client, after, token)
        with deployment.sessions()() as session:
            assert add_linked_customers(session, count=4, city="Leaderville", first_chat_id=962_100_001,
                                        date_of_birth=today.replace(year=1992)) == after
        try:
            await until(lambda: greeted(after), timeout=40, message="greetings sent by the process that took over")
        except AssertionError as error:
            raise AssertionError(f"{error}\n{deployment.report()}") from None
        survivor = next(bot for bot in bots if bot.process.pid != leader)
        assert deployment.leader_pid() == survivor.process.pid
        found = await greetings()
        assert {chat_id: len(found[chat_id]) for chat_id, _ in before + after} == {
            chat_id: 1 for chat_id, _ in before + after}
        for chat_id, language in before + after:
            assert ("生日快乐" if language == "zh" else "Happy birthday") in found[chat_id][0]
    finally:
        deployment.stop_all()
        for client in clients:
            await client.__aexit__(None, None, None)
