"""`python -m devstack`: run the assistant; with no TELEGRAM_BOT_TOKEN, chat locally in the terminal.

Expects scripts/env.sh's variables (RASA_VENV, APP_PY); `make run` sets everything up first.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys

from claims.settings import get_settings
from devstack.processes import ROOT
from devstack.stack import APP_PYTHON, Stack, current_model, prepare_database, start_roadside_provider, start_simulator

LOCAL_TOKEN = "1000000001:LOCAL-CHAT-TOKEN"
# The simulated agents' forum of the local chat, and the agent you play in it (/view switches).
LOCAL_AGENTS_CHAT_ID = -1001000000001
LOCAL_AGENT_ID = 200001
# The local roadside provider: trucks at a town speed, time running 4x (a truck 5 km away arrives in about
# two minutes), so that a newcomer can watch one approach; ROADSIDE_PROVIDER_URL points at a real one instead.
LOCAL_PROVIDER_OPTIONS = ("--speed-kmh", "40", "--time-scale", "4", "--tick-seconds", "2", "--booking-seconds", "3",
                          "--service-seconds", "240")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--language", default="en", choices=["en", "zh"], help="your Telegram language in the local chat")
    parser.add_argument("--phone", default=None, help="the phone number your contact shares in the local chat")
    args = parser.parse_args()

    settings = get_settings()
    if prepare_database(settings.database_url):
        print("Loaded the demo data (README: 'Try it').")
    work = ROOT / "var" / "run"
    token = os.environ.get("TELEGRAM_BOT_TOKEN")
    simulator = None
    api_url = os.environ.get("TELEGRAM_API_URL")
    if not token:
        simulator, sim_url = start_simulator(work / "logs")
        token, api_url = LOCAL_TOKEN, f"{sim_url}/bot"
    desk_env = {}
    if simulator and not os.environ.get("AGENTS_CHAT_ID"):
        desk_env = {"AGENTS_CHAT_ID": str(LOCAL_AGENTS_CHAT_ID), "AGENT_IDS": str(LOCAL_AGENT_ID)}
    provider = None
    if not os.environ.get("ROADSIDE_PROVIDER_URL"):
        provider, provider_url = start_roadside_provider(work / "logs", *LOCAL_PROVIDER_OPTIONS)
        desk_env["ROADSIDE_PROVIDER_URL"] = provider_url
        desk_env.setdefault("ROADSIDE_LIVE_EDIT_SECONDS", "4")
    if simulator and "SURVEY_QUIET_HOURS" not in os.environ:
        # the local chat is a demo at any hour: `python -m claims.backoffice survey CLAIM` sends a survey now
        desk_env.update(SURVEY_QUIET_HOURS="", SURVEY_INTERVAL_SECONDS="5")
    if simulator and "REMINDER_QUIET_HOURS" not in os.environ:
        # reminders and campaigns at any hour too, looked for every few seconds
        desk_env.update(REMINDER_QUIET_HOURS="", REMINDER_INTERVAL_SECONDS="10", CAMPAIGN_POLL_SECONDS="2")
    stack = Stack(work, settings.database_url, telegram_api_url=api_url, bot_token=token, extra_env=desk_env)
    stack.build(current_model())
    print(f"Starting the action server, Rasa and the bot (logs in {work / 'logs'}); Rasa needs ~30 s to load.")
    try:
        stack.start()
        if simulator:
            chat = [APP_PYTHON, "-m", "telegram_simulator.chat", "--url", api_url.removesuffix("/bot"), "--language", args.language,
                    "--agents-chat-id", desk_env.get("AGENTS_CHAT_ID", os.environ.get("AGENTS_CHAT_ID", "")),
                    "--agent-user-id", str(LOCAL_AGENT_ID)]
            if args.phone:
                chat += ["--phone", args.phone]
            return subprocess.call(chat, cwd=ROOT)
        print("Running with Telegram; Ctrl+C stops.")
        return stack.services["bot"].process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()
        for process in (simulator, provider):
            if process:
                process.stop()


if __name__ == "__main__":
    sys.exit(main())
