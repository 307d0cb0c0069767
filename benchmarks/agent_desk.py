"""How fast the agents' console moves messages: `make benchmark` (about 2 minutes on 2 cores).

Starts the real stack (simulator, Rasa with the trained model, action server, bot) on a throw-away
database, then measures, through the Bot API simulator:
- handover: a customer asks for a person -> the case's topic shows its context card;
- a burst: N customers ask at the same moment -> every topic is open;
- relay: a customer's message -> its copy in the topic, and an agent's reply -> the customer's chat,
  first, while the group is quiet.
Prints p50 / p95 / max in milliseconds. Nothing is asserted: these are figures to compare over time.
Telegram lets a bot send 20 messages a minute to one group (PTB's AIORateLimiter enforces it), so the
handover and burst figures show that limit once the desk is busy.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from claims.db import make_engine, make_session_factory
from claims.models import Handoff
from claims.testing import session_backend, temporary_database
from devstack.stack import Stack, current_model, prepare_database, start_simulator
from telegram_simulator.client import FakeUser, SimulatorClient

TOKEN = "7000000009:BENCHMARK-TOKEN"
AGENTS = -1009000000009
AGENT = FakeUser(id=800001, first_name="Bench", language_code="en")
ALL_DAY = '{"mon": "00:00-24:00", "tue": "00:00-24:00", "wed": "00:00-24:00", "thu": "00:00-24:00", ' \
          '"fri": "00:00-24:00", "sat": "00:00-24:00", "sun": "00:00-24:00"}'


def report(name: str, samples: list[float]) -> None:
    """One line of figures, in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"{name:<44} n={len(ordered):<3} p50={statistics.median(ordered) * 1000:7.0f} ms"
          f"  p95={p95 * 1000:7.0f} ms  max={ordered[-1] * 1000:7.0f} ms")


async def wait_topic(sessions, chat_id: int) -> Handoff:
    while True:
        with sessions() as session:
            handoff = session.scalars(select(Handoff).where(Handoff.chat_id == chat_id)).first()
            if handoff is not None and handoff.topic_id is not None and handoff.card_message_id is not None:
                session.expunge(handoff)
                return handoff
        await asyncio.sleep(0.02)


async def wait_for(sim: SimulatorClient, chat_id: int, words: str, *, thread_id: int | None = None) -> float:
    while True:
        messages = await sim.messages(chat_id, thread_id=thread_id)
        if any(words in (m.get("text") or "") for m in messages):
            return time.perf_counter()
        await asyncio.sleep(0.01)


async def measure(sim_url: str, sessions, customers: int, burst: int, relays: int) -> None:
    async with SimulatorClient(sim_url, token=TOKEN) as sim:
        await sim.wait_for_bot(timeout=60)
        ids = iter(range(950_000_001, 960_000_000))

        user = FakeUser(id=next(ids), first_name="Relay", language_code="en")
        await sim.send_text(user.id, "I want to talk to a person", user=user)
        case = await wait_topic(sessions, user.id)
        await sim.press(AGENTS, case.card_message_id, f"desk:take:{case.id}", user=AGENT)
        await wait_for(sim, user.id, "has joined")
        to_agent, to_customer = [], []
        for n in range(relays):
            started = time.perf_counter()
            await sim.send_text(user.id, f"customer line {n}", user=user)
            to_agent.append(await wait_for(sim, AGENTS, f"customer line {n}", thread_id=case.topic_id) - started)
            started = time.perf_counter()
            await sim.send_text(AGENTS, f"agent line {n}", user=AGENT, thread_id=case.topic_id)
            to_customer.append(await wait_for(sim, user.id, f"agent line {n}") - started)
        report("relay on a quiet desk: customer -> topic", to_agent)
        report("relay on a quiet desk: agent -> customer", to_customer)

        handover = []
        for _ in range(customers):
            user = FakeUser(id=next(ids), first_name="Customer", language_code="en")
            started = time.perf_counter()
            await sim.send_text(user.id, "I want to talk to a person", user=user)
            await wait_topic(sessions, user.id)
            handover.append(time.perf_counter() - started)
        report("handover: request -> topic with card", handover)

        users = [FakeUser(id=next(ids), first_name="Burst", language_code="en") for _ in range(burst)]
        started = time.perf_counter()
        await asyncio.gather(*(sim.send_text(u.id, "talk to a person", user=u) for u in users))
        await asyncio.gather(*(wait_topic(sessions, u.id) for u in users))
        print(f"{f'burst: {burst} customers at once -> all topics':<44} {time.perf_counter() - started:7.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=20, help="handovers measured one after another")
    parser.add_argument("--burst", type=int, default=20, help="customers asking at the same moment")
    parser.add_argument("--relays", type=int, default=15, help="messages each way in one taken case")
    args = parser.parse_args()
    model = current_model()
    work = Path(tempfile.mkdtemp(prefix="bench-desk-"))
    with temporary_database(session_backend()) as url:
        prepare_database(url)
        engine = make_engine(url)
        simulator, sim_url = start_simulator(work / "logs")
        asyncio.run(_register(sim_url))
        stack = Stack(work, url, telegram_api_url=f"{sim_url}/bot", bot_token=TOKEN, extra_env={
            "AGENTS_CHAT_ID": str(AGENTS), "AGENT_IDS": str(AGENT.id), "DESK_HOURS": ALL_DAY,
            "STAGE_UPDATE_INTERVAL_SECONDS": "0", "UPLOAD_DIR": str(work / "uploads"),
        })
        stack.build(model)
        try:
            print(f"database: {url.split(':')[0]}; starting the stack (Rasa needs ~30 s to load)")
            stack.start()
            asyncio.run(measure(sim_url, make_session_factory(engine), args.customers, args.burst, args.relays))
        finally:
            stack.stop()
            simulator.stop()
            engine.dispose()


async def _register(sim_url: str) -> None:
    async with SimulatorClient(sim_url, token=TOKEN) as sim:
        await sim.register_chat(AGENTS, title="Benchmark desk", is_forum=True, administrators=[AGENT])


if __name__ == "__main__":
    main()
