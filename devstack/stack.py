"""The assistant's processes, wired together by environment variables."""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from datetime import datetime, timezone

from sqlalchemy import select

from claims.db import make_engine, make_session_factory, upgrade_database
from claims.models import Policyholder
from claims.seed import seed_demo_data
from devstack.processes import ROOT, Service, free_port, http_ok, port_open

RASA_VENV_BIN = Path(os.environ.get("RASA_VENV", "")) / "bin"
APP_PYTHON = os.environ.get("APP_PY", "python")


def rasa_bin() -> str:
    """The `rasa` executable of the Rasa environment (scripts/env.sh exports RASA_VENV)."""
    return str(RASA_VENV_BIN / "rasa") if os.environ.get("RASA_VENV") else "rasa"


def current_model() -> Path:
    """The model that scripts/train.sh built for the current data (RASA_MODEL overrides)."""
    if os.environ.get("RASA_MODEL"):
        return Path(os.environ["RASA_MODEL"])
    out = subprocess.run(["bash", str(ROOT / "scripts/train.sh"), "--print-path"], capture_output=True, text=True, check=True)
    return Path(out.stdout.strip().splitlines()[-1])


def prepare_database(url: str) -> bool:
    """Migrate, and load the demo data into an empty database; True if it was loaded."""
    upgrade_database(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            if session.scalar(select(Policyholder.id).limit(1)) is not None:
                return False
            seed_demo_data(session, now=datetime.now(timezone.utc))
            return True
    finally:
        engine.dispose()


def start_simulator(logs: Path) -> tuple[Service, str]:
    """The Bot API simulator on a free loopback port, ready; returns it and its base URL."""
    port = free_port()
    simulator = Service("simulator", [APP_PYTHON, "-m", "telegram_simulator", "--port", str(port)], {}, logs,
                        http_ok(f"http://127.0.0.1:{port}/sim/bots"))
    simulator.start()
    simulator.wait_ready(20)
    return simulator, f"http://127.0.0.1:{port}"


def start_roadside_provider(logs: Path, *options: str) -> tuple[Service, str]:
    """The roadside provider simulator on a free loopback port, ready; returns it and its base URL.

    `options` are its command-line options (--speed-kmh, --time-scale, --tick-seconds ...)."""
    port = free_port()
    provider = Service("roadside-provider", [APP_PYTHON, "-m", "roadside_simulator", "--port", str(port), *options], {},
                       logs, http_ok(f"http://127.0.0.1:{port}/sim/health"))
    provider.start()
    provider.wait_ready(20)
    return provider, f"http://127.0.0.1:{port}"


def redis_available() -> bool:
    """True when a Redis server answers on the default port."""
    return port_open("127.0.0.1", 6379)


def write_endpoints(path: Path, *, action_url: str, redis_prefix: str | None) -> Path:
    """An endpoints file for this run; Redis keeps the conversations when it is there."""
    text = f"action_endpoint:\n  url: {action_url}\n"
    if redis_prefix:
        text += (
            "tracker_store:\n  type: redis\n  url: 127.0.0.1\n  port: 6379\n  db: 0\n"
            f"  key_prefix: {redis_prefix}\n  record_exp: 86400\n"
            "lock_store:\n  type: redis\n  url: 127.0.0.1\n  port: 6379\n  db: 0\n"
            f"  key_prefix: {redis_prefix}\n"
        )
    path.write_text(text)
    return path


@dataclass
class Stack:
    """Ports, URLs and services of one running assistant."""

    work_dir: Path
    database_url: str
    telegram_api_url: str | None = None
    bot_token: str | None = None
    redis_prefix: str | None = None
    extra_env: dict[str, str] | None = None

    def __post_init__(self) -> None:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.rasa_port = free_port()
        self.action_port = free_port()
        self.rasa_url = f"http://127.0.0.1:{self.rasa_port}"
        self.action_url = f"http://127.0.0.1:{self.action_port}/webhook"
        self.services: dict[str, Service] = {}

    def common_env(self) -> dict[str, str]:
        env = {"DATABASE_URL": self.database_url, "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
        env.update(self.extra_env or {})
        return env

    def build(self, model: Path) -> None:
        """Define the services (not started)."""
        logs = self.work_dir / "logs"
        endpoints = write_endpoints(self.work_dir / "endpoints.yml", action_url=self.action_url, redis_prefix=self.redis_prefix)
        self.services["actions"] = Service(
            "actions",
            [APP_PYTHON, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.action_port)],
            self.common_env(), logs, http_ok(f"http://127.0.0.1:{self.action_port}/health"),
        )
        self.services["rasa"] = Service(
            "rasa",
            [rasa_bin(), "run", "--enable-api", "--model", str(model), "--endpoints", str(endpoints),
             "--credentials", str(ROOT / "config/credentials.yml"), "--port", str(self.rasa_port),
             "--interface", "127.0.0.1"],
            self.common_env(), logs, http_ok(f"{self.rasa_url}/status"),
        )
        bot_env = {**self.common_env(), "RASA_URL": self.rasa_url}
        if self.telegram_api_url:
            bot_env["TELEGRAM_API_URL"] = self.telegram_api_url
        if self.bot_token:
            bot_env["TELEGRAM_BOT_TOKEN"] = self.bot_token
        self.services["bot"] = Service("bot", [APP_PYTHON, "-m", "bot"], bot_env, logs, None)

    def start(self, *, rasa_timeout: float = 240) -> None:
        """Start the action server and Rasa in parallel, then the bot."""
        self.services["actions"].start()
        self.services["rasa"].start()
        self.services["actions"].wait_ready(60)
        self.services["rasa"].wait_ready(rasa_timeout)
        self.services["bot"].start()
        self.services["bot"].wait_ready(5)

    def stop(self) -> None:
        """Stop in reverse order."""
        for name in ("bot", "rasa", "actions"):
            if name in self.services:
                self.services[name].stop()
