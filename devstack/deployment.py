"""A deployment of bot processes on a database of their own, started, killed and restarted by a test or a
benchmark (tests/e2e/test_outreach_deployment.py, benchmarks/campaign_rate.py). Each process has a bot token,
on a Bot API simulator, so that what it sends is told apart and the simulator's flood limits apply to it alone."""
from __future__ import annotations

import signal
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from claims.db import make_engine, make_session_factory
from claims.services.leases import lease_holder
from claims.clock import utcnow
from devstack.processes import Service
from devstack.stack import APP_PYTHON

# Fast scheduling: the lease renewed every second and lost 3 s after its holder died.
FAST_SCHEDULER = {"SCHEDULER_RENEW_SECONDS": "1", "SCHEDULER_LEASE_SECONDS": "3", "REMINDER_INTERVAL_SECONDS": "1",
                  "CAMPAIGN_POLL_SECONDS": "0.5", "OUTBOX_IDLE_SECONDS": "0.2", "REMINDER_QUIET_HOURS": "",
                  "REMINDER_SEND_TIME": "00:00", "SURVEY_INTERVAL_SECONDS": "0", "PYTHONUNBUFFERED": "1"}


@dataclass
class Deployment:
    database_url: str
    simulator_url: str
    rasa_url: str
    logs: Path
    bots: dict[str, Service] = field(default_factory=dict)

    def sessions(self):
        return make_session_factory(make_engine(self.database_url))

    def start_bot(self, name: str, token: str, **env: str) -> Service:
        bot = Service(name, [APP_PYTHON, "-m", "bot"], {
            "DATABASE_URL": self.database_url, "TELEGRAM_API_URL": f"{self.simulator_url}/bot",
            "TELEGRAM_BOT_TOKEN": token, "RASA_URL": self.rasa_url, **FAST_SCHEDULER, **env}, self.logs, None)
        bot.start()
        self.bots[name] = bot
        return bot

    def kill(self, name: str, sig: signal.Signals = signal.SIGTERM, timeout: float = 20) -> None:
        """Stop one bot: SIGTERM lets it finish what is in flight; SIGKILL is a crash."""
        bot = self.bots[name]
        if sig is signal.SIGTERM:
            bot.stop(timeout)
        else:
            bot.process.send_signal(sig)
            bot.process.wait(timeout)

    def stop_all(self) -> None:
        for bot in self.bots.values():
            bot.stop()

    def leader_pid(self) -> int | None:
        """The pid of the process holding the scheduler's lease, if one does."""
        with self.sessions()() as session:
            holder = lease_holder(session, "scheduler", now=utcnow())
        return int(holder.split(":")[1]) if holder else None

    def log(self, name: str) -> str:
        return self.bots[name].tail(60)

    def report(self) -> str:
        """The outbox and the bots' logs, for a failure message."""
        from sqlalchemy import select

        from claims.models import Delivery

        with self.sessions()() as session:
            rows = [f"{d.dedupe_key} {d.status.value} attempts={d.attempts} {d.last_error or ''}"
                    for d in session.scalars(select(Delivery).order_by(Delivery.id).limit(40))]
        logs = [f"--- {name} ---\n{bot.tail(25)}" for name, bot in self.bots.items()]
        return "\n".join(["outbox:", *rows, *logs])


def sent_texts(calls: list[dict], token: str) -> dict[int, list[str]]:
    """chat id -> the texts the bot with `token` got through to it (accepted sendMessage calls), in order."""
    found: dict[int, list[str]] = {}
    for call in calls:
        if call["method"] == "sendMessage" and call.get("ok") and call["token"] == token:
            found.setdefault(int(call["params"]["chat_id"]), []).append(call["params"]["text"])
    return found


def refusals(calls: list[dict], token: str) -> Counter:
    """error code -> how many of the bot's calls were refused with it."""
    return Counter(call.get("error_code") for call in calls if call["token"] == token and call.get("ok") is False)
