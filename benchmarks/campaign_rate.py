"""The campaign sender's send rate against Telegram's limits: `make benchmark-campaign` (about 6 minutes).

Starts the Bot API simulator with Telegram's flood limits enforced (30 messages a second for the bot, one a second
per chat), puts N linked customers (default 10,000) on a throw-away database, starts the real bot, creates a
campaign with the operators' command line, and reads from the simulator what got through. Prints:
- the achieved rate (accepted messages a second, first to last) and its ratio to 30 a second;
- duplicates (customers with more than one message) and customers missed;
- sends refused with 429, and the time from `create` to the campaign marked done.
`--stop-after N` stops the sender after N messages (SIGTERM; `--crash` for SIGKILL) and starts it again, to
count what a restart costs. Nothing is asserted: these are figures to compare over time.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import func, select

from claims.campaigns.service import campaign_progress
from claims.clock import utcnow
from claims.db import upgrade_database
from claims.enums import CampaignStatus
from claims.models import Campaign, Delivery
from claims.services.deliveries import UNKNOWN_NOTE
from claims.testing import add_linked_customers, session_backend, temporary_database
from devstack.deployment import Deployment, refusals, sent_texts
from devstack.processes import ROOT
from devstack.stack import APP_PYTHON, start_simulator
from telegram_simulator.client import SimulatorClient

TOKEN = "7000000009:CAMPAIGN-BENCHMARK"
TELEGRAM_RATE = 30.0
FIRST_CHAT = 970_000_001


async def _calls(sim_url: str) -> list[dict]:
    async with SimulatorClient(sim_url, token=TOKEN) as sim:
        return await sim.calls("sendMessage")


async def _prepare_simulator(sim_url: str, people: list[tuple[int, str]]) -> None:
    async with SimulatorClient(sim_url, token=TOKEN) as sim:
        await sim.register_chats([{"chat_id": chat_id, "type": "private", "first_name": "Customer"}
                                  for chat_id, _ in people], token=TOKEN)
        await sim.set_limits(True, global_per_second=int(TELEGRAM_RATE), per_chat_per_second=1, per_chat_burst=1,
                             token=TOKEN)


def _status(deployment: Deployment, campaign_id: int) -> CampaignStatus:
    with deployment.sessions()() as session:
        return session.get(Campaign, campaign_id).status


def run(customers: int, stop_after: int | None, crash: bool, rate: float | None) -> None:
    work = Path(tempfile.mkdtemp(prefix="campaign-bench-"))
    simulator, sim_url = start_simulator(work / "logs")
    try:
        with temporary_database(session_backend()) as url:
            upgrade_database(url)
            deployment = Deployment(url, sim_url, "http://127.0.0.1:9", work / "logs")
            with deployment.sessions()() as session:
                people = add_linked_customers(session, count=customers, city="Benchmark", first_chat_id=FIRST_CHAT)
            asyncio.run(_prepare_simulator(sim_url, people))
            # the production cadence of the other scheduled work (the deployment's defaults are for tests)
            env = {"REMINDER_INTERVAL_SECONDS": "300", "CAMPAIGN_POLL_SECONDS": "5", "OUTBOX_IDLE_SECONDS": "1"}
            if rate:
                env["CAMPAIGN_RATE_PER_SECOND"] = str(rate)
            deployment.start_bot("sender", TOKEN, **env)
            while deployment.leader_pid() is None:
                time.sleep(0.2)
            marker = uuid.uuid4().hex[:8]
            started = time.monotonic()
            out = subprocess.run(
                [APP_PYTHON, "-m", "claims.campaigns", "--url", url, "create", "--name", f"benchmark {marker}",
                 "--city", "Benchmark", "--text-en", f"Benchmark {marker}", "--text-zh", f"基准测试 {marker}"],
                cwd=ROOT, capture_output=True, text=True, check=True, env=os.environ.copy()).stdout
            campaign_id = int(out.split()[1])
            if stop_after:
                while len(sent_texts(asyncio.run(_calls(sim_url)), TOKEN)) < stop_after:
                    time.sleep(0.5)
                deployment.kill("sender", signal.SIGKILL if crash else signal.SIGTERM)
                deployment.start_bot("sender", TOKEN, **env)
            while _status(deployment, campaign_id) is not CampaignStatus.done:
                time.sleep(0.5)
            elapsed = time.monotonic() - started
            deployment.stop_all()
            calls = asyncio.run(_calls(sim_url))
            with deployment.sessions()() as session:
                progress = campaign_progress(session, campaign_id, now=utcnow())
                in_doubt = session.scalar(select(func.count()).where(
                    Delivery.campaign_id == campaign_id, Delivery.last_error.startswith(UNKNOWN_NOTE)))
    finally:
        simulator.stop()
    report(people, calls, elapsed, progress, in_doubt, stop_after=stop_after, crash=crash)


def report(people: list[tuple[int, str]], calls: list[dict], elapsed: float, progress, in_doubt: int, *,
           stop_after: int | None, crash: bool) -> None:
    received = sent_texts(calls, TOKEN)
    times = sorted(call["time"] for call in calls
                   if call["method"] == "sendMessage" and call.get("ok") and call["token"] == TOKEN)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    rate = (len(times) - 1) / span if span else 0.0
    wrong_language = sum(1 for chat_id, language in people if chat_id in received
                         and received[chat_id][0].startswith("基准测试") != (language == "zh"))
    print(f"customers: {len(people)}")
    if stop_after:
        print(f"sender stopped after {stop_after} messages with {'SIGKILL' if crash else 'SIGTERM'} and restarted")
    print(f"messages accepted: {len(times)}; refused with 429: {refusals(calls, TOKEN).get(429, 0)}")
    print(f"duplicates: {sum(len(texts) - 1 for texts in received.values())}; "
          f"missed: {sum(1 for chat_id, _ in people if chat_id not in received)}; wrong language: {wrong_language}")
    print(f"send rate: {rate:.2f} messages/s = {rate / TELEGRAM_RATE:.3f} of {TELEGRAM_RATE:g}/s "
          f"(first to last accepted message, {span:.1f} s)")
    print(f"create -> done: {elapsed:.1f} s; the campaign's own count: sent {progress.sent}, failed {progress.failed} "
          f"(of them in doubt after a crash, not sent again: {in_doubt}), skipped {progress.skipped}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--stop-after", type=int, help="stop the sender after this many messages, then restart it")
    parser.add_argument("--crash", action="store_true", help="with --stop-after: SIGKILL instead of SIGTERM")
    parser.add_argument("--rate", type=float, help="CAMPAIGN_RATE_PER_SECOND for the sender (default: the setting)")
    args = parser.parse_args()
    run(args.customers, args.stop_after, args.crash, args.rate)


if __name__ == "__main__":
    main()
